"""The e-mail channel (电子信箱) of opinion solicitation: reading a message whatever
its encoding, and turning it into an opinion — from a polled mailbox or from saved
.eml files uploaded by a sorter.

Mail from Chinese clients arrives in GBK / GB2312 / GB18030, Big5 or UTF-8, with
headers that declare the wrong charset or carry raw 8-bit bytes. Decoding never
fails: the declared charset is tried first, then UTF-8 and GB18030 strictly, and
the last resort replaces what cannot be read.

The sender is the opinion's source: it goes into `EmailMessage.sender` and the
opinion's `source` / `contact`, which the audit trail never copies and a subject
never sees. So do the notes on attachments that were not kept (their file names):
they go into `EmailMessage.attachment_notes`, never into the opinion's text. A
message is imported once per campaign (its Message-ID, hashed).
"""

from __future__ import annotations

import dataclasses
import datetime
import email
import email.header
import email.utils
import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterable
from email.message import Message
from html.parser import HTMLParser
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vanguard.audit.context import acting_as
from vanguard.lib import filetypes
from vanguard.opinions.models import EmailAttachment, EmailMessage, Mailbox, Opinion

logger = logging.getLogger(__name__)

DEFAULT_EMAIL_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
TEXT_MAX_CHARS = 50_000

# Names that run code when opened on a Windows or Unix desktop.
EXECUTABLE_SUFFIXES = frozenset(
    {
        ".exe", ".com", ".bat", ".cmd", ".scr", ".pif", ".msi", ".msp", ".dll", ".cpl",
        ".js", ".jse", ".vbs", ".vbe", ".wsf", ".wsh", ".hta", ".ps1", ".psm1", ".jar",
        ".lnk", ".reg", ".sh", ".app", ".apk", ".elf", ".bin", ".run",
    }
)  # fmt: skip
EXECUTABLE_MAGIC = (
    b"MZ",  # Windows PE / DOS
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",  # Mach-O
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal / Java class
    b"#!",  # a script with an interpreter line
)

# Charsets as mail clients name them → the codec that reads them best (supersets).
CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "gb_2312-80": "gb18030",
    "euc-cn": "gb18030",
    "x-euc-cn": "gb18030",
    "big5": "cp950",
    "x-big5": "cp950",
    "big5-hkscs": "big5hkscs",
    "utf8": "utf-8",
}
# Declarations that say little: often attached to GBK bytes by old clients.
WEAK_CHARSETS = frozenset(
    {"", "us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1", "unknown-8bit", "x-unknown"}
)


class EmailParseError(ValueError):
    """The bytes are not an e-mail message we can import (the message says why)."""


@dataclasses.dataclass
class ParsedAttachment:
    name: str
    content_type: str
    data: bytes


@dataclasses.dataclass
class ParsedEmail:
    message_id_hash: str
    subject: str
    sender: str
    sender_address: str
    sent_on: datetime.date | None
    body: str
    attachments: list[ParsedAttachment]
    # Attachments not kept, with their names: for the sorters, never in the text that
    # is fed back to the member (a file name can name the sender).
    notes: list[str]

    @property
    def opinion_text(self) -> str:
        with translation.override(settings.LANGUAGE_CODE):
            return self.body or self.subject or _("（邮件没有正文）")


def email_max_bytes() -> int:
    return int(getattr(settings, "OPINION_EMAIL_MAX_BYTES", DEFAULT_EMAIL_MAX_BYTES))


def attachment_max_bytes() -> int:
    return int(getattr(settings, "OPINION_ATTACHMENT_MAX_BYTES", DEFAULT_ATTACHMENT_MAX_BYTES))


# --- Decoding -------------------------------------------------------------------


