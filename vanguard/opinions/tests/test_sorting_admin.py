"""The back office shows opinions without their sources, never an opinion about the
admin themself, deletes none, and has no page for survey invitations or answers."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib import admin

from conftest import make_member
from vanguard.opinions.models import Opinion, SurveyAnswer, SurveyInvitation
from vanguard.opinions.tests.sorting_data import opinion

pytestmark = pytest.mark.django_db


@pytest.fixture
def f(org, cast):
    return SimpleNamespace(org=org, cast=cast)


def test_the_opinion_admin_shows_no_source(f, client):
    o = opinion(f, contact="13912345678", source="周老师")
    client.force_login(f.cast.committee_admin)
    for url in ("/admin/opinions/opinion/", f"/admin/opinions/opinion/{o.pk}/change/"):
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert o.text in page
        assert "13912345678" not in page and "周老师" not in page
    assert (
        client.post(f"/admin/opinions/opinion/{o.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert Opinion.objects.filter(pk=o.pk).exists()


def test_an_admin_does_not_find_an_opinion_about_themself_in_the_back_office(f, client):
    me = make_member(
        name="刘委员", number="T0099", branch=f.org.branch_a1, user=f.cast.committee_admin
    )
    about_me = opinion(f, text="党委委员联系支部不够", about=me)
    client.force_login(f.cast.committee_admin)
    assert "党委委员联系支部不够" not in client.get("/admin/opinions/opinion/").content.decode()
    response = client.get(f"/admin/opinions/opinion/{about_me.pk}/change/")
    assert response.status_code == 302  # the admin's "does not exist" redirect


def test_survey_invitations_and_answers_have_no_admin_page():
    assert SurveyAnswer not in admin.site._registry
    assert SurveyInvitation not in admin.site._registry
