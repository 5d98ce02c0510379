"""The records list (谈话与座谈记录) filters by branch for officers who gather opinions
in several branches, offering only those branches."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse

from vanguard.opinions.intake import services as services_intake
from vanguard.opinions.tests import access_table_intake as intake

pytestmark = pytest.mark.django_db


@pytest.fixture
def f(org, cast):
    intake.campaign(SimpleNamespace(org=org, cast=cast))
    for branch, place in (
        (org.branch_a1, "一支部会议室"),
        (org.branch_a2, "博士生支部会议室"),
        (org.branch_b1, "四支部会议室"),
    ):
        services_intake.record_create(
            branch=branch,
            recorded_by=None,
            data={"kind": "talk", "held_on": datetime.date(2026, 4, 20), "place": place},
        )
    return SimpleNamespace(org=org, cast=cast)


def listed(client, user, **query):
    client.force_login(user)
    response = client.get(reverse("opinions:record_list"), query)
    assert response.status_code == 200
    places = sorted(r.place for r in response.context["page"].object_list)
    return places, [b.name for b in response.context["branches"]]


def test_a_general_branch_secretary_narrows_the_list_to_one_branch(client, f):
    places, offered = listed(client, f.cast.gb_secretary)
    assert places == ["一支部会议室", "博士生支部会议室"]
    assert offered == ["光学工程教工第一党支部", "光电博士生党支部"]
    assert listed(client, f.cast.gb_secretary, branch=f.org.branch_a2.pk)[0] == ["博士生支部会议室"]
    # A branch outside theirs is not offered, and asking for it shows their own.
    assert listed(client, f.cast.gb_secretary, branch=f.org.branch_b1.pk)[0] == places


def test_the_committee_sees_every_branch_and_a_branch_secretary_no_filter(client, f):
    places, offered = listed(client, f.cast.committee_admin, branch=f.org.branch_b1.pk)
    assert places == ["四支部会议室"] and len(offered) == 3
    client.force_login(f.cast.secretary)
    page = client.get(reverse("opinions:record_list")).content.decode()
    assert 'id="branch-filter"' not in page
