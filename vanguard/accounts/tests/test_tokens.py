"""Personal API tokens: made, shown once, revoked — each person their own only."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from vanguard.accounts import services
from vanguard.accounts.models import ApiToken, hash_token
from vanguard.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

ME = "/api/v1/accounts/me"


def _create(client, name="手机"):
    return client.post(reverse("accounts:token_create"), {"name": name})


def test_a_new_token_is_shown_once_and_works(client, cast):
    client.force_login(cast.member)
    response = _create(client)
    assert response.status_code == 200
    raw = response.context["raw_key"]
    assert raw.startswith("vg_")
    assert raw in response.content.decode()
    assert "只显示这一次" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    # Only the hash is kept, and the list never shows the key again.
    token = ApiToken.objects.get(user=cast.member)
    assert token.key_hash == hash_token(raw) and raw not in token.key_hash
    assert raw not in client.get(reverse("accounts:tokens")).content.decode()
    api = client.__class__()
    assert api.get(ME, HTTP_AUTHORIZATION=f"Bearer {raw}").json()["username"] == "member"


def test_the_list_shows_only_my_tokens(client, cast):
    services.token_create(user=cast.member, name="我的手机")
    services.token_create(user=cast.secretary, name="书记的脚本")
    client.force_login(cast.member)
    page = client.get(reverse("accounts:tokens")).content.decode()
    assert "我的手机" in page
    assert "书记的脚本" not in page


def test_revoking_my_token_stops_it_working(client, cast):
    token, raw = services.token_create(user=cast.member, name="旧手机")
    client.force_login(cast.member)
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]), follow=True)
    assert "令牌“旧手机”已撤销。" in response.content.decode()
    assert "已撤销" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.__class__().get(ME, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_i_cannot_revoke_someone_elses_token(client, cast):
    token, raw = services.token_create(user=cast.secretary, name="书记的脚本")
    client.force_login(cast.committee_admin)  # not even the committee admin
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    with pytest.raises(PermissionDenied):
        services.token_revoke(user=cast.committee_admin, token=token)


def test_a_token_needs_a_name(client, cast):
    client.force_login(cast.member)
    response = _create(client, name="   ")
    assert response.status_code == 200
    assert "这个字段是必填项。" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_tokens_are_capped(cast):
    for n in range(services.MAX_ACTIVE_TOKENS):
        services.token_create(user=cast.member, name=f"t{n}")
    with pytest.raises(ValidationError, match="请先撤销"):
        services.token_create(user=cast.member, name="one too many")


def test_revoking_is_recorded_without_the_key(client, cast):
    client.force_login(cast.member)
    raw = _create(client, "脚本").context["raw_key"]
    token = ApiToken.objects.get(user=cast.member)
    client.post(reverse("accounts:token_revoke", args=[token.pk]))
    entries = AuditEntry.objects.filter(object_type="accounts.apitoken", object_id=str(token.pk))
    assert {e.action for e in entries} == {"create", "update"}
    for entry in entries:
        assert raw not in str(entry.before) + str(entry.after)
        assert "key_hash" not in (entry.after or {})


def test_the_token_pages_need_a_login(client, db):
    response = client.get(reverse("accounts:tokens"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
