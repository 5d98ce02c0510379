"""The democratic appraisal in a real browser on a phone-sized screen (issue 6, "Done
when"): the branch secretary prints the voting cards and opens the session; three
members vote with the cards they drew (no login); one absent member votes by logging
in, which the committee allowed; the secretary closes the vote and the tally appears;
the branch proposes grades with their rationale; the committee approves; the member
sees their grade."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from conftest import PASSWORD, make_member
from tests.browser.test_pages_look import Watch, look
from vanguard.ballots.models import AppraisalSession, Ballot
from vanguard.grading.models import BranchGrading
from vanguard.meetings.tests.factories import education_campaign

PHONE = {"width": 390, "height": 844}
RATIONALE = {
    "李书记": "带头开展学习，支部工作扎实。",
    "王小明": "教学科研成绩突出，群众评价高，全票优秀。",
    "张丽": "能完成本职工作。",
    "赵强": "服务意识有待加强。",
}
# Every card voter grades 王小明 excellent; the logged-in voter grades everyone qualified.
CARD_GRADES = {"李书记": "合格", "王小明": "优秀", "张丽": "合格", "赵强": "基本合格"}


WATCHES: list[Watch] = []


def phone(browser: Browser) -> Page:
    """A phone-sized page whose CSP refusals, script errors and failed requests are
    collected (checked at the end of the journey)."""
    page = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True).new_page()
    WATCHES.append(Watch(page))
    return page


def log_in(browser: Browser, live_server, username: str) -> Page:
    page = phone(browser)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{live_server.url}/")
    return page


def grade_everyone(page: Page, grades: dict[str, str]) -> None:
    for name, grade in grades.items():
        box = page.locator("fieldset.ballot-candidate").filter(
            has=page.locator("legend", has_text=name)
        )
        box.get_by_label(grade, exact=True).check()


@pytest.mark.django_db(transaction=True)
def test_cards_login_vote_tally_grades_approval_and_the_member_sees_the_grade(
    browser: Browser, live_server, org, cast
):
    campaign = education_campaign(org.committee)
    make_member(name="赵强", number="T0004", branch=org.branch_a1)
    base = live_server.url

    # 1. The secretary creates the branch's vote, prints the cards, opens it.
    secretary = log_in(browser, live_server, cast.secretary.username)
    secretary.goto(base + reverse("ballots:list"))
    secretary.get_by_label("支部或党小组").select_option(label=org.branch_a1.name)
    secretary.get_by_role("button", name="新建").click()
    expect(secretary.locator("#session-status")).to_have_text("未开始")
    session = AppraisalSession.objects.get(unit=org.branch_a1, campaign=campaign)
    secretary.get_by_label("备用卡数量").fill("1")
    secretary.get_by_role("button", name="生成并打印投票卡").click()
    expect(secretary.locator("article.ballot-card")).to_have_count(5)  # 4 on the roll + 1 spare
    codes = secretary.locator(".card-code strong").all_inner_texts()
    look(secretary, "appraisal-cards-phone")
    secretary.goto(base + reverse("ballots:detail", args=[session.pk]))
    secretary.get_by_role("button", name="开始投票（冻结名册）").click()
    expect(secretary.locator("#session-status")).to_have_text("投票中")

    # 2. The committee allows 王小明, who is away, to vote by logging in.
    committee = log_in(browser, live_server, cast.committee_admin.username)
    committee.goto(base + reverse("ballots:detail", args=[session.pk]))
    expect(committee.locator(".login-voting .warning")).to_contain_text("数据库副本")
    committee.get_by_role("button", name="允许无法到会的党员登录投票").click()

    # 3. At the door: three members ticked present, each draws a card and votes on
    #    their own phone without logging in.
    secretary.goto(base + reverse("ballots:roll", args=[session.pk]))
    for name in ("李书记", "张丽", "赵强"):
        secretary.get_by_label(name).check()
    secretary.get_by_role("button", name="保存到会名单").click()
    expect(secretary.locator(".messages")).to_contain_text("到会 3 人")
    for code in codes[:3]:
        voter = phone(browser)
        voter.goto(base + reverse("ballots_public:vote_code", args=[session.pk, code]))
        expect(voter.locator("#code-ok")).to_contain_text(code)
        grade_everyone(voter, CARD_GRADES)
        if code == codes[0]:
            look(voter, "appraisal-card-vote-phone")
        voter.get_by_role("button", name="提交选票").click()
        expect(voter.locator(".vote-done")).to_have_text("已计入")
        assert voter.context.cookies() == []  # the card page sets no cookie
        voter.context.close()
    # A replayed card is refused at once, before any grade is asked for.
    replay = phone(browser)
    replay.goto(base + reverse("ballots_public:vote_code", args=[session.pk, codes[0]]))
    expect(replay.locator(".vote-error")).to_contain_text("投票码无效、已使用")
    expect(replay.locator("fieldset.ballot-candidate")).to_have_count(0)

    # 4. 王小明 votes by logging in.
    member = log_in(browser, live_server, cast.member.username)
    member.goto(base + reverse("ballots:detail", args=[session.pk]))
    member.get_by_role("link", name="登录投票（仅限无法到会的党员）").click()
    grade_everyone(member, dict.fromkeys(CARD_GRADES, "合格"))
    member.get_by_role("button", name="提交选票").click()
    expect(member.locator(".vote-done")).to_have_text("已计入")

    # The projector shows a count only.
    secretary.goto(base + reverse("ballots:projector", args=[session.pk]))
    expect(secretary.locator(".projector-count")).to_have_text("4 / 4")

    # 5. The secretary closes the vote; the tally and the reconciliation appear.
    secretary.goto(base + reverse("ballots:detail", args=[session.pk]))
    secretary.get_by_role("button", name="结束投票", exact=True).click()
    secretary.get_by_role("button", name="确认结束投票").click()
    expect(secretary).to_have_url(base + reverse("ballots:tally", args=[session.pk]))
    expect(secretary.locator("#turnout-line")).to_contain_text("收回选票 4 张，名册 4 人")
    expect(secretary.locator("#reconciliation")).to_contain_text("核对一致")
    wang = secretary.locator("table.tally-table tr").filter(has_text="王小明")
    expect(wang.locator("td").nth(0)).to_contain_text("3")  # 优秀: the three cards
    expect(wang.locator("td").nth(1)).to_contain_text("1")  # 合格: the logged-in vote
    assert Ballot.objects.filter(session=session).count() == 4
    look(secretary, "appraisal-tally-phone")

    # 6. The branch proposes each member's grade with its rationale, beside the tally.
    secretary.goto(base + reverse("grading:branch", args=[campaign.pk, org.branch_a1.pk]))
    for name, rationale in RATIONALE.items():
        card = secretary.locator("article.grade-row").filter(
            has=secretary.get_by_role("heading", name=name)
        )
        grade = "优秀" if name == "王小明" else "合格"
        card.get_by_label(grade, exact=True).check()
        card.get_by_label("评定理由").fill(rationale)
    wang_card = secretary.locator("article.grade-row").filter(
        has=secretary.get_by_role("heading", name="王小明")
    )
    expect(wang_card.locator(".tally-mini")).to_contain_text("优秀3")
    secretary.get_by_role("button", name="保存等级初评").click()
    expect(secretary.locator(".messages")).to_contain_text("已保存 4 条等级初评。")
    expect(secretary.locator("#excellent-cap")).to_contain_text("拟评优秀 1 名；上限 1 名")
    look(secretary, "grading-branch-phone")
    secretary.get_by_role("button", name="报党委审批").click()
    expect(secretary.locator("#grading-status")).to_have_text("已报党委")

    # 7. The committee approves.
    committee.goto(base + reverse("grading:branch", args=[campaign.pk, org.branch_a1.pk]))
    committee.get_by_label("审批意见").select_option(label="同意")
    committee.get_by_role("button", name="提交审批意见").click()
    expect(committee.locator("#grading-status")).to_have_text("党委已审批")
    assert BranchGrading.objects.get().status == "approved"

    # 8. The member sees their grade, on a phone.
    member.goto(base + reverse("grading:home"))
    expect(member.locator("#my-grades .my-grade")).to_have_text("优秀")
    expect(member.locator("#my-grades")).to_contain_text(campaign.name)
    look(member, "grading-member-phone")
    problems = [p for watch in WATCHES for p in watch.problems]
    WATCHES.clear()
    assert problems == []
