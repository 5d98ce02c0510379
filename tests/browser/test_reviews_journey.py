"""The "three up, three down" journey in a real browser (issue 5, "Done when"): the
member writes and submits their self-analysis; the branch secretary returns it with
two reasons; the member reads them, revises and resubmits; the secretary passes it
up; the committee sends its guidance down; the member reads the guidance — and the
comparison of the two versions marks the revision."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from conftest import PASSWORD
from vanguard.reviews.models import BranchReview, SelfAnalysis
from vanguard.reviews.tests import factories_member as f

FIRST = {
    "查找问题": "一是理论学习不够系统。二是联系群众不够紧密。",
    "剖析根源": "一是宗旨意识有所淡化。二是党性修养有所放松。",
    "明确努力方向": "一是加强理论学习。二是牢固树立宗旨意识。",
    "个人总结": "先进性教育活动开始以来，我认真参加了支部组织的各项学习活动。",
}
REASON_ONE = "查找问题只列了标题，没有联系本人的思想和工作实际。"
REASON_TWO = "努力方向缺少具体的整改措施和完成时限。"
ADDED_PROBLEM = "支部反馈的意见中有同志指出我对学生关心不够，这个问题确实存在。"
ADDED_DIRECTION = "每两周与研究生面谈一次，六月底前制定整改计划。"
GUIDANCE = "学院党委审阅了你的自我总结，查找问题比较具体。请在民主评议会前进一步完善整改措施。"


@pytest.fixture
def campaign(org):
    return f.campaign(org)


def log_in(browser: Browser, live_server, username: str) -> Page:
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{live_server.url}/")
    return page


def _criterion(page: Page, label: str, answer: str, comment: str = "") -> None:
    box = page.locator(".criterion").filter(has=page.locator("legend", has_text=label))
    box.get_by_label(answer, exact=True).check()
    if comment:
        box.get_by_label("意见").fill(comment)


def _open_review(page: Page, live_server, name: str) -> None:
    page.goto(live_server.url + reverse("reviews:queue"))
    waiting = page.locator("table.review-waiting tr").filter(has_text=name)
    expect(waiting).to_have_count(1)
    waiting.get_by_role("button", name="审阅").click()
    expect(page.get_by_role("heading", name=f"{name}的党性分析材料")).to_be_visible()


def test_member_submits_secretary_returns_member_revises_committee_guides(
    browser: Browser, live_server, org, cast, campaign
):
    mine_url = live_server.url + reverse("reviews:mine")

    # 1. The member writes the four parts and submits them to the branch.
    member = log_in(browser, live_server, cast.member.username)
    member.goto(mine_url)
    expect(member.get_by_role("heading", name="我的党性分析材料")).to_be_visible()
    for label, text in FIRST.items():
        member.get_by_label(label, exact=True).fill(text)
    member.get_by_test_id("submit-document").click()
    expect(member.get_by_test_id("doc-status")).to_contain_text("已提交，待支部审阅")
    document = SelfAnalysis.objects.get(member=cast.member_record)
    assert (document.state, document.versions.count()) == ("submitted", 1)

    # 2. The secretary judges the three criteria and returns it with two reasons.
    secretary = log_in(browser, live_server, cast.secretary.username)
    _open_review(secretary, live_server, "王小明")
    expect(secretary.locator(".review-version")).to_contain_text(FIRST["查找问题"])
    _criterion(secretary, "问题是否找准", "否", "只列了标题")
    _criterion(secretary, "认识是否清楚", "是")
    _criterion(secretary, "整改方向是否明确", "否", "缺少措施和时限")
    secretary.get_by_label("肯定成绩").fill("学习认真，态度端正。")
    secretary.get_by_label("退回理由").fill(f"1. {REASON_ONE}\n2. {REASON_TWO}")
    secretary.get_by_role("button", name="退回修改").click()
    document.refresh_from_db()
    assert document.state == "returned"
    review = BranchReview.objects.get(version__document=document)
    assert review.verdict == "return"
    # By name: PostgreSQL's jsonb does not keep the order keys were written in.
    assert {name: c["ok"] for name, c in review.criteria.items()} == {
        "problem_found": False,
        "understanding_clear": True,
        "direction_clear": False,
    }

    # 3. The member reads both reasons, revises and submits again.
    member.goto(mine_url)
    returned = member.get_by_test_id("returned-feedback")
    expect(returned).to_contain_text(REASON_ONE)
    expect(returned).to_contain_text(REASON_TWO)
    expect(returned).to_contain_text("学习认真，态度端正。")
    problems = member.get_by_label("查找问题", exact=True)
    expect(problems).to_have_value(FIRST["查找问题"])
    problems.fill(FIRST["查找问题"] + "\n" + ADDED_PROBLEM)
    member.get_by_label("明确努力方向", exact=True).fill(
        FIRST["明确努力方向"] + "\n" + ADDED_DIRECTION
    )
    member.get_by_test_id("submit-document").click()
    expect(member.get_by_test_id("doc-status")).to_contain_text("已提交，待支部审阅")
    document.refresh_from_db()
    assert (document.state, document.versions.count()) == ("submitted", 2)

    # 4. The secretary sees the resubmission, compares it, and passes it up.
    _open_review(secretary, live_server, "王小明")
    expect(secretary.get_by_role("button", name="对比第1版与第2版")).to_be_visible()
    expect(secretary.locator(".review-version")).to_contain_text(ADDED_PROBLEM)
    for label in ("问题是否找准", "认识是否清楚", "整改方向是否明确"):
        _criterion(secretary, label, "是")
    secretary.get_by_label("提出整改方向").fill("按计划落实整改措施。")
    secretary.get_by_role("button", name="通过，报党委").click()
    document.refresh_from_db()
    assert document.state == "with_committee"

    # 5. The committee reads it and sends its guidance down.
    committee = log_in(browser, live_server, cast.committee_admin.username)
    committee.goto(live_server.url + reverse("reviews:committee"))
    row = committee.locator("table.committee-queue tr").filter(has_text="王小明")
    row.get_by_role("button", name="阅看并回复").click()
    committee.get_by_label("党委指导意见").fill(GUIDANCE)
    committee.get_by_role("button", name="发回党委指导意见").click()
    document.refresh_from_db()
    assert (document.state, document.current_round) == ("draft", 2)

    # 6. The member reads the guidance, and is writing for round 2.
    member.goto(mine_url)
    expect(member.get_by_test_id("committee-guidance")).to_contain_text(GUIDANCE)
    expect(member.get_by_test_id("doc-status")).to_contain_text("第 2 轮")

    # 7. The comparison of the two versions marks what the revision added.
    member.goto(live_server.url + reverse("reviews:compare", args=[document.pk]))
    expect(member.get_by_test_id("diff-problems").locator("ins")).to_contain_text(ADDED_PROBLEM)
    expect(member.get_by_test_id("diff-direction").locator("ins")).to_contain_text(ADDED_DIRECTION)
    expect(member.get_by_test_id("diff-roots")).to_contain_text("无改动")
