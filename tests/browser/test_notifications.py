"""A member told in the app that the branch returned their self-analysis: the badge
in the menu, the notice on the notices page, one tap on to the document; and the
e-mail choice set on a phone, without sideways scrolling."""

from __future__ import annotations

import re
from types import SimpleNamespace

from playwright.sync_api import Page, expect

from tests.browser.test_login import PHONE, log_in
from vanguard.notices.models import NoticePreference
from vanguard.reviews import services as reviews
from vanguard.reviews.tests import factories_member as docs


def test_a_returned_self_analysis_reaches_the_member_in_two_taps_and_the_choice_is_kept(
    page: Page, live_server, org, cast
):
    document, version = docs.submitted(SimpleNamespace(org=org, cast=cast))
    reviews.branch_review(
        document=document,
        version=version,
        reviewer=cast.secretary,
        criteria=docs.ALL_OK,
        verdict="return",
        reasons="剖析不深",
    )
    page.set_viewport_size(PHONE)
    log_in(page, live_server, cast.member.username)
    taps = 0
    menu_link = page.get_by_role("link", name=re.compile("^通知"))
    expect(menu_link).to_contain_text("1")  # the unread badge
    menu_link.first.click()
    taps += 1
    notice = page.locator("#notifications li.unread")
    expect(notice).to_contain_text("已被支部退回修改")
    expect(notice).not_to_contain_text("剖析不深")  # the reasons are read on the page
    notice.get_by_role("button", name="查看").click()
    taps += 1
    expect(page).to_have_url(re.compile(r"/reviews/mine/"))
    assert taps == 2

    page.goto(f"{live_server.url}/notices/")
    expect(page.locator("#notifications li.unread")).to_have_count(0)  # read on opening
    page.get_by_role("button", name="提醒方式").click()
    # The button opens the preferences page: measure it once it has loaded, not the
    # page being left (mid-navigation the document has no root element).
    expect(page).to_have_url(re.compile(r"/notices/preferences/"))
    choice = page.get_by_label("每天一封摘要邮件")
    expect(choice).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    choice.check()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("提醒方式已保存")).to_be_visible()
    expect(page.locator("#email-preference")).to_contain_text("每天一封摘要邮件")
    assert NoticePreference.objects.get(user=cast.member).email == "digest"
