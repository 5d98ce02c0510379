"""Branch activities as measures (整改活动): recording an activity, its donation lines
(特殊党费捐助), its golden ideas (金点子) and the decisions on them, and turning an
adopted idea into an item of the branch's plan.

Who may act is the caller's to check through `rectification.access`; these enforce the
domain's rules with messages for the user. Writes go through `save()` under
`acting_as(actor)`, so the audit trail records each step with its author — except an
anonymous idea, written with no actor at all (as the suggestion box writes an
opinion), and a donation's amount, which the trail never holds
(`Donation.audit_hidden_fields`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.accounts.models import User
from vanguard.audit.context import acting_as
from vanguard.campaigns.models import Campaign
from vanguard.lib.text import checked_text
from vanguard.notices.services import Message, notify_many, site_language
from vanguard.organization.models import Member, Unit
from vanguard.rectification.activities import selectors
from vanguard.rectification.models import Activity, Donation, Idea, Item
from vanguard.rectification.plans import services as plan_services

TITLE_MAX = 120
TEXT_MAX = 2000
NOTE_MAX = 300
IDEA_MAX = 1000
# Donation.amount holds ten digits, two of them decimals.
AMOUNT_MAX = Decimal("99999999.99")
CENT = Decimal("0.01")
Kind = Activity.Kind


def _activity_url(activity: Activity) -> str:
    return reverse("rectification:activity_detail", args=[activity.pk])


def _tell(users: Iterable[int | None], text: str, url: str, key: str, actor: User | None) -> None:
    actor_id = actor.pk if actor is not None else None
    ids = sorted({pk for pk in users if pk is not None and pk != actor_id})
    notify_many(Message(user_id=pk, text=text, url=url, key=key) for pk in ids)


def _text(
    errors: dict[str, str], value: str | None, field: str, label: str, **kw: int | bool
) -> str:
    try:
        return checked_text(
            value, field, label, required=bool(kw["required"]), limit=int(kw["limit"])
        )
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
        return ""


# --- Activities ------------------------------------------------------------------------


def _checked_activity(
    *,
    branch: Unit,
    kind: str,
    title: str,
    description: str,
    held_on: datetime.date | None,
    participants: Iterable[Member],
    participants_note: str,
    outcomes: str,
    treasurer: User | None,
    errors: dict[str, str],
) -> dict[str, object]:
    if kind not in Kind.values:
        errors["kind"] = _("请选择活动类型。")
    cleaned: dict[str, object] = {
        "kind": kind,
        "title": _text(errors, title, "title", _("活动名称"), required=True, limit=TITLE_MAX),
        "description": _text(
            errors, description, "description", _("活动说明"), required=False, limit=TEXT_MAX
        ),
        "participants_note": _text(
            errors,
            participants_note,
            "participants_note",
            _("其他参加人员"),
            required=False,
            limit=NOTE_MAX,
        ),
        "outcomes": _text(errors, outcomes, "outcomes", _("成效"), required=False, limit=TEXT_MAX),
        "held_on": held_on,
    }
    if held_on is not None and not datetime.date(2000, 1, 1) <= held_on <= datetime.date(
        2100, 1, 1
    ):
        errors["held_on"] = _("活动日期不对。")
    members = list(participants)
    allowed = set(selectors.branch_members(branch).values_list("pk", flat=True))
    if any(member.pk not in allowed for member in members):
        errors["participants"] = _("参加党员须是%(branch)s的党员。") % {"branch": branch.name}
    cleaned["participants"] = members
    if treasurer is not None:
        if kind != Kind.DONATION:
            errors["treasurer"] = _("只有特殊党费捐助活动需要指定经管人。")
        elif not selectors.treasurer_choices(branch).filter(pk=treasurer.pk).exists():
            errors["treasurer"] = _("经管人须是%(branch)s的党员。") % {"branch": branch.name}
    cleaned["treasurer"] = treasurer
    return cleaned


def _tell_treasurer(activity: Activity, before: int | None, actor: User) -> None:
    if activity.treasurer_id is None or activity.treasurer_id == before:
        return
    with site_language():
        text = _("您被指定为“%(title)s”的经管人，请登记每位党员的捐助金额。") % {
            "title": activity.title
        }
    _tell(
        [activity.treasurer_id],
        text,
        _activity_url(activity),
        f"rectification-treasurer-{activity.pk}-{activity.treasurer_id}",
        actor,
    )


@transaction.atomic
def activity_create(
    *,
    campaign: Campaign,
    branch: Unit,
    kind: str,
    title: str,
    actor: User,
    description: str = "",
    held_on: datetime.date | None = None,
    participants: Iterable[Member] = (),
    participants_note: str = "",
    outcomes: str = "",
    treasurer: User | None = None,
) -> Activity:
    """Record a branch measure that is an activity. A named treasurer is told; for a
    golden-ideas collection the branch's members are told they may give ideas."""
    errors: dict[str, str] = {}
    if branch.kind != Unit.Kind.BRANCH or not branch.path.startswith(campaign.unit.path):
        errors["branch"] = _("所选支部不在本次活动范围内。")
    cleaned = _checked_activity(
        branch=branch,
        kind=kind,
        title=title,
        description=description,
        held_on=held_on,
        participants=participants,
        participants_note=participants_note,
        outcomes=outcomes,
        treasurer=treasurer,
        errors=errors,
    )
    if errors:
        raise ValidationError(errors)
    members = cleaned.pop("participants")
    with acting_as(actor):
        activity = Activity(campaign=campaign, branch=branch, created_by=actor, **cleaned)
        activity.save()
        activity.participants.set(members)  # type: ignore[arg-type]
    _tell_treasurer(activity, None, actor)
    if activity.kind == Kind.IDEAS:
        with site_language():
            text = _("%(branch)s开展“%(title)s”，欢迎提出金点子，可以署名也可以匿名。") % {
                "branch": branch.name,
                "title": activity.title,
            }
        logins = selectors.branch_members(branch).values_list("user_id", flat=True)
        _tell(logins, text, _activity_url(activity), f"rectification-ideas-{activity.pk}", actor)
    return activity