def _codec(charset: str | None) -> str | None:
    """The Python codec for a declared charset, or None if Python knows no such codec."""
    import codecs

    name = (charset or "").strip().strip('"').lower()
    name = CHARSET_ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name if name else None
    except LookupError:
        return None


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Text from bytes in a declared (perhaps wrong) charset. Never raises."""
    declared = (charset or "").strip().strip('"').lower()
    strong = None if declared in WEAK_CHARSETS else _codec(declared)
    weak = _codec(declared) if declared in WEAK_CHARSETS else None
    candidates = [codec for codec in (strong, "utf-8", "gb18030", weak) if codec]
    for codec in candidates:
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode(strong or "gb18030", errors="replace")


def decode_header(value: Any) -> str:
    """A header's text: RFC 2047 encoded words, raw 8-bit bytes in any of the
    encodings above, or a mixture — decoded as well as can be, never raising."""
    if value is None:
        return ""
    try:
        chunks = email.header.decode_header(value)
    except Exception:  # a broken encoded word: read the header as it stands
        chunks = [(str(value), None)]
    parts = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            # Raw 8-bit header bytes come back as surrogate escapes; recover them.
            chunk = chunk.encode("utf-8", "surrogateescape")
        parts.append(decode_bytes(chunk, charset))
    text = _clean_line("".join(parts))
    if not text and str(value).strip():
        # An encoded word that decodes to nothing (bad base64): show it as it came.
        text = _clean_line(str(value).encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
    return text


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def _clean_line(text: str) -> str:
    return " ".join(_CONTROL.sub("", text).split())


def _clean_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    # A signature below the standard delimiter ("-- ") names the sender: leave it out.
    head, delimiter, _signature = text.partition("\n-- \n")
    text = head if delimiter else text
    lines = [line.rstrip() for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if len(text) > TEXT_MAX_CHARS:
        text = text[:TEXT_MAX_CHARS] + "\n" + _("（正文过长，以下从略）")
    return text


class _HtmlText(HTMLParser):
    BLOCKS = frozenset(
        {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"}
    )
    SKIP = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # HTMLParser is lenient; this is only a guard
        return re.sub(r"<[^>]*>", " ", html)
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return "\n".join(lines)


# --- Parsing --------------------------------------------------------------------


def _is_attachment(part: Message) -> bool:
    if part.is_multipart():
        return False
    try:
        disposition = part.get_content_disposition()
        filename = part.get_filename()
    except Exception:
        return True
    return disposition == "attachment" or bool(filename)


def _payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def _charset(part: Message) -> str | None:
    try:
        return part.get_content_charset()
    except Exception:
        return None


def _body(message: Message) -> str:
    plain = html = None
    for part in message.walk():
        if part.is_multipart() or _is_attachment(part):
            continue
        content_type = part.get_content_type()
        if content_type == "text/plain" and plain is None:
            plain = decode_bytes(_payload(part), _charset(part))
        elif content_type == "text/html" and html is None:
            html = decode_bytes(_payload(part), _charset(part))
    if plain is not None and plain.strip():
        return _clean_text(plain)
    if html is not None:
        return _clean_text(html_to_text(html))
    return ""


def _safe_name(name: str, number: int) -> str:
    name = _clean_line(name)
    # Only the last part of a path counts, whichever slashes the sender used.
    name = PureWindowsPath(PurePosixPath(name).name).name.strip(". ")
    name = unicodedata.normalize("NFC", name)
    return name[:200] or _("附件%(number)s") % {"number": number}


_RAW_FILENAME = re.compile(r'(?:file)?name\s*=\s*(?:"([^"]*)"|([^;\s]+))', re.IGNORECASE)


def _filename(part: Message) -> str:
    """The attachment's name as it was sent. A name in raw 8-bit bytes (GBK or UTF-8
    straight in the header, as some clients do) would come out of `get_filename`
    as replacement characters, so it is read from the raw header instead."""
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    if name and "\ufffd" not in name and not _has_surrogates(name):
        return name
    for header in ("content-disposition", "content-type"):
        for key, value in part.raw_items():
            if key.lower() != header or not isinstance(value, str):
                continue
            match = _RAW_FILENAME.search(value)
            if match:
                return match.group(1) if match.group(1) is not None else match.group(2)
    return name


def _has_surrogates(text: str) -> bool:
    return any("\udc80" <= char <= "\udcff" for char in text)


def is_executable(name: str, data: bytes) -> bool:
    suffix = PurePosixPath(name.lower()).suffix
    return suffix in EXECUTABLE_SUFFIXES or data.startswith(EXECUTABLE_MAGIC)


def _attachments(message: Message, limit: int) -> tuple[list[ParsedAttachment], list[str]]:
    kept: list[ParsedAttachment] = []
    notes: list[str] = []
    number = 0
    for part in message.walk():
        if not _is_attachment(part):
            continue
        number += 1
        name = _safe_name(decode_header(_filename(part)), number)
        data = _payload(part)
        if is_executable(name, data):
            notes.append(_("附件 %(name)s 是可执行文件，未保存") % {"name": name})
        elif len(data) > limit:
            notes.append(_("附件 %(name)s 超过大小限制，未保存") % {"name": name})
        else:
            # What the content is, by its first bytes, before what the sender declared.
            kind = filetypes.sniff_head(data[:16])
            declared = part.get_content_type()[:100]
            kept.append(
                ParsedAttachment(name, filetypes.CONTENT_TYPES.get(kind or "", declared), data)
            )
    return kept, notes


def _date(message: Message) -> datetime.date | None:
    value = message.get("Date")
    if not value:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    if timezone.is_naive(moment):
        return moment.date()
    return timezone.localtime(moment).date()


def _hash(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()


def _message_id_hash(message: Message, sender: str, subject: str, body: str) -> str:
    message_id = message.get("Message-ID")
    if message_id is not None:
        value = "".join(str(message_id).split()).strip("<>")
        if value:
            return _hash("message-id", value)
    # No Message-ID: the same date, sender, subject and text are the same message.
    return _hash("content", str(message.get("Date") or ""), sender, subject, body)


def email_parse(raw: bytes) -> ParsedEmail:
    """Read one message (the bytes of an .eml file or an IMAP fetch).

    Raises EmailParseError if the bytes are empty, too large or not an e-mail."""
    if not raw or not raw.strip():
        raise EmailParseError(_("文件是空的"))
    if len(raw) > email_max_bytes():
        raise EmailParseError(
            _("邮件超过 %(size)s MB 的大小限制") % {"size": email_max_bytes() // (1024 * 1024)}
        )
    message = email.message_from_bytes(raw)
    if message.get("From") is None and message.get("Message-ID") is None:
        raise EmailParseError(_("不是电子邮件（找不到发件人和邮件编号）"))
    subject = decode_header(message.get("Subject"))[:300]
    sender = decode_header(message.get("From"))[:300]
    address = email.utils.parseaddr(sender)[1][:200]
    # Notes written into the opinion are data: in the site's language, not the visitor's.
    with translation.override(settings.LANGUAGE_CODE):
        body = _body(message)
        attachments, notes = _attachments(message, attachment_max_bytes())
    return ParsedEmail(
        message_id_hash=_message_id_hash(message, sender, subject, body),
        subject=subject,
        sender=sender,
        sender_address=address,
        sent_on=_date(message),
        body=body,
        attachments=attachments,
        notes=notes,
    )


# --- Importing ------------------------------------------------------------------


def email_already_imported(*, campaign: Any, parsed: ParsedEmail) -> bool:
    return EmailMessage.objects.filter(
        campaign=campaign, message_id_hash=parsed.message_id_hash
    ).exists()


def email_store(
    *,
    campaign: Any,
    branch: Any,
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


def eml_upload(*, campaign: Any, branch: Any, files: Iterable[Any]) -> EmlUploadResult:
    """Import saved .eml files (mail received elsewhere). Every file is read first;
    if any is not an importable e-mail, nothing is written and each bad file is
    named. Files already imported are reported and skipped."""
    result = EmlUploadResult()
    parsed: list[tuple[str, ParsedEmail]] = []
    limit = email_max_bytes()
    for upload in files:
        name = _clean_line(str(getattr(upload, "name", "") or "")) or _("（无名文件）")
        size = getattr(upload, "size", None)
        if size is not None and size > limit:
            result.errors.append(
                _("%(file)s：邮件超过 %(size)s MB 的大小限制")
                % {"file": name, "size": limit // (1024 * 1024)}
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


# --- Polling --------------------------------------------------------------------


@dataclasses.dataclass
class PollReport:
    imported: int = 0
    duplicates: int = 0
    skipped: int = 0
    problems: list[str] = dataclasses.field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def mailbox_poll(*, mailbox_id: int) -> PollReport:
    """Fetch the mailbox's new messages and import each as an opinion.

    Runs with no person acting, whoever pressed the button: the poller's writes
    carry no audit actor. Each message is imported in its own transaction, so a bad
    one does not stop the rest; problems end up in `mailbox.last_error`. Messages
    larger than the limit are not downloaded at all."""
    from vanguard.opinions import imap

    report = PollReport()
    with acting_as(None):
        mailbox = Mailbox.objects.select_related("campaign", "branch").get(pk=mailbox_id)
        limit = email_max_bytes()
        try:
            with imap.session(mailbox) as connection:
                for item in imap.pending(connection):
                    if item.size > limit:
                        report.skipped += 1
                        report.problems.append(
                            _("邮件“%(subject)s”（%(date)s）超过 %(size)s MB 的大小限制，未导入")
                            % {
                                "subject": imap.subject_of(connection, item.uid)[:60],
                                "date": item.received_on.isoformat(),
                                "size": limit // (1024 * 1024),
                            }
                        )
                        continue
                    outcome = _import_one(mailbox, connection, item, report)
                    if outcome:
                        imap.mark_imported(connection, item.uid)
        except imap.MailboxError as error:
            report.problems.insert(0, _("收取失败：%(error)s") % {"error": error})
        mailbox.last_polled_at = timezone.now()
        mailbox.last_error = _("；").join(report.problems)[:500]
        mailbox.save(update_fields=["last_polled_at", "last_error"])
    return report


def _import_one(mailbox: Mailbox, connection: Any, item: Any, report: PollReport) -> bool:
    """Import one fetched message; True once it is in (or was already)."""
    from vanguard.opinions import imap

    raw = imap.fetch(connection, item.uid)
    try:
        parsed = email_parse(raw)
        opinion = email_store(
            campaign=mailbox.campaign,
            branch=mailbox.branch,
            parsed=parsed,
            mailbox=mailbox,
            received_on=item.received_on,
        )
    except EmailParseError as error:
        report.skipped += 1
        report.problems.append(
            _("第 %(uid)s 封邮件无法导入：%(error)s") % {"uid": item.uid, "error": error}
        )
        return False
    except Exception:
        # Never the message itself in the log: it names its sender.
        logger.exception("mailbox %s: message uid %s failed to import", mailbox.pk, item.uid)
        report.skipped += 1
        report.problems.append(_("第 %(uid)s 封邮件导入出错") % {"uid": item.uid})
        return False
    if opinion is None:
        report.duplicates += 1
    else:
        report.imported += 1
    return True
