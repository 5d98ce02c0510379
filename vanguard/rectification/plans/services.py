"""Writes of the plans workflow: a plan started, its items (五个明确) added, changed
and removed while it is a draft or returned, submitted, approved or returned with a
reason (`plan_submit`, `plan_review`: each decision keeps the plan as decided on,
`versions.py`; what is shared with the review loop: README.md of this app); an
item's progress (updates with evidence, planned → in progress → done) and its
verification by the plan's reviewers.

Services trust their caller on access (`rectification.access`) and refuse only what
the domain forbids, with messages for the person. Writes run under
`acting_as(actor)`, so the audit trail names who did each.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.accounts.access import ADMIN_ROLES
from vanguard.accounts.models import User
from vanguard.audit.context import acting_as
from vanguard.campaigns.models import Campaign
from vanguard.lib import filetypes, uploads
from vanguard.lib.paths import path_ids
from vanguard.lib.text import checked_text
from vanguard.meetings.models import Meeting
from vanguard.notices import reminders
from vanguard.notices.reminders import Recipient
from vanguard.notices.services import Message, notify_many, site_language
from vanguard.organization.models import Member, Unit
from vanguard.rectification.access import BRANCH_OFFICER_ROLES
from vanguard.rectification.models import (
    Activity,
    Item,
    ItemLink,
    Plan,
    PlanDecision,
    Tag,
    Update,
)
from vanguard.rectification.plans import selectors, versions
from vanguard.study.models import StudySession

TEXT_MAX = 2000
SUMMARY_MAX = 4000
REASON_MAX = 1000
MAX_ITEMS = 50
EDITABLE = (Plan.Status.DRAFT, Plan.Status.RETURNED)
# The steps a person reporting on an item may take (verification is the reviewers').
REPORTED_STATUSES = (Item.Status.PLANNED, Item.Status.IN_PROGRESS, Item.Status.DONE)
# How far ahead a deadline may be: a rectification runs for months, not decades.
LATEST_DEADLINE_YEARS = 3


def plan_url(plan: Plan) -> str:
    """Where the plan's writers read it."""
    if plan.level == Plan.Level.MEMBER:
        return reverse("rectification:my_plan") + f"?campaign={plan.campaign_id}"
    return reverse("rectification:plan_detail", args=[plan.pk])


def plan_detail_url(plan: Plan) -> str:
    return reverse("rectification:plan_detail", args=[plan.pk])


def _tell(
    users: Iterable[Recipient | None], text: str, url: str, key: str, actor: User | None
) -> None:
    actor_id = getattr(actor, "pk", None)
    ids = sorted({r.user_id for r in users if r is not None and r.user_id != actor_id})
    notify_many(Message(user_id=pk, text=text, url=url, key=key) for pk in ids)


def owner_name(plan: Plan) -> str:
    if plan.member is not None:
        return plan.member.name
    return plan.unit.name if plan.unit is not None else ""


Officers = Callable[[Unit, Iterable[str]], list[Recipient]]


def plan_reviewers(plan: Plan, *, find: Officers = reminders.officers) -> list[Recipient]:
    """Who decides on the plan and verifies its items: the branch's officers for a
    member's plan, the committee for a unit's — never the member themself. (`find`:
    a run's cached look-up, `notices.reminders.Reminders.officers`.)"""
    if plan.level == Plan.Level.MEMBER:
        assert plan.member is not None
        found = find(plan.member.branch, BRANCH_OFFICER_ROLES)
    else:
        assert plan.unit is not None
        found = find(plan.unit, ADMIN_ROLES)
    own = plan.member.user_id if plan.member is not None else None
    return [r for r in found if r.user_id != own]


def plan_writers(plan: Plan, *, find: Officers = reminders.officers) -> list[Recipient]:
    """Who writes the plan and is told of a decision: the member; a unit's officers."""
    if plan.member is not None:
        found = reminders.member_recipient(plan.member)
        return [found] if found is not None else []
    assert plan.unit is not None
    roles = BRANCH_OFFICER_ROLES if plan.level == Plan.Level.BRANCH else ADMIN_ROLES
    return find(plan.unit, roles)


def _locked(plan: Plan) -> Plan:
    current = Plan.objects.select_for_update().get(pk=plan.pk)
    plan.status, plan.version = current.status, current.version
    plan.return_reason, plan.summary = current.return_reason, current.summary
    return plan


