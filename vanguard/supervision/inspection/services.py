"""Writes of inspection (检查): supervision groups and the Role.SUPERVISOR grants made
from them, inspection rounds (opened into one check per branch, closed to freeze
them), the findings of a check, and the group's sign-off on a branch's move to the
next phase (转段).

Writes go through `Model.save()` under `acting_as(actor)`, so the audit trail records
who did what. Access is the caller's (`supervision.access`); these functions check
what the data must satisfy, with messages for the user.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanguard.accounts.access import holders
from vanguard.accounts.models import Role, RoleAssignment, User
from vanguard.audit.context import acting_as
from vanguard.campaigns.models import Campaign, Phase
from vanguard.notices.services import Message, notify_many, site_language
from vanguard.organization.models import Unit
from vanguard.supervision.models import (
    Check,
    CheckFinding,
    CheckItem,
    Finding,
    GroupGrant,
    PhaseSignoff,
    Round,
    SupervisionGroup,
)
from vanguard.supervision.selectors import campaign_branches

MAX_NOTE = 2000
MAX_SUMMARY = 5000

# The checklists a round starts from, as the seed's three inspections had them.
TEMPLATES: dict[str, tuple[Any, tuple[str, ...]]] = {
    "study_step_one": (
        gettext_lazy("学习阶段第一步检查"),
        (
            CheckItem.STUDY_PLAN,
            CheckItem.STUDY_RECORDS,
            CheckItem.STUDY_MATERIALS,
            CheckItem.NOTES,
        ),
    ),
    "study_midterm": (
        gettext_lazy("中期全面检查"),
        (
            CheckItem.STUDY_PLAN,
            CheckItem.STUDY_RECORDS,
            CheckItem.STUDY_MATERIALS,
            CheckItem.NOTES,
        ),
    ),
    "analysis": (
        gettext_lazy("分析评议阶段检查"),
        (
            CheckItem.OPINIONS,
            CheckItem.SUMMARY_DRAFTS,
            CheckItem.APPRAISAL_MEETING,
            CheckItem.GRADING,
        ),
    ),
}


def _check_branches(campaign: Campaign, branches: Iterable[Unit]) -> list[Unit]:
    allowed = {b.pk for b in campaign_branches(campaign)}
    chosen = list({b.pk: b for b in branches}.values())
    outside = [b.name for b in chosen if b.pk not in allowed]
    if outside:
        raise ValidationError(
            {
                "branches": _("以下组织不是本活动范围内的党支部：%(names)s。")
                % {"names": _("、").join(outside)}
            }
        )
    return chosen


def _check_phase(campaign: Campaign, phase: Phase | None, *, required: bool) -> None:
    if phase is None:
        if required:
            raise ValidationError({"phase": _("请选择阶段。")})
        return
    if phase.campaign_id != campaign.pk:
        raise ValidationError({"phase": _("所选阶段不属于本活动。")})


# --- Groups and their grants -----------------------------------------------------------


def _grant_note(group: SupervisionGroup) -> str:
    with site_language():
        return (_("督查组：%(name)s") % {"name": group.name})[:200]


def _sync_grants(group: SupervisionGroup, *, dissolving: bool = False) -> None:
    """Every member of the group holds Role.SUPERVISOR over every branch of the group.

    A grant the group needs and nobody holds is made and listed in GroupGrant; one the
    member already holds because of another group is listed for this group too (so it
    stays while either needs it); one made by hand is left alone and never listed, so
    never taken away. A listed grant the group no longer needs is unlisted, and taken
    away when no group lists it any more. A group `dissolving` needs none."""
    wanted = (
        set()
        if dissolving
        else {
            (user_id, branch_id)
            for user_id in group.members.values_list("pk", flat=True)
            for branch_id in group.branches.values_list("pk", flat=True)
        }
    )
    listed = {
        (g.assignment.user_id, g.assignment.unit_id): g
        for g in GroupGrant.objects.filter(group=group).select_related("assignment")
    }
    for pair, grant in listed.items():
        if pair in wanted:
            continue
        assignment = grant.assignment
        grant.delete()
        if not GroupGrant.objects.filter(assignment=assignment).exists():
            assignment.delete()
    missing = wanted - set(listed)
    if not missing:
        return
    existing = {
        (a.user_id, a.unit_id): a
        for a in RoleAssignment.objects.filter(
            role=Role.SUPERVISOR,
            user_id__in={u for u, _b in missing},
            unit_id__in={b for _u, b in missing},
        )
    }
    from_groups = set(
        GroupGrant.objects.filter(
            assignment__in=[a for pair, a in existing.items() if pair in missing]
        ).values_list("assignment_id", flat=True)
    )
    note = _grant_note(group)
    for user_id, branch_id in sorted(missing):
        held = existing.get((user_id, branch_id))
        if held is None:
            held = RoleAssignment(
                user_id=user_id, role=Role.SUPERVISOR, unit_id=branch_id, note=note
            )
            held.save()
        elif held.pk not in from_groups:
            continue  # made by hand: the group neither lists nor ever takes it away
        GroupGrant(group=group, assignment=held).save()


@transaction.atomic
def group_save(
    *,
    campaign: Campaign,
    name: str,
    phase: Phase | None,
    leader: User | None,
    members: Sequence[User],
    branches: Sequence[Unit],
    remit: str = "",
    formed_on: datetime.date | None = None,
    group: SupervisionGroup | None = None,
    actor: User,
) -> SupervisionGroup:
    """Create a supervision group (督查小组), or change one, and keep its members'
    supervisor grants over its branches in step (`_sync_grants`)."""
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("请填写督查组名称。")
    elif (
        SupervisionGroup.objects.filter(campaign=campaign, name=name)
        .exclude(pk__in=[group.pk] if group else [])
        .exists()
    ):
        errors["name"] = _("本活动已有名为“%(name)s”的督查组。") % {"name": name}
    if not members:
        errors["members"] = _("请至少选择一名督查组成员。")
    try:
        _check_phase(campaign, phase, required=False)
        chosen = _check_branches(campaign, branches)
    except ValidationError as error:
        for field, found in error.message_dict.items():
            errors[field] = found[0]
        chosen = []
    if errors:
        raise ValidationError(errors)
    people = list({u.pk: u for u in members}.values())
    if leader is not None and leader.pk not in {u.pk for u in people}:
        people.append(leader)  # the leader is a member of their group
    with acting_as(actor):
        if group is None:
            group = SupervisionGroup(campaign=campaign)
            group.formed_on = formed_on or timezone.localdate()
        elif formed_on is not None:
            group.formed_on = formed_on
        group.name = name
        group.phase = phase
        group.leader = leader
        group.remit = (remit or "").strip()
        group.full_clean(exclude=["members", "branches"])
        group.save()
        group.members.set(people)
        group.branches.set(chosen)
        _sync_grants(group)
    return group


@transaction.atomic
def group_delete(*, group: SupervisionGroup, actor: User) -> None:
    """Dissolve a supervision group: the grants it made go as when its members leave
    (`_sync_grants`: those another group lists stay, those made by hand are never
    touched), its checks keep their findings without a group."""
    with acting_as(actor):
        _sync_grants(group, dissolving=True)
        group.delete()


# --- Rounds ------------------------------------------------------------------------------


def _check_items(items: Sequence[str]) -> list[str]:
    known = set(CheckItem.values)
    chosen = list(dict.fromkeys(i for i in items if i))
    if not chosen:
        raise ValidationError({"items": _("请至少选择一个检查项目。")})
    unknown = [i for i in chosen if i not in known]
    if unknown:
        raise ValidationError(
            {"items": _("未知的检查项目：%(items)s。") % {"items": "、".join(unknown)}}
        )
    # In the checklist's own order, whatever order they were ticked in.
    return [i for i in CheckItem.values if i in chosen]


def _check_round(
    *,
    campaign: Campaign,
    title: str,
    phase: Phase | None,
    items: Sequence[str],
    branches: Sequence[Unit],
    starts_on: datetime.date | None,
    due_on: datetime.date | None,
) -> str:
    """Refuse a round's fields as the form shows them; the title, stripped."""
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("请填写检查名称。")
    for check in (
        lambda: _check_phase(campaign, phase, required=True),
        lambda: _check_items(items),
        lambda: _check_branches(campaign, branches),
    ):
        try:
            check()
        except ValidationError as error:
            for field, found in error.message_dict.items():
                errors[field] = found[0]
    if not branches and "branches" not in errors:
        errors["branches"] = _("请选择检查范围内的党支部。")
    if starts_on is None:
        errors["starts_on"] = _("请填写开始日期。")
    if due_on is None:
        errors["due_on"] = _("请填写完成期限。")
    if starts_on and due_on and due_on < starts_on:
        errors["due_on"] = _("完成期限不能早于开始日期。")
    if errors:
        raise ValidationError(errors)
    return title


