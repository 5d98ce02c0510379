"""Supervision's landing page and a campaign's overview (督查情况): the figures the seed
quotes — branches checked and checked twice, notes sampled and read, findings by item and
result, make-up orders by status with the overdue and a burn-down, guidance held,
meetings by kind — each counted over the branches the person reads, and the watch list
counted only for those who keep it."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import lxml.html
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from vanguard.campaigns.models import Campaign
from vanguard.campaigns.tests.progress_data import work
from vanguard.meetings.models import Meeting
from vanguard.supervision.models import CheckItem, NoteAssessment, RemediationOrder
from vanguard.supervision.tests.factories_reports import (
    a_round,
    assess,
    campaign,
    do_check,
    guidance,
    make_order,
    make_round,
    make_sample,
    meeting,
    note_type,
    watch_person,
)

pytestmark = pytest.mark.django_db

GOOD, NEEDS_WORK, MISSING = "good", "needs_work", "missing"


@pytest.fixture
def f(org, cast):
    return SimpleNamespace(org=org, cast=cast)


def _page(client, user, f) -> lxml.html.HtmlElement:
    client.force_login(user)
    response = client.get(reverse("supervision:overview", args=[campaign(f).pk]))
    assert response.status_code == 200
    return lxml.html.fromstring(response.content.decode())


def stat(page: lxml.html.HtmlElement, name: str) -> str:
    found = page.xpath(f'//*[@id="stat-{name}"]/span[@class="num"]')
    return found[0].text_content().strip() if found else ""


def rows(page: lxml.html.HtmlElement, section: str) -> list[list[str]]:
    """The rows of the first table in a section, each cell's text."""
    table = page.xpath(f'//*[@id="{section}"]//table')[0]
    return [
        [" ".join(cell.text_content().split()) for cell in tr.xpath("./th|./td")]
        for tr in table.xpath(".//tbody/tr|.//tfoot/tr")
    ]


def text(page: lxml.html.HtmlElement) -> str:
    return " ".join(" ".join(page.itertext()).split())


# --- The landing page ------------------------------------------------------------------------


def test_the_landing_page_opens_the_one_running_campaign(f, client):
    c = campaign(f)
    Campaign.objects.create(
        name="2025年活动", kind=Campaign.Kind.EDUCATION, unit=f.org.committee, year=2025,
        status=Campaign.Status.CLOSED,
    )  # fmt: skip
    for user in (f.cast.committee_admin, f.cast.supervisor, f.cast.gb_secretary):
        client.force_login(user)
        response = client.get(reverse("supervision:index"))
        assert response.status_code == 302
        assert response["Location"] == reverse("supervision:overview", args=[c.pk])


def test_the_landing_page_lists_the_campaigns_when_more_than_one_runs(f, client):
    c = campaign(f)
    other = Campaign.objects.create(
        name="光电系专题教育", kind=Campaign.Kind.EDUCATION, unit=f.org.gb_a, year=2026,
        status=Campaign.Status.ACTIVE,
    )  # fmt: skip
    client.force_login(f.cast.committee_admin)
    page = client.get(reverse("supervision:index")).content.decode()
    assert reverse("supervision:overview", args=[c.pk]) in page
    assert reverse("supervision:overview", args=[other.pk]) in page
    assert "光电系专题教育" in page
    # general branch B's secretary would not see general branch A's campaign: here the
    # supervisor of A1 sees both, the member neither.
    client.force_login(f.cast.member)
    assert client.get(reverse("supervision:index")).status_code == 404


def test_a_member_reads_no_supervision(f, client):
    c = campaign(f)
    a_round(f)
    for user in (f.cast.member, f.cast.other_member, f.cast.group_leader):
        client.force_login(user)
        assert client.get(reverse("supervision:index")).status_code == 404
        assert client.get(reverse("supervision:overview", args=[c.pk])).status_code == 404


# --- Coverage ----------------------------------------------------------------------------------


