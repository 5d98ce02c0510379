"""No lost edits: two saves of the same draft from the same base — exactly one wins,
the other gets the conflict message with both texts, and nothing is lost."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from vanguard.reviews import services
from vanguard.reviews.models import SelfAnalysis, SubmittedVersion
from vanguard.reviews.tests import factories_member as f

pytestmark = pytest.mark.django_db

TAB_A = {**f.TEXT, "problems": "甲窗口写的问题：理论学习不够。"}
TAB_B = {**f.TEXT, "problems": "乙窗口写的问题：联系群众不够。"}


@pytest.fixture
def fx(org, cast):
    f.campaign(org)
    return SimpleNamespace(org=org, cast=cast)


def test_two_saves_from_one_base_at_the_service(fx):
    doc = f.filled(fx)
    base = doc.draft_version
    outcomes = []
    for data in (TAB_A, TAB_B):
        try:
            services.draft_save(document=doc, data=data, base_version=base, user=fx.cast.member)
            outcomes.append("saved")
        except services.StaleDraft as stale:
            outcomes.append(stale)
    assert outcomes[0] == "saved"
    stale = outcomes[1]
    assert isinstance(stale, services.StaleDraft)
    assert stale.current.problems == TAB_A["problems"]  # the winner's text, to show
    assert stale.current_version == base + 1
    doc.refresh_from_db()
    assert doc.problems == TAB_A["problems"] and doc.draft_version == base + 1
    # The loser chooses to keep their text, now knowingly, from the new base.
    services.draft_save(
        document=doc, data=TAB_B, base_version=stale.current_version, user=fx.cast.member
    )
    doc.refresh_from_db()
    assert doc.problems == TAB_B["problems"]


def _tab(user):
    client = Client()
    client.force_login(user)
    return client


def test_two_browser_tabs_autosaving_from_one_base(fx):
    doc = f.filled(fx)
    base = doc.draft_version
    tab_a, tab_b = _tab(fx.cast.member), _tab(fx.cast.member)
    url = reverse("reviews:mine_autosave")
    first = tab_a.post(url, {**TAB_A, "base_version": base})
    second = tab_b.post(url, {**TAB_B, "base_version": base})
    assert first.status_code == 200 and first.json()["version"] == base + 1
    assert second.status_code == 409
    body = second.json()
    assert "另一次保存" in body["message"]
    assert body["current"]["problems"] == TAB_A["problems"]
    assert body["current_version"] == base + 1
    assert SelfAnalysis.objects.get().problems == TAB_A["problems"]


def test_two_tabs_posting_the_form_show_both_texts(fx):
    doc = f.filled(fx)
    base = doc.draft_version
    tab_a, tab_b = _tab(fx.cast.member), _tab(fx.cast.member)
    url = reverse("reviews:mine")
    assert tab_a.post(url, {**TAB_A, "base_version": base, "action": "save"}).status_code == 302
    refused = tab_b.post(url, {**TAB_B, "base_version": base, "action": "save"})
    page = refused.content.decode()
    assert refused.status_code == 409
    assert "保存冲突" in page
    assert TAB_A["problems"] in page  # the other save's text
    assert page.count(TAB_B["problems"]) >= 2  # yours: beside it, and still in the editor
    assert f'name="base_version" value="{base + 1}"' in page
    assert SelfAnalysis.objects.get().problems == TAB_A["problems"]


def test_two_tabs_submitting_make_one_version(fx):
    doc = f.filled(fx)
    tab_a, tab_b = _tab(fx.cast.member), _tab(fx.cast.member)
    url = reverse("reviews:mine")
    data = {**f.TEXT, "base_version": doc.draft_version, "action": "submit"}
    assert tab_a.post(url, data).status_code == 302
    assert tab_b.post(url, data).status_code == 302
    assert SubmittedVersion.objects.count() == 1
