"""Talking IMAP to a campaign's mailbox (电子信箱), with the standard library's imaplib.

Messages are addressed by UID. A message once imported is tagged with the keyword
`$VanguardImported` so the next poll does not download it again; servers that keep
no keywords are safe too, because the import itself refuses a Message-ID it has
seen. Sizes are asked first, so a message above the limit is never downloaded.

Encryption: `use_ssl` means IMAP over TLS (port 993), with the certificate checked.
Without it the connection is upgraded with STARTTLS when the server offers it; a
password is sent in clear only to a server on this machine (loopback).
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import email
import imaplib
import ipaddress
import re
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.opinions.models import Mailbox

IMPORTED_KEYWORD = "$VanguardImported"
TIMEOUT_SECONDS = 30
_FETCH_ITEM = re.compile(rb"UID (\d+)|RFC822\.SIZE (\d+)|INTERNALDATE \"([^\"]+)\"")


class MailboxError(Exception):
    """The mailbox cannot be reached or read; the message is fit to show its keepers."""


@dataclass(frozen=True)
class Pending:
    uid: str
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


def _connect(mailbox: Mailbox) -> imaplib.IMAP4:
    if mailbox.use_ssl:
        return imaplib.IMAP4_SSL(
            mailbox.host,
            mailbox.port,
            ssl_context=_tls(),
            timeout=TIMEOUT_SECONDS,
        )
    connection = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=TIMEOUT_SECONDS)
    if "STARTTLS" in connection.capabilities:
        connection.starttls(ssl_context=_tls())
    elif not is_loopback(mailbox.host):
        with contextlib.suppress(Exception):
            connection.logout()
        raise MailboxError(_("服务器不支持加密连接，为保护密码已停止；请启用 SSL"))
    return connection


@contextlib.contextmanager
def session(mailbox: Mailbox) -> Iterator[imaplib.IMAP4]:
    """A logged-in connection with the mailbox's folder selected for writing."""
    connection = None
    try:
        connection = _connect(mailbox)
        connection.login(mailbox.username, mailbox.password)
        status, data = connection.select(folder_name(mailbox.folder))
        if status != "OK":
            raise MailboxError(_("找不到文件夹 %(folder)s") % {"folder": mailbox.folder})
        yield connection
    except MailboxError:
        raise
    except imaplib.IMAP4.error as error:
        raise MailboxError(_describe(error)) from None
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
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.logout()


def _describe(error: Exception) -> str:
    text = str(error)
    if "AUTHENTICATIONFAILED" in text.upper() or "LOGIN" in text.upper():
        return _("登录失败，请检查用户名和密码")
    return _("服务器报错：%(error)s") % {"error": text[:200]}


def folder_name(folder: str) -> str:
    """A folder's name as IMAP spells it: modified UTF-7 (RFC 3501 5.1.3), so that
    Chinese folder names work, then quoted."""
    spelled: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            data = base64.b64encode("".join(pending).encode("utf-16-be")).rstrip(b"=")
            spelled.append("&" + data.replace(b"/", b",").decode() + "-")
            pending.clear()

    for char in folder:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            spelled.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return '"' + "".join(spelled).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _internal_date(value: bytes | None) -> datetime.date:
    if value:
        try:
            moment = datetime.datetime.strptime(value.decode().strip(), "%d-%b-%Y %H:%M:%S %z")
            return timezone.localtime(moment).date()
        except ValueError:
            pass
    return timezone.localdate()


def pending(connection: imaplib.IMAP4) -> list[Pending]:
    """The folder's messages not yet imported, with their sizes, oldest first."""
    status, data = connection.uid("SEARCH", "UNKEYWORD", IMPORTED_KEYWORD, "UNDELETED")
    if status != "OK":
        status, data = connection.uid("SEARCH", "ALL")
    uids = (data[0] or b"").split() if data else []
    if not uids:
        return []
    found: list[Pending] = []
    for start in range(0, len(uids), 200):
        batch = b",".join(uids[start : start + 200]).decode()
        status, data = connection.uid("FETCH", batch, "(UID RFC822.SIZE INTERNALDATE)")
        for entry in data or []:
            line = entry[0] if isinstance(entry, tuple) else entry
            if not isinstance(line, bytes):
                continue
            uid = size = date = None
            for match in _FETCH_ITEM.finditer(line):
                uid = match.group(1) or uid
                size = match.group(2) or size
                date = match.group(3) or date
            if uid is not None and size is not None:
                found.append(Pending(uid.decode(), int(size), _internal_date(date)))
    return sorted(found, key=lambda item: int(item.uid))


def _literal(data: Any) -> bytes:
    for entry in data or []:
        if isinstance(entry, tuple) and len(entry) > 1 and isinstance(entry[1], bytes):
            return entry[1]
    return b""


def fetch(connection: imaplib.IMAP4, uid: str) -> bytes:
    """The whole message; BODY.PEEK leaves its \\Seen flag as it was."""
    status, data = connection.uid("FETCH", uid, "(BODY.PEEK[])")
    if status != "OK":
        raise MailboxError(_("读取邮件失败"))
    return _literal(data)


def subject_of(connection: imaplib.IMAP4, uid: str) -> str:
    """The subject alone (for naming a message that is not downloaded)."""
    from vanguard.opinions.services_email import decode_header

    status, data = connection.uid("FETCH", uid, "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    raw = _literal(data)
    if status != "OK" or not raw:
        return ""
    return decode_header(email.message_from_bytes(raw).get("Subject"))


def mark_imported(connection: imaplib.IMAP4, uid: str) -> None:
    # A server without keywords refuses or ignores this; the Message-ID still guards.
    with contextlib.suppress(imaplib.IMAP4.error):
        connection.uid("STORE", uid, "+FLAGS.SILENT", f"({IMPORTED_KEYWORD})")
