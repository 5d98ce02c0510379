from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vanguard.accounts import permissions


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = permissions.get_unit_for_user(request.user, pk)
    return render(request, "organization/unit_detail.html", {"unit": unit})


@login_required
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = permissions.get_member_for_user(request.user, pk)
    return render(request, "organization/member_detail.html", {"member": member})