def test_branches_checked_and_checked_twice_move_as_checks_are_done(f, client):
    c = campaign(f)
    first = a_round(f)
    page = _page(client, f.cast.committee_admin, f)
    assert stat(page, "checked") == "0/3" and stat(page, "twice") == "0"

    do_check(first, f.org.branch_a1, {CheckItem.STUDY_PLAN: (GOOD, "")})
    page = _page(client, f.cast.committee_admin, f)
    assert stat(page, "checked") == "1/3" and stat(page, "twice") == "0"
    assert rows(page, "coverage")[0][3].startswith("1/3")

    second = make_round(c, [f.org.branch_a1, f.org.branch_b1], title="分析评议阶段第二次检查")
    do_check(second, f.org.branch_a1, {CheckItem.OPINIONS: (GOOD, "")})
    do_check(second, f.org.branch_b1, {CheckItem.OPINIONS: (NEEDS_WORK, "")})
    page = _page(client, f.cast.committee_admin, f)
    assert stat(page, "checked") == "2/3" and stat(page, "twice") == "1"
    coverage = rows(page, "coverage")
    assert [r[0].split()[0] for r in coverage] == ["学习阶段中期检查", "分析评议阶段第二次检查"]
    assert coverage[1][3].startswith("2/2")
    per_branch = {r[0]: r[1] for r in rows(page, "branches")}
    assert per_branch == {
        "光学工程教工第一党支部": "2",
        "光电博士生党支部": "0",
        "信电本科生第四党支部": "1",
    }


def test_a_pending_check_is_not_counted(f, client):
    round_ = a_round(f)
    do_check(round_, f.org.branch_a1, {CheckItem.STUDY_PLAN: (MISSING, "")})
    round_.checks.filter(branch=f.org.branch_a1).update(status="pending")
    page = _page(client, f.cast.committee_admin, f)
    assert stat(page, "checked") == "0/3"
    assert "缺失" not in " ".join(" ".join(r) for r in rows(page, "branches"))


def test_each_reader_counts_their_own_branches(f, client):
    round_ = a_round(f)
    do_check(round_, f.org.branch_a1, {CheckItem.STUDY_PLAN: (GOOD, "")})
    do_check(round_, f.org.branch_b1, {CheckItem.STUDY_PLAN: (MISSING, "")})

    page = _page(client, f.cast.supervisor, f)
    assert stat(page, "checked") == "1/1"
    assert [r[0] for r in rows(page, "branches")] == ["光学工程教工第一党支部"]
    assert "信电本科生第四党支部" not in text(page)
    assert rows(page, "findings")[-1][1:] == ["1", "0", "0"]  # the total: B1's 缺失 not here

    page = _page(client, f.cast.gb_secretary, f)
    assert stat(page, "checked") == "1/2"
    assert [r[0] for r in rows(page, "branches")] == ["光学工程教工第一党支部", "光电博士生党支部"]

    page = _page(client, f.cast.committee_admin, f)
    assert stat(page, "checked") == "2/3"


def test_findings_are_counted_by_item_and_result(f, client):
    round_ = a_round(f)
    do_check(round_, f.org.branch_a1, {
        CheckItem.STUDY_PLAN: (GOOD, ""),
        CheckItem.NOTES: (NEEDS_WORK, "部分笔记只有摘抄"),
    })  # fmt: skip
    do_check(round_, f.org.branch_a2, {
        CheckItem.STUDY_PLAN: (MISSING, "未见计划"),
        CheckItem.NOTES: (NEEDS_WORK, ""),
    })  # fmt: skip
    page = _page(client, f.cast.committee_admin, f)
    assert rows(page, "findings") == [
        ["学习计划", "1", "0", "1"],
        ["读书笔记", "0", "2", "0"],
        ["合计", "1", "2", "1"],
    ]
    flagged = {r[0]: r[2] for r in rows(page, "branches")}
    assert flagged["光学工程教工第一党支部"] == "1" and flagged["光电博士生党支部"] == "2"


# --- Notes ---------------------------------------------------------------------------------------


