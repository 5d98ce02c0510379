"""Fetching new mail from a unit's opinion mailbox (电子信箱) over IMAP, with
IMAPClient, and importing each message as an opinion (`email.services`).

Messages are addressed by UID. A message once imported is tagged with the keyword
`$VanguardImported` so the next poll does not download it again; servers that keep
no keywords are safe too, because the import itself refuses a Message-ID it has
seen. Mail that is not an opinion (an auto-reply, a bounce: `EmailNotOpinion`) is
reported once with its reason and tagged `$VanguardSkipped`, left in the mailbox.
Sizes are asked first, so a message above the limit is never downloaded.
IMAPClient spells folder names in modified UTF-7 itself, so Chinese folders work.

Encryption: `use_ssl` means IMAP over TLS (port 993), with the certificate checked.
Without it the connection is upgraded with STARTTLS when the server offers it; a
password is sent in clear only to a server on this machine (loopback).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import email
import ipaddress
import logging
import socket
import ssl
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError

from vanguard.audit.context import acting_as
from vanguard.lib import uploads
from vanguard.opinions.email import services
from vanguard.opinions.email.mime import (
    EmailNotOpinion,
    EmailParseError,
    decode_header,
    email_max_bytes,
    email_parse,
)
from vanguard.opinions.models import Mailbox

logger = logging.getLogger(__name__)
# IMAPClient logs the lines it exchanges at DEBUG (hiding only the password); mail
# names its sender, so they are not logged whatever the level asked for.
logging.getLogger("imapclient.imaplib").setLevel(logging.INFO)

IMPORTED_KEYWORD = "$VanguardImported"
SKIPPED_KEYWORD = "$VanguardSkipped"
TIMEOUT_SECONDS = 30
# UIDs asked about in one FETCH of sizes and dates.
BATCH = 200


class MailboxError(Exception):
    """The mailbox cannot be reached or read; the message is fit to show its keepers."""


@dataclasses.dataclass(frozen=True)
class Pending:
    uid: int
    size: int
    received_on: datetime.date


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _tls() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=getattr(settings, "OPINION_IMAP_CA_FILE", None))


def _connect(mailbox: Mailbox) -> IMAPClient:
    if mailbox.use_ssl:
        return IMAPClient(
            mailbox.host, mailbox.port, ssl=True, ssl_context=_tls(), timeout=TIMEOUT_SECONDS
        )
    client = IMAPClient(mailbox.host, mailbox.port, ssl=False, timeout=TIMEOUT_SECONDS)
    if client.has_capability("STARTTLS"):
        client.starttls(ssl_context=_tls())
    elif not is_loopback(mailbox.host):
        with contextlib.suppress(Exception):
            client.logout()
        raise MailboxError(_("服务器不支持加密连接，为保护密码已停止；请启用 SSL"))
    return client


@contextlib.contextmanager
def session(mailbox: Mailbox) -> Iterator[IMAPClient]:
    """A logged-in connection with the mailbox's folder selected for writing. Every
    failure, here or while the connection is used, comes out as a MailboxError."""
    client = None
    try:
        client = _connect(mailbox)
        # Dates as the server wrote them, with their offset (not this machine's time).
        client.normalise_times = False
        client.login(mailbox.username, mailbox.password)
        try:
            client.select_folder(mailbox.folder)
        except IMAPClientAbortError:
            raise  # the connection broke: not a missing folder
        except IMAPClientError:
            raise MailboxError(_("找不到文件夹 %(folder)s") % {"folder": mailbox.folder}) from None
        yield client
    except MailboxError:
        raise
    except LoginError:
        raise MailboxError(_("登录失败，请检查用户名和密码")) from None
    except IMAPClientError as error:
        raise MailboxError(_("服务器报错：%(error)s") % {"error": str(error)[:200]}) from None
    except ssl.SSLError as error:
        raise MailboxError(
            _("加密连接失败：%(error)s") % {"error": error.reason or error}
        ) from None
    except (OSError, EOFError) as error:
        if isinstance(error, socket.timeout | TimeoutError):
            raise MailboxError(_("连接服务器超时")) from None
        raise MailboxError(
            _("无法连接 %(host)s:%(port)s（%(error)s）")
            % {
                "host": mailbox.host,
                "port": mailbox.port,
                "error": getattr(error, "strerror", None) or error,
            }
        ) from None
    finally:
        if client is not None:
            with contextlib.suppress(Exception):
                client.logout()


def _received_on(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        if timezone.is_naive(value):
            return value.date()
        return timezone.localtime(value).date()
    return timezone.localdate()


def pending(client: IMAPClient) -> list[Pending]:
    """The folder's messages not yet imported, with their sizes, oldest first."""
    try:
        uids = client.search(
            ["UNKEYWORD", IMPORTED_KEYWORD, "UNKEYWORD", SKIPPED_KEYWORD, "UNDELETED"]
        )
    except IMAPClientError:
        uids = client.search("ALL")
    found: list[Pending] = []
    uids = sorted(uids)
    for start in range(0, len(uids), BATCH):
        answers = client.fetch(uids[start : start + BATCH], ["RFC822.SIZE", "INTERNALDATE"])
        for uid, data in answers.items():
            size = data.get(b"RFC822.SIZE")
            if size is not None:
                found.append(Pending(uid, int(size), _received_on(data.get(b"INTERNALDATE"))))
    return sorted(found, key=lambda item: item.uid)