@transaction.atomic
def round_create(
    *,
    campaign: Campaign,
    title: str,
    phase: Phase | None,
    items: Sequence[str],
    branches: Sequence[Unit],
    starts_on: datetime.date | None,
    due_on: datetime.date | None,
    note: str = "",
    actor: User,
) -> Round:
    """Plan an inspection round (检查): nothing is asked of anyone until it is opened."""
    title = _check_round(
        campaign=campaign,
        title=title,
        phase=phase,
        items=items,
        branches=branches,
        starts_on=starts_on,
        due_on=due_on,
    )
    assert starts_on is not None and due_on is not None  # refused above otherwise
    with acting_as(actor):
        round = Round(
            campaign=campaign,
            phase=phase,
            title=title,
            items=_check_items(items),
            starts_on=starts_on,
            due_on=due_on,
            note=(note or "").strip(),
            created_by=actor,
        )
        round.full_clean(exclude=["branches"])
        round.save()
        round.branches.set(_check_branches(campaign, branches))
    return round


@transaction.atomic
def round_update(
    *,
    round: Round,
    title: str,
    starts_on: datetime.date | None,
    due_on: datetime.date | None,
    note: str = "",
    phase: Phase | None = None,
    items: Sequence[str] | None = None,
    branches: Sequence[Unit] | None = None,
    actor: User,
) -> Round:
    """Change a round. Before it is opened everything may change; once opened (its
    checks made) only the title, the dates and the note: the phase, items and branches
    given (None: unchanged) must be the round's own. A closed round is frozen."""
    current = Round.objects.select_for_update().select_related("campaign__unit").get(pk=round.pk)
    if current.status == Round.Status.CLOSED:
        raise ValidationError(_("这一轮检查已经结束，不能再修改。"))
    planned = current.status == Round.Status.PLANNED
    had_branches = list(current.branches.order_by("path"))
    chosen_phase = current.phase if phase is None else phase
    chosen_items = list(current.items) if items is None else list(items)
    chosen_branches = had_branches if branches is None else list(branches)
    if not planned:
        errors: dict[str, str] = {}
        if chosen_phase.pk != current.phase_id:
            errors["phase"] = _("检查已经开始，阶段不能再修改。")
        if set(chosen_items) != set(current.items):
            errors["items"] = _("检查已经开始，检查项目不能再修改。")
        if {b.pk for b in chosen_branches} != {b.pk for b in had_branches}:
            errors["branches"] = _("检查已经开始，检查范围不能再修改。")
        if errors:
            raise ValidationError(errors)
    title = _check_round(
        campaign=current.campaign,
        title=title,
        phase=chosen_phase,
        items=chosen_items,
        branches=chosen_branches,
        starts_on=starts_on,
        due_on=due_on,
    )
    assert starts_on is not None and due_on is not None  # refused above otherwise
    with acting_as(actor):
        current.title = title
        current.starts_on = starts_on
        current.due_on = due_on
        current.note = (note or "").strip()
        if planned:
            current.phase = chosen_phase
            current.items = _check_items(chosen_items)
        current.full_clean(exclude=["branches", "created_by"])
        current.save()
        if planned:
            current.branches.set(_check_branches(current.campaign, chosen_branches))
    return current


