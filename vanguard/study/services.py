"""Writes of the study app: plans, sessions, attendance (by hand and by QR code) and
members' study work. Each function is one transaction; bad input raises
ValidationError with a Chinese message naming the field or file, and writes nothing."""

from __future__ import annotations

import datetime
import enum
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.accounts.models import User
from vanguard.audit.models import AuditEntry
from vanguard.audit.services import audit_record, audit_record_many, snapshot
from vanguard.campaigns.models import Campaign
from vanguard.lib import filetypes, uploads
from vanguard.lib.sanitize import clean_html, is_blank
from vanguard.organization.models import Member, Unit
from vanguard.study import selectors
from vanguard.study.models import Attendance, StudyPlan, StudySession, StudyWork

# --- Plans and sessions ---------------------------------------------------------


@transaction.atomic
def plan_save(
    *, branch: Unit, campaign: Campaign, title: str, body: str, submit: bool, user: User
) -> StudyPlan:
    """Write (or rewrite) the branch's study-and-discussion plan; `submit` hands it in.

    A plan once submitted is never saved as a draft again: nobody approves a study
    plan, so there is no submitted copy to keep beside a draft, and saving a draft
    over it would change what the branch handed in while it still read 已提交. A
    change to a submitted plan is a new submission, stamped with who made it and when."""
    if branch.kind != Unit.Kind.BRANCH:
        raise ValidationError(_("学习讨论计划由党支部制定。"))
    plan = StudyPlan.objects.select_for_update().filter(branch=branch, campaign=campaign).first()
    if plan is None:
        plan = StudyPlan(branch=branch, campaign=campaign)
    elif plan.submitted_at is not None and not submit:
        raise ValidationError(
            _(
                "学习讨论计划已经提交，不能再存为草稿。修改后请点“提交修改”，"
                "修改后的内容即为提交的计划。"
            )
        )
    plan.title = title
    plan.body = clean_html(body)
    if submit:
        plan.submitted_at = timezone.now()
        plan.submitted_by = user
    plan.save()
    return plan


@transaction.atomic
def session_create(
    *,
    unit: Unit,
    campaign: Campaign,
    kind: str,
    topic: str,
    materials: str = "",
    speaker: str = "",
    place: str = "",
    starts_at: Any,
) -> StudySession:
    plan = None
    if unit.kind == Unit.Kind.BRANCH:
        plan = StudyPlan.objects.filter(branch=unit, campaign=campaign).first()
    return StudySession.objects.create(
        campaign=campaign,
        plan=plan,
        unit=unit,
        kind=kind,
        topic=topic,
        materials=materials,
        speaker=speaker,
        place=place,
        starts_at=starts_at,
    )


# --- Attendance -----------------------------------------------------------------


@transaction.atomic
def attendance_mark(*, session: StudySession, marks: dict[int, tuple[str, str]]) -> int:
    """Record attendance by hand: `marks` maps member id to (status, reason). Every
    member must be expected at the session; an absence needs a reason. Returns the
    number of rows written."""
    members = {member.pk: member for member in selectors.session_members(session)}
    errors = []
    for member_id, (status, reason) in marks.items():
        member = members.get(member_id)
        if member is None:
            errors.append(_("第 %(id)s 号党员不是本次学习活动的参加对象。") % {"id": member_id})
        elif status not in Attendance.Status.values:
            errors.append(_("%(name)s：请选择出席或缺席。") % {"name": member.name})
        elif status == Attendance.Status.ABSENT and not reason.strip():
            errors.append(_("%(name)s：缺席须填写原因。") % {"name": member.name})
    if errors:
        raise ValidationError(errors)
    existing = selectors.attendance_by_member(session)
    created: list[Attendance] = []
    changed: list[tuple[Attendance, dict]] = []
    for member_id, (status, reason) in marks.items():
        reason = reason.strip() if status == Attendance.Status.ABSENT else ""
        row = existing.get(member_id)
        if row is None:
            created.append(
                Attendance(
                    session=session,
                    member_id=member_id,
                    status=status,
                    reason=reason,
                    method=Attendance.Method.MANUAL,
                )
            )
        elif (row.status, row.reason) != (status, reason):
            before = snapshot(row)
            row.status, row.reason, row.method = status, reason, Attendance.Method.MANUAL
            changed.append((row, before))
    now = timezone.now()
    for row in created:
        row.recorded_at = now
    for row, _before in changed:
        row.recorded_at = now
    Attendance.objects.bulk_create(created)
    if changed:
        Attendance.objects.bulk_update(
            [row for row, _before in changed], ["status", "reason", "method", "recorded_at"]
        )
    # Read back for their primary keys (not every database returns them from a bulk insert).
    created = list(
        Attendance.objects.filter(session=session, member_id__in=[r.member_id for r in created])
    )
    audit_record_many(
        action=AuditEntry.Action.CREATE, changes=[(row, None, snapshot(row)) for row in created]
    )
    audit_record_many(
        action=AuditEntry.Action.UPDATE,
        changes=[(row, before, snapshot(row)) for row, before in changed],
    )
    return len(created) + len(changed)


