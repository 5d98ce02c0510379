"""The two services' webhooks: which addresses a robot may have, DingTalk's signature,
the message body, and one HTTP POST that reads the answer.

Only hosts in `VANGUARD_CHAT_WEBHOOK_HOSTS` are ever contacted (default: the two
services' own), so an address typed on the robots' page cannot make the server call
anything else (no SSRF); redirects are not followed. An entry is a host name (https on
port 443), `host:port` (https), or a whole origin such as `http://127.0.0.1:8080` for
an on-premises gateway or a test receiver. On the services' own hosts the path and
its key are checked too.

Addresses and secrets appear in no error text, log line or exception raised here."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote_plus, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WECOM = "wecom"
DINGTALK = "dingtalk"
DEFAULT_HOSTS = ("qyapi.weixin.qq.com", "oapi.dingtalk.com")
TIMEOUT = 5  # seconds: a group chat is not worth holding a worker longer
MAX_ANSWER = 64 * 1024


@dataclass(frozen=True)
class Service:
    host: str
    path: str
    key: str  # the query parameter that names the robot
    example: str


SERVICES = {
    WECOM: Service(
        "qyapi.weixin.qq.com",
        "/cgi-bin/webhook/send",
        "key",
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…",
    ),
    DINGTALK: Service(
        "oapi.dingtalk.com",
        "/robot/send",
        "access_token",
        "https://oapi.dingtalk.com/robot/send?access_token=…",
    ),
}


class DeliveryError(Exception):
    """A post that did not arrive; the text names the cause, never the address."""


def allowed_hosts() -> list[str]:
    return list(getattr(settings, "VANGUARD_CHAT_WEBHOOK_HOSTS", DEFAULT_HOSTS))


def _origin(scheme: str, host: str, port: int | None) -> tuple[str, str, int]:
    return scheme, host.lower(), port or (443 if scheme == "https" else 80)


def _allowed_origins() -> set[tuple[str, str, int]]:
    origins = set()
    for entry in allowed_hosts():
        entry = entry.strip()
        if not entry:
            continue
        parts = urlsplit(entry if "://" in entry else f"https://{entry}")
        if parts.scheme in ("http", "https") and parts.hostname:
            origins.add(_origin(parts.scheme, parts.hostname, parts.port))
    return origins


def check_url(kind: str, url: str) -> str:
    """The robot's address, cleaned, or a ValidationError saying what is accepted."""
    url = (url or "").strip()
    service = SERVICES.get(kind)
    if service is None:
        raise ValidationError({"kind": _("请选择机器人类型。")})
    refused = ValidationError(
        {
            "webhook_url": _(
                "请填写%(service)s群机器人的 Webhook 地址，形如 %(example)s；其他地址不予接受。"
            )
            % {"service": _("企业微信") if kind == WECOM else _("钉钉"), "example": service.example}
        }
    )
    if not url or len(url) > 500 or any(c.isspace() or ord(c) < 32 for c in url):
        raise refused
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise refused from None
    if parts.username or parts.password or parts.fragment or not parts.hostname:
        raise refused
    if _origin(parts.scheme, parts.hostname, port) not in _allowed_origins():
        raise refused
    host = parts.hostname.lower()
    other = {s.host for k, s in SERVICES.items() if k != kind}
    if host in other:  # the other service's address under this one's kind
        raise refused
    if host == service.host:
        keys = parse_qs(parts.query).get(service.key, [])
        if parts.path != service.path or not keys or not keys[0].strip():
            raise refused
    return url


def is_allowed(kind: str, url: str) -> bool:
    try:
        check_url(kind, url)
    except ValidationError:
        return False
    return True


def mask_url(url: str) -> str:
    """What the page shows of a saved address: its host and its last four characters."""
    try:
        parts = urlsplit(url)
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "…"
    return f"{parts.scheme}://{parts.hostname}{port}/…{url[-4:]}"


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's 加签: base64 of HMAC-SHA256 keyed by the secret over
    "timestamp\\nsecret" (sent percent-encoded in the query, as DingTalk's docs do)."""
    digest = hmac.new(
        secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


def signed_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    if not secret:
        return url
    timestamp_ms = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
    sign = quote_plus(dingtalk_sign(secret, timestamp_ms))
    return f"{url}{'&' if urlsplit(url).query else '?'}timestamp={timestamp_ms}&sign={sign}"


# Markdown the chat would render from text it was given: links, emphasis, headings,
# WeCom's <font> tags. Names and titles are shown as typed, not as markup.
_MARKUP = str.maketrans(
    {
        "[": "［",
        "]": "］",
        "(": "（",
        ")": "）",
        "<": "＜",
        ">": "＞",
        "*": "＊",
        "`": "｀",
        "#": "＃",
        "_": "＿",
        "\\": "＼",
        "|": "｜",
        "!": "！",
    }
)


def plain(text: str) -> str:
    return " ".join(str(text).translate(_MARKUP).split())


def payload(kind: str, *, title: str, lines: list[str], link: str, link_text: str) -> dict:
    """The message body: markdown with a bold title, the lines, and the link."""
    body = [plain(line) for line in lines if line]
    if link:
        body.append(f"[{plain(link_text)}]({link})")
    if kind == DINGTALK:
        text = "\n\n".join([f"#### {plain(title)}", *body])
        return {"msgtype": "markdown", "markdown": {"title": plain(title), "text": text}}
    content = "\n".join([f"**{plain(title)}**", *body])
    return {"msgtype": "markdown", "markdown": {"content": content}}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A webhook that answers with a redirect has failed; following it would reach an
    address nobody checked."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post(kind: str, url: str, secret: str, body: dict) -> None:
    """POST the message; returns when the service answered errcode 0, else raises
    DeliveryError. The address is checked again: the allowed hosts may have changed
    since it was saved."""
    if not is_allowed(kind, url):
        raise DeliveryError(_("机器人地址不在允许的范围内"))
    target = signed_url(url, secret) if kind == DINGTALK else url
    request = urllib.request.Request(  # noqa: S310 (scheme and host checked just above)
        target,
        data=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with _opener.open(request, timeout=TIMEOUT) as response:
            raw = response.read(MAX_ANSWER)
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"HTTP {error.code}") from None
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError):
            raise DeliveryError(_("连接超时")) from None
        raise DeliveryError(_("无法连接（%(reason)s）") % {"reason": _reason(reason)}) from None
    except TimeoutError:
        raise DeliveryError(_("连接超时")) from None
    except OSError as error:
        raise DeliveryError(_("无法连接（%(reason)s）") % {"reason": _reason(error)}) from None
    try:
        answer = json.loads(raw)
        code = int(answer.get("errcode", -1))
    except (ValueError, TypeError, AttributeError):
        raise DeliveryError(_("服务返回的内容无法识别")) from None
    if code != 0:
        message = str(answer.get("errmsg", ""))[:120]
        raise DeliveryError(f"errcode {code}: {message}".rstrip(": "))


def _reason(reason: object) -> str:
    """An OS error's cause without the address (strerror, not str())."""
    if isinstance(reason, OSError) and reason.strerror:
        return str(reason.strerror)
    return type(reason).__name__