def group_of_branches(campaign: Campaign, phase: Phase | None) -> dict[int, SupervisionGroup]:
    """{branch id: the group that checks it}: a group of the round's phase first, then
    one formed for the whole campaign, then any other (the earliest of each)."""
    found: dict[int, tuple[int, SupervisionGroup]] = {}
    groups = SupervisionGroup.objects.filter(campaign=campaign).prefetch_related("branches")
    for group in groups.order_by("pk"):
        if phase is not None and group.phase_id == phase.pk:
            rank = 0
        elif group.phase_id is None:
            rank = 1
        else:
            rank = 2
        for branch in group.branches.all():
            if branch.pk not in found or rank < found[branch.pk][0]:
                found[branch.pk] = (rank, group)
    return {pk: group for pk, (_rank, group) in found.items()}


@transaction.atomic
def round_open(*, round: Round, actor: User) -> Round:
    """Open a round: one check per branch of its scope, each with the group that has
    the branch (if one does)."""
    round = Round.objects.select_for_update().get(pk=round.pk)
    if round.status != Round.Status.PLANNED:
        raise ValidationError(_("这一轮检查已经开始，不能再次开始。"))
    branches = list(round.branches.filter(is_active=True).order_by("path"))
    if not branches:
        raise ValidationError(_("检查范围内没有党支部。"))
    groups = group_of_branches(round.campaign, round.phase)
    with acting_as(actor):
        for branch in branches:
            Check(round=round, branch=branch, group=groups.get(branch.pk)).save()
        round.status = Round.Status.OPEN
        round.save(update_fields=["status"])
    return round


