"""Storing e-mail as opinions (电子信箱): a parsed message (`email.mime`) becomes an
opinion with its e-mail and attachments, once per campaign; saved .eml files
uploaded by a sorter are read whole before any is written; and a mailbox's settings
are saved.

The sender is the opinion's source: it goes into `EmailMessage.sender` and the
opinion's `source` / `contact`, which the audit trail never copies and a subject
never sees. So do the notes on attachments that were not kept (their file names):
they go into `EmailMessage.attachment_notes`, never into the opinion's text. A
message is imported once per campaign (its Message-ID, hashed).

Callers check access first (`opinions.access`); these functions check the data.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.campaigns.models import Campaign
from vanguard.lib import uploads
from vanguard.opinions.email.mime import (
    EmailParseError,
    ParsedEmail,
    email_max_bytes,
    email_parse,
)
from vanguard.opinions.models import EmailAttachment, EmailMessage, Mailbox, Opinion
from vanguard.organization.models import Unit


def email_already_imported(*, campaign: Campaign, parsed: ParsedEmail) -> bool:
    return EmailMessage.objects.filter(
        campaign=campaign, message_id_hash=parsed.message_id_hash
    ).exists()


def email_store(
    *,
    campaign: Campaign,
    branch: Unit,
    parsed: ParsedEmail,
    mailbox: Mailbox | None = None,
    received_on: datetime.date | None = None,
) -> Opinion | None:
    """Write one parsed message as an opinion with its e-mail and attachments, in a
    transaction of its own. None if the campaign already has this message."""
    if email_already_imported(campaign=campaign, parsed=parsed):
        return None
    received_on = received_on or parsed.sent_on or timezone.localdate()
    saved: list[EmailAttachment] = []
    try:
        with transaction.atomic():
            message = EmailMessage.objects.create(
                campaign=campaign,
                mailbox=mailbox,
                message_id_hash=parsed.message_id_hash,
                subject=parsed.subject,
                sender=parsed.sender,
                received_on=received_on,
                attachment_notes="\n".join(parsed.notes),
            )
            for item in parsed.attachments:
                attachment = EmailAttachment(
                    message=message,
                    name=item.name,
                    content_type=item.content_type,
                    size=len(item.data),
                )
                attachment.file.save(item.name, ContentFile(item.data), save=False)
                saved.append(attachment)
                attachment.save()
            return Opinion.objects.create(
                campaign=campaign,
                branch=branch,
                channel=Opinion.Channel.EMAIL,
                subject_kind=Opinion.SubjectKind.UNASSIGNED,
                text=parsed.opinion_text,
                received_on=received_on,
                contact=parsed.sender_address,
                source=parsed.sender,
                email=message,
            )
    except IntegrityError:
        _remove_files(saved)
        if email_already_imported(campaign=campaign, parsed=parsed):
            return None  # imported meanwhile by another poll
        raise
    except BaseException:
        _remove_files(saved)
        raise


def _remove_files(attachments: Iterable[EmailAttachment]) -> None:
    for attachment in attachments:
        if attachment.file.name:
            attachment.file.storage.delete(attachment.file.name)


# --- Mailboxes ------------------------------------------------------------------


def mailbox_save(*, mailbox: Mailbox) -> Mailbox:
    """Save a mailbox's settings (its campaign is the active one of its unit, set by
    the form); a changed mailbox forgets the last poll's error."""
    with transaction.atomic():
        if mailbox.pk:
            mailbox.last_error = ""
        mailbox.save()
    return mailbox


# --- .eml upload ----------------------------------------------------------------


@dataclasses.dataclass
class EmlUploadResult:
    errors: list[str] = dataclasses.field(default_factory=list)
    imported: list[Opinion] = dataclasses.field(default_factory=list)
    duplicates: list[str] = dataclasses.field(default_factory=list)


def eml_upload(*, campaign: Campaign, branch: Unit, files: Iterable[Any]) -> EmlUploadResult:
    """Import saved .eml files (mail received elsewhere). Every file is read first;
    if any is not an importable e-mail, nothing is written and each bad file is
    named. Files already imported are reported and skipped."""
    result = EmlUploadResult()
    parsed: list[tuple[str, ParsedEmail]] = []
    limit = email_max_bytes()
    for upload in files:
        name = uploads.clean_name(str(getattr(upload, "name", "") or "")) or _("（无名文件）")
        size = getattr(upload, "size", None)
        if size is not None and size > limit:
            result.errors.append(
                _("%(file)s：邮件超过 %(limit)s（%(limit_bytes)s 字节）的大小限制，这封有 %(size)s")
                % {
                    "file": name,
                    "size": uploads.megabytes(size),
                    "limit": uploads.megabytes(limit),
                    "limit_bytes": limit,
                }
            )
            continue
        upload.seek(0)
        raw = upload.read(limit + 1)
        try:
            parsed.append((name, email_parse(raw)))
        except EmailParseError as error:
            result.errors.append(_("%(file)s：%(error)s") % {"file": name, "error": error})
    if result.errors:
        return result
    if not parsed:
        result.errors.append(_("请选择要上传的 .eml 邮件文件"))
        return result
    seen: set[str] = set()
    with transaction.atomic():
        for name, item in parsed:
            opinion = None
            if item.message_id_hash not in seen:
                opinion = email_store(campaign=campaign, branch=branch, parsed=item)
            seen.add(item.message_id_hash)
            if opinion is None:
                result.duplicates.append(name)
            else:
                result.imported.append(opinion)
    return result