def _section(client: IMAPClient, uid: int, item: str) -> bytes:
    """One BODY section of a message; BODY.PEEK leaves its \\Seen flag as it was."""
    answer = client.fetch([uid], [f"BODY.PEEK[{item}]"]).get(uid, {})
    for key, value in answer.items():
        if key.startswith(b"BODY[") and isinstance(value, bytes):
            return value
    return b""


def fetch(client: IMAPClient, uid: int) -> bytes:
    """The whole message."""
    return _section(client, uid, "")


def subject_of(client: IMAPClient, uid: int) -> str:
    """The subject alone (for naming a message that is not downloaded)."""
    raw = _section(client, uid, "HEADER.FIELDS (SUBJECT)")
    return decode_header(email.message_from_bytes(raw).get("Subject")) if raw else ""


def mark_imported(client: IMAPClient, uid: int, keyword: str = IMPORTED_KEYWORD) -> None:
    # A server without keywords refuses or ignores this; the Message-ID still guards.
    with contextlib.suppress(IMAPClientError):
        client.add_flags([uid], [keyword], silent=True)


# --- Polling ------------------------------------------------------------------------


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
    report = PollReport()
    with acting_as(None):
        mailbox = Mailbox.objects.select_related("campaign", "branch").get(pk=mailbox_id)
        limit = email_max_bytes()
        try:
            with session(mailbox) as client:
                for item in pending(client):
                    if item.size > limit:
                        report.skipped += 1
                        report.problems.append(
                            _("邮件“%(subject)s”（%(date)s）超过 %(limit)s 的大小限制，未导入")
                            % {
                                "subject": subject_of(client, item.uid)[:60],
                                "date": item.received_on.isoformat(),
                                "limit": uploads.megabytes(limit),
                            }
                        )
                        continue
                    if _import_one(mailbox, client, item, report):
                        mark_imported(client, item.uid)
        except MailboxError as error:
            report.problems.insert(0, _("收取失败：%(error)s") % {"error": error})
        mailbox.last_polled_at = timezone.now()
        mailbox.last_error = _("；").join(report.problems)[:500]
        mailbox.save(update_fields=["last_polled_at", "last_error"])
    return report


def _import_one(mailbox: Mailbox, client: IMAPClient, item: Pending, report: PollReport) -> bool:
    """Import one fetched message; True once it is in (or was already)."""
    raw = fetch(client, item.uid)
    try:
        parsed = email_parse(raw)
        opinion = services.email_store(
            campaign=mailbox.campaign,
            branch=mailbox.branch,
            parsed=parsed,
            mailbox=mailbox,
            received_on=item.received_on,
        )
    except EmailNotOpinion as reason:
        # Read and judged: not downloaded again, reported this once.
        report.skipped += 1
        report.problems.append(
            _("第 %(uid)s 封邮件未导入：%(reason)s") % {"uid": item.uid, "reason": reason}
        )
        mark_imported(client, item.uid, SKIPPED_KEYWORD)
        return False
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
