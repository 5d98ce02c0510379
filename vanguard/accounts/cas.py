"""Single sign-on by CAS (统一身份认证): from the university's account to a member's login.

The university's CAS server vouches for a user name, which is the person's staff or
student number (工号/学号) — or, where the university sends the number in an attribute,
that attribute (`VANGUARD_CAS_NUMBER_ATTRIBUTE`). The member with that number logs in
with their account, made on their first CAS login if the office never gave them one
(without a usable password: CAS is how they log in). A university account without a
member record is refused, and nobody is logged in: the committee office, observers and
people from outside the university keep their local accounts and the password form.

accounts imports no other app, so the member record is reached the way the rest of
accounts reaches it, through the login's reverse relation `user.member`.

A refusal is raised as `CASRefused`, not returned as None: Django would count a None as
a wrong password (django-axes files it under an empty user name and the address, so a
few of them would lock every CAS login from a meeting hall). The login view shows the
refusal, and counts a ticket CAS did not confirm against the address itself (throttle).
"""

from __future__ import annotations

from typing import Any

import requests
from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest
from django_cas_ng.utils import get_cas_client

from vanguard.accounts.backends import PersonBackend
from vanguard.accounts.models import User

BACKEND = "vanguard.accounts.cas.MemberCASBackend"

# Seconds to wait for the CAS server's answer to a ticket: a CAS server that does not
# answer must not hold a web worker for good (python-cas sets no timeout of its own).
VALIDATION_TIMEOUT = 10


def enabled() -> bool:
    return bool(getattr(settings, "CAS_SERVER_URL", ""))


def require_enabled() -> None:
    """The CAS pages exist only while CAS is on: a 404 for everyone otherwise. (A switch
    of the whole site, not a question of who asks; so here and not in access.py.)"""
    if not enabled():
        raise Http404


class CASRefused(Exception):
    """CAS login refused. `reason` is one of the class's constants; `account` is the
    university account CAS vouched for ("" when it vouched for none)."""

    TICKET = "ticket"  # CAS did not confirm the ticket (expired, used, forged)
    UNREACHABLE = "unreachable"  # the CAS server did not answer
    NO_MEMBER = "no_member"  # no member has this number
    DISABLED = "disabled"  # the member's account is switched off

    def __init__(self, reason: str, account: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.account = account


class _TimeoutSession(requests.Session):
    def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", VALIDATION_TIMEOUT)
        return super().request(*args, **kwargs)


def _member_model() -> Any:
    """organization.Member, through the login's reverse relation (accounts imports no app)."""
    field: Any = User._meta.get_field("member")
    return field.related_model


def number_from(account: str, attributes: dict[str, Any] | None) -> str:
    """The staff/student number CAS vouched for: the user name, or the configured attribute."""
    name = getattr(settings, "VANGUARD_CAS_NUMBER_ATTRIBUTE", "")
    if not name:
        return account.strip()
    value = (attributes or {}).get(name)
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    return str(value).strip() if value else ""


def _free_username(number: str) -> str:
    """The number itself, as the demo and the office name members' logins; if a local
    account already has that name (and is not this member's), a name beside it —
    never the other account: nothing says it is this person's."""
    candidate, n = number, 1
    while User.objects.filter(username=candidate).exists():
        candidate, n = f"{number}-cas{'' if n == 1 else n}", n + 1
    return candidate


@transaction.atomic
def member_account_for(*, number: str) -> User | None:
    """The login of the member with staff/student number `number`, made (with an
    unusable password) if the member has none; None if no member has the number.
    A member off the roll who has no login is given none."""
    if not number:
        return None
    members = _member_model()._default_manager.order_by()
    pk = members.filter(number=number).values_list("pk", flat=True).first()
    if pk is None:
        # Numbers with letters in them arrive from some CAS servers in another case.
        found = list(members.filter(number__iexact=number).values_list("pk", flat=True)[:2])
        pk = found[0] if len(found) == 1 else None
    if pk is None:
        return None
    # Locked, so that two first logins at once make one account, not two.
    member = members.select_for_update(of=("self",)).select_related("user").get(pk=pk)
    user: User | None = getattr(member, "user", None)
    if user is not None:
        return user
    if not member.is_active:
        return None
    user = User(
        username=_free_username(member.number),
        display_name=member.name,
        email=member.email,
    )
    user.set_unusable_password()
    user.save()
    member.user = user
    member.save(update_fields=["user", "updated_at"])
    return user


class MemberCASBackend(PersonBackend):
    """Authenticates a CAS service ticket (Django calls it only with `ticket` and
    `service`; password logins pass it by). Listed in AUTHENTICATION_BACKENDS only
    when CAS is on (config/settings.py)."""

    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, ticket: str, service: str
    ) -> User | None:
        client = get_cas_client(service_url=service, request=request)
        client.session = _TimeoutSession()
        try:
            account, attributes, _pgtiou = client.verify_ticket(ticket)
        except requests.RequestException as error:
            raise CASRefused(CASRefused.UNREACHABLE) from error
        if not account:
            raise CASRefused(CASRefused.TICKET)
        account = str(account)
        user = member_account_for(number=number_from(account, attributes))
        if user is None:
            raise CASRefused(CASRefused.NO_MEMBER, account)
        if not self.user_can_authenticate(user):
            raise CASRefused(CASRefused.DISABLED, account)
        return user
