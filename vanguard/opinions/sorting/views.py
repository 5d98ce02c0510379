"""Sorting pages (梳理): the queue of opinions as cards, one opinion with its history,
and opening a further round of solicitation for a branch.

Each card carries a compact form (subject, aspect, kind) that htmx posts and swaps
in place, so that a secretary sorts one opinion after another on a phone; without
JavaScript the same forms post and come back to the list. Opinions come through
`opinions.access` (nobody reaches an opinion about themself: 404), and the
source of an opinion is put in the page only where `can_see_opinion_sources`
allows it — never for supervisors and observers, nor for a sorter who could be the
opinion's subject (one of the unit that gathered it): its source is for a sorter above.

And the opinion dashboard (征求意见情况): opinions by channel, aspect, kind and branch,
the branches whose opinions are mostly praise (a second round is called for), and
the members who still have no feedback.

Everything is counted in the database (a handful of aggregate queries), over the
opinions the person may read (`access.visible_opinions`) and the units whose
progress they follow (`campaigns_access.progress_units`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanguard.accounts.http import AuthenticatedHttpRequest
from vanguard.lib.forms import show_service_errors
from vanguard.lib.http import HtmxHttpRequest
from vanguard.lib.redirects import safe_next
from vanguard.opinions import access
from vanguard.opinions.intake.services import aspects_for, opinion_settings_for
from vanguard.opinions.models import Aspect, Opinion, OpinionRound
from vanguard.opinions.sorting import selectors, services
from vanguard.opinions.sorting.forms import MergeForm, RoundForm, SetAsideForm, SortForm
from vanguard.organization.models import Member, Unit

PAGE_SIZE = 20


@dataclass
class Card:
    opinion: Opinion
    show_sources: bool
    can_sort: bool
    form: SortForm | None
    set_aside_form: SetAsideForm | None
    sort_here: bool  # False: the unit is too large for a select on every card


def _card(
    request: HttpRequest,
    opinion: Opinion,
    *,
    choices: selectors.SubjectChoices,
    aspects: list[Aspect],
    form: SortForm | None = None,
    set_aside_form: SetAsideForm | None = None,
    full: bool = False,
) -> Card:
    user = request.user
    can_sort = (
        access.can_sort_opinions(user, opinion.branch) and opinion.status != Opinion.Status.MERGED
    )
    sort_here = full or not choices.too_many
    if can_sort and sort_here and form is None:
        form = SortForm(
            subject_choices=choices.choices(),
            aspects=aspects,
            opinion=opinion,
            prefix=f"o{opinion.pk}",
        )
    if can_sort and set_aside_form is None:
        set_aside_form = SetAsideForm(
            prefix=f"a{opinion.pk}", initial={"reason": opinion.set_aside_reason}
        )
    return Card(
        opinion=opinion,
        show_sources=access.can_see_opinion_sources(user, opinion),
        can_sort=can_sort,
        form=form if can_sort else None,
        set_aside_form=set_aside_form if can_sort else None,
        sort_here=sort_here,
    )


def _filters(request: HttpRequest) -> dict[str, Any]:
    get = request.GET
    status = get.get("status", Opinion.Status.NEW)
    round_raw = get.get("round", "")
    return {
        "status": status if status in Opinion.Status.values else "",
        "channel": get.get("channel") if get.get("channel") in Opinion.Channel.values else "",
        "round_number": int(round_raw) if round_raw.isdigit() else None,
        "subject_kind": (
            get.get("subject") if get.get("subject") in Opinion.SubjectKind.values else ""
        ),
        "unit_id": int(get["unit"]) if get.get("unit", "").isdigit() else None,
    }


@login_required
@require_GET
def sorting_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    campaign = access.get_opinions_campaign_for_user(user, request.GET.get("campaign", ""))
    if campaign is None:
        return render(request, "opinions/sorting_list.html", {"campaign": None})
    filters = _filters(request)
    units = selectors.sorting_units(user, campaign)
    unit = units.filter(pk=filters["unit_id"]).first() if filters["unit_id"] else None
    opinions = selectors.sorting_queue(
        user,
        campaign=campaign,
        status=filters["status"],
        channel=filters["channel"],
        round_number=filters["round_number"],
        subject_kind=filters["subject_kind"],
        unit=unit,
    )
    page = Paginator(opinions, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    aspects = aspects_for(campaign)
    choices = selectors.subject_choices({o.branch_id: o.branch for o in shown}.values())
    cards = [_card(request, o, choices=choices[o.branch_id], aspects=aspects) for o in shown]
    counts = selectors.status_counts(selectors.campaign_opinions(user, campaign))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "opinions/sorting_list.html",
        {
            "campaign": campaign,
            "cards": cards,
            "page": page,
            "counts": counts,
            "filters": filters,
            "units": units,
            "statuses": Opinion.Status.choices,
            "channels": Opinion.Channel.choices,
            "subject_kinds": Opinion.SubjectKind.choices,
            "query": query.urlencode(),
            "here": request.get_full_path(),
        },
    )


def _detail_context(request: HttpRequest, opinion: Opinion, **forms: Any) -> dict[str, Any]:
    user = request.user
    aspects = aspects_for(opinion.campaign)
    choices = selectors.subject_choices([opinion.branch])[opinion.branch_id]
    card = _card(
        request,
        opinion,
        choices=choices,
        aspects=aspects,
        form=forms.get("form"),
        set_aside_form=forms.get("set_aside_form"),
        full=True,
    )
    merge_form = None
    if card.can_sort:
        merge_form = forms.get("merge_form") or MergeForm(
            candidates=selectors.merge_candidates(user, opinion)
        )
    merged_from = list(access.visible_opinions(user).filter(merged_into=opinion).order_by("pk"))
    return {
        "card": card,
        "opinion": opinion,
        "merge_form": merge_form,
        "merged_from": merged_from,
        # Who sorted it and when: for those who sort it (the rows hold no source).
        "history": _history(opinion) if card.can_sort else [],
    }


# The fields of a sorting step, named in the history by their labels.
TRACKED = (
    "subject_kind",
    "subject_member_id",
    "subject_unit_id",
    "aspect_id",
    "kind",
    "status",
    "set_aside_reason",
    "merged_into_id",
)


def _history(opinion: Opinion) -> list[tuple[Any, list[str]]]:
    """The audit rows of an opinion, each with the labels of what it changed (and the
    new status, e.g. 已梳理)."""
    labels = {f.attname: str(f.verbose_name) for f in Opinion._meta.concrete_fields}
    labels["merged_into_id"] = _("合并")
    statuses = dict(Opinion.Status.choices)
    rows = []
    for entry in selectors.audit_history(opinion)[:50]:
        before, after = entry.before or {}, entry.after or {}
        changed: list[str] = []
        if entry.action == "update":
            changed = [
                labels[name]
                for name in TRACKED
                if name in after and before.get(name) != after.get(name)
            ]
            if before.get("status") != after.get("status") and after.get("status") in statuses:
                changed.append(str(statuses[after["status"]]))
        rows.append((entry, changed))
    return rows


# What an opinion's page and card show, beyond what `access.visible_opinions` joins.
RELATED = ("campaign__unit", "email", "record", "merged_into")


def _opinion(request: HttpRequest, pk: int, *, write: bool = False) -> Opinion:
    need = access.can_sort_opinion if write else None
    return access.get_opinion_for_user(request.user, pk, need=need, related=RELATED)


@login_required
@require_GET
def sorting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    opinion = _opinion(request, pk)
    return render(request, "opinions/sorting_detail.html", _detail_context(request, opinion))


def _next_url(request: HttpRequest, opinion: Opinion) -> str:
    fallback = reverse("opinions:sorting_detail", args=[opinion.pk])
    return safe_next(request, request.POST.get("next"), fallback)


def _respond(
    request: HtmxHttpRequest, opinion: Opinion, *, message: str = "", **forms: Any
) -> HttpResponse:
    """After a write (or a refused one): the card again for htmx, else the list or the
    opinion's page."""
    failed = any(f is not None and f.errors for f in forms.values())
    if request.htmx:
        aspects = aspects_for(opinion.campaign)
        choices = selectors.subject_choices([opinion.branch])[opinion.branch_id]
        card = _card(
            request,
            opinion,
            choices=choices,
            aspects=aspects,
            form=forms.get("form"),
            set_aside_form=forms.get("set_aside_form"),
        )
        return render(
            request,
            "opinions/sorting_card.html",
            {
                "card": card,
                "here": safe_next(request, request.POST.get("next"), ""),
                "done": "" if failed else message,
            },
        )
    if failed:
        return render(
            request,
            "opinions/sorting_detail.html",
            _detail_context(request, opinion, **forms),
        )
    if message:
        messages.success(request, message)
    return redirect(_next_url(request, opinion))