def _editable(plan: Plan) -> None:
    if plan.status not in EDITABLE:
        raise ValidationError(
            {
                "status": _("整改计划%(status)s，不能再修改事项。")
                % {"status": plan.get_status_display()}
            }
        )


# --- Plans ------------------------------------------------------------------------------


@transaction.atomic
def plan_start(
    *,
    campaign: Campaign,
    actor: User | None,
    member: Member | None = None,
    unit: Unit | None = None,
) -> Plan:
    """The member's, the branch's or the committee's plan in the campaign: the one
    already there, or a new draft."""
    if member is not None:
        if not member.is_active or campaign.unit_id not in path_ids(member.branch.path):
            raise ValidationError({"campaign": _("这次活动不包括该党员所在的支部。")})
        owner: dict[str, Any] = {"member": member}
        level = Plan.Level.MEMBER
    elif unit is not None:
        if unit.pk == campaign.unit_id:
            level = Plan.Level.COMMITTEE
        elif unit.kind == Unit.Kind.BRANCH and unit.path.startswith(campaign.unit.path):
            level = Plan.Level.BRANCH
        else:
            raise ValidationError({"unit": _("只能为本次活动中的党支部或党委制订整改计划。")})
        owner = {"unit": unit}
    else:
        raise ValidationError({"unit": _("请选择为谁制订整改计划。")})
    if campaign.status == Campaign.Status.DRAFT:
        raise ValidationError({"campaign": _("活动尚未开始。")})
    found = Plan.objects.filter(campaign=campaign, **owner).first()
    if found is not None:
        return found
    try:
        with transaction.atomic(), acting_as(actor):
            plan = Plan(campaign=campaign, level=level, **owner)
            plan.save()
    except IntegrityError:  # started a moment ago from another tab
        return Plan.objects.get(campaign=campaign, **owner)
    return plan


@transaction.atomic
def plan_submit(*, plan: Plan, summary: str, actor: User) -> Plan:
    """Hand the plan in for review; its reviewers are told."""
    plan = _locked(plan)
    _editable(plan)
    resubmitted = plan.status == Plan.Status.RETURNED
    summary = checked_text(summary, "summary", _("整改思路"), required=False, limit=SUMMARY_MAX)
    if not plan.items.exists():
        raise ValidationError({"items": _("请至少写一条整改事项再提交。")})
    with acting_as(actor):
        plan.summary = summary
        plan.status = Plan.Status.SUBMITTED
        plan.submitted_at = timezone.now()
        plan.version += 1
        plan.save(update_fields=["summary", "status", "submitted_at", "version", "updated_at"])
    with site_language():
        if resubmitted:
            text = _("%(owner)s按退回理由修改后重新提交了整改计划，请审阅。") % {
                "owner": owner_name(plan)
            }
        else:
            text = _("%(owner)s提交了整改计划，请审阅。") % {"owner": owner_name(plan)}
    _tell(
        plan_reviewers(plan),
        text,
        plan_detail_url(plan),
        f"plan-submitted:{plan.pk}:{plan.version}",
        actor,
    )
    return plan


@transaction.atomic
def plan_review(*, plan: Plan, approve: bool, reason: str, actor: User) -> PlanDecision:
    """Approve the submitted plan, or return it with a reason the writers read until
    they submit again; they are told either way."""
    plan = _locked(plan)
    if plan.status != Plan.Status.SUBMITTED:
        raise ValidationError({"status": _("这份整改计划不在待审阅状态。")})
    reason = checked_text(reason, "reason", _("退回理由"), required=not approve, limit=REASON_MAX)
    now = timezone.now()
    with acting_as(actor):
        decision = PlanDecision(
            plan=plan,
            verdict=PlanDecision.Verdict.APPROVE if approve else PlanDecision.Verdict.RETURN,
            reason=reason,
            reviewer=actor,
            snapshot=versions.plan_snapshot(plan),
        )
        decision.save()
        if approve:
            plan.status, plan.approved_at, plan.approved_by = Plan.Status.APPROVED, now, actor
            plan.return_reason = ""
        else:
            plan.status, plan.return_reason = Plan.Status.RETURNED, reason
        plan.version += 1
        plan.save(
            update_fields=[
                "status",
                "approved_at",
                "approved_by",
                "return_reason",
                "version",
                "updated_at",
            ]
        )
    with site_language():
        if approve:
            text = _("整改计划已审核通过。")
        else:
            text = _("整改计划被退回修改：%(reason)s") % {"reason": reason}
    _tell(
        plan_writers(plan),
        text,
        plan_url(plan),
        f"plan-{plan.status}:{plan.pk}:{plan.version}",
        actor,
    )
    return decision


