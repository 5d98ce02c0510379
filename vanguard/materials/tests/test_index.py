"""The materials' front page and the navigation's link to it: each person finds the
materials they may make or read, and nothing else."""

from __future__ import annotations

import pytest
from django.test import Client

from vanguard.meetings.tests.factories import education_campaign

pytestmark = pytest.mark.django_db

ALL = (
    "支部大会记录本",
    "支部阶段工作小结",
    "材料包",
    "统计表（Excel）",
    "活动总结报告初稿",
    "归档",
)


def _page(user) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/materials/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_committee_finds_every_material_and_a_branch_secretary_their_branchs(org, cast):
    education_campaign(org.committee)
    committee = _page(cast.committee_admin)
    for title in ALL:
        assert f"<strong>{title}</strong>" in committee, title
    secretary = _page(cast.secretary)
    for title in ("支部大会记录本", "支部阶段工作小结", "材料包"):
        assert f"<strong>{title}</strong>" in secretary, title
    for title in ("统计表（Excel）", "活动总结报告初稿", "归档"):
        assert f"<strong>{title}</strong>" not in secretary, title
    assert 'href="/materials/"' in secretary  # the navigation's link


def test_a_member_has_no_link_and_no_page(org, cast):
    education_campaign(org.committee)
    client = Client()
    client.force_login(cast.member)
    assert 'href="/materials/"' not in client.get("/").content.decode()
    assert client.get("/materials/").status_code == 403