@transaction.atomic
def activity_update(
    *,
    activity: Activity,
    kind: str,
    title: str,
    actor: User,
    description: str = "",
    held_on: datetime.date | None = None,
    participants: Iterable[Member] = (),
    participants_note: str = "",
    outcomes: str = "",
    treasurer: User | None = None,
) -> Activity:
    """Change an activity. Its kind stays while donation lines or ideas depend on it."""
    errors: dict[str, str] = {}
    cleaned = _checked_activity(
        branch=activity.branch,
        kind=kind,
        title=title,
        description=description,
        held_on=held_on,
        participants=participants,
        participants_note=participants_note,
        outcomes=outcomes,
        treasurer=treasurer,
        errors=errors,
    )
    if kind != activity.kind:
        if activity.kind == Kind.DONATION and activity.donations.exists():
            errors["kind"] = _("已有捐助记录，不能改为其他类型。")
        elif activity.kind == Kind.IDEAS and activity.ideas.exists():
            errors["kind"] = _("已收到金点子，不能改为其他类型。")
    if errors:
        raise ValidationError(errors)
    members = cleaned.pop("participants")
    before = activity.treasurer_id
    with acting_as(actor):
        for name, value in cleaned.items():
            setattr(activity, name, value)
        activity.save()
        activity.participants.set(members)  # type: ignore[arg-type]
    _tell_treasurer(activity, before, actor)
    return activity


# --- Donations -------------------------------------------------------------------------


def checked_amount(raw: object) -> Decimal:
    """An amount of money in yuan: more than zero, at most two decimals, at most
    99,999,999.99. Refused with a message the person can act on."""
    try:
        amount = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": _("请填写金额，例如 100 或 12.50。")}) from None
    if not amount.is_finite():
        raise ValidationError({"amount": _("请填写金额，例如 100 或 12.50。")})
    if amount <= 0:
        raise ValidationError({"amount": _("捐助金额须大于 0 元。")})
    if amount > AMOUNT_MAX:
        raise ValidationError({"amount": _("捐助金额不能超过 99,999,999.99 元。")})
    if amount != amount.quantize(CENT):
        raise ValidationError({"amount": _("金额最多保留两位小数（到分）。")})
    return amount.quantize(CENT)


@transaction.atomic
def donation_record(
    *,
    activity: Activity,
    member: Member,
    amount: object,
    actor: User,
    given_on: datetime.date | None = None,
) -> Donation:
    """Record how much a member gave (one line per member: recording again changes the
    line). The audit trail records that a line was written, never its amount."""
    errors: dict[str, str] = {}
    if activity.kind != Kind.DONATION:
        errors["member"] = _("这项活动不是特殊党费捐助，不能登记捐助。")
    if not selectors.branch_members(activity.branch).filter(pk=member.pk).exists():
        errors["member"] = _("捐助人须是%(branch)s的党员。") % {"branch": activity.branch.name}
    try:
        amount = checked_amount(amount)
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if given_on is not None and not datetime.date(2000, 1, 1) <= given_on <= timezone.localdate():
        errors["given_on"] = _("捐助日期不能晚于今天。")
    if errors:
        raise ValidationError(errors)
    assert isinstance(amount, Decimal)
    # Locks the member's line (PostgreSQL) so two keepers recording at once leave one line.
    line = Donation.objects.select_for_update().filter(activity=activity, member=member).first()
    with acting_as(actor):
        if line is None:
            line = Donation(activity=activity, member=member)
        line.amount = amount
        line.given_on = given_on
        line.recorded_by = actor
        line.save()
    return line