@transaction.atomic
def round_close(*, round: Round, actor: User) -> Round:
    """Close a round: its checks are frozen as they are."""
    round = Round.objects.select_for_update().get(pk=round.pk)
    if round.status != Round.Status.OPEN:
        raise ValidationError(_("只有进行中的检查可以结束。"))
    with acting_as(actor):
        round.status = Round.Status.CLOSED
        round.save(update_fields=["status"])
    return round


# --- Checks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemFinding:
    finding: str  # a Finding value, or "" for not yet judged
    note: str = ""


@transaction.atomic
def check_save(
    *,
    check: Check,
    findings: Mapping[str, ItemFinding],
    summary: str,
    done: bool,
    version: int,
    actor: User,
) -> Check:
    """Save a check's findings (较好/需改进/缺失 and a note per item) and its summary.

    `version` is the one the person's form was built from: a save made from a stale
    form (someone else saved in between) is refused, so nobody overwrites another's
    findings without seeing them. Saved as done, every item needs a finding, and the
    branch's secretaries are told when any item needs work or is missing."""
    current = Check.objects.select_for_update().select_related("round", "branch").get(pk=check.pk)
    if current.round.status == Round.Status.CLOSED:
        raise ValidationError(_("这一轮检查已经结束，检查结果不能再修改。"))
    if current.round.status != Round.Status.OPEN:
        raise ValidationError(_("这一轮检查还没有开始。"))
    if current.version != version:
        who = current.checked_by.get_username() if current.checked_by else ""
        raise ValidationError(
            {
                "version": _(
                    "在您填写期间，%(who)s已保存了这个支部的检查结果。"
                    "请查看最新的结果后再修改，您填写的内容尚未保存。"
                )
                % {"who": who or _("其他人")}
            }
        )
    # A check saved as done stays done: a later save (a correction) is held to the same
    # rule, every item judged, instead of turning it back into a half-filled draft
    # (暂存) that still counted as checked. Nobody approves a check, so there is no
    # submitted copy to keep beside a draft; the page offers no 暂存 once it is done.
    done = done or current.status == Check.Status.DONE
    items = list(current.round.items)
    errors: dict[str, str] = {}
    for item, given in findings.items():
        if item not in items:
            errors[item] = _("本轮检查没有这个项目。")
        elif given.finding and given.finding not in Finding.values:
            errors[item] = _("请选择较好、需改进或缺失。")
        elif len(given.note or "") > MAX_NOTE:
            errors[item] = _("说明不能超过 %(n)d 字。") % {"n": MAX_NOTE}
    if len(summary or "") > MAX_SUMMARY:
        errors["summary"] = _("检查情况不能超过 %(n)d 字。") % {"n": MAX_SUMMARY}
    if errors:
        raise ValidationError(errors)
    stored = {f.item: f for f in current.findings.all()}
    if done:
        judged = {item: row.finding for item, row in stored.items()}
        judged.update({item: given.finding for item, given in findings.items()})
        missing = [str(CheckItem(item).label) for item in items if not judged.get(item)]
        if missing:
            raise ValidationError(
                {
                    "findings": _("以下项目还没有检查结论：%(items)s。")
                    % {"items": "、".join(missing)}
                }
            )
    with acting_as(actor):
        for item in items:
            if item not in findings:
                continue
            given = findings[item]
            row = stored.get(item)
            note = (given.note or "").strip()
            if not given.finding:
                if row is not None:
                    row.delete()
                continue
            if row is None:
                CheckFinding(
                    check_record=current, item=item, finding=given.finding, note=note
                ).save()
            elif row.finding != given.finding or row.note != note:
                row.finding, row.note = given.finding, note
                row.save(update_fields=["finding", "note"])
        current.summary = (summary or "").strip()
        current.version = current.version + 1
        current.checked_by = actor
        current.checked_on = timezone.localdate()
        if done:
            current.status = Check.Status.DONE
        current.save(update_fields=["summary", "version", "checked_by", "checked_on", "status"])
    if current.status == Check.Status.DONE:
        _notify_findings(current)
    return current


