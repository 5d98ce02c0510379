"""Organisation pages: the browser with search, unit pages, member pages, and the
member edit and move forms. Every object comes through `organization.access`;
the writes are `organization.services`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from vanguard.accounts.http import AuthenticatedHttpRequest
from vanguard.organization import access, selectors, services
from vanguard.organization.forms import MemberForm, MemberMoveForm
from vanguard.organization.models import Unit
from vanguard.organization.services import MEMBER_EDITABLE_FIELDS


def _optional_url(name: str, *args: object) -> str | None:
    """A link to a page another part of the system may not provide yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


@login_required
@require_GET
def browse(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    tree = selectors.build_tree(access.visible_units(request.user))
    return render(
        request,
        "organization/browse.html",
        {
            "tree": selectors.mark_visible_counts(request.user, tree),
            "query": query,
            "results": selectors.search(request.user, query) if query.strip() else None,
            "limit": selectors.SEARCH_LIMIT,
        },
    )


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """The search results alone, for htmx to swap in as the person types."""
    query = request.GET.get("q", "")
    return render(
        request,
        "organization/_search_results.html",
        {
            "query": query,
            "results": selectors.search(request.user, query),
            "limit": selectors.SEARCH_LIMIT,
        },
    )


@login_required
@require_GET
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    unit = access.get_unit_for_user(user, pk)
    ancestors = [(ancestor, access.can_view_unit(user, ancestor)) for ancestor in unit.ancestors()]
    context = {"unit": unit, "ancestors": ancestors}
    if access.can_list_unit_members(user, unit):
        counts, children = selectors.unit_counts(unit)
        page = Paginator(selectors.unit_roster(user, unit), selectors.ROSTER_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        context.update(
            can_list=True,
            counts=counts,
            children=selectors.mark_visible_counts(user, children),
            page=page,
            roster_shows_branch=unit.kind in (Unit.Kind.COMMITTEE, Unit.Kind.GENERAL_BRANCH),
            officers=selectors.unit_officers(unit),
            export_url=(
                _optional_url("organization:roster_export", unit.pk)
                if access.can_manage_roster(user, unit)
                else None
            ),
        )
    else:
        # A member who holds no role sees the name of their branch and its secretary.
        context.update(
            can_list=False, secretaries=selectors.secretaries_of([unit.pk]).get(unit.pk, [])
        )
    return render(request, "organization/unit_detail.html", context)


@login_required
@require_GET
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    member = access.get_member_for_user(user, pk)
    return render(
        request,
        "organization/member_detail.html",
        {
            "member": member,
            "branch_visible": access.can_view_unit(user, member.branch),
            "show_contact": access.can_view_member_contact(user, member),
            "can_edit": access.can_edit_member(user, member),
            "transfers": selectors.member_transfers(member),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = access.get_member_for_user(request.user, pk, write=True)
    if request.method == "POST":
        form = MemberForm(request.POST, instance=member)
        if form.is_valid():
            try:
                services.member_update(
                    member=member,
                    data={name: form.cleaned_data[name] for name in MEMBER_EDITABLE_FIELDS},
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("已保存%(name)s的信息。") % {"name": member.name})
                return redirect("organization:member_detail", pk=member.pk)
        # The form wrote its input onto the instance; the page header shows what is saved.
        member.refresh_from_db()
    else:
        form = MemberForm(instance=member)
    return render(request, "organization/member_edit.html", {"member": member, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def member_move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = access.get_member_for_user(request.user, pk, write=True)
    if request.method == "POST":
        form = MemberMoveForm(request.POST, member=member, user=request.user)
        if form.is_valid():
            try:
                services.member_move(
                    member=member,
                    to_branch=form.cleaned_data["to_branch"],
                    party_group=form.cleaned_data["party_group"],
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("已将%(name)s转入%(branch)s。")
                    % {"name": member.name, "branch": member.branch.name},
                )
                return redirect("organization:member_detail", pk=member.pk)
    else:
        # Choosing a branch reloads the form (htmx) with that branch's party groups.
        initial = {key: request.GET.get(key, "") for key in ("to_branch", "reason")}
        form = MemberMoveForm(initial=initial, member=member, user=request.user)
    context = {
        "member": member,
        "form": form,
        "has_destinations": form.fields["to_branch"].queryset.exists(),  # type: ignore[attr-defined]
    }
    if request.htmx:
        return render(request, "organization/_member_move_form.html", context)
    return render(request, "organization/member_move.html", context)
