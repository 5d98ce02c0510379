"""Study-work files stored before uploads were opened and cleaned (`lib.uploads`):
they are the member's original bytes, a photo with its GPS position, a Word file with
its author. `work_attachments_clean` passes each through the same gate as a new
upload and keeps the clean copy in its place; a file the gate refuses (an old .doc, an
encrypted PDF) is left as it is and reported — it is only ever served as a download.

A file stored cleaned is recognised by its stored name, which ends in its kind's
extension (`services._store`); those are not touched again.
"""

from __future__ import annotations

import dataclasses
import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from vanguard.lib import filetypes, uploads
from vanguard.study.models import StudyWork


@dataclasses.dataclass
class CleanReport:
    cleaned: list[int] = dataclasses.field(default_factory=list)
    # (work id, reason) for files the gate refuses: left as they are.
    refused: list[tuple[int, str]] = dataclasses.field(default_factory=list)
    missing: list[int] = dataclasses.field(default_factory=list)


def _is_stored_clean(work: StudyWork) -> bool:
    extension = filetypes.EXTENSIONS.get(work.attachment_type, "")
    return bool(extension) and work.attachment.name.endswith(extension)


def work_attachments_clean(*, dry_run: bool = False) -> CleanReport:
    """Replace every study-work file stored as uploaded by its clean copy."""
    report = CleanReport()
    works = StudyWork.objects.exclude(attachment="").order_by("pk")
    for work in works.iterator():
        if _is_stored_clean(work):
            continue
        try:
            with work.attachment.open("rb") as file:
                data = file.read()
        except FileNotFoundError:
            report.missing.append(work.pk)
            continue
        try:
            # Kept under the rules of its day: only its content is judged again.
            clean = uploads.inspect_upload(
                data,
                name=work.attachment_name or work.title,
                kinds=uploads.STUDY_KINDS,
                max_bytes=max(len(data), 1),
            )
        except uploads.UploadRefused as refused:
            report.refused.append((work.pk, refused.reason))
            continue
        report.cleaned.append(work.pk)
        if not dry_run:
            _replace(work, clean)
    return report


def _replace(work: StudyWork, clean: uploads.CleanUpload) -> None:
    token = secrets.token_urlsafe(24)
    extension = filetypes.EXTENSIONS[clean.kind]
    path = f"study/{work.campaign_id}/{work.member_id}/{token}{extension}"
    stored = default_storage.save(path, ContentFile(clean.data))
    old = work.attachment.name
    try:
        with transaction.atomic():
            updated = StudyWork.objects.filter(pk=work.pk, attachment=old).update(
                attachment=stored,
                upload_token=token,
                attachment_name=clean.name,
                attachment_type=clean.kind,
            )
            if updated:
                transaction.on_commit(lambda: default_storage.delete(old))
    except BaseException:
        default_storage.delete(stored)
        raise
    if not updated:  # replaced by its member meanwhile
        default_storage.delete(stored)
