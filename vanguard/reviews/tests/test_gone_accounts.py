"""The pages and API answers that name the people of a review keep working when one of
them has no account any more: the user deleted (the link is emptied), the user set
inactive, or the member record removed. A deleted account shows “（账号已删除）”."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.urls import reverse

from vanguard.organization.models import Member
from vanguard.reviews import services
from vanguard.reviews.tests import factories_member as f

pytestmark = pytest.mark.django_db

GONE = "（账号已删除）"


@pytest.fixture
def fx(org, cast):
    f.campaign(org)
    return SimpleNamespace(org=org, cast=cast)


def _walked(fx):
    """Submitted by the member, passed by the secretary, answered by the committee."""
    doc, version = f.submitted(fx)
    services.branch_review(
        document=doc,
        version=version,
        reviewer=fx.cast.secretary,
        criteria=f.ALL_OK,
        verdict="pass",
        achievements="态度认真",
    )
    services.committee_respond(document=doc, text="继续联系实际", user=fx.cast.committee_admin)
    return doc


def _pages(client, doc):
    history = client.get(reverse("reviews:history", args=[doc.pk]))
    detail = client.get(reverse("reviews:review", args=[doc.pk]))
    api = client.get(f"/api/v1/reviews/documents/{doc.pk}")
    return history, detail, api


@pytest.mark.parametrize("gone", ["secretary", "committee_admin", "member"])
def test_a_deleted_account_is_named_neutrally(client, fx, gone):
    doc = _walked(fx)
    getattr(fx.cast, gone).delete()
    client.force_login(fx.cast.gb_secretary)
    history, detail, api = _pages(client, doc)
    assert history.status_code == 200
    assert GONE in history.content.decode()
    assert "继续联系实际" in history.content.decode()
    assert detail.status_code == 200
    if gone != "member":  # the review record names reviewers, not the author
        assert GONE in detail.content.decode()
    assert api.status_code == 200
    assert GONE in {event["by"] for event in api.json()["history"]}


def test_every_account_gone_at_once(client, fx):
    doc = _walked(fx)
    for role in ("secretary", "committee_admin", "member"):
        getattr(fx.cast, role).delete()
    client.force_login(fx.cast.gb_secretary)
    history, detail, api = _pages(client, doc)
    assert (history.status_code, detail.status_code, api.status_code) == (200, 200, 200)
    assert history.content.decode().count(GONE) == 3


def test_an_inactive_account_keeps_its_name(client, fx):
    doc = _walked(fx)
    fx.cast.secretary.is_active = False
    fx.cast.secretary.save()
    client.force_login(fx.cast.gb_secretary)
    history, detail, api = _pages(client, doc)
    assert (history.status_code, detail.status_code, api.status_code) == (200, 200, 200)
    assert "secretary" in history.content.decode()
    assert GONE not in history.content.decode()


def test_a_reviewer_whose_member_record_is_removed(client, fx):
    doc = _walked(fx)
    Member.objects.filter(user=fx.cast.secretary).delete()
    client.force_login(fx.cast.gb_secretary)
    history, detail, api = _pages(client, doc)
    assert (history.status_code, detail.status_code, api.status_code) == (200, 200, 200)