# --- Items ------------------------------------------------------------------------------


def _clean_item(
    plan: Plan,
    *,
    problem: str,
    measure: str,
    standard: str,
    deadline: datetime.date | None,
    responsible: Member | None,
    tags: Iterable[str],
    links: Iterable[str],
) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for field, label, value in (
        ("problem", _("存在问题"), problem),
        ("measure", _("整改措施"), measure),
        ("standard", _("完成标准"), standard),
    ):
        try:
            cleaned[field] = checked_text(value, field, label, required=True, limit=TEXT_MAX)
        except ValidationError as error:
            errors.update({k: v[0] for k, v in error.message_dict.items()})
    today = timezone.localdate()
    if deadline is None:
        errors["deadline"] = _("请填写完成时限。")
    elif deadline.year > today.year + LATEST_DEADLINE_YEARS or deadline.year < today.year - 1:
        errors["deadline"] = _("完成时限应在今后三年之内。")
    cleaned["deadline"] = deadline
    if (
        responsible is not None
        and not selectors.responsible_choices(plan).filter(pk=responsible.pk).exists()
    ):
        errors["responsible"] = (
            _("个人整改计划的责任人是党员本人。")
            if plan.member_id is not None
            else _("责任人须是本支部的党员。")
        )
    if responsible is None and plan.member is not None:
        responsible = plan.member
    cleaned["responsible"] = responsible
    tag_list = list(dict.fromkeys(t for t in tags if t))
    if any(t not in Tag.values for t in tag_list):
        errors["tags"] = _("所选关联不存在。")
    cleaned["tags"] = [t for t in Tag.values if t in tag_list]
    found, unknown = selectors.resolve_link_keys(plan, list(links))
    if unknown:
        errors["links"] = _("所选整改依据不在可选范围内。")
    if errors:
        raise ValidationError(errors)
    return cleaned, found


def _write_links(item: Item, found: list[tuple[str, Any]]) -> None:
    field_of = {
        ItemLink.Target.OPINION: "opinion",
        ItemLink.Target.REVIEW: "review",
        ItemLink.Target.CHECK_FINDING: "check_finding",
        ItemLink.Target.REMEDIATION: "remediation",
    }
    wanted = {(target, record.pk) for target, record in found}
    for link in list(item.links.all()):
        record_id = getattr(link, f"{field_of[ItemLink.Target(link.target)]}_id")
        if (link.target, record_id) not in wanted:
            link.delete()
        else:
            wanted.discard((link.target, record_id))
    for target, record in found:
        if (target, record.pk) in wanted:
            ItemLink(item=item, target=target, **{field_of[ItemLink.Target(target)]: record}).save()


@transaction.atomic
def item_create(
    *,
    plan: Plan,
    problem: str,
    measure: str,
    standard: str,
    deadline: datetime.date | None,
    actor: User,
    responsible: Member | None = None,
    tags: Iterable[str] = (),
    links: Iterable[str] = (),
    submission_token: str = "",
) -> Item:
    """Add an item with the five clarities; the member themself is responsible for an
    item of their own plan unless another is named. `links` are keys of
    `selectors.link_choices` (an opinion by its token, never its id). With a
    `submission_token` (an API client's Idempotency-Key) the create happens once: sent
    again, it returns the item the first request added."""
    plan = _locked(plan)
    if submission_token:  # looked up under the plan's lock: a resent request waits
        first = Item.objects.filter(submission_token=submission_token).first()
        if first is not None:
            return first
    _editable(plan)
    if plan.items.count() >= MAX_ITEMS:
        raise ValidationError({"problem": _("一份整改计划最多 %(n)d 条事项。") % {"n": MAX_ITEMS}})
    cleaned, found = _clean_item(
        plan,
        problem=problem,
        measure=measure,
        standard=standard,
        deadline=deadline,
        responsible=responsible,
        tags=tags,
        links=links,
    )
    last = plan.items.order_by("-order").values_list("order", flat=True).first()
    with acting_as(actor):
        item = Item(
            plan=plan, order=(last or 0) + 1, submission_token=submission_token or None, **cleaned
        )
        item.save()
        _write_links(item, found)
    return item


