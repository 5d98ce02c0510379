"""Supervision (督查) in a real browser on a phone-sized screen (issue 13, "Done
when"): the committee draws a sample of reading notes with the form's defaults; the
supervisor of the sampled member's branch reads that member's notes in the queue and
grades them 需补课; from the assessment they order make-up work (补课); the member finds
the order in their notifications and reports it done; the supervisor re-checks it;
and the committee's overview counts one more note read and one more order verified."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from conftest import PASSWORD
from tests.browser import supervision_journey_data as data
from tests.browser.test_pages_look import Watch, look
from vanguard.supervision.models import NoteAssessment, RemediationOrder, Sample

PHONE = {"width": 390, "height": 844}
TITLE = "期中读书笔记抽查"
REASON = "读书笔记只摘抄了原文，没有联系本人的教学和思想实际，请重写一篇体会。"
REPORT = "已重新学习党章第二章，结合本人教学工作写了三千字的学习体会，交支部书记审阅。"
VERIFY_NOTE = "新写的体会联系了实际，同意销号。"

WATCHES: list[Watch] = []


def log_in(browser: Browser, live_server, username: str) -> Page:
    """A phone-sized page, logged in; its CSP refusals, script errors and failed
    requests are collected and checked at the end of the journey."""
    page = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True).new_page()
    WATCHES.append(Watch(page))
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{live_server.url}/")
    return page


def open_supervision(page: Page, live_server) -> None:
    """The way in: /supervision/ leads to the one running campaign's overview."""
    page.goto(live_server.url + reverse("supervision:index"))
    expect(page.get_by_role("heading", name="督查情况", exact=True)).to_be_visible()


def overview_counts(page: Page) -> tuple[int, int]:
    """What the overview shows: notes read by the college, and orders 复查通过."""
    read = int(page.locator("#stat-read .num").inner_text())
    verified_row = page.locator("#orders table tbody tr").filter(
        has=page.locator("th", has_text="复查通过")
    )
    verified = int(verified_row.locator("td").first.inner_text())
    return read, verified


def first_drawn(page: Page, names: list[str]) -> str:
    """The first member the draw picked in branch A1, as the sample page lists them."""
    row = page.locator("table.strata tbody tr").filter(has_text="光学工程教工第一党支部")
    text = row.locator("td").nth(2).inner_text()
    shown = sorted((text.index(name), name) for name in names if name in text)
    assert shown, text
    return shown[0][1]


def criterion(page: Page, label: str, answer: str) -> None:
    box = page.locator("fieldset.criterion").filter(has=page.locator("legend", has_text=label))
    box.get_by_label(answer, exact=True).check()


