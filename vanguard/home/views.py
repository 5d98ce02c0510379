"""The home page: one for everybody, a section for each kind of role held."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vanguard.campaigns.kept_pages import kept_page
from vanguard.home import selectors


@login_required
@kept_page
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/home.html", selectors.home_context(request.user))