@login_required
@require_POST
def sorting_sort(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    opinion = _opinion(request, pk, write=True)
    choices = selectors.subject_choices([opinion.branch])[opinion.branch_id]
    form = SortForm(
        request.POST,
        subject_choices=choices.choices(),
        aspects=aspects_for(opinion.campaign),
        prefix=f"o{opinion.pk}",
    )
    if form.is_valid():
        subject_kind, subject_pk = form.chosen_subject()
        member = unit = None
        if subject_kind == Opinion.SubjectKind.MEMBER and subject_pk is not None:
            member = Member.objects.select_related("branch").filter(pk=subject_pk).first()
        elif subject_kind == Opinion.SubjectKind.BRANCH and subject_pk is not None:
            unit = Unit.objects.filter(pk=subject_pk, is_active=True).first()
        try:
            services.opinion_sort(
                opinion=opinion,
                subject_kind=subject_kind,
                subject_member=member,
                subject_unit=unit,
                aspect=form.chosen_aspect(),
                kind=form.cleaned_data["kind"],
            )
        except ValidationError as error:
            show_service_errors(
                form,
                error,
                field_of={
                    "subject_member": "subject",
                    "subject_unit": "subject",
                    "subject_kind": "subject",
                },
            )
        else:
            return _respond(
                request, opinion, message=_("已梳理第 %(pk)s 号意见。") % {"pk": opinion.pk}
            )
    return _respond(request, opinion, form=form)


@login_required
@require_POST
def sorting_set_aside(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    opinion = _opinion(request, pk, write=True)
    form = SetAsideForm(request.POST, prefix=f"a{opinion.pk}")
    if form.is_valid():
        try:
            services.opinion_set_aside(opinion=opinion, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            show_service_errors(form, error, field_of={})
        else:
            return _respond(
                request, opinion, message=_("已搁置第 %(pk)s 号意见。") % {"pk": opinion.pk}
            )
    return _respond(request, opinion, set_aside_form=form)


@login_required
@require_POST
def sorting_merge(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    opinion = _opinion(request, pk, write=True)
    candidates = selectors.merge_candidates(user, opinion)
    form = MergeForm(request.POST, candidates=candidates)
    if form.is_valid():
        survivor = access.get_opinion_for_user(
            user, form.cleaned_data["into"], need=access.can_sort_opinion
        )
        try:
            services.opinion_merge(survivor=survivor, duplicates=[opinion])
        except ValidationError as error:
            show_service_errors(form, error, field_of={"duplicates": "into", "survivor": "into"})
        else:
            messages.success(
                request,
                _("第 %(pk)s 号意见已合并到第 %(into)s 号意见。")
                % {"pk": opinion.pk, "into": survivor.pk},
            )
            return redirect("opinions:sorting_detail", survivor.pk)
    return render(
        request, "opinions/sorting_detail.html", _detail_context(request, opinion, merge_form=form)
    )


# --- A further round -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def round_open(request: AuthenticatedHttpRequest, branch_id: int) -> HttpResponse:
    user = request.user
    branch = access.get_followed_unit_for_user(user, branch_id, kind=Unit.Kind.BRANCH)
    campaign = access.get_running_campaign(branch)
    settings = opinion_settings_for(campaign)
    balance = next(
        iter(
            selectors.branch_balances(
                user,
                campaign,
                threshold=settings.criticism_threshold,
                units=Unit.objects.filter(pk=branch.pk),
            )
        ),
        None,
    )
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            opened = services.round_open(
                campaign=campaign, branch=branch, reason=form.cleaned_data["reason"], actor=user
            )
        except ValidationError as error:
            show_service_errors(form, error, field_of={"branch": "reason"})
        else:
            messages.success(
                request,
                _("%(branch)s已开始第 %(n)d 轮征求意见，此后收到的意见计入这一轮。")
                % {"branch": branch.name, "n": opened.number},
            )
            return redirect("opinions:dashboard")
    rounds = OpinionRound.objects.filter(campaign=campaign, branch=branch).order_by("number")
    return render(
        request,
        "opinions/sorting_round.html",
        {
            "branch": branch,
            "campaign": campaign,
            "balance": balance,
            "threshold": settings.criticism_threshold,
            "rounds": rounds,
            "form": form,
        },
    )


# --- The opinion dashboard (征求意见情况) ---------------------------------------------------

MEMBERS_SHOWN = 200
BRANCH_CHART_LIMIT = 60


def _bar(label: str, rows: list[tuple[str, int]]) -> dict[str, Any]:
    return {
        "type": "counts",
        "label": label,
        "labels": [name for name, _n in rows],
        "values": [n for _name, n in rows],
    }


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    campaign = access.get_opinions_campaign_for_user(user, request.GET.get("campaign", ""))
    if campaign is None:
        return render(request, "opinions/dashboard.html", {"campaign": None})
    settings = opinion_settings_for(campaign)
    opinions = selectors.campaign_opinions(user, campaign)
    counts = selectors.status_counts(opinions)
    received = opinions.exclude(status=Opinion.Status.MERGED)
    sorted_ = opinions.filter(status=Opinion.Status.SORTED)

    channel_names = dict(Opinion.Channel.choices)
    by_channel = [
        (str(channel_names.get(row["channel"], row["channel"])), row["n"])
        for row in selectors.counts_by(received, "channel")
    ]
    kind_names = dict(Opinion.Kind.choices)
    by_kind = [
        (str(kind_names.get(row["kind"], row["kind"])), row["n"])
        for row in selectors.counts_by(sorted_, "kind")
    ]
    aspect_counts = {
        row["aspect_id"]: row["n"] for row in selectors.counts_by(sorted_, "aspect_id")
    }
    by_aspect = [(aspect.name, aspect_counts.get(aspect.pk, 0)) for aspect in aspects_for(campaign)]
    if aspect_counts.get(None):
        by_aspect.append((_("不区分方面"), aspect_counts[None]))

    balances = selectors.branch_balances(user, campaign, threshold=settings.criticism_threshold)
    chart_branches = None
    if balances:
        shown = balances[:BRANCH_CHART_LIMIT]
        chart_branches = {
            "type": "stacked",
            "labels": [b.name for b in shown],
            "series": [
                {
                    "label": str(kind_names[Opinion.Kind.PRAISE]),
                    "values": [b.praise for b in shown],
                },
                {
                    "label": str(kind_names[Opinion.Kind.CRITICISM]),
                    "values": [b.criticism for b in shown],
                },
                {
                    "label": str(kind_names[Opinion.Kind.SUGGESTION]),
                    "values": [b.suggestion for b in shown],
                },
            ],
        }
    without = selectors.members_without_feedback(user, campaign)
    without_count = without.count()
    return render(
        request,
        "opinions/dashboard.html",
        {
            "campaign": campaign,
            "settings": settings,
            "counts": counts,
            "by_channel": by_channel,
            "by_kind": by_kind,
            "by_aspect": by_aspect,
            "chart_channel": _bar(_("意见条数"), by_channel) if by_channel else None,
            "chart_kind": _bar(_("意见条数"), by_kind) if by_kind else None,
            "chart_aspect": _bar(_("意见条数"), by_aspect) if by_aspect else None,
            "chart_branches": chart_branches,
            "balances": balances,
            "flagged": [b for b in balances if b.flagged],
            "later_rounds": [b for b in balances if b.current_round > 1],
            "without": list(without[:MEMBERS_SHOWN]),
            "without_count": without_count,
            "without_more": max(0, without_count - MEMBERS_SHOWN),
            "min_opinions": selectors.MIN_OPINIONS_FOR_FLAG,
        },
    )