@pytest.mark.django_db(transaction=True)
def test_sample_assess_order_makeup_member_reports_supervisor_verifies_counts_move(
    browser: Browser, live_server, org, cast
):
    logins = data.note_writers(org, cast)
    campaign = data.campaign(org)

    # 1. The committee admin opens supervision, the samples page, and draws a sample
    #    with the form's defaults (one half of each branch, at least one, a fresh seed).
    committee = log_in(browser, live_server, cast.committee_admin.username)
    open_supervision(committee, live_server)
    read_before, verified_before = overview_counts(committee)
    committee.get_by_role("button", name="笔记抽查").click()
    expect(committee.get_by_role("heading", name="读书笔记抽查")).to_be_visible()
    committee.get_by_role("button", name="抽取样本").click()
    expect(committee.get_by_label("抽查比例")).to_have_value("0.50")
    committee.get_by_label("抽查名称").fill(TITLE)
    look(committee, "supervision-sample-new-phone")
    committee.get_by_role("button", name="抽取", exact=True).click()
    expect(committee.get_by_role("heading", name=TITLE)).to_be_visible()
    # Four members of A1 wrote notes: half of them, two, are drawn, and named.
    stats = committee.locator(".stats")
    expect(stats).to_contain_text("有读书笔记的党员 4")
    expect(stats).to_contain_text("抽中 2")
    name = first_drawn(committee, list(logins))
    look(committee, "supervision-sample-phone")
    sample = Sample.objects.get(campaign=campaign, title=TITLE)
    assert sample.drawn.filter(member__name=name).exists()

    # 2. The supervisor of A1 opens their reading queue and the drawn member's notes,
    #    judges the four criteria and grades them 需补课.
    supervisor = log_in(browser, live_server, cast.supervisor.username)
    open_supervision(supervisor, live_server)
    supervisor.get_by_role("button", name="评阅笔记").click()
    expect(supervisor.get_by_role("heading", name="抽查笔记评阅")).to_be_visible()
    queue = supervisor.locator("ol.note-queue li")
    expect(queue).to_have_count(2)
    look(supervisor, "supervision-queue-phone")
    queue.filter(has_text=name).get_by_role("link").click()
    expect(supervisor.get_by_role("heading", name=f"{name}的读书笔记")).to_be_visible()
    expect(supervisor.locator("article.note-read")).to_contain_text("联系教学科研实际")
    criterion(supervisor, "书目", "好")
    criterion(supervisor, "内容", "差")
    criterion(supervisor, "联系实际", "差")
    criterion(supervisor, "态度", "一般")
    criterion(supervisor, "质量等级", "需补课")
    supervisor.get_by_label("评语").fill("摘抄多，体会少。")
    supervisor.get_by_role("button", name="保存", exact=True).click()
    expect(supervisor.locator(".assessment")).to_contain_text("已评阅：需补课")
    assessment = NoteAssessment.objects.get(
        campaign=campaign, member__name=name, level=NoteAssessment.Level.COLLEGE
    )
    assert (assessment.grade, assessment.content, assessment.practice) == (
        "insufficient",
        "poor",
        "poor",
    )

    # 3. From the assessment, the offered link orders make-up work for that member.
    supervisor.locator("#order-makeup").click()
    expect(supervisor.get_by_role("heading", name="下达补课通知")).to_be_visible()
    expect(supervisor.locator(".lead")).to_contain_text(name)
    expect(supervisor.locator("main")).to_contain_text("来自读书笔记评阅：需补课")
    supervisor.get_by_label("补课原因").fill(REASON)
    deadline = datetime.date.today() + datetime.timedelta(days=14)
    supervisor.get_by_label("完成期限").fill(deadline.isoformat())
    look(supervisor, "supervision-order-new-phone")
    supervisor.get_by_role("button", name="下达").click()
    expect(supervisor.get_by_role("heading", name="补课通知")).to_be_visible()
    expect(supervisor.locator(".order-facts")).to_contain_text(REASON)
    order = RemediationOrder.objects.get(campaign=campaign, member__name=name)
    assert (order.status, order.assessment_id, order.deadline) == (
        RemediationOrder.Status.OPEN,
        assessment.pk,
        deadline,
    )

    # 4. The member finds the order in their notifications and reports it done.
    member = log_in(browser, live_server, logins[name])
    member.goto(live_server.url + reverse("notices:inbox"))
    told = member.locator("ul.notifications li").filter(has_text="收到补课通知")
    expect(told).to_contain_text(name)
    told.get_by_role("button", name="查看").click()
    expect(member.get_by_role("heading", name="补课通知")).to_be_visible()
    expect(member.locator(".order-facts")).to_contain_text(REASON)
    member.get_by_label("完成情况").fill(REPORT)
    look(member, "supervision-order-report-phone")
    member.get_by_role("button", name="报告已完成").click()
    expect(member.locator(".lead .badge")).to_contain_text("已报完成")
    member.goto(live_server.url + reverse("supervision:orders_mine"))
    expect(member.locator(".order-list")).to_contain_text("已报完成")
    order.refresh_from_db()
    assert (order.status, order.report) == (RemediationOrder.Status.REPORTED, REPORT)

    # 5. The supervisor, told the order is done, opens it and re-checks it.
    supervisor.goto(live_server.url + reverse("notices:inbox"))
    done = supervisor.locator("ul.notifications li").filter(has_text="报告补课已完成")
    done.get_by_role("button", name="查看").click()
    expect(supervisor.locator(".order-facts")).to_contain_text(REPORT)
    supervisor.get_by_label("复查通过", exact=True).check()
    supervisor.get_by_label("复查意见").fill(VERIFY_NOTE)
    supervisor.get_by_role("button", name="提交复查结论").click()
    expect(supervisor.locator(".lead .badge")).to_contain_text("复查通过")
    expect(supervisor.locator(".order-facts")).to_contain_text(VERIFY_NOTE)
    order.refresh_from_db()
    assert order.status == RemediationOrder.Status.VERIFIED

    # 6. The committee's overview: one more note read, one more order verified.
    open_supervision(committee, live_server)
    assert overview_counts(committee) == (read_before + 1, verified_before + 1)
    look(committee, "supervision-overview-phone")

    problems = [p for watch in WATCHES for p in watch.problems]
    WATCHES.clear()
    assert problems == []