def check_url(check: Check) -> str:
    from django.urls import reverse

    return reverse("supervision:check_detail", args=[check.pk])


def _notify_findings(check: Check) -> None:
    """The branch's secretaries learn that the check found something to improve."""
    bad = list(
        check.findings.filter(finding__in=[Finding.NEEDS_WORK, Finding.MISSING]).order_by("pk")
    )
    if not bad:
        return
    with site_language():
        items = "、".join(str(f.get_item_display()) for f in bad)
        text = _("%(round)s：%(branch)s的%(items)s需改进或缺失，请查看检查结果。") % {
            "round": check.round.title,
            "branch": check.branch.name,
            "items": items,
        }
    secretaries = holders(check.branch, {Role.BRANCH_SECRETARY}).values_list("pk", flat=True)
    notify_many(
        Message(
            user_id=pk,
            text=text,
            url=check_url(check),
            key=f"check-findings:{check.pk}:{check.version}",
        )
        for pk in secretaries
    )


def next_check(check: Check, candidates: Iterable[Check]) -> Check | None:
    """The check after this one (by branch) among `candidates`, a pending one first."""
    ordered = sorted(candidates, key=lambda c: c.branch.path)
    after = [c for c in ordered if c.branch.path > check.branch.path and c.pk != check.pk]
    before = [c for c in ordered if c.branch.path < check.branch.path and c.pk != check.pk]
    for c in after + before:
        if c.status == Check.Status.PENDING:
            return c
    return after[0] if after else None


# --- Sign-off (转段) ---------------------------------------------------------------------------


@transaction.atomic
def signoff_create(
    *, campaign: Campaign, branch: Unit, phase: Phase | None, note: str = "", actor: User
) -> PhaseSignoff:
    """The supervision group signs the branch off on leaving `phase` (督查签字): the
    requirement `branch_supervision_signed_off` of that phase is then met."""
    if phase is None:
        raise ValidationError({"phase": _("请选择阶段。")})
    _check_phase(campaign, phase, required=True)
    _check_branches(campaign, [branch])
    if PhaseSignoff.objects.filter(campaign=campaign, branch=branch, phase=phase).exists():
        raise ValidationError(
            {
                "phase": _("%(branch)s在“%(phase)s”阶段已有督查签字。")
                % {"branch": branch.name, "phase": phase.name}
            }
        )
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": _("意见不能超过 %(n)d 字。") % {"n": MAX_NOTE}})
    with acting_as(actor):
        signoff = PhaseSignoff(
            campaign=campaign, branch=branch, phase=phase, signed_by=actor, note=note
        )
        signoff.save()
    return signoff
