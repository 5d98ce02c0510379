"""The suggestion box (意见箱): the public page where anyone leaves an opinion about a
branch, one of its members or the committee, and the login pages where a secretary
finds the box's link and prints its QR poster.

The public page writes with no audit actor, keeps no address, browser signature or
time (only the date), logs nothing of what was sent, and counts submissions for the
rate limit only in the cache (ratelimit.py)."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from vanguard.opinions import access, ratelimit, services_intake
from vanguard.opinions.forms_intake import BoxForm
from vanguard.organization import access as organization_access
from vanguard.organization.models import Unit

RATE_SCOPE = "box"


def _public_url(request: HttpRequest, box: services_intake.Box) -> str:
    slug = services_intake.box_slug(box.campaign, box.branch)
    return request.build_absolute_uri(reverse("opinions_public:box", args=[slug]))


def _missing(request: HttpRequest) -> HttpResponse:
    return render(request, "opinions/box_missing.html", status=404)


@never_cache
@require_http_methods(["GET", "POST"])
def box(request: HttpRequest, slug: str) -> HttpResponse:
    found = services_intake.box_from_slug(slug)
    if found is None:
        return _missing(request)
    members = services_intake.branch_members(found.branch)
    context: dict[str, Any] = {"box": found, "slug": slug, "limited": False}
    status = 200
    if request.method == "POST":
        form = BoxForm(request.POST, members=members)
        if ratelimit.is_limited(request, RATE_SCOPE):
            context["limited"] = True
            status = 429
        elif request.POST.get("website"):
            # A bot filled in the hidden field: thank it and write nothing.
            ratelimit.count(request, RATE_SCOPE)
            return redirect("opinions_public:box_thanks", slug=slug)
        elif form.is_valid():
            try:
                services_intake.box_submit(
                    box=found,
                    about=form.cleaned_data["about"],
                    text=form.cleaned_data["text"],
                    contact=form.cleaned_data["contact"],
                )
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, messages)
            else:
                ratelimit.count(request, RATE_SCOPE)
                return redirect("opinions_public:box_thanks", slug=slug)
    else:
        form = BoxForm(members=members)
    context["form"] = form
    return render(request, "opinions/box_form.html", context, status=status)


@never_cache
@require_GET
def box_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    found = services_intake.box_from_slug(slug)
    if found is None:
        return _missing(request)
    return render(request, "opinions/box_thanks.html", {"box": found, "slug": slug})


def _sorting_branch(user: Any, pk: int) -> Unit:
    """A branch whose opinions this person gathers: 404 outside their sight, 403 if they
    may see it but not gather its opinions."""
    unit = organization_access.get_unit_for_user(user, pk)
    if not access.can_sort_opinions(user, unit):
        raise PermissionDenied
    return unit


@login_required
@require_GET
def box_list(request: HttpRequest) -> HttpResponse:
    """The boxes this person looks after (with their posters), and their own branch's box."""
    boxes = []
    units = access.opinion_units(request.user).filter(kind=Unit.Kind.BRANCH).order_by("path")
    for unit in units.select_related("parent"):
        found = services_intake.box_for_branch(unit)
        if found is not None:
            boxes.append({"box": found, "url": _public_url(request, found)})
    own = None
    member = organization_access.member_of(request.user)
    if member is not None and member.branch.is_active:
        found = services_intake.box_for_branch(member.branch)
        if found is not None:
            own = {"box": found, "url": _public_url(request, found)}
    return render(request, "opinions/box_list.html", {"boxes": boxes, "own": own})


@login_required
@require_GET
def box_poster(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """A printable A4 poster with the box's QR code, for the secretary to put up."""
    unit = _sorting_branch(request.user, unit_pk)
    found = services_intake.box_for_branch(unit) if unit.kind == Unit.Kind.BRANCH else None
    if found is None:
        return render(request, "opinions/box_missing.html", status=404)
    url = _public_url(request, found)
    qr_svg = segno.make(url, error="m").svg_inline(
        scale=8, border=2, title=_("意见箱二维码"), svgclass="qr-code"
    )
    return render(
        request,
        "opinions/box_poster.html",
        {"box": found, "url": url, "qr_svg": qr_svg},
    )
