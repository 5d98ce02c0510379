"""The committee watches a branch's progress change: the committee admin opens the
progress dashboard and sees branch A1 among the blind spots (no study plan); the
branch secretary submits the plan on the study page; on reload A1 is no longer a
blind spot and its completion has gone up."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from conftest import PASSWORD
from vanguard.campaigns.tests import progress_data as data

A1 = "光学工程教工第一党支部"


def log_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{live_server.url}/")


def test_committee_sees_a_branch_leave_the_blind_spots_once_its_plan_is_submitted(
    page: Page, browser: Browser, live_server, cast, org
):
    campaign = data.make_campaign(org.committee)
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            csp_errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    log_in(page, live_server, cast.committee_admin.username)
    page.locator(".mainnav summary", has_text="资料").click()  # the menu's group
    page.get_by_role("link", name="活动进展").click()
    expect(page.get_by_role("heading", name="信息学院党委", level=1)).to_be_visible()
    no_plan = page.locator("#no-plan")
    expect(no_plan.get_by_role("link", name=A1)).to_be_visible()
    # The bar chart of the branches is drawn (by static/js/charts.js, not inline script).
    expect(page.locator("canvas[data-chart='chart-branches-data']")).to_be_visible()
    # A1 has done none of its four study requirements; A2 (no members yet) two of them.
    gb_row = page.locator("#units tr", has_text="光电系党总支")
    expect(gb_row).to_contain_text("25%")

    secretary = browser.new_context(locale="zh-CN")
    try:
        their_page = secretary.new_page()
        log_in(their_page, live_server, cast.secretary.username)
        their_page.goto(f"{live_server.url}/study/plans/{org.branch_a1.pk}/edit/")
        their_page.get_by_role("button", name="提交计划").click()
        expect(their_page.get_by_text("学习讨论计划已提交。")).to_be_visible()
    finally:
        secretary.close()
    assert campaign.study_plans.filter(branch=org.branch_a1, submitted_at__isnull=False).exists()

    page.reload()
    expect(no_plan.get_by_role("link", name=A1)).to_have_count(0)
    expect(no_plan.get_by_role("link", name="光电博士生党支部")).to_be_visible()
    # A1's plan is one of its four study requirements: its general branch went up.
    expect(gb_row).to_contain_text("38%")

    page.get_by_role("link", name="光电系党总支").first.click()
    page.locator("#units").get_by_role("link", name=A1).click()
    expect(page.get_by_role("heading", name=A1, level=1)).to_be_visible()
    expect(page.locator("#requirements")).to_contain_text("已提交学习讨论计划")
    expect(page.locator("#members")).to_contain_text("王小明")
    assert not csp_errors, csp_errors
