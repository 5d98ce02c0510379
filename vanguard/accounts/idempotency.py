"""The `Idempotency-Key` header of the API's creates: a client that sends a create
again with the same key (a retry after a lost answer) gets the first result back
instead of a second record. One caller's key never finds another's: what is stored is
a keyed hash of the caller and the key (`token`), which names no one."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from vanguard.accounts.access import Person

HEADER = "Idempotency-Key"
MAX_LENGTH = 200


def key_of(request: HttpRequest) -> str:
    """The request's Idempotency-Key ("" without one); a key longer than MAX_LENGTH or
    with anything but visible ASCII is refused, naming the header."""
    key = request.headers.get(HEADER, "")
    if len(key) > MAX_LENGTH or not all("!" <= char <= "~" for char in key):
        raise ValidationError(
            {
                HEADER: _("请求头 Idempotency-Key 须为不超过 %(n)d 个字符的可见 ASCII 字符。")
                % {"n": MAX_LENGTH}
            }
        )
    return key


def token(*, user: Person, key: str, scope: str) -> str:
    """What to store for `key` sent by `user` to the create named `scope` (64 hex
    characters; "" without a key)."""
    if not key:
        return ""
    return salted_hmac(
        f"vanguard.idempotency.{scope}", f"{user.pk}:{key}", algorithm="sha256"
    ).hexdigest()