@transaction.atomic
def my_item_create(
    *,
    campaign: Campaign,
    member: Member,
    problem: str,
    measure: str,
    standard: str,
    deadline: datetime.date | None,
    actor: User,
    responsible: Member | None = None,
    tags: Iterable[str] = (),
    links: Iterable[str] = (),
) -> Item:
    """A member's first item: their plan is started with it (and not at all when the
    item is refused)."""
    plan = plan_start(campaign=campaign, member=member, actor=actor)
    return item_create(
        plan=plan,
        problem=problem,
        measure=measure,
        standard=standard,
        deadline=deadline,
        responsible=responsible,
        tags=tags,
        links=links,
        actor=actor,
    )


@transaction.atomic
def item_change(
    *,
    item: Item,
    problem: str,
    measure: str,
    standard: str,
    deadline: datetime.date | None,
    actor: User,
    responsible: Member | None = None,
    tags: Iterable[str] = (),
    links: Iterable[str] = (),
) -> Item:
    """Change an item's five clarities, tags and links while its plan is editable."""
    plan = _locked(item.plan)
    _editable(plan)
    cleaned, found = _clean_item(
        plan,
        problem=problem,
        measure=measure,
        standard=standard,
        deadline=deadline,
        responsible=responsible,
        tags=tags,
        links=links,
    )
    with acting_as(actor):
        for name, value in cleaned.items():
            setattr(item, name, value)
        item.version += 1
        item.save()
        _write_links(item, found)
    return item


@transaction.atomic
def item_delete(*, item: Item, actor: User) -> None:
    plan = _locked(item.plan)
    _editable(plan)
    if item.updates.exists():
        raise ValidationError({"item": _("这条事项已有进展记录，不能删除。")})
    with acting_as(actor):
        item.delete()


@transaction.atomic
def item_set_status(*, item: Item, status: str, actor: User) -> Item:
    """Move the item along planned → in progress → done (or back, before it is
    verified). Done: the plan's reviewers are told, to verify it."""
    current = Item.objects.select_for_update().get(pk=item.pk)
    item.status, item.version = current.status, current.version
    if item.status == Item.Status.VERIFIED:
        raise ValidationError({"status": _("这条事项已验收，不能再改状态。")})
    if status not in REPORTED_STATUSES:
        raise ValidationError({"status": _("请选择计划中、进行中或已完成。")})
    if status == item.status:
        return item
    with acting_as(actor):
        item.status = status
        item.done_at = timezone.now() if status == Item.Status.DONE else None
        item.version += 1
        item.save(update_fields=["status", "done_at", "version", "updated_at"])
    if status == Item.Status.DONE:
        plan = item.plan
        with site_language():
            text = _("%(owner)s的整改计划第%(number)s项已完成，请验收。") % {
                "owner": owner_name(plan),
                "number": selectors.item_number(item),
            }
        _tell(
            plan_reviewers(plan),
            text,
            plan_detail_url(plan),
            f"item-done:{item.pk}:{item.version}",
            actor,
        )
    return item


@transaction.atomic
def item_verify(*, item: Item, passed: bool, note: str, actor: User) -> Item:
    """Verify a done item (验收), or send it back to in progress with a note saying what
    is missing. The member and the person responsible are told."""
    current = Item.objects.select_for_update().get(pk=item.pk)
    item.status, item.version = current.status, current.version
    if item.status != Item.Status.DONE:
        raise ValidationError({"status": _("这条事项还没有完成，不能验收。")})
    note = checked_text(note, "note", _("验收意见"), required=not passed, limit=TEXT_MAX)
    now = timezone.now()
    with acting_as(actor):
        if passed:
            item.status, item.verified_at, item.verified_by = Item.Status.VERIFIED, now, actor
        else:
            item.status, item.done_at = Item.Status.IN_PROGRESS, None
            item.verified_at, item.verified_by = None, None
        item.verify_note = note
        item.version += 1
        item.save(
            update_fields=[
                "status",
                "done_at",
                "verified_at",
                "verified_by",
                "verify_note",
                "version",
                "updated_at",
            ]
        )
    plan = item.plan
    with site_language():
        if passed:
            text = _("整改计划第%(number)s项已验收。") % {"number": selectors.item_number(item)}
        else:
            text = _("整改事项验收未通过：%(note)s") % {"note": note}
    told: list[Recipient | None] = [*plan_writers(plan)]
    if item.responsible is not None:
        told.append(reminders.member_recipient(item.responsible))
    _tell(told, text, plan_url(plan), f"item-{item.status}:{item.pk}:{item.version}", actor)
    return item


