"""Pages of the note workflow (读书笔记抽查): the committee draws a reproducible
sample; supervisors read the sampled members' notes in a queue on their phones and
assess each by content; general-branch secretaries read all their members' notes
first; the committee names note types and publishes exemplars, which every member of
the campaign reads; and the figures: notes read, by grade and type, per branch.

Every object comes through `supervision.access`; the services enforce the rules."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanguard.accounts.http import AuthenticatedHttpRequest
from vanguard.campaigns.models import Campaign
from vanguard.lib.forms import show_service_errors
from vanguard.organization.models import Member
from vanguard.supervision import access
from vanguard.supervision.models import NoteAssessment, Round, SampledMember
from vanguard.supervision.notes import sampling, selectors, services
from vanguard.supervision.notes.forms import (
    AssessmentForm,
    ExemplarForm,
    NoteTypeForm,
    SampleForm,
)

COLLEGE = NoteAssessment.Level.COLLEGE
GENERAL_BRANCH = NoteAssessment.Level.GENERAL_BRANCH


def _campaign(request: AuthenticatedHttpRequest, pk: int, need: Any = None) -> Campaign:
    return access.get_supervision_campaign_for_user(request.user, pk, need=need)


# --- Samples -----------------------------------------------------------------------------


@login_required
@require_GET
def samples(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = _campaign(request, campaign_pk)
    found = (
        access.visible_samples(request.user)
        .filter(campaign=campaign)
        .select_related("drawn_by")
        .order_by("-drawn_at", "-pk")
    )
    return render(
        request,
        "supervision/notes/samples.html",
        {
            "campaign": campaign,
            "samples": found,
            "can_draw": access.can_draw_sample(request.user, campaign),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def sample_new(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = _campaign(request, campaign_pk, need=access.can_draw_sample)
    rounds = Round.objects.filter(campaign=campaign).order_by("starts_on", "pk")
    form = SampleForm(request.POST or None, rounds=rounds, initial={"seed": sampling.new_seed()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sample = services.sample_draw(
                campaign=campaign,
                title=data["title"],
                share=data["share"],
                minimum_per_branch=data["minimum_per_branch"],
                seed=data["seed"],
                round=data["round"],
                actor=request.user,
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(
                request,
                _("已抽取 %(size)d 名党员的读书笔记（共 %(population)d 名有笔记的党员）。")
                % {"size": sample.size, "population": sample.population},
            )
            return redirect("supervision:sample_detail", sample.pk)
    return render(
        request, "supervision/notes/sample_new.html", {"campaign": campaign, "form": form}
    )


@login_required
@require_GET
def sample_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sample = access.get_sample_for_user(request.user, pk)
    verification = selectors.sample_verify(sample) if request.GET.get("verify") else None
    return render(
        request,
        "supervision/notes/sample_detail.html",
        {
            "sample": sample,
            "campaign": sample.campaign,
            "strata": selectors.sample_strata(request.user, sample),
            "verification": verification,
            "can_read": access.can_assess_notes(request.user, sample.campaign, COLLEGE),
        },
    )


# --- Reading queues and assessments ------------------------------------------------------------


def _level(request: AuthenticatedHttpRequest) -> str:
    return GENERAL_BRANCH if request.GET.get("level") == GENERAL_BRANCH else COLLEGE


@login_required
@require_GET
def queue(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    level = _level(request)
    campaign = _campaign(
        request, campaign_pk, need=lambda user, c: access.can_assess_notes(user, c, level)
    )
    sample = None
    if level == COLLEGE:
        sample_pk = request.GET.get("sample", "")
        if sample_pk.isdigit():
            sample = access.get_sample_for_user(request.user, sample_pk)
        rows = selectors.college_queue(request.user, campaign, sample=sample)
    else:
        rows = selectors.general_branch_queue(request.user, campaign)
    done = sum(1 for r in rows if r.assessment is not None)
    other = GENERAL_BRANCH if level == COLLEGE else COLLEGE
    return render(
        request,
        "supervision/notes/queue.html",
        {
            "campaign": campaign,
            "level": level,
            "rows": rows,
            "sample": sample,
            "done": done,
            "todo": len(rows) - done,
            "other_level": (
                other if access.can_assess_notes(request.user, campaign, other) else None
            ),
        },
    )


def _assess(
    request: AuthenticatedHttpRequest,
    *,
    campaign: Campaign,
    member: Member,
    level: str,
    sampled: SampledMember | None,
    here: str,
    queue_rows: Any,
) -> HttpResponse:
    """The read-and-assess page of one member, and its POST (save, or save and next)."""
    assessment = NoteAssessment.objects.filter(
        campaign=campaign, member=member, level=level
    ).first()
    types = selectors.note_types(campaign)
    form = AssessmentForm(request.POST or None, types=types, assessment=assessment)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assessment, _created = services.assessment_save(
                campaign=campaign,
                member=member,
                level=level,
                sampled=sampled,
                books=data["books"],
                content=data["content"],
                practice=data["practice"],
                attitude=data["attitude"],
                grade=data["grade"],
                note_type=data["note_type"],
                comment=data["comment"],
                actor=request.user,
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, _("已保存对%(name)s读书笔记的评阅。") % {"name": member.name})
            if request.POST.get("then") == "next":
                following = selectors.next_unassessed(queue_rows(), after_member=member.pk)
                if following is None:
                    messages.info(request, _("队列中的笔记都已评阅。"))
                    url = reverse("supervision:queue", args=[campaign.pk])
                    query = "?level=general_branch" if level == GENERAL_BRANCH else ""
                    return redirect(url + query)
                if following.sampled is not None:
                    return redirect("supervision:sampled_detail", following.sampled.pk)
                return redirect("supervision:gb_assess", campaign.pk, following.member.pk)
            return redirect(here)
    other = None
    if level == COLLEGE:
        other = (
            NoteAssessment.objects.filter(campaign=campaign, member=member, level=GENERAL_BRANCH)
            .select_related("note_type")
            .first()
        )
    return render(
        request,
        "supervision/notes/assess.html",
        {
            "campaign": campaign,
            "member": member,
            "level": level,
            "sampled": sampled,
            "notes": selectors.member_notes(campaign, member),
            "assessment": assessment,
            "general_branch_assessment": other,
            "form": form,
            "here": here,
            "can_publish": access.can_manage_supervision(request.user, campaign),
            "queue_query": "?level=general_branch" if level == GENERAL_BRANCH else "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def sampled_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    sampled = access.get_sampled_for_user(request.user, pk)
    campaign = sampled.sample.campaign
    return _assess(
        request,
        campaign=campaign,
        member=sampled.member,
        level=COLLEGE,
        sampled=sampled,
        here=reverse("supervision:sampled_detail", args=[sampled.pk]),
        queue_rows=partial(selectors.college_queue, request.user, campaign),
    )


@login_required
@require_http_methods(["GET", "POST"])
def gb_assess(request: AuthenticatedHttpRequest, campaign_pk: int, member_pk: int) -> HttpResponse:
    campaign = _campaign(
        request, campaign_pk, need=lambda user, c: access.can_assess_notes(user, c, GENERAL_BRANCH)
    )
    member = access.get_member_to_assess_for_user(request.user, member_pk)
    return _assess(
        request,
        campaign=campaign,
        member=member,
        level=GENERAL_BRANCH,
        sampled=None,
        here=reverse("supervision:gb_assess", args=[campaign.pk, member.pk]),
        queue_rows=partial(selectors.general_branch_queue, request.user, campaign),
    )


# --- Note types ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def note_types(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = _campaign(request, campaign_pk)
    manages = access.can_manage_supervision(request.user, campaign)
    form = NoteTypeForm(request.POST or None) if manages else None
    if request.method == "POST":
        campaign = _campaign(request, campaign_pk, need=access.can_manage_supervision)
        assert form is not None
        if form.is_valid():
            try:
                added = services.note_type_add(
                    campaign=campaign,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    order=form.cleaned_data["order"],
                )
            except ValidationError as error:
                show_service_errors(form, error)
            else:
                messages.success(request, _("已添加笔记类型“%(name)s”。") % {"name": added.name})
                return redirect("supervision:note_types", campaign.pk)
    types = list(selectors.note_types(campaign))
    edit_forms = [
        (
            t,
            NoteTypeForm(
                prefix=f"t{t.pk}",
                initial={"name": t.name, "description": t.description, "order": t.order},
            )
            if manages
            else None,
        )
        for t in types
    ]
    return render(
        request,
        "supervision/notes/note_types.html",
        {"campaign": campaign, "types": edit_forms, "form": form, "manages": manages},
    )


@login_required
@require_POST
def note_type_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    note_type = access.get_note_type_for_user(request.user, pk, need=access.can_manage_note_type)
    form = NoteTypeForm(request.POST, prefix=f"t{note_type.pk}")
    if form.is_valid():
        order = form.cleaned_data["order"]
        try:
            services.note_type_update(
                note_type=note_type,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                order=note_type.order if order is None else order,
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, _("已保存笔记类型“%(name)s”。") % {"name": note_type.name})
            return redirect("supervision:note_types", note_type.campaign_id)
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, str(message))
    return redirect("supervision:note_types", note_type.campaign_id)


# --- Exemplars --------------------------------------------------------------------------------


@login_required
@require_GET
def exemplars(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = access.get_exemplar_campaign_for_user(request.user, campaign_pk)
    manages = access.can_manage_supervision(request.user, campaign)
    return render(
        request,
        "supervision/notes/exemplars.html",
        {
            "campaign": campaign,
            "groups": selectors.exemplars_by_type(request.user, campaign),
            "manages": manages,
            "types": selectors.note_types(campaign),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def exemplar_new(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = _campaign(request, campaign_pk, need=access.can_manage_supervision)
    works = selectors.exemplar_candidates(campaign)
    initial: dict[str, Any] = {}
    wanted = request.GET.get("work", "")
    if wanted.isdigit():
        chosen = works.filter(pk=int(wanted)).first()
        if chosen is not None:
            initial["work"] = chosen.pk
            found = NoteAssessment.objects.filter(campaign=campaign, member_id=chosen.member_id)
            typed = found.exclude(note_type=None).order_by("-level").first()
            if typed is not None:
                initial["note_type"] = typed.note_type_id
    form = ExemplarForm(
        request.POST or None,
        works=works,
        types=selectors.note_types(campaign),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            exemplar = services.exemplar_publish(
                campaign=campaign,
                work=data["work"],
                note_type=data["note_type"],
                consent=data["consent"],
                comment=data["comment"],
                actor=request.user,
            )
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            messages.success(request, _("范例已发布，本次活动的党员都能看到，并已收到提醒。"))
            return redirect("supervision:exemplar_detail", exemplar.pk)
    return render(
        request, "supervision/notes/exemplar_new.html", {"campaign": campaign, "form": form}
    )


@login_required
@require_GET
def exemplar_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    exemplar = access.get_exemplar_for_user(request.user, pk)
    return render(
        request,
        "supervision/notes/exemplar_detail.html",
        {
            "card": selectors.exemplar_card(exemplar),
            "campaign": exemplar.campaign,
            "manages": access.can_manage_exemplar(request.user, exemplar),
        },
    )


@login_required
@require_POST
def exemplar_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    exemplar = access.get_exemplar_for_user(request.user, pk, need=access.can_manage_exemplar)
    try:
        services.exemplar_withdraw(exemplar=exemplar)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("范例已撤回，党员不再看到它。"))
    return redirect("supervision:exemplars", exemplar.campaign_id)


# --- Figures ------------------------------------------------------------------------------


@login_required
@require_GET
def note_figures(request: AuthenticatedHttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = _campaign(request, campaign_pk, need=access.can_read_note_figures)
    branches = access.note_figure_branches(request.user, campaign)
    figures = selectors.note_figures(campaign, branches)
    every = [*figures["branches"], figures["college"]]
    untyped = any("" in f.by_type for f in every)
    type_names = figures["types"] + ([""] if untyped else [])
    grades = NoteAssessment.Grade.values
    rows = [
        (f, [f.by_grade.get(g, 0) for g in grades], [f.by_type.get(t, 0) for t in type_names])
        for f in every
    ]
    return render(
        request,
        "supervision/notes/figures.html",
        {
            "campaign": campaign,
            "figures": figures,
            "rows": rows,
            "grades": NoteAssessment.Grade.labels,
            "type_names": type_names,
        },
    )
