"""Writes to campaigns: creating one from a template (blueprint) or by cloning, editing
its phases and requirements, and phase gating (转段).

Every function takes keyword-only arguments and runs in one transaction. Single
saves are audited by the signal handlers; bulk creates call `audit_record_many`.
A refusal raises `ValidationError` with a Chinese message before anything is written.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _

from vanguard.accounts.models import User
from vanguard.audit.models import AuditEntry
from vanguard.audit.services import audit_record_many, snapshot
from vanguard.campaigns import access, progress, requirements, selectors
from vanguard.campaigns.blueprints import Blueprint, get_blueprint
from vanguard.campaigns.models import Campaign, Phase, PhaseTransition, Requirement
from vanguard.organization.models import Unit


def _stored_text(text: Any) -> str:
    """Template names and labels are stored in the site's own language (Chinese), not in
    the language of whoever happened to create the campaign."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


def _audit_created(objects: Iterable[Any], note: str = "") -> None:
    audit_record_many(
        action=AuditEntry.Action.CREATE,
        changes=[(obj, None, snapshot(obj)) for obj in objects],
        note=note,
    )


def requirement_scope(kind: str) -> str:
    """Whether a requirement kind asks something of each member or of each branch."""
    return requirements.scope_of(kind)


def _check_requirement(*, kind: str, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters checked and completed with their defaults (ValidationError if bad)."""
    if kind not in requirements.REGISTRY:
        raise ValidationError({"kind": _("未知的检查项“%(kind)s”。") % {"kind": kind}})
    return requirements.validate_params(kind, params)


def _check_campaign_unit(unit: Unit) -> None:
    if unit.kind not in (Unit.Kind.COMMITTEE, Unit.Kind.GENERAL_BRANCH):
        raise ValidationError({"unit": _("活动只能在党委或党总支范围内开展。")})


# --- Creating and cloning -----------------------------------------------------


def default_phase_dates(
    *, blueprint: Blueprint, start_on: datetime.date
) -> list[tuple[datetime.date, datetime.date]]:
    return [
        (
            start_on + datetime.timedelta(days=spec.starts_after_days),
            start_on + datetime.timedelta(days=spec.starts_after_days + spec.length_days),
        )
        for spec in blueprint.phases
    ]


@transaction.atomic
def campaign_create_from_blueprint(
    *,
    kind: str,
    name: str,
    year: int,
    unit: Unit,
    start_on: datetime.date,
    description: str = "",
) -> Campaign:
    """A new draft campaign with the template's phases (dates counted from `start_on`)
    and default requirements."""
    _check_campaign_unit(unit)
    blueprint = get_blueprint(kind)
    campaign = Campaign(
        name=name.strip() or _stored_text(blueprint.name),
        kind=kind,
        unit=unit,
        year=year,
        description=description or _stored_text(blueprint.description),
    )
    campaign.full_clean()
    campaign.save()
    dates = default_phase_dates(blueprint=blueprint, start_on=start_on)
    phases = Phase.objects.bulk_create(
        Phase(
            campaign=campaign,
            key=spec.key,
            name=_stored_text(spec.name),
            order=order,
            starts_on=starts_on,
            ends_on=ends_on,
        )
        for order, (spec, (starts_on, ends_on)) in enumerate(
            zip(blueprint.phases, dates, strict=True), start=1
        )
    )
    rows = []
    for phase, spec in zip(phases, blueprint.phases, strict=True):
        for order, req in enumerate(spec.requirements, start=1):
            params = _check_requirement(kind=req.kind, params=req.params)
            rows.append(
                Requirement(
                    phase=phase,
                    kind=req.kind,
                    scope=requirement_scope(req.kind),
                    params=params,
                    label=_stored_text(req.label)
                    if req.label
                    else requirement_default_label(kind=req.kind, params=params),
                    order=order,
                )
            )
    rows = Requirement.objects.bulk_create(rows)
    _audit_created([*phases, *rows], note=campaign.name)
    return campaign


def _shift_a_year(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


@transaction.atomic
def campaign_clone(
    *,
    source: Campaign,
    name: str,
    year: int,
    start_on: datetime.date | None = None,
) -> Campaign:
    """A new draft campaign with the source's phases and requirements, none of its data
    (plans, notes, meetings, transitions). Phases move to `start_on`, or by one year."""
    phases = list(source.phases.order_by("order").prefetch_related("requirements"))
    if start_on is not None and phases:
        delta = start_on - phases[0].starts_on

        def shift(day: datetime.date) -> datetime.date:
            return day + delta
    else:
        shift = _shift_a_year
    campaign = Campaign(
        name=name.strip() or source.name,
        kind=source.kind,
        unit=source.unit,
        year=year,
        description=source.description,
        ballot_secrecy_minimum=source.ballot_secrecy_minimum,
        cloned_from=source,
    )
    campaign.full_clean()
    campaign.save()
    new_phases = Phase.objects.bulk_create(
        Phase(
            campaign=campaign,
            key=phase.key,
            name=phase.name,
            order=phase.order,
            starts_on=shift(phase.starts_on),
            ends_on=shift(phase.ends_on),
        )
        for phase in phases
    )
    rows = Requirement.objects.bulk_create(
        Requirement(
            phase=new_phase,
            kind=req.kind,
            scope=req.scope,
            params=dict(req.params),
            label=req.label,
            order=req.order,
        )
        for phase, new_phase in zip(phases, new_phases, strict=True)
        for req in phase.requirements.all()
    )
    _audit_created([*new_phases, *rows], note=campaign.name)
    return campaign


@transaction.atomic
def campaign_update(
    *,
    campaign: Campaign,
    name: str,
    year: int,
    status: str,
    description: str = "",
    ballot_secrecy_minimum: int | None = None,
) -> Campaign:
    """`ballot_secrecy_minimum`: the fewest ballots with which a vote's per-candidate
    results are shown (never below 3; `full_clean` refuses less). None keeps it."""
    campaign.name = name
    campaign.year = year
    campaign.status = status
    campaign.description = description
    if ballot_secrecy_minimum is not None:
        campaign.ballot_secrecy_minimum = ballot_secrecy_minimum
    campaign.full_clean()
    campaign.save()
    return campaign


# --- Phases -------------------------------------------------------------------


@transaction.atomic
def phase_update(
    *,
    phase: Phase,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    status: str,
) -> Phase:
    """Change a phase's dates or status (open or close it). Phases follow one another:
    a phase may not overlap the one before or after it."""
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("结束日期不能早于开始日期。")})
    if status not in Phase.Status.values:
        raise ValidationError({"status": _("未知的阶段状态。")})
    neighbours = Phase.objects.filter(campaign_id=phase.campaign_id).exclude(pk=phase.pk)
    before = neighbours.filter(order__lt=phase.order).order_by("-order").first()
    after = neighbours.filter(order__gt=phase.order).order_by("order").first()
    if before is not None and starts_on <= before.ends_on:
        raise ValidationError(
            {
                "starts_on": _("开始日期须晚于上一阶段“%(name)s”的结束日期（%(date)s）。")
                % {"name": before.name, "date": before.ends_on.isoformat()}
            }
        )
    if after is not None and ends_on >= after.starts_on:
        raise ValidationError(
            {
                "ends_on": _("结束日期须早于下一阶段“%(name)s”的开始日期（%(date)s）。")
                % {"name": after.name, "date": after.starts_on.isoformat()}
            }
        )
    phase.name = name.strip() or phase.name
    phase.starts_on = starts_on
    phase.ends_on = ends_on
    phase.status = status
    phase.full_clean()
    phase.save()
    return phase


@transaction.atomic
def phase_set_status(*, phase: Phase, status: str) -> Phase:
    if status not in Phase.Status.values:
        raise ValidationError({"status": _("未知的阶段状态。")})
    phase.status = status
    phase.save(update_fields=["status"])
    return phase


# --- Requirements -------------------------------------------------------------


def requirement_default_label(*, kind: str, params: dict[str, Any]) -> str:
    """How a requirement reads when the committee adds it without naming it."""
    with translation.override(settings.LANGUAGE_CODE):
        return requirements.default_label(kind, params)


@transaction.atomic
def requirement_add(
    *, phase: Phase, kind: str, params: dict[str, Any], label: str = ""
) -> Requirement:
    params = _check_requirement(kind=kind, params=params)
    last = phase.requirements.aggregate(last=Max("order"))["last"] or 0
    requirement = Requirement(
        phase=phase,
        kind=kind,
        scope=requirement_scope(kind),
        params=params,
        label=label.strip() or requirement_default_label(kind=kind, params=params),
        order=last + 1,
    )
    requirement.full_clean()
    requirement.save()
    return requirement


@transaction.atomic
def requirement_update(
    *, requirement: Requirement, kind: str, params: dict[str, Any], label: str = ""
) -> Requirement:
    params = _check_requirement(kind=kind, params=params)
    requirement.kind = kind
    requirement.scope = requirement_scope(kind)
    requirement.params = params
    requirement.label = label.strip() or requirement_default_label(kind=kind, params=params)
    requirement.full_clean()
    requirement.save()
    return requirement


@transaction.atomic
def requirement_remove(*, requirement: Requirement) -> None:
    requirement.delete()


# --- Phase gating (转段) ------------------------------------------------------


def next_phase(phase: Phase) -> Phase | None:
    return (
        Phase.objects.filter(campaign_id=phase.campaign_id, order__gt=phase.order)
        .order_by("order")
        .first()
    )


def _check_branch_in_campaign(*, campaign: Campaign, branch: Unit) -> None:
    if branch.kind != Unit.Kind.BRANCH or not branch.path.startswith(campaign.unit.path):
        raise ValidationError(
            _("“%(branch)s”不是“%(campaign)s”范围内的党支部。")
            % {"branch": branch.name, "campaign": campaign.name}
        )


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写转段理由。")})
    return reason


def _check_standing(*, campaign: Campaign, branch: Unit, from_phase: Phase) -> Phase:
    """The branch is still in `from_phase`, and there is a phase after it."""
    current = selectors.current_phases(campaign=campaign, branch_ids=[branch.pk])[branch.pk]
    if current.pk != from_phase.pk:
        if current.order > from_phase.order:
            message = _("“%(branch)s”已进入“%(phase)s”阶段，无需再次转段。")
        else:
            message = _("“%(branch)s”目前处于“%(phase)s”阶段，不能从后面的阶段转出。")
        raise ValidationError(message % {"branch": branch.name, "phase": current.name})
    target = next_phase(from_phase)
    if target is None:
        raise ValidationError(
            _("“%(phase)s”已是最后一个阶段，无法继续转段。") % {"phase": from_phase.name}
        )
    return target


@transaction.atomic
def phase_transition_approve(
    *,
    campaign: Campaign,
    branch: Unit,
    from_phase: Phase,
    reason: str,
    actor: User,
    override: bool = False,
) -> PhaseTransition:
    """A branch moves on to the phase after `from_phase` (转段), approved by its
    supervisor or the committee. With requirements unmet only the committee may move
    it, by confirming an override, which is recorded."""
    if from_phase.campaign_id != campaign.pk:
        raise ValidationError(_("该阶段不属于本活动。"))
    _check_branch_in_campaign(campaign=campaign, branch=branch)
    if not access.can_approve_transition(actor, branch):
        raise ValidationError(_("您无权批准“%(branch)s”转段。") % {"branch": branch.name})
    reason = _check_reason(reason)
    target = _check_standing(campaign=campaign, branch=branch, from_phase=from_phase)
    met, unmet = progress.branch_requirements_met(
        campaign=campaign, branch=branch, phase=from_phase
    )
    if not met:
        if not override:
            raise ValidationError(
                _("“%(branch)s”尚未完成本阶段要求：%(unmet)s。")
                % {"branch": branch.name, "unmet": _("、").join(unmet)}
            )
        if not access.can_manage_campaign(actor, campaign):
            raise ValidationError(_("要求未完成时，只有党委可以批准转段。"))
    transition = PhaseTransition(
        campaign=campaign,
        branch=branch,
        from_phase=from_phase,
        to_phase=target,
        approved_by=actor,
        reason=reason,
        requirements_met=met,
    )
    transition.full_clean()
    transition.save()
    return transition


@dataclass
class BulkTransitionResult:
    moved: list[PhaseTransition] = field(default_factory=list)
    moved_unmet: list[Unit] = field(default_factory=list)  # moved by override
    held_back: list[tuple[Unit, list[str]]] = field(default_factory=list)  # unmet, not moved
    elsewhere: list[tuple[Unit, Phase]] = field(default_factory=list)  # not in from_phase


def branches_in(unit: Unit) -> list[Unit]:
    return list(
        Unit.objects.filter(
            path__startswith=unit.path, kind=Unit.Kind.BRANCH, is_active=True
        ).order_by("path")
    )


def bulk_transition_preview(
    *, campaign: Campaign, unit: Unit, from_phase: Phase
) -> list[tuple[Unit, Phase, bool, list[str]]]:
    """Each branch under `unit`: its current phase and, for those in `from_phase`,
    whether its requirements are met and which are not. One progress run for all."""
    branches = branches_in(unit)
    current = selectors.current_phases(campaign=campaign, branch_ids=[b.pk for b in branches])
    judged = progress.campaign_progress(campaign=campaign, roots=[unit], phase=from_phase).units
    rows = []
    for branch in branches:
        phase = current[branch.pk]
        met, unmet = True, []
        if phase.pk == from_phase.pk and branch.pk in judged:
            unmet = judged[branch.pk].unmet_labels
            met = not unmet
        rows.append((branch, phase, met, unmet))
    return rows


@transaction.atomic
def phase_transition_bulk(
    *,
    campaign: Campaign,
    unit: Unit,
    from_phase: Phase,
    reason: str,
    actor: User,
    override: bool = False,
) -> BulkTransitionResult:
    """The committee moves every branch of a general branch or of the college that is
    in `from_phase` on to the next phase: one transition per branch, with the reason.
    Branches whose requirements are unmet move only with `override` (recorded as
    requirements_met=False); branches in another phase are left alone."""
    if from_phase.campaign_id != campaign.pk:
        raise ValidationError(_("该阶段不属于本活动。"))
    if not unit.path.startswith(campaign.unit.path):
        raise ValidationError(
            _("“%(unit)s”不在“%(campaign)s”的范围内。")
            % {"unit": unit.name, "campaign": campaign.name}
        )
    if not access.can_manage_campaign(actor, campaign):
        raise ValidationError(_("只有党委可以整体批准转段。"))
    reason = _check_reason(reason)
    target = next_phase(from_phase)
    if target is None:
        raise ValidationError(
            _("“%(phase)s”已是最后一个阶段，无法继续转段。") % {"phase": from_phase.name}
        )
    result = BulkTransitionResult()
    to_create = []
    for branch, phase, met, unmet in bulk_transition_preview(
        campaign=campaign, unit=unit, from_phase=from_phase
    ):
        if phase.pk != from_phase.pk:
            result.elsewhere.append((branch, phase))
            continue
        if not met and not override:
            result.held_back.append((branch, unmet))
            continue
        if not met:
            result.moved_unmet.append(branch)
        to_create.append(
            PhaseTransition(
                campaign=campaign,
                branch=branch,
                from_phase=from_phase,
                to_phase=target,
                approved_by=actor,
                reason=reason,
                requirements_met=met,
            )
        )
    if not to_create:
        raise ValidationError(
            _("“%(unit)s”没有可以转段的支部：处于“%(phase)s”阶段的支部均未完成要求。")
            % {"unit": unit.name, "phase": from_phase.name}
            if result.held_back
            else _("“%(unit)s”没有处于“%(phase)s”阶段的支部。")
            % {"unit": unit.name, "phase": from_phase.name}
        )
    result.moved = PhaseTransition.objects.bulk_create(to_create)
    _audit_created(result.moved, note=reason)
    return result