# --- Updates ----------------------------------------------------------------------------


def check_upload(upload: Any) -> uploads.CleanUpload:
    """The evidence opened and cleaned (`lib.uploads`), as a reading note's file: a
    PDF, a Word .docx, a JPEG or PNG photo, or a HEIC photo (stored as JPEG)."""
    try:
        return uploads.inspect_upload(
            upload,
            name=getattr(upload, "name", "") or "",
            kinds=uploads.STUDY_KINDS,
            max_bytes=settings.STUDY_UPLOAD_MAX_BYTES,
        )
    except uploads.UploadRefused as refused:
        raise ValidationError({"evidence": str(refused)}) from None


def _store(clean: uploads.CleanUpload, item: Item) -> tuple[str, str]:
    """The cleaned copy (never the upload) under a random name ending in its kind's
    extension."""
    token = secrets.token_urlsafe(24)
    extension = filetypes.EXTENSIONS[clean.kind]
    path = f"rectification/{item.plan.campaign_id}/{item.pk}/{token}{extension}"
    return default_storage.save(path, ContentFile(clean.data)), token


@transaction.atomic
def update_create(
    *,
    item: Item,
    on: datetime.date | None,
    actor: User,
    text: str = "",
    upload: Any = None,
    meeting: Meeting | None = None,
    study_session: StudySession | None = None,
    activity: Activity | None = None,
    status: str = "",
    submission_token: str = "",
) -> Update:
    """Record progress on an item: a dated note, evidence (a file, cleaned), or a
    meeting, study session or activity Vanguard holds — at least one of them. With
    `status`, the item moves too (`item_set_status`). With a `submission_token` (an API
    client's Idempotency-Key) it happens once: sent again, it returns the first update
    and stores no second file."""
    if submission_token:
        # Under the item's lock, so that a request resent while the first still runs
        # waits for it and then finds its update.
        Item.objects.select_for_update().filter(pk=item.pk).first()
        first = Update.objects.filter(submission_token=submission_token).first()
        if first is not None:
            return first
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if on is None:
        errors["on"] = _("请填写日期。")
    elif on > today:
        errors["on"] = _("日期不能晚于今天。")
    elif on.year < today.year - 2:
        errors["on"] = _("日期太早了。")
    try:
        text = checked_text(text, "text", _("进展情况"), required=False, limit=TEXT_MAX)
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if item.status == Item.Status.VERIFIED:
        errors["status"] = _("这条事项已验收，不能再记录进展。")
    if meeting is not None and meeting.campaign_id != item.plan.campaign_id:
        errors["meeting"] = _("所选会议不属于本次活动。")
    if study_session is not None and study_session.campaign_id != item.plan.campaign_id:
        errors["study_session"] = _("所选学习活动不属于本次活动。")
    if activity is not None and activity.campaign_id != item.plan.campaign_id:
        errors["activity"] = _("所选活动不属于本次活动。")
    clean = None
    if upload:
        try:
            clean = check_upload(upload)
        except ValidationError as error:
            errors.update({k: v[0] for k, v in error.message_dict.items()})
    if not errors and not (text or clean or meeting or study_session or activity):
        errors["text"] = _("请填写进展情况，或上传佐证材料，或选择一次会议或学习活动。")
    if errors or on is None:
        raise ValidationError(errors)
    stored = _store(clean, item) if clean is not None else None
    try:
        with acting_as(actor):
            update = Update(
                item=item,
                on=on,
                text=text,
                meeting=meeting,
                study_session=study_session,
                activity=activity,
                author=actor,
                submission_token=submission_token or None,
            )
            if clean is not None and stored is not None:
                update.evidence.name = stored[0]
                update.upload_token = stored[1]
                update.evidence_name = clean.name[:200]
                update.evidence_type = clean.kind
            update.save()
        if status:
            item_set_status(item=item, status=status, actor=actor)
        elif item.status == Item.Status.PLANNED:
            item_set_status(item=item, status=Item.Status.IN_PROGRESS, actor=actor)
    except BaseException:
        if stored is not None:
            default_storage.delete(stored[0])
        raise
    return update
