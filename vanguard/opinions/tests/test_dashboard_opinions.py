"""The opinion dashboard and the second round: counts by channel, kind, aspect and
branch; a branch whose opinions are mostly praise is flagged and its secretary opens
a second round, under which new opinions are then filed; members still without
feedback are listed; and the page's query count does not grow with the data."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vanguard.opinions.intake.services import current_round
from vanguard.opinions.models import Opinion, OpinionRound, Survey, SurveyAnswer
from vanguard.opinions.sorting import services as services_sorting
from vanguard.opinions.tests.sorting_data import campaign, opinion

pytestmark = pytest.mark.django_db


@pytest.fixture
def f(org, cast):
    return SimpleNamespace(org=org, cast=cast)


def _praise(f, n: int, branch=None, about=None):
    for index in range(n):
        opinion(
            f,
            text=f"工作作风扎实，服务热情 {index}",
            branch=branch,
            about=about or f.cast.colleague_record,
            kind="praise",
            status="sorted",
        )


def test_a_branch_with_mostly_praise_is_flagged_and_its_secretary_opens_a_second_round(f, client):
    _praise(f, 6)
    client.force_login(f.cast.secretary)
    page = client.get(reverse("opinions:dashboard")).content.decode()
    open_url = reverse("opinions:round_open", args=[f.org.branch_a1.pk])
    assert "光学工程教工第一党支部" in page and open_url in page
    response = client.post(open_url, {"reason": "首轮表扬多，组织小组面对面征求意见"})
    assert response.status_code == 302
    opened = OpinionRound.objects.get(branch=f.org.branch_a1)
    assert opened.number == 2 and opened.opened_by == f.cast.secretary
    c = campaign(f)
    assert current_round(c, f.org.branch_a1) == 2
    heard = services_sorting.opinion_enter(
        campaign=c, branch=f.org.branch_a1, channel="symposium", text="希望多深入学生宿舍"
    )
    assert heard.round == 2
    page = client.get(reverse("opinions:dashboard")).content.decode()
    assert open_url not in page and "第 2 轮" in page


def test_a_branch_with_enough_criticism_or_too_few_opinions_is_not_flagged(f, client):
    _praise(f, 4)
    opinion(f, about=f.cast.colleague_record, kind="criticism", status="sorted")
    _praise(f, 3, branch=f.org.branch_b1, about=f.cast.other_member_record)
    client.force_login(f.cast.committee_admin)
    page = client.get(reverse("opinions:dashboard")).content.decode()
    assert reverse("opinions:round_open", args=[f.org.branch_a1.pk]) not in page
    assert reverse("opinions:round_open", args=[f.org.branch_b1.pk]) not in page


def test_the_supervisor_sees_the_flag_but_may_not_open_a_round(f, client):
    _praise(f, 6)
    client.force_login(f.cast.supervisor)
    page = client.get(reverse("opinions:dashboard")).content.decode()
    assert "表扬多" in page
    url = reverse("opinions:round_open", args=[f.org.branch_a1.pk])
    assert url not in page
    assert client.post(url, {"reason": "x"}).status_code == 403
    assert not OpinionRound.objects.exists()


def test_opening_a_round_needs_a_reason(f, client):
    campaign(f)
    client.force_login(f.cast.secretary)
    response = client.post(
        reverse("opinions:round_open", args=[f.org.branch_a1.pk]), {"reason": ""}
    )
    assert response.status_code == 200
    assert not OpinionRound.objects.exists()


def test_the_dashboard_counts_by_channel_kind_and_aspect_and_lists_members_without_feedback(
    f, client
):
    c = campaign(f)
    opinion(f, channel="email")
    opinion(f, channel="talk", about=f.cast.member_record, kind="criticism", status="sorted")
    survey = Survey.objects.create(campaign=c, branch=f.org.branch_a1, title="八个方面")
    SurveyAnswer.objects.create(survey=survey, subject_member=f.cast.colleague_record)
    client.force_login(f.cast.gb_secretary)
    response = client.get(reverse("opinions:dashboard"))
    context = response.context
    assert dict(context["by_channel"]) == {"电子信箱": 1, "个人交谈": 1}
    assert dict(context["by_kind"]) == {"批评": 1}
    assert context["chart_channel"]["values"] == [1, 1]
    without = {m.name for m in context["without"]}
    # 王小明 has a sorted opinion, 张丽 a survey answer: neither is listed; 李书记 is.
    assert "李书记" in without
    assert "王小明" not in without and "张丽" not in without
    page = response.content.decode()
    assert 'id="chart-channel-data"' in page and "charts.js" in page


def test_the_dashboard_costs_the_same_queries_whatever_the_data(f, client):
    client.force_login(f.cast.committee_admin)
    url = reverse("opinions:dashboard")
    _praise(f, 2)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _praise(f, 10, branch=f.org.branch_b1, about=f.cast.other_member_record)
    _praise(f, 10, branch=f.org.branch_a2, about=None)
    for _n in range(5):
        opinion(f, channel="email")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_the_dashboard_leaves_out_opinions_about_the_viewer(f, client):
    secretary_member = f.cast.secretary.member
    opinion(f, about=secretary_member, kind="criticism", status="sorted", channel="talk")
    client.force_login(f.cast.secretary)
    context = client.get(reverse("opinions:dashboard")).context
    assert context["counts"]["total"] == 0
    assert secretary_member.name not in {m.name for m in context["without"]}
    assert Opinion.objects.count() == 1