def test_notes_sampled_and_read_are_counted(f, client):
    c = campaign(f)
    colleague, member, other = (
        f.cast.colleague_record,
        f.cast.member_record,
        f.cast.other_member_record,
    )
    for m in (colleague, member, other):
        work(c, m)
    work(c, member)  # a second note: still one member with notes
    drawn = make_sample(c, [colleague, other], round_=a_round(f))
    page = _page(client, f.cast.committee_admin, f)
    assert stat(page, "sampled") == "2/3" and stat(page, "read") == "0"

    kind = note_type(c)
    assess(c, colleague, sampled=drawn[0], grade=NoteAssessment.Grade.INSUFFICIENT, type_=kind)
    assess(c, member, level=NoteAssessment.Level.GENERAL_BRANCH, type_=kind)
    page = _page(client, f.cast.committee_admin, f)
    assert stat(page, "read") == "1"
    grades = {r[0]: r[1:] for r in rows(page, "notes")}
    assert grades["需补课"] == ["1", "0"] and grades["良"] == ["0", "1"]
    assert "联系实际型 1 1" in text(page)

    page = _page(client, f.cast.supervisor, f)  # branch A1 only
    assert stat(page, "sampled") == "1/2" and stat(page, "read") == "1"


# --- Orders ---------------------------------------------------------------------------------------


def test_orders_by_status_overdue_and_burn_down_move_when_an_order_is_verified(f, client):
    c = campaign(f)
    late = make_order(c, f.org.branch_a1, deadline_in=-2, ordered_days_ago=5)
    reported = make_order(
        c, f.org.branch_a2, status=RemediationOrder.Status.REPORTED, ordered_days_ago=3
    )
    make_order(
        c,
        f.org.branch_b1,
        status=RemediationOrder.Status.VERIFIED,
        ordered_days_ago=4,
        verified_days_ago=1,
    )
    page = _page(client, f.cast.committee_admin, f)
    assert stat(page, "open") == "2" and stat(page, "overdue") == "1"
    by_status = {r[0]: r[1:] for r in rows(page, "orders")}
    assert by_status["待整改"] == ["1", "1"]
    assert by_status["已报完成"] == ["1", "—"]
    assert by_status["复查通过"] == ["1", "—"]
    assert by_status["合计"] == ["3", "1"]
    today = timezone.localdate()
    burn = [r for r in page.xpath('//table[@id="burndown-table"]/tbody/tr')]
    days = [(tr[0].text_content(), tr[1].text_content()) for tr in burn]
    first = (today - datetime.timedelta(days=5)).isoformat()
    assert days[0] == (first, "1")
    assert days[-1] == (today.isoformat(), "2")
    assert ((today - datetime.timedelta(days=1)).isoformat(), "2") in days  # 3, then B1's passed
    assert page.xpath('//script[@id="chart-burndown-data"]')

    # The supervisor re-checks A2's order and passes it: the counts move.
    RemediationOrder.objects.filter(pk=reported.pk).update(
        status=RemediationOrder.Status.VERIFIED, verified_at=timezone.now()
    )
    page = _page(client, f.cast.committee_admin, f)
    assert stat(page, "open") == "1"
    burn = page.xpath('//table[@id="burndown-table"]/tbody/tr')
    assert burn[-1][1].text_content() == "1"

    # A1's supervisor counts A1's order alone.
    page = _page(client, f.cast.supervisor, f)
    assert stat(page, "open") == "1" and stat(page, "overdue") == "1"
    assert late.branch == f.org.branch_a1


def test_without_orders_there_is_no_burn_down(f, client):
    page = _page(client, f.cast.committee_admin, f)
    assert not page.xpath('//table[@id="burndown-table"]')
    assert "尚未下达补课通知" in text(page)


# --- Guidance, meetings, the watch list ---------------------------------------------------------


def test_guidance_sessions_are_counted(f, client):
    c = campaign(f)
    guidance(c, f.org.branch_a1, lagging=True)
    guidance(c, f.org.branch_a1)
    guidance(c, f.org.branch_b1)
    page = _page(client, f.cast.committee_admin, f)
    assert stat(page, "guidance") == "3"
    assert "已对 2 个支部进行面对面指导 3 次，其中对进度滞后支部 1 次" in text(page)
    assert stat(_page(client, f.cast.supervisor, f), "guidance") == "2"