class SignIn(enum.Enum):
    SIGNED_IN = "signed_in"
    ALREADY = "already"
    NOT_EXPECTED = "not_expected"


def attendance_sign_in(*, session: StudySession, member: Member | None) -> SignIn:
    """A member signs in by scanning the session's QR code (the caller has checked the
    code). One sign-in per member per session; a repeat changes nothing."""
    if member is None or not selectors.is_expected_at(member, session):
        return SignIn.NOT_EXPECTED
    try:
        with transaction.atomic():
            row = Attendance.objects.filter(session=session, member=member).first()
            if row is not None:
                if row.status == Attendance.Status.PRESENT:
                    return SignIn.ALREADY
                # Marked absent earlier, then came after all.
                row.status, row.reason, row.method = (
                    Attendance.Status.PRESENT,
                    "",
                    Attendance.Method.QR,
                )
                row.save()
                return SignIn.SIGNED_IN
            Attendance.objects.create(
                session=session,
                member=member,
                status=Attendance.Status.PRESENT,
                method=Attendance.Method.QR,
            )
    except IntegrityError:  # the same member's second phone, a moment earlier
        return SignIn.ALREADY
    return SignIn.SIGNED_IN


# --- Study work -------------------------------------------------------------------


def check_upload(upload: Any) -> uploads.CleanUpload:
    """The uploaded file opened and cleaned (`lib.uploads`): a reading note takes a
    PDF, a Word .docx, a JPEG or PNG photo, or a HEIC photo (stored as JPEG), up to
    STUDY_UPLOAD_MAX_BYTES. Anything else is refused with a message naming the file."""
    try:
        return uploads.inspect_upload(
            upload,
            name=getattr(upload, "name", "") or "",
            kinds=uploads.STUDY_KINDS,
            max_bytes=settings.STUDY_UPLOAD_MAX_BYTES,
        )
    except uploads.UploadRefused as refused:
        raise ValidationError({"attachment": str(refused)}) from None


def _store(clean: uploads.CleanUpload, *, campaign_id: int, member_id: int) -> tuple[str, str]:
    """Save the cleaned copy (never the upload itself) under a random name ending in
    the detected kind's extension; returns (stored name, token). The extension marks
    a file stored cleaned: only such an image is ever shown inline."""
    token = secrets.token_urlsafe(24)
    path = f"study/{campaign_id}/{member_id}/{token}{filetypes.EXTENSIONS[clean.kind]}"
    name = default_storage.save(path, ContentFile(clean.data))
    return name, token


def _check_content(*, title: str, material: str, body: str, has_file: bool) -> None:
    errors = {}
    if not title.strip():
        errors["title"] = _("请填写标题。")
    if not material.strip():
        errors["material"] = _("请填写所学书目或材料。")
    if is_blank(body) and not has_file:
        errors["body"] = _("请填写正文，或上传一个文件。")
    if errors:
        raise ValidationError(errors)


# Identical works from one member within this window are one double submit (a second
# click, a retried request, six tabs sending at once): the first is kept.
DUPLICATE_WINDOW = datetime.timedelta(minutes=10)


def _recent_duplicate(
    *,
    member: Member,
    campaign: Campaign,
    kind: str,
    title: str,
    material: str,
    body: str,
    file: bytes | None,
) -> StudyWork | None:
    """The member's identical work sent moments ago — the same text and the same file,
    byte for byte (a different photo under the same title is a new work) — read after
    locking the member row (PostgreSQL; SQLite's IMMEDIATE transactions already run one
    writer at a time), so that of concurrent identical submissions exactly one makes a
    row."""
    Member.objects.select_for_update().filter(pk=member.pk).first()
    works = StudyWork.objects.filter(
        member=member,
        campaign=campaign,
        kind=kind,
        title=title.strip(),
        material=material.strip(),
        body=body,
        submitted_at__gte=timezone.now() - DUPLICATE_WINDOW,
    )
    if file is None:
        return works.filter(attachment="").order_by("pk").first()
    for work in works.exclude(attachment="").order_by("pk"):
        if work.attachment.size == len(file):
            with work.attachment.open("rb") as stored:
                if stored.read() == file:
                    return work
    return None


