"""Signing in and out in a real browser: every role of the cast reaches its own home
page through the login form, a wrong password is refused in Chinese, logging out
ends the session, the language switch works, and the login page fits a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD

PHONE = {"width": 390, "height": 844}


def log_in(page: Page, live_server, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def expect_home(page: Page, live_server) -> None:
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("input[type=password]")).to_have_count(0)


# What each role's home page shows, as the person sees it: (headings, other visible
# text, text that must not be on the page). Names and units are the cast's
# (conftest.py): 李书记 and 王小明 are in 光学工程教工第一党支部 (王小明 in its
# 第一党小组, 张丽 not), 陈刚 in 信电本科生第四党支部 under the other general branch.
HOMES = {
    "committee_admin": (["组织机构"], ["信息学院党委", "光电系党总支", "信电系党总支"], []),
    "supervisor": (["我督查的支部"], ["光学工程教工第一党支部"], ["信电本科生第四党支部"]),
    "gb_secretary": (
        ["组织机构"],
        ["光电系党总支", "光学工程教工第一党支部", "光电博士生党支部"],
        ["信电本科生第四党支部"],
    ),
    "secretary": (
        ["您好，李书记同志", "光学工程教工第一党支部花名册"],
        ["王小明", "张丽"],
        ["陈刚"],
    ),
    "branch_committee": (["光学工程教工第一党支部花名册"], ["王小明", "张丽"], ["陈刚"]),
    "group_leader": (["第一党小组花名册"], ["王小明"], ["张丽", "陈刚"]),
    "observer": (["组织机构"], ["只读查看", "光电系党总支", "信电系党总支"], []),
    "member": (["您好，王小明同志", "我的信息"], ["光学工程教工第一党支部"], ["张丽", "陈刚"]),
    "other_member": (["您好，陈刚同志", "我的信息"], ["信电本科生第四党支部"], ["王小明"]),
}


@pytest.mark.parametrize("role", list(HOMES))
def test_each_role_logs_in_through_the_form_and_sees_own_home(page: Page, live_server, cast, role):
    user = getattr(cast, role)
    headings, texts, absent = HOMES[role]

    log_in(page, live_server, user.username)

    expect_home(page, live_server)
    # The header names the person who is signed in and offers to sign out.
    expect(page.locator("body > header")).to_contain_text(str(user))
    expect(page.get_by_role("button", name="退出")).to_be_visible()
    main = page.locator("main")
    for heading in headings:
        expect(main.get_by_role("heading", name=heading)).to_be_visible()
    for text in texts:
        expect(main.get_by_text(text).first).to_be_visible()
    for text in absent:
        expect(main).not_to_contain_text(text)


def test_wrong_password_is_refused_with_a_chinese_message(page: Page, live_server, cast):
    log_in(page, live_server, cast.member.username, "not-the-password")

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("密码")
    expect(page.get_by_label("密码")).to_be_visible()
    # Nobody was signed in: home still asks for the login form.
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_logout_ends_the_session(page: Page, live_server, cast):
    log_in(page, live_server, cast.secretary.username)
    expect_home(page, live_server)

    page.get_by_role("button", name="退出").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/"))
    expect(page.get_by_label("密码")).to_be_visible()
    assert not [c for c in page.context.cookies() if c["name"] == "sessionid"]


def test_language_switch_turns_the_page_english_and_back(page: Page, live_server, cast):
    log_in(page, live_server, cast.member.username)
    expect_home(page, live_server)
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "zh-hans")

    page.get_by_role("button", name="English").click()

    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{live_server.url}/")
    page.reload()  # the choice is remembered
    expect(html).to_have_attribute("lang", "en")

    page.get_by_role("button", name="中文").click()

    expect(html).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("button", name="English")).to_be_visible()


def test_login_page_fits_a_phone_without_sideways_scrolling(page: Page, live_server, cast):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("button", name="登录")).to_be_visible()

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # And the member's home page after signing in on the phone.
    log_in(page, live_server, cast.member.username)
    expect_home(page, live_server)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
