"""Who may call the API: a personal token or the browser session, nobody else."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from vanguard.accounts import services
from vanguard.accounts.models import ApiToken
from vanguard.audit.models import AuditEntry

ME = "/api/v1/accounts/me"
TEST_URLS = "vanguard.api.tests.urls_for_tests"


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_a_token_identifies_its_owner(client, cast, token_for):
    response = client.get(ME, **bearer(token_for(cast.secretary)))
    assert response.status_code == 200
    assert response.json()["username"] == "secretary"


def test_without_token_or_session_the_answer_is_401_in_chinese(client, cast):
    response = client.get(ME)
    assert response.status_code == 401
    assert response.json() == {"detail": "未登录，或 API 令牌无效、已撤销", "errors": []}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_refused(client, cast):
    token, raw = services.token_create(user=cast.member, name="phone")
    assert client.get(ME, **bearer(raw)).status_code == 200
    services.token_revoke(user=cast.member, token=token)
    assert client.get(ME, **bearer(raw)).status_code == 401


def test_an_unknown_or_malformed_token_is_refused(client, cast, token_for):
    raw = token_for(cast.member)
    assert client.get(ME, **bearer(raw + "x")).status_code == 401
    assert client.get(ME, **bearer("not-a-vanguard-token")).status_code == 401
    assert client.get(ME, HTTP_AUTHORIZATION="Bearer").status_code == 401


def test_the_token_of_a_deactivated_user_is_refused(client, cast, token_for):
    raw = token_for(cast.member)
    cast.member.is_active = False
    cast.member.save()
    assert client.get(ME, **bearer(raw)).status_code == 401


def test_a_bad_token_does_not_fall_back_to_the_session(client, cast):
    client.force_login(cast.secretary)
    assert client.get(ME).status_code == 200
    assert client.get(ME, **bearer("vg_wrong")).status_code == 401


def test_token_use_is_noted_at_most_once_a_minute(client, cast):
    token, raw = services.token_create(user=cast.member, name="phone")
    assert token.last_used_at is None
    client.get(ME, **bearer(raw))
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    client.get(ME, **bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - datetime.timedelta(minutes=2))
    client.get(ME, **bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at > first - datetime.timedelta(seconds=1)
    assert token.last_used_at <= timezone.now()


def test_token_use_leaves_no_trace_in_the_audit_trail(client, cast, token_for):
    raw = token_for(cast.member)
    before = AuditEntry.objects.count()
    client.get(ME, **bearer(raw))
    assert AuditEntry.objects.count() == before


def test_the_session_works_for_reading(client, cast):
    client.force_login(cast.member)
    response = client.get(ME)
    assert response.status_code == 200
    assert response.json()["username"] == "member"


def test_the_schema_is_public(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.urls(TEST_URLS)
def test_a_session_write_without_csrf_token_is_refused(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.member)
    response = client.post(
        "/api/tests/rename", {"display_name": "小明"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    cast.member.refresh_from_db()
    assert cast.member.display_name == ""


@pytest.mark.urls(TEST_URLS)
def test_a_session_write_with_the_csrf_token_is_accepted(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.member)
    client.get("/accounts/tokens/")  # any form page sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        "/api/tests/rename",
        {"display_name": "小明"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert response.status_code == 200, response.content
    cast.member.refresh_from_db()
    assert cast.member.display_name == "小明"


@pytest.mark.urls(TEST_URLS)
def test_an_anonymous_write_is_401_not_a_csrf_complaint(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/tests/rename", {"display_name": "x"}, content_type="application/json"
    )
    assert response.status_code == 401


@pytest.mark.urls(TEST_URLS)
def test_a_token_write_needs_no_csrf_token_and_is_audited_under_its_owner(cast, token_for):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/tests/rename",
        {"display_name": "小明"},
        content_type="application/json",
        **bearer(token_for(cast.member)),
    )
    assert response.status_code == 200, response.content
    # Both request.user and request.auth are the token's owner.
    assert response.json() == {"username": "member", "auth": "member"}
    entry = AuditEntry.objects.filter(object_type="accounts.user", object_id=str(cast.member.pk))
    entry = entry.latest("pk")
    assert entry.actor_name == "member"
    assert entry.after["display_name"] == "小明"