def test_meetings_are_counted_by_kind(f, client):
    c = campaign(f)
    for _ in range(2):
        meeting(c, f.org.committee, Meeting.Kind.ALL_MEMBER, "全体党员大会")
    for _ in range(3):
        meeting(c, f.org.committee, Meeting.Kind.SECRETARY, "支部书记会议")
    meeting(c, f.org.branch_a1, Meeting.Kind.MOBILISATION, "支部动员会")
    page = _page(client, f.cast.committee_admin, f)
    assert rows(page, "meetings") == [
        ["支部动员会", "1 次"],
        ["全体党员大会", "2 次"],
        ["支部书记会议", "3 次"],
    ]
    # A1's supervisor reads A1's meetings, not the committee's officers' meetings.
    page = _page(client, f.cast.supervisor, f)
    assert rows(page, "meetings") == [["支部动员会", "1 次"]]


def test_the_watch_list_is_counted_only_for_those_who_keep_it(f, client):
    c = campaign(f)
    watch_person(c, f.cast.colleague_record)
    for user in (f.cast.committee_admin, f.cast.supervisor):
        page = _page(client, user, f)
        assert stat(page, "watch-persons") == "1" and stat(page, "watch-branches") == "0"
        assert "谈话记录 1 次" in text(page)
        assert "认识上疑虑较重" not in text(page) and "张丽" not in text(page)
    for user in (f.cast.gb_secretary, f.cast.secretary, f.cast.branch_committee, f.cast.observer):
        page = _page(client, user, f)
        assert not page.xpath('//*[@id="watch"]') and stat(page, "watch-persons") == ""
        assert "重点人" not in text(page)


def test_the_overview_offers_each_reader_the_reports_they_may_open(f, client):
    round_ = a_round(f)

    def report(unit):
        return reverse("supervision:round_report", args=[round_.pk, unit.pk, "pdf"])

    client.force_login(f.cast.committee_admin)
    page = client.get(reverse("supervision:overview", args=[campaign(f).pk])).content.decode()
    assert all(report(u) in page for u in (f.org.committee, f.org.gb_a, f.org.gb_b))
    client.force_login(f.cast.gb_secretary)
    page = client.get(reverse("supervision:overview", args=[campaign(f).pk])).content.decode()
    assert report(f.org.gb_a) in page
    assert report(f.org.committee) not in page and report(f.org.gb_b) not in page
    client.force_login(f.cast.supervisor)
    page = client.get(reverse("supervision:overview", args=[campaign(f).pk])).content.decode()
    assert report(f.org.branch_a1) in page and report(f.org.gb_a) not in page
    for link in (report(f.org.gb_a), report(f.org.branch_a1)):
        client.force_login(f.cast.gb_secretary)
        assert client.get(link).status_code == 200


def test_the_overview_query_count_does_not_grow_with_the_data(f, client):
    c = campaign(f)
    client.force_login(f.cast.committee_admin)
    url = reverse("supervision:overview", args=[c.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    round_ = a_round(f)
    do_check(round_, f.org.branch_a1, {CheckItem.STUDY_PLAN: (GOOD, "")})
    make_order(c, f.org.branch_a1)
    guidance(c, f.org.branch_a1)
    watch_person(c, f.cast.colleague_record)
    before = count()
    second = make_round(c, [f.org.branch_a2, f.org.branch_b1], title="第二次检查")
    do_check(second, f.org.branch_a2, {CheckItem.NOTES: (MISSING, "")})
    do_check(second, f.org.branch_b1, {CheckItem.NOTES: (GOOD, "")})
    for branch in (f.org.branch_a2, f.org.branch_b1):
        make_order(c, branch, ordered_days_ago=3)
        guidance(c, branch)
    watch_person(c, f.cast.other_member_record)
    assert count() == before
