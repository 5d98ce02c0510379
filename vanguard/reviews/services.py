"""The self-analysis state machine (三上三下). This module is the only place that
changes a document's state.

    draft ──submit──▶ submitted ──branch pass──▶ with_committee ──committee──▶ draft (next round)
      ▲                  │                                              └──▶ approved (round 3)
      └── returned ◀─────┘ branch return (with reasons)

Concurrency without row locks (SQLite has no SELECT … FOR UPDATE): every state
change and every draft save is a conditional UPDATE naming what it expects
(`draft_version`, `state`). When it updates no row, someone else got there first:
a save is refused with `StaleDraft` (carrying the saved text, so the page can show
both texts and nothing is lost); a repeated submit returns the version the first
one created. Conditional UPDATEs bypass the save signals, so they record their
audit row explicitly; everything else is a single `save()`/`create()` and is
audited by the signals.

Every refusal is a `ValidationError` (or `StaleDraft`) with a Chinese message, raised
before anything is written (or inside the atomic block that undoes it). Who may act
is the caller's to check, through `reviews.access` (the author writes their draft,
the branch reviews, the committee responds); these functions trust it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.accounts.models import User
from vanguard.audit.models import AuditEntry
from vanguard.audit.services import audit_record, snapshot
from vanguard.campaigns.models import Campaign
from vanguard.campaigns.selectors import active_campaign_for_unit
from vanguard.organization.models import Member
from vanguard.reviews import grade_facts, notifications
from vanguard.reviews.models import (
    CRITERIA,
    SECTIONS,
    BranchReview,
    CommitteeResponse,
    ReviewRound,
    SelfAnalysis,
    SubmittedVersion,
)

SECTION_NAMES = tuple(name for name, _label in SECTIONS)
CRITERION_NAMES = tuple(name for name, _label in CRITERIA)
EDITABLE_STATES = (SelfAnalysis.State.DRAFT, SelfAnalysis.State.RETURNED)
LAST_ROUND = 3
GRADE_FACT_MAX = 300


class StaleDraft(Exception):
    """A save or submit started from a version that is no longer the saved one.

    `current` is the document as saved now (its four sections hold the other
    save's text) and `current_version` its `draft_version`."""

    def __init__(self, current: SelfAnalysis) -> None:
        self.current = current
        self.current_version = current.draft_version
        super().__init__(
            _(
                "这份材料在您打开之后已被另一次保存修改（可能是另一个窗口）。您的内容没有保存，请对照两份内容后再保存。"
            )
        )


def _audit_update(*, document: SelfAnalysis, before: dict, user: User) -> None:
    after = snapshot(document)
    audit_record(
        action=AuditEntry.Action.UPDATE, obj=document, before=before, after=after, actor=user
    )


def _section_label(name: str) -> str:
    return str(dict(SECTIONS)[name])


def _as_version(value: Any) -> int:
    try:
        version = int(value)
    except (TypeError, ValueError):
        raise ValidationError(
            {"base_version": _("缺少或无效的草稿版本号，请刷新页面后再试。")}
        ) from None
    if version < 0:
        raise ValidationError({"base_version": _("缺少或无效的草稿版本号，请刷新页面后再试。")})
    return version


def _not_editable_message(document: SelfAnalysis) -> str:
    if document.state == SelfAnalysis.State.APPROVED:
        return _("党委已审批，材料不能再修改。")
    return _("材料已提交（当前状态：%(state)s），审阅结束前不能修改。") % {
        "state": document.get_state_display()
    }


# --- The member's document -------------------------------------------------------


def document_for_member(*, member: Member, campaign: Campaign | None = None) -> SelfAnalysis | None:
    """The member's document in `campaign` (default: the active campaign over their
    branch), created on first open with round 1. None when no campaign is active."""
    if campaign is None:
        campaign = active_campaign_for_unit(member.branch.path)
        if campaign is None:
            return None
    with transaction.atomic():
        try:
            with transaction.atomic():
                document, _created = SelfAnalysis.objects.get_or_create(
                    campaign=campaign, member=member
                )
        except IntegrityError:  # opened twice at the same moment
            document = SelfAnalysis.objects.get(campaign=campaign, member=member)
        if not document.rounds.filter(number=document.current_round).exists():
            try:
                with transaction.atomic():
                    ReviewRound.objects.create(document=document, number=document.current_round)
            except IntegrityError:
                pass
    return document


def draft_save(
    *, document: SelfAnalysis, data: dict[str, Any], base_version: Any, user: User
) -> SelfAnalysis:
    """Save the draft's sections if nobody saved since `base_version`; else raise
    `StaleDraft`. Returns the document as saved (with its new `draft_version`)."""
    base = _as_version(base_version)
    unknown = set(data) - set(SECTION_NAMES)
    if unknown:
        raise ValidationError(_("未知的栏目：%(names)s") % {"names": "、".join(sorted(unknown))})
    fields = {name: str(data[name] if data[name] is not None else "") for name in data}
    with transaction.atomic():
        before = snapshot(SelfAnalysis.objects.get(pk=document.pk))
        updated = SelfAnalysis.objects.filter(
            pk=document.pk, draft_version=base, state__in=EDITABLE_STATES
        ).update(**fields, draft_version=base + 1, draft_saved_at=timezone.now())
        current = SelfAnalysis.objects.select_related("member", "member__branch", "campaign").get(
            pk=document.pk
        )
        if not updated:
            if current.state not in EDITABLE_STATES:
                raise ValidationError(_not_editable_message(current))
            raise StaleDraft(current)
        _audit_update(document=current, before=before, user=user)
    return current


def document_submit(*, document: SelfAnalysis, base_version: Any, user: User) -> SubmittedVersion:
    """Freeze the saved draft as the next immutable version and send it to the branch.

    A repeated submit from the same base (a double click) creates nothing and
    returns the version the first one created."""
    base = _as_version(base_version)
    with transaction.atomic():
        current = SelfAnalysis.objects.get(pk=document.pk)
        if current.draft_version != base:
            raise StaleDraft(current)
        if current.state not in EDITABLE_STATES:
            latest = current.versions.order_by("-number").first()
            if current.state == SelfAnalysis.State.SUBMITTED and latest is not None:
                return latest  # the second click of a double click
            raise ValidationError(_not_editable_message(current))
        empty = {
            name: _("“%(section)s”还是空的，请写完四个部分再提交。")
            % {"section": _section_label(name)}
            for name in SECTION_NAMES
            if not getattr(current, name).strip()
        }
        if empty:
            raise ValidationError(empty)
        before = snapshot(current)
        updated = SelfAnalysis.objects.filter(
            pk=current.pk, draft_version=base, state__in=EDITABLE_STATES
        ).update(state=SelfAnalysis.State.SUBMITTED)
        if not updated:  # another submit won between the read and the update
            current.refresh_from_db()
            latest = current.versions.order_by("-number").first()
            if current.state == SelfAnalysis.State.SUBMITTED and latest is not None:
                return latest
            raise StaleDraft(current)
        last = current.versions.aggregate(last=Max("number"))["last"] or 0
        version = SubmittedVersion.objects.create(
            document=current,
            number=last + 1,
            round=current.current_round,
            submitted_by=user,
            **{name: getattr(current, name) for name in SECTION_NAMES},
        )
        current.state = SelfAnalysis.State.SUBMITTED
        _audit_update(document=current, before=before, user=user)
    document.state = current.state
    document.draft_version = current.draft_version
    return version


# --- The branch ----------------------------------------------------------------


def _clean_criteria(criteria: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(criteria, dict):
        criteria = {}
    cleaned: dict[str, dict[str, Any]] = {}
    errors: dict[str, str] = {}
    for name, label in CRITERIA:
        item = criteria.get(name)
        ok = item.get("ok") if isinstance(item, dict) else None
        if isinstance(ok, str):
            ok = {
                "yes": True,
                "true": True,
                "1": True,
                "no": False,
                "false": False,
                "0": False,
            }.get(ok.lower())
        if not isinstance(ok, bool):
            errors[name] = _("请对“%(criterion)s”选择“是”或“否”。") % {"criterion": label}
            continue
        comment = item.get("comment", "") if isinstance(item, dict) else ""
        cleaned[name] = {"ok": ok, "comment": str(comment or "").strip()}
    if errors:
        raise ValidationError(errors)
    return cleaned


def branch_review(
    *,
    document: SelfAnalysis,
    version: SubmittedVersion,
    reviewer: User,
    criteria: dict[str, Any],
    verdict: str,
    reasons: str = "",
    achievements: str = "",
    problems: str = "",
    directions: str = "",
) -> BranchReview:
    """The branch judges the latest submitted version: pass it up to the committee,
    or return it to the member with reasons."""
    if verdict not in BranchReview.Verdict.values:
        raise ValidationError({"verdict": _("请选择“通过，报党委”或“退回修改”。")})
    cleaned = _clean_criteria(criteria)
    reasons = (reasons or "").strip()
    if verdict == BranchReview.Verdict.RETURN and not reasons:
        raise ValidationError({"reasons": _("退回修改时必须写明退回理由。")})
    with transaction.atomic():
        current = SelfAnalysis.objects.get(pk=document.pk)
        if current.state != SelfAnalysis.State.SUBMITTED:
            raise ValidationError(
                _("这份材料当前不在待支部审阅状态（当前状态：%(state)s）。")
                % {"state": current.get_state_display()}
            )
        latest = current.versions.order_by("-number").first()
        if latest is None or version.document_id != current.pk or version.pk != latest.pk:
            raise ValidationError(_("只能审阅最新提交的版本，请刷新页面。"))
        round_ = ReviewRound.objects.get(document=current, number=current.current_round)
        if verdict == BranchReview.Verdict.PASS and round_.number > 1:
            _fill_grade_fact(round_, current)
        if (
            verdict == BranchReview.Verdict.PASS
            and round_.number > 1
            and not round_.grade_fact.strip()
            and not round_.note.strip()
        ):
            raise ValidationError(
                {
                    "grade_fact": _(
                        "第%(number)s轮通过前，系统中须有本轮的评议与等级情况"
                        "（民主评议投票已结束、支部已上报等级初评）；"
                        "评议未在系统中进行的，请在“补充说明”中写明。"
                    )
                    % {"number": round_.number}
                }
            )
        target = (
            SelfAnalysis.State.WITH_COMMITTEE
            if verdict == BranchReview.Verdict.PASS
            else SelfAnalysis.State.RETURNED
        )
        before = snapshot(current)
        updated = SelfAnalysis.objects.filter(
            pk=current.pk, state=SelfAnalysis.State.SUBMITTED
        ).update(state=target)
        if not updated:
            raise ValidationError(_("这份材料刚刚已被他人审阅，请刷新页面。"))
        review = BranchReview.objects.create(
            round=round_,
            version=latest,
            reviewer=reviewer,
            criteria=cleaned,
            verdict=verdict,
            reasons=reasons,
            achievements=(achievements or "").strip(),
            problems=(problems or "").strip(),
            directions=(directions or "").strip(),
        )
        current.state = target
        _audit_update(document=current, before=before, user=reviewer)
        notifications.branch_reviewed(current, review)
    document.state = target
    return review


def appraisal_grade_fact(document: SelfAnalysis, round_number: int) -> str:
    """What the appraisal data says for round 2 (votes and the branch's initial grade)
    or round 3 (the committee's approved grade); "" until it exists. The grading app
    states them (`reviews.grade_facts`)."""
    return grade_facts.grade_fact_text(
        member=document.member, campaign=document.campaign, round_number=round_number
    )


def _fill_grade_fact(round_: ReviewRound, document: SelfAnalysis) -> None:
    """A round passed without facts typed by hand takes them from the appraisal data."""
    if round_.grade_fact.strip():
        return
    text = appraisal_grade_fact(document, round_.number)[:GRADE_FACT_MAX]
    if text:
        round_.grade_fact = text
        round_.save(update_fields=["grade_fact"])


def appraisal_facts(document: SelfAnalysis) -> grade_facts.AppraisalFacts:
    """The appraisal facts the system holds for the document's member (the vote, the
    proposed and approved grade), shown read-only on the review page."""
    return grade_facts.appraisal_facts(member=document.member, campaign=document.campaign)


def round_note_record(*, round: ReviewRound, text: str, user: User) -> ReviewRound:  # noqa: A002
    """The branch notes, for rounds 2 and 3, what the system cannot know about the
    round's facts; the votes and grades themselves are read from the appraisal data
    (`appraisal_facts`). An empty text clears the note."""
    text = (text or "").strip()
    if round.number < 2:
        raise ValidationError(_("第一轮不需要登记评议与等级情况。"))
    if len(text) > GRADE_FACT_MAX:
        raise ValidationError({"note": _("补充说明最多 %(max)s 字。") % {"max": GRADE_FACT_MAX}})
    with transaction.atomic():
        fresh = ReviewRound.objects.select_for_update().get(pk=round.pk)
        if fresh.closed_at is not None:
            raise ValidationError(_("本轮已结束，不能再修改补充说明。"))
        fresh.note = text
        fresh.save(update_fields=["note"])
    round.note = text
    return fresh


# --- The committee ---------------------------------------------------------------


def committee_respond(*, document: SelfAnalysis, text: str, user: User) -> CommitteeResponse:
    """The committee's guidance (round 1), opinion (round 2) or approval (round 3)
    comes back down and closes the round; rounds 1 and 2 open the next round."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请填写党委意见。")})
    with transaction.atomic():
        current = SelfAnalysis.objects.get(pk=document.pk)
        if current.state != SelfAnalysis.State.WITH_COMMITTEE:
            raise ValidationError(
                _("支部尚未通过本轮材料，党委还不能给出意见（当前状态：%(state)s）。")
                % {"state": current.get_state_display()}
            )
        number = current.current_round
        if number < LAST_ROUND:
            target, next_round = SelfAnalysis.State.DRAFT, number + 1
        else:
            target, next_round = SelfAnalysis.State.APPROVED, number
        before = snapshot(current)
        updated = SelfAnalysis.objects.filter(
            pk=current.pk, state=SelfAnalysis.State.WITH_COMMITTEE, current_round=number
        ).update(state=target, current_round=next_round)
        if not updated:
            raise ValidationError(_("这份材料刚刚已有党委意见，请刷新页面。"))
        round_ = ReviewRound.objects.get(document=current, number=number)
        response = CommitteeResponse.objects.create(round=round_, author=user, text=text)
        round_.closed_at = timezone.now()
        round_.save(update_fields=["closed_at"])
        if next_round != number:
            ReviewRound.objects.create(document=current, number=next_round)
        current.state, current.current_round = target, next_round
        _audit_update(document=current, before=before, user=user)
        notifications.committee_responded(current, response)
    document.state, document.current_round = target, next_round
    return response
