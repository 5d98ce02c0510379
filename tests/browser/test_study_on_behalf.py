"""A study work entered on a member's behalf (代录), in a real browser: the branch
secretary on a phone types in an elderly member's handwritten note from the study
page in six taps; the member sees it among their own, marked with who entered it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_study import PHONE, log_in, rich_text
from vanguard.study.models import StudyWork
from vanguard.study.tests import factories


@pytest.fixture
def campaign(org):
    return factories.make_campaign(org)


def test_secretary_enters_a_note_for_a_member_who_then_sees_it(
    page: Page, live_server, cast, campaign
):
    page.set_viewport_size(PHONE)
    log_in(page, live_server, cast.secretary.username)
    page.goto(f"{live_server.url}/study/")
    taps = 0
    page.get_by_role("button", name="为党员代录学习成果").click()
    taps += 1
    page.get_by_label("代谁录入").select_option(label=f"王小明 · {cast.member_record.branch.name}")
    taps += 1
    page.get_by_role("textbox", name="标题", exact=True).fill("学习党章的体会（手写稿）")
    taps += 1
    page.get_by_label("所学书目或材料").fill("《中国共产党章程》")
    taps += 1
    rich_text(page).click()
    taps += 1
    page.keyboard.type("全心全意为人民服务。")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="代录并提交").click()
    taps += 1
    expect(page.get_by_role("status")).to_contain_text("已为王小明代录读书笔记")
    expect(page.locator("dl.profile")).to_contain_text(f"由支部书记{cast.secretary}代录")
    assert taps == 6

    work = StudyWork.objects.get()
    assert (work.member, work.entered_by) == (cast.member_record, cast.secretary)

    page.context.clear_cookies()
    log_in(page, live_server, cast.member.username)
    page.goto(f"{live_server.url}/study/")
    works = page.get_by_role("list", name="我提交的学习成果")
    expect(works).to_contain_text("学习党章的体会（手写稿）")
    expect(works).to_contain_text(f"由支部书记{cast.secretary}代录")