@transaction.atomic
def donation_remove(*, donation: Donation, actor: User) -> None:
    """Take a line recorded by mistake off the activity."""
    with acting_as(actor):
        donation.delete()


# --- Golden ideas ----------------------------------------------------------------------


@transaction.atomic
def idea_submit(*, activity: Activity, author: Member, text: str, anonymous: bool) -> Idea:
    """A member gives a golden idea. An anonymous idea keeps no author and is written
    with no audit actor; the date, never the time, is kept."""
    errors: dict[str, str] = {}
    if activity.kind != Kind.IDEAS:
        errors["text"] = _("这项活动不征集金点子。")
    text = _text(errors, text, "text", _("金点子"), required=True, limit=IDEA_MAX)
    if errors:
        raise ValidationError(errors)
    idea = Idea(
        activity=activity,
        text=text,
        anonymous=anonymous,
        author=None if anonymous else author,
        received_on=timezone.localdate(),
    )
    with acting_as(None if anonymous else author.user):
        idea.save()
    return idea


@transaction.atomic
def idea_decide(*, idea: Idea, decision: str, note: str, actor: User) -> Idea:
    """The branch's word on an idea: adopted, or not adopted for now (with a note). A
    named author is told; an anonymous one cannot be."""
    errors: dict[str, str] = {}
    if decision not in (Idea.Decision.ADOPTED, Idea.Decision.DECLINED):
        errors["decision"] = _("请选择采纳或暂不采纳。")
    note = _text(
        errors,
        note,
        "note",
        _("说明"),
        required=decision == Idea.Decision.DECLINED,
        limit=TEXT_MAX,
    )
    if decision == Idea.Decision.DECLINED and idea.became_id is not None:
        errors["decision"] = _("这条金点子已转为整改事项，不能改为暂不采纳。")
    if errors:
        raise ValidationError(errors)
    with acting_as(actor):
        idea.decision = decision
        idea.decision_note = note
        idea.decided_at = timezone.now()
        idea.decided_by = actor
        idea.save()
    if idea.author is not None and idea.author.user_id is not None:
        with site_language():
            text = _("您在“%(title)s”提的金点子：%(decision)s。") % {
                "title": idea.activity.title,
                "decision": idea.get_decision_display(),
            }
        _tell(
            [idea.author.user_id],
            text,
            _activity_url(idea.activity),
            f"rectification-idea-{idea.pk}-{decision}",
            actor,
        )
    return idea


@transaction.atomic
def idea_to_item(
    *,
    idea: Idea,
    measure: str,
    standard: str,
    deadline: datetime.date | None,
    actor: User,
    responsible: Member | None = None,
) -> Item:
    """Turn an adopted idea into an item of the branch's plan: the idea is the problem,
    the branch writes the measure, the standard of done and the deadline."""
    errors: dict[str, str] = {}
    activity = idea.activity
    # One item per idea even when two officers press at once (PostgreSQL locks the row).
    locked = Idea.objects.select_for_update().filter(pk=idea.pk).first()
    if locked is not None:
        idea.became_id = locked.became_id
    if idea.decision != Idea.Decision.ADOPTED:
        errors["measure"] = _("只有已采纳的金点子才能转为整改事项。")
    elif idea.became_id is not None:
        errors["measure"] = _("这条金点子已经转为整改事项。")
    if errors:
        raise ValidationError(errors)
    # The branch's plan (started if there is none) and the item are the plans
    # workflow's: its rules hold (the five clarities, a plan under review or approved
    # takes no new item).
    plan = plan_services.plan_start(campaign=activity.campaign, unit=activity.branch, actor=actor)
    try:
        item = plan_services.item_create(
            plan=plan,
            problem=idea.text,
            measure=measure,
            standard=standard,
            deadline=deadline,
            responsible=responsible,
            actor=actor,
        )
    except ValidationError as error:
        if hasattr(error, "error_dict") and "status" in error.error_dict:
            raise ValidationError(
                {
                    "measure": _("支部整改计划%(status)s，不能再加入事项。")
                    % {"status": plan.get_status_display()}
                }
            ) from error
        raise
    with acting_as(actor):
        item.activity = activity
        item.save(update_fields=["activity", "updated_at"])
        idea.became = item
        idea.save()
    return item