def work_create(
    *,
    member: Member,
    campaign: Campaign,
    kind: str,
    title: str,
    material: str,
    body: str,
    upload: Any = None,
    entered_by: User | None = None,
    entered_by_role: str = "",
) -> StudyWork:
    """A member's study work; with `entered_by` and the role they act in, entered on
    the member's behalf (代录) by an officer, and marked so wherever it is shown."""
    if entered_by is not None and not entered_by_role:
        raise ValueError("a work entered on a member's behalf names the role it is entered in")
    body = clean_html(body)
    clean = check_upload(upload) if upload else None
    _check_content(title=title, material=material, body=body, has_file=bool(upload))
    stored = _store(clean, campaign_id=campaign.pk, member_id=member.pk) if clean else None
    try:
        with transaction.atomic():
            duplicate = _recent_duplicate(
                member=member,
                campaign=campaign,
                kind=kind,
                title=title,
                material=material,
                body=body,
                file=clean.data if clean else None,
            )
            if duplicate is not None:
                if stored:
                    default_storage.delete(stored[0])
                return duplicate
            work = StudyWork(
                campaign=campaign,
                member=member,
                kind=kind,
                title=title.strip(),
                material=material.strip(),
                body=body,
                entered_by=entered_by,
                entered_by_role=entered_by_role if entered_by is not None else "",
            )
            if stored and clean:
                work.attachment.name, work.upload_token = stored
                work.attachment_name = clean.name
                work.attachment_type = clean.kind
            work.save()
    except Exception:
        if stored:
            default_storage.delete(stored[0])
        raise
    return work


class StaleEdit(ValidationError):
    """The work changed since the form was opened (another tab, or a reviewer)."""


@transaction.atomic
def work_update(
    *,
    work: StudyWork,
    version: int,
    kind: str,
    title: str,
    material: str,
    body: str,
    upload: Any = None,
    remove_file: bool = False,
) -> StudyWork:
    """The member's edit of their own work, refused once a reviewer has looked at it,
    and refused (nothing lost: the caller shows the input again) when `version` is no
    longer the stored one."""
    body = clean_html(body)
    clean = check_upload(upload) if upload else None
    keeps_file = bool(work.attachment) and not remove_file
    _check_content(title=title, material=material, body=body, has_file=bool(upload) or keeps_file)
    before = snapshot(work)
    changes: dict[str, Any] = {
        "kind": kind,
        "title": title.strip(),
        "material": material.strip(),
        "body": body,
        "updated_at": timezone.now(),
        "version": F("version") + 1,
    }
    stored = (
        _store(clean, campaign_id=work.campaign_id, member_id=work.member_id) if clean else None
    )
    if stored and clean:
        changes.update(
            attachment=stored[0],
            upload_token=stored[1],
            attachment_name=clean.name,
            attachment_type=clean.kind,
        )
    elif remove_file:
        changes.update(attachment="", upload_token="", attachment_name="", attachment_type="")
    updated = StudyWork.objects.filter(
        pk=work.pk, version=version, reviewed_at__isnull=True
    ).update(**changes)
    if not updated:
        if stored:
            default_storage.delete(stored[0])
        current = StudyWork.objects.get(pk=work.pk)
        if current.is_locked:
            raise ValidationError(_("这份学习成果已经审阅（已阅），不能再修改。"))
        raise StaleEdit(
            _(
                "这份学习成果在您打开编辑页之后已在别处修改过，您这次的修改没有保存。"
                "您填写的内容仍在下方，请对照当前保存的版本后再保存。"
            )
        )
    old_file = work.attachment.name if (stored or remove_file) and work.attachment else ""
    work.refresh_from_db()
    audit_record(action=AuditEntry.Action.UPDATE, obj=work, before=before, after=snapshot(work))
    if old_file:
        transaction.on_commit(lambda: default_storage.delete(old_file))
    return work


@transaction.atomic
def work_mark_reviewed(*, work: StudyWork, user: User) -> bool:
    """A reviewer's "已阅". Returns False if someone had already marked it."""
    if work.member.user_id is not None and work.member.user_id == user.pk:
        raise ValidationError(_("不能审阅自己的学习成果。"))
    before = snapshot(work)
    updated = StudyWork.objects.filter(pk=work.pk, reviewed_at__isnull=True).update(
        reviewed_at=timezone.now(), reviewed_by=user, version=F("version") + 1
    )
    if updated:
        work.refresh_from_db()
        audit_record(action=AuditEntry.Action.UPDATE, obj=work, before=before, after=snapshot(work))
    return bool(updated)
