"""Writes of the stage summary (支部阶段工作小结): drafted from the data, saved by the
branch's officers (a save from a stale version is refused), redrafted from the data
without losing their edits, submitted (each submit frozen as a version), passed up by
the general branch, returned by either reviewer with a reason, accepted by the
committee. This module is the only place that changes a summary's state.

Services trust their caller on access (`materials.access`) and refuse only what the
domain forbids, with a Chinese message naming the field; nothing is written then.
Writes run under `acting_as(actor)`, so the audit trail names who did each. Who is
told of each step goes through `notices` (`notices.reminders.officers` finds them).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.accounts.access import ADMIN_ROLES
from vanguard.accounts.models import Role, User
from vanguard.audit.context import acting_as
from vanguard.campaigns.models import Campaign, Phase
from vanguard.lib.text import checked_text
from vanguard.materials.stage_summary import drafting
from vanguard.materials.stage_summary.figures import phase_figures
from vanguard.materials.stage_summary.models import (
    SECTION_NAMES,
    SECTIONS,
    StageSummary,
    StageSummaryDecision,
    StageSummaryVersion,
)
from vanguard.notices import reminders
from vanguard.notices.reminders import Recipient
from vanguard.notices.services import Message, mail_body, notify_many, site_language
from vanguard.organization.models import Unit

SECTION_MAX = 20000
REASON_MAX = 2000
NOTICE_REASON = 120  # of a return's reason in its notification (300 characters in all)
WRITER_ROLES = frozenset({Role.BRANCH_SECRETARY, Role.BRANCH_COMMITTEE})
GENERAL_BRANCH_ROLES = frozenset({Role.GENERAL_BRANCH_SECRETARY})
EDITABLE = (StageSummary.State.DRAFT, StageSummary.State.RETURNED)
State = StageSummary.State
Verdict = StageSummaryDecision.Verdict
Level = StageSummaryDecision.Level


class StaleSummary(ValidationError):
    """A save started from a version that is no longer the saved one. `current` is the
    summary as saved now (the other save's text), so the page can show both texts."""

    def __init__(self, current: StageSummary) -> None:
        self.current = current
        super().__init__(
            {
                "base_version": _(
                    "这份小结在您打开之后已被他人（或另一个窗口）保存过。您的修改没有保存：请对照下面已保存的内容，修改后再保存。"
                )
            }
        )


def section_label(name: str) -> str:
    return str(dict(SECTIONS)[name])


def summary_url(summary: StageSummary) -> str:
    return reverse("materials:stage_summary_detail", args=[summary.pk])


def _as_version(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if number < 0:
        raise ValidationError({"base_version": _("缺少或无效的版本号，请刷新页面后再试。")})
    return number


def _lines(value: Any) -> str:
    """A browser sends a textarea's line breaks as CRLF: kept as the data writes them
    (LF), so an untouched section still reads as the data's and diffs show no change."""
    return str(value or "").replace("\r\n", "\n").replace("\r", "\n")


def _locked(summary: StageSummary) -> StageSummary:
    return (
        StageSummary.objects.select_for_update()
        .select_related("campaign", "branch", "phase")
        .get(pk=summary.pk)
    )


def _refresh(summary: StageSummary, current: StageSummary) -> StageSummary:
    for field in (*SECTION_NAMES, "state", "version", "return_reason", "data_draft"):
        setattr(summary, field, getattr(current, field))
    return summary


def _not_editable(summary: StageSummary) -> ValidationError:
    return ValidationError(
        {"state": _("小结%(state)s，不能修改。") % {"state": summary.get_state_display()}}
    )


def general_branch_of(branch: Unit) -> Unit | None:
    """The branch's general branch (党总支), or None for a branch under the committee."""
    parent = branch.parent if branch.parent_id else None
    if parent is not None and parent.kind == Unit.Kind.GENERAL_BRANCH:
        return parent
    return None


# --- Who is told ------------------------------------------------------------------------


def writers(summary: StageSummary) -> list[Recipient]:
    return reminders.officers(summary.branch, WRITER_ROLES)


def reviewers(summary: StageSummary, level: str) -> list[Recipient]:
    if level == Level.GENERAL_BRANCH:
        return reminders.officers(summary.branch, GENERAL_BRANCH_ROLES)
    return reminders.officers(summary.branch, ADMIN_ROLES)


def _tell(to: Iterable[Recipient], *, text: str, key: str, url: str, actor: User | None) -> None:
    actor_id = getattr(actor, "pk", None)
    seen: set[int] = set()
    messages = []
    for recipient in to:
        if recipient.user_id == actor_id or recipient.user_id in seen:
            continue
        seen.add(recipient.user_id)
        messages.append(
            Message(
                user_id=recipient.user_id,
                text=text,
                url=url,
                key=key,
                email=recipient.email,
                subject=text,
                body=mail_body(text, url),
            )
        )
    notify_many(messages)


def _name(summary: StageSummary) -> str:
    return _("%(branch)s%(phase)s阶段工作小结") % {
        "branch": summary.branch.name,
        "phase": summary.phase.name,
    }


# --- Drafting -----------------------------------------------------------------------------


def next_phase_of(phase: Phase) -> Phase | None:
    return (
        Phase.objects.filter(campaign_id=phase.campaign_id, order__gt=phase.order)
        .order_by("order")
        .first()
    )


def drafted_from_data(*, campaign: Campaign, branch: Unit, phase: Phase) -> dict[str, str]:
    """The five sections as the data writes them today."""
    figures = phase_figures(campaign=campaign, branch=branch, phase=phase)
    return drafting.drafted_sections(figures, next_phase=next_phase_of(phase))


def _check_place(campaign: Campaign, branch: Unit, phase: Phase) -> None:
    if phase.campaign_id != campaign.pk:
        raise ValidationError({"phase": _("这个阶段不属于本次活动。")})
    if branch.kind != Unit.Kind.BRANCH or not branch.path.startswith(campaign.unit.path):
        raise ValidationError({"branch": _("只能为本次活动中的党支部撰写阶段工作小结。")})
    if not branch.is_active:
        raise ValidationError({"branch": _("这个党支部已撤销。")})
    if campaign.status == Campaign.Status.DRAFT:
        raise ValidationError({"campaign": _("活动尚未开始。")})


def stage_summary_draft(
    *, campaign: Campaign, branch: Unit, phase: Phase, actor: User | None = None
) -> StageSummary:
    """The branch's summary of the phase: the one already there (unchanged), or a new
    draft whose five sections are written from the data."""
    _check_place(campaign, branch, phase)
    found = StageSummary.objects.filter(campaign=campaign, branch=branch, phase=phase).first()
    if found is not None:
        return found
    sections = drafted_from_data(campaign=campaign, branch=branch, phase=phase)
    try:
        with transaction.atomic(), acting_as(actor):
            return StageSummary.objects.create(
                campaign=campaign,
                branch=branch,
                phase=phase,
                data_draft=sections,
                drafted_at=timezone.now(),
                **sections,
            )
    except IntegrityError:  # drafted a moment ago from another tab
        return StageSummary.objects.get(campaign=campaign, branch=branch, phase=phase)


def edited_sections(summary: StageSummary) -> set[str]:
    """The sections the officers changed since the data last drafted them."""
    drafted = summary.data_draft or {}
    return {name for name in SECTION_NAMES if getattr(summary, name) != drafted.get(name, "")}


@transaction.atomic
def stage_summary_redraft(
    *,
    summary: StageSummary,
    base_version: Any,
    actor: User,
    replace: Iterable[str] = (),
    sections: dict[str, str] | None = None,
) -> StageSummary:
    """Write again from today's data: every section the officers have not edited takes
    the new text; an edited one keeps their words unless named in `replace`. `sections`:
    the data's text the person was shown (so what they agreed to is what is written);
    by default it is drafted now."""
    base = _as_version(base_version)
    replace = set(replace)
    unknown = replace - set(SECTION_NAMES)
    if unknown:
        raise ValidationError(
            {"replace": _("未知的栏目：%(names)s") % {"names": _("、").join(sorted(unknown))}}
        )
    current = _locked(summary)
    if current.state not in EDITABLE:
        raise _not_editable(current)
    if current.version != base:
        raise StaleSummary(current)
    new = sections or drafted_from_data(
        campaign=current.campaign, branch=current.branch, phase=current.phase
    )
    edited = edited_sections(current)
    for name in SECTION_NAMES:
        if name not in edited or name in replace:
            setattr(current, name, new[name])
    current.data_draft = {name: new[name] for name in SECTION_NAMES}
    current.drafted_at = timezone.now()
    current.version += 1
    current.saved_at, current.saved_by = timezone.now(), actor
    with acting_as(actor):
        current.save()
    return _refresh(summary, current)


# --- The branch's officers ---------------------------------------------------------------


@transaction.atomic
def stage_summary_save(
    *, summary: StageSummary, data: dict[str, Any], base_version: Any, actor: User
) -> StageSummary:
    """Save the five sections if nobody saved since `base_version`; else `StaleSummary`."""
    base = _as_version(base_version)
    cleaned = {
        name: checked_text(
            _lines(data.get(name)), name, section_label(name), required=False, limit=SECTION_MAX
        )
        for name in SECTION_NAMES
    }
    current = _locked(summary)
    if current.state not in EDITABLE:
        raise _not_editable(current)
    if current.version != base:
        raise StaleSummary(current)
    for name, text in cleaned.items():
        setattr(current, name, text)
    current.version += 1
    current.saved_at, current.saved_by = timezone.now(), actor
    with acting_as(actor):
        current.save()
    return _refresh(summary, current)


@transaction.atomic
def stage_summary_submit(
    *, summary: StageSummary, base_version: Any, actor: User
) -> StageSummaryVersion:
    """Freeze the saved sections as the next version and send it up: to the general
    branch's secretary, or straight to the committee for a branch with no general
    branch (or whose general branch has no secretary to read it). Refused while a
    section is empty or still holds a prompt of the draft."""
    base = _as_version(base_version)
    current = _locked(summary)
    if current.state not in EDITABLE:
        raise _not_editable(current)
    if current.version != base:
        raise StaleSummary(current)
    mark = drafting.stored_prompt_mark()
    errors: dict[str, str] = {}
    for name in SECTION_NAMES:
        text = getattr(current, name)
        if not text.strip():
            errors[name] = _("“%(section)s”还是空的，请写好后再提交。") % {
                "section": section_label(name)
            }
        elif mark in text:
            errors[name] = _("“%(section)s”中还有待补充的提示（%(mark)s…】），请改写后再提交。") % {
                "section": section_label(name),
                "mark": mark,
            }
    if errors:
        raise ValidationError(errors)
    resubmitted = current.state == State.RETURNED
    to_general_branch = general_branch_of(current.branch) is not None and bool(
        reviewers(current, Level.GENERAL_BRANCH)
    )
    level = Level.GENERAL_BRANCH if to_general_branch else Level.COMMITTEE
    last = current.versions.aggregate(last=Max("number"))["last"] or 0
    with acting_as(actor):
        version = StageSummaryVersion.objects.create(
            summary=current,
            number=last + 1,
            submitted_by=actor,
            **{name: getattr(current, name) for name in SECTION_NAMES},
        )
        current.state = State.SUBMITTED if to_general_branch else State.WITH_COMMITTEE
        current.submitted_at = timezone.now()
        current.version += 1
        current.save()
    with site_language():
        if resubmitted:
            text = _("%(name)s已按退回意见修改并重新提交，请审阅。") % {"name": _name(current)}
        else:
            text = _("%(name)s已提交，请审阅。") % {"name": _name(current)}
    _tell(
        reviewers(current, level),
        text=text,
        key=f"stage-summary:{current.pk}:v{version.number}:{level}",
        url=summary_url(current),
        actor=actor,
    )
    _refresh(summary, current)
    return version


# --- The reviewers --------------------------------------------------------------------------


def review_level(summary: StageSummary) -> str | None:
    """Who decides on the summary now: the general branch, the committee, or nobody."""
    if summary.state == State.SUBMITTED:
        return Level.GENERAL_BRANCH
    if summary.state == State.WITH_COMMITTEE:
        return Level.COMMITTEE
    return None


def verdicts_at(level: str | None) -> tuple[str, ...]:
    if level == Level.GENERAL_BRANCH:
        return (Verdict.PASS, Verdict.RETURN)
    if level == Level.COMMITTEE:
        return (Verdict.ACCEPT, Verdict.RETURN)
    return ()


@transaction.atomic
def stage_summary_decide(
    *,
    summary: StageSummary,
    version_number: Any,
    verdict: str,
    reason: str,
    actor: User,
) -> StageSummaryDecision:
    """A reviewer's word on the latest submitted version (`version_number`, as the page
    showed it): the general branch passes it up or returns it; the committee accepts or
    returns it. A return needs its reason."""
    reason = checked_text(
        reason,
        "reason",
        _("退回理由") if verdict == Verdict.RETURN else _("审阅意见"),
        required=verdict == Verdict.RETURN,
        limit=REASON_MAX,
    )
    current = _locked(summary)
    level = review_level(current)
    if level is None:
        raise ValidationError(
            {"state": _("小结%(state)s，现在不需要审阅。") % {"state": current.get_state_display()}}
        )
    if verdict not in verdicts_at(level):
        raise ValidationError({"verdict": _("请选择审阅结论。")})
    latest = current.versions.order_by("-number").first()
    if latest is None or str(latest.number) != str(version_number):
        raise ValidationError({"version_number": _("小结已有更新的提交版本，请刷新页面后再审阅。")})
    with acting_as(actor):
        decision = StageSummaryDecision.objects.create(
            summary=current,
            version=latest,
            level=level,
            verdict=verdict,
            reason=reason,
            reviewer=actor,
        )
        if verdict == Verdict.RETURN:
            current.state, current.return_reason = State.RETURNED, reason
        elif verdict == Verdict.PASS:
            current.state = State.WITH_COMMITTEE
        else:
            current.state, current.accepted_at = State.ACCEPTED, timezone.now()
        current.version += 1
        current.save()
    key = f"stage-summary:{current.pk}:v{latest.number}:{level}:{verdict}"
    url = summary_url(current)
    with site_language():
        name = _name(current)
        if verdict == Verdict.RETURN:
            text = _("%(name)s被%(level)s退回修改：%(reason)s") % {
                "name": name,
                "level": decision.get_level_display(),
                "reason": reason if len(reason) <= NOTICE_REASON else reason[:NOTICE_REASON] + "…",
            }
        elif verdict == Verdict.PASS:
            text = _("%(name)s已经党总支审阅同意，报党委审阅。") % {"name": name}
        else:
            text = _("%(name)s已经党委审定通过。") % {"name": name}
    _tell(writers(current), text=text, key=key, url=url, actor=actor)
    if verdict == Verdict.PASS:
        with site_language():
            ask = _("%(name)s已经党总支审阅同意，请党委审阅。") % {"name": name}
        _tell(reviewers(current, Level.COMMITTEE), text=ask, key=key, url=url, actor=actor)
    _refresh(summary, current)
    return decision
