"""Sorting (梳理) of gathered opinions, and opening a further round of solicitation.

Every write here saves single rows with `save()`, so the audit trail records who
sorted, merged or set aside an opinion — and, by `Opinion.audit_hidden_fields`,
never its source. Nothing is ever deleted: a duplicate is marked merged (its text
kept) and an opinion that will not be fed back is set aside with a reason.

Access is checked by the caller (`access.get_opinion_for_user(need=can_sort_opinion)`);
the functions here check what the data must satisfy: the subject lies inside the
unit that gathered the opinion, the aspect belongs to the campaign, and so on.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.accounts.models import User
from vanguard.campaigns.models import Campaign
from vanguard.lib.paths import path_ids
from vanguard.opinions.models import Aspect, Opinion, OpinionRecord, OpinionRound
from vanguard.organization.models import Member, Unit

SORTED_KINDS = (Opinion.Kind.PRAISE, Opinion.Kind.CRITICISM, Opinion.Kind.SUGGESTION)
# Officers enter these channels themselves (the others arrive through public pages,
# the mailbox and the survey).
OFFICER_CHANNELS = (Opinion.Channel.TALK, Opinion.Channel.SYMPOSIUM)
MAX_TEXT = 5000
MAX_REASON = 300
MAX_ROUNDS = 5


def committee_of(unit: Unit) -> Unit | None:
    """The nearest committee (党委) at or above a unit: the subject of opinions about
    "the committee"."""
    ids = path_ids(unit.path)
    return Unit.objects.filter(pk__in=ids, kind=Unit.Kind.COMMITTEE).order_by("-depth").first()


def _check_subject(
    *,
    opinion_branch: Unit,
    subject_kind: str,
    subject_member: Member | None,
    subject_unit: Unit | None,
) -> tuple[Member | None, Unit | None]:
    """The subject as it will be stored, or a ValidationError naming the field."""
    if subject_kind == Opinion.SubjectKind.MEMBER:
        if subject_member is None:
            raise ValidationError({"subject_member": _("请选择意见所涉及的党员。")})
        if not subject_member.is_active or not subject_member.branch.path.startswith(
            opinion_branch.path
        ):
            raise ValidationError(
                {
                    "subject_member": _("所选党员不在收集这条意见的组织（%(unit)s）内。")
                    % {"unit": opinion_branch.name}
                }
            )
        return subject_member, None
    if subject_kind == Opinion.SubjectKind.BRANCH:
        if subject_unit is None:
            raise ValidationError({"subject_unit": _("请选择意见所涉及的党支部。")})
        if subject_unit.kind not in (Unit.Kind.BRANCH, Unit.Kind.GENERAL_BRANCH) or not (
            subject_unit.path.startswith(opinion_branch.path)
        ):
            raise ValidationError(
                {
                    "subject_unit": _("所选组织不在收集这条意见的组织（%(unit)s）内。")
                    % {"unit": opinion_branch.name}
                }
            )
        return None, subject_unit
    if subject_kind == Opinion.SubjectKind.COMMITTEE:
        committee = committee_of(opinion_branch)
        if committee is None:
            raise ValidationError({"subject_kind": _("找不到上级党委。")})
        return None, committee
    raise ValidationError({"subject_kind": _("请选择意见对象：党员个人、党支部或党委。")})


def _check_writable(opinion: Opinion) -> None:
    if opinion.status == Opinion.Status.MERGED:
        raise ValidationError(
            {
                "status": _("这条意见已合并到第 %(pk)s 号意见，不能再修改。")
                % {"pk": opinion.merged_into_id}
            }
        )


@transaction.atomic
def opinion_sort(
    *,
    opinion: Opinion,
    subject_kind: str,
    subject_member: Member | None = None,
    subject_unit: Unit | None = None,
    aspect: Aspect | None = None,
    kind: str,
) -> Opinion:
    """Attach an opinion to its subject and tag its aspect and kind: it is then sorted.
    A set-aside opinion sorted again comes back (its reason is cleared)."""
    _check_writable(opinion)
    errors: dict[str, str] = {}
    if kind not in SORTED_KINDS:
        errors["kind"] = _("请选择意见性质：肯定表扬、批评或建议。")
    if aspect is not None and aspect.campaign_id != opinion.campaign_id:
        errors["aspect"] = _("所选方面不属于本次活动。")
    try:
        member, unit = _check_subject(
            opinion_branch=opinion.branch,
            subject_kind=subject_kind,
            subject_member=subject_member,
            subject_unit=subject_unit,
        )
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors[field] = messages[0]
        member = unit = None
    if errors:
        raise ValidationError(errors)
    opinion.subject_kind = subject_kind
    opinion.subject_member = member
    opinion.subject_unit = unit
    opinion.aspect = aspect
    opinion.kind = kind
    opinion.status = Opinion.Status.SORTED
    opinion.set_aside_reason = ""
    opinion.save(
        update_fields=[
            "subject_kind",
            "subject_member",
            "subject_unit",
            "aspect",
            "kind",
            "status",
            "set_aside_reason",
        ]
    )
    return opinion


@transaction.atomic
def opinion_set_aside(*, opinion: Opinion, reason: str) -> Opinion:
    """Keep an opinion out of the feedback, with the reason why; it is not deleted."""
    _check_writable(opinion)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写搁置原因。")})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": _("搁置原因不能超过 %(n)d 个字。") % {"n": MAX_REASON}})
    opinion.status = Opinion.Status.SET_ASIDE
    opinion.set_aside_reason = reason
    opinion.save(update_fields=["status", "set_aside_reason"])
    return opinion


@transaction.atomic
def opinion_merge(*, survivor: Opinion, duplicates: Sequence[Opinion]) -> Opinion:
    """Merge duplicates into the surviving opinion: each duplicate keeps its text and
    is marked merged into the survivor (opinions merged into a duplicate earlier
    follow it to the survivor)."""
    if survivor.status == Opinion.Status.MERGED:
        raise ValidationError({"survivor": _("保留的意见本身已被合并，请选择另一条。")})
    duplicates = [d for d in duplicates if d.pk != survivor.pk]
    if not duplicates:
        raise ValidationError({"duplicates": _("请选择至少一条与之重复的意见。")})
    for duplicate in duplicates:
        if (
            duplicate.campaign_id != survivor.campaign_id
            or duplicate.branch_id != survivor.branch_id
        ):
            raise ValidationError(
                {
                    "duplicates": _("第 %(pk)s 号意见不是同一单位在本次活动中收集的，不能合并。")
                    % {"pk": duplicate.pk}
                }
            )
        if duplicate.status == Opinion.Status.MERGED:
            raise ValidationError(
                {"duplicates": _("第 %(pk)s 号意见已经合并过了。") % {"pk": duplicate.pk}}
            )
    for duplicate in duplicates:
        for earlier in Opinion.objects.filter(merged_into=duplicate):
            earlier.merged_into = survivor
            earlier.save(update_fields=["merged_into"])
        duplicate.status = Opinion.Status.MERGED
        duplicate.merged_into = survivor
        duplicate.save(update_fields=["status", "merged_into"])
    return survivor


@transaction.atomic
def opinion_enter(
    *,
    campaign: Campaign,
    branch: Unit,
    channel: str,
    text: str,
    received_on: datetime.date | None = None,
    source: str = "",
    record: OpinionRecord | None = None,
    subject_kind: str = Opinion.SubjectKind.UNASSIGNED,
    subject_member: Member | None = None,
    subject_unit: Unit | None = None,
    submission_token: str = "",
) -> Opinion:
    """An opinion heard in an individual talk or a symposium, entered by an officer
    (the API's intake). It arrives unsorted, filed under the branch's current round;
    a subject given here is only a suggestion kept for the sorter. With a
    `submission_token` (`accounts.idempotency.token`), a repeat returns the
    opinion the first call entered."""
    from vanguard.opinions.intake.services import current_round, opinion_once

    errors: dict[str, str] = {}
    if channel not in OFFICER_CHANNELS:
        errors["channel"] = _("此处只能录入个人交谈或座谈会中听取的意见。")
    text = (text or "").strip()
    if not text:
        errors["text"] = _("请填写意见内容。")
    elif len(text) > MAX_TEXT:
        errors["text"] = _("意见内容不能超过 %(n)d 个字。") % {"n": MAX_TEXT}
    if len(source) > 300:
        errors["source"] = _("来源不能超过 300 个字。")
    if not branch.path.startswith(campaign.unit.path):
        errors["branch_id"] = _("该组织不在本次活动范围内。")
    if record is not None and (record.campaign_id != campaign.pk or record.branch_id != branch.pk):
        errors["record_id"] = _("所选记录不属于该组织在本次活动中的谈话或座谈。")
    member = unit = None
    if subject_kind != Opinion.SubjectKind.UNASSIGNED:
        try:
            member, unit = _check_subject(
                opinion_branch=branch,
                subject_kind=subject_kind,
                subject_member=subject_member,
                subject_unit=subject_unit,
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors[field] = messages[0]
    if errors:
        raise ValidationError(errors)

    def create() -> Opinion:
        return Opinion.objects.create(
            campaign=campaign,
            branch=branch,
            round=record.round if record is not None else current_round(campaign, branch),
            channel=channel,
            text=text,
            received_on=received_on or timezone.localdate(),
            source=source.strip(),
            record=record,
            subject_kind=subject_kind,
            subject_member=member,
            subject_unit=unit,
        )

    with transaction.atomic():
        return opinion_once(submission_token, create)


def _same_opening(latest: OpinionRound, *, reason: str) -> bool:
    """Whether opening a round now repeats the opening of `latest`: the same reason,
    the same day, and no opinion filed under it yet. Opening again then would leave
    `latest` empty and skip to the next number."""
    return (
        latest.reason == reason
        and latest.opened_on == timezone.localdate()
        and not Opinion.objects.filter(
            campaign_id=latest.campaign_id, branch_id=latest.branch_id, round=latest.number
        ).exists()
    )


@transaction.atomic
def round_open(*, campaign: Campaign, branch: Unit, reason: str, actor: User) -> OpinionRound:
    """Open the branch's next round of solicitation (第二轮征求意见): new opinions are
    filed under it from now on. `actor` is who opened it (the caller has fetched the
    branch with the capability to sort its opinions)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请说明为什么开展新一轮征求意见。")})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": _("原因不能超过 %(n)d 个字。") % {"n": MAX_REASON}})
    if branch.kind != Unit.Kind.BRANCH or not branch.path.startswith(campaign.unit.path):
        raise ValidationError({"branch": _("只能为本次活动中的党支部开展新一轮征求意见。")})
    # One opening at a time per branch (PostgreSQL: the branch row's lock; SQLite runs
    # one writing transaction at a time), so two at once cannot both take a number.
    Unit.objects.select_for_update().filter(pk=branch.pk).first()
    latest = (
        OpinionRound.objects.filter(campaign=campaign, branch=branch).order_by("-number").first()
    )
    if latest is not None and _same_opening(latest, reason=reason):
        return latest  # the same request again (a double click, a retried call)
    number = (latest.number if latest is not None else 1) + 1
    if number > MAX_ROUNDS:
        raise ValidationError({"reason": _("征求意见最多开展 %(n)d 轮。") % {"n": MAX_ROUNDS}})
    return OpinionRound.objects.create(
        campaign=campaign, branch=branch, number=number, reason=reason, opened_by=actor
    )
