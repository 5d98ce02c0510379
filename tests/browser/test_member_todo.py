"""A member's to-do on a phone (390×844): the member logs in, finds on the home page what
their branch expects of them, taps an item, does it, comes back and finds it under
"已完成". A second journey taps every item of a member's campaign from the home page
and counts the taps (issue 16: before, the member's part was spread over 7–8 screens
and nothing on the home page pointed to them)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from tests.browser.test_study import rich_text
from vanguard.ballots import services as ballots
from vanguard.campaigns import services as campaigns
from vanguard.campaigns.models import Campaign, Phase
from vanguard.grading.models import BranchGrading, GradeProposal
from vanguard.opinions.tests import factories_feedback as feedback
from vanguard.rectification.models import Plan
from vanguard.rectification.tests import factories as rectification

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def campaign(org):
    made = campaigns.campaign_create_from_blueprint(
        kind=Campaign.Kind.EDUCATION,
        name="先进性教育活动",
        year=2026,
        unit=org.committee,
        start_on=timezone.localdate() - datetime.timedelta(days=10),
    )
    Campaign.objects.filter(pk=made.pk).update(status=Campaign.Status.ACTIVE)
    made.phases.filter(order=1).update(status=Phase.Status.OPEN)
    made.refresh_from_db()
    return made


def log_in(page: Page, live_server, username: str) -> None:
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{live_server.url}/")


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_member_does_an_item_from_the_todo_and_finds_it_under_done(
    page: Page, live_server, cast, campaign
):
    log_in(page, live_server, cast.member.username)
    todo = page.locator("#my-todo")
    expect(todo.get_by_role("heading", name="我的待办")).to_be_visible()
    reflection = todo.get_by_role("link", name="每名党员提交学习心得不少于 1 篇")
    expect(reflection).to_contain_text("还差 1 篇学习心得")
    expect(todo.get_by_role("link", name="每名党员提交读书笔记不少于 2 篇")).to_contain_text(
        "还差 2 篇读书笔记"
    )
    expect(todo.locator("details.todo-done")).to_have_count(0)  # nothing done yet
    no_sideways_scroll(page)

    reflection.click()  # tap 1: straight to the form, the kind already chosen
    expect(page.get_by_role("heading", name="提交学习成果")).to_be_visible()
    expect(page.get_by_label("类型")).to_have_value("reflection")
    page.get_by_role("textbox", name="标题", exact=True).fill("学习心得：保持先进性")
    page.get_by_label("所学书目或材料").fill("《保持共产党员先进性教育读本》")
    rich_text(page).click()
    page.keyboard.type("联系教学实际，查找自身不足。")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("status")).to_contain_text("已提交学习心得")

    page.get_by_role("link", name="首页", exact=True).click()
    todo = page.locator("#my-todo")
    # Gone from the open list, into the folded "done" list.
    expect(todo.locator(".todo-list").first.get_by_text("还差 1 篇学习心得")).to_have_count(0)
    done = todo.locator("details.todo-done")
    expect(done.locator("summary")).to_have_text("已完成 (1)")
    done.locator("summary").click()
    expect(done.get_by_role("link", name="每名党员提交学习心得不少于 1 篇")).to_contain_text(
        "已提交 1 篇"
    )
    # The notes are still due.
    expect(todo.get_by_role("link", name="每名党员提交读书笔记不少于 2 篇")).to_contain_text(
        "还差 2 篇读书笔记"
    )
    no_sideways_scroll(page)


def _analysis_phase_with_everything(org, cast, campaign) -> None:
    """Branch A1 in the analysis phase: opinions fed back to the member, an open vote, the
    member's grade approved (of an earlier vote), a rectification plan with items."""
    for phase in campaign.phases.order_by("order")[:1]:
        campaigns.phase_transition_approve(
            campaign=campaign,
            branch=org.branch_a1,
            from_phase=phase,
            reason="转段",
            actor=cast.committee_admin,
            override=True,
        )
    feedback.opinion(campaign, cast.member_record, "希望多联系学生")
    ballots.session_open(session=ballots.session_create(campaign=campaign, unit=org.branch_a1))
    grading = BranchGrading.objects.create(
        campaign=campaign, branch=org.branch_a1, status=BranchGrading.Status.APPROVED
    )
    GradeProposal.objects.create(
        grading=grading, member=cast.member_record, grade="qualified", rationale="合格"
    )
    plan = rectification.member_plan(
        campaign,
        cast.member_record,
        status=Plan.Status.APPROVED,
        approved_at=timezone.now(),
        submitted_at=timezone.now(),
    )
    rectification.item(plan, deadline=timezone.localdate() + datetime.timedelta(days=20))


def test_every_item_of_the_members_campaign_is_one_tap_from_home(
    page: Page, live_server, org, cast, campaign
):
    _analysis_phase_with_everything(org, cast, campaign)
    log_in(page, live_server, cast.member.username)
    items = page.locator("#my-todo li.todo-item")
    keys = [key for key in items.evaluate_all("els => els.map(e => e.dataset.todo)") if key]
    expected = {"feedback", "vote", "grade", "plan-items"}
    assert expected <= set(keys), keys
    assert any(key.startswith("req-") for key in keys)  # the self-analysis requirement

    taps: dict[str, int] = {}
    for key in keys:
        page.goto(f"{live_server.url}/")
        link = page.locator(f'#my-todo li[data-todo="{key}"] a')
        taps[key] = 1
        if not link.is_visible():  # a done item: unfold the list first (one more tap)
            page.locator("#my-todo details.todo-done summary").click()
            taps[key] += 1
        link.click()
        expect(page.locator("main h1").first).to_be_visible()
        assert page.url != f"{live_server.url}/"
        no_sideways_scroll(page)
    # The taps table for the closing note: screens of the member's campaign and the taps
    # from home to each (before: 7–8 screens, none pointed to from home).
    print("\nmember's campaign screens, taps from home:", taps)
    assert all(taps[key] == 1 for key in expected)  # what is due or news: one tap
    assert len(taps) >= 5
