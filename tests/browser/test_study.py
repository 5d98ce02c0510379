"""The study journeys in a real browser: a member on a phone writes a reading note in
the editor and uploads a reflection as a PDF; the secretary puts the sign-in QR code
on the projector, a member signs in from their phone, and the count goes up."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from conftest import PASSWORD
from vanguard.study.models import Attendance, StudyWork
from vanguard.study.tests import factories

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def campaign(org):
    return factories.make_campaign(org)


def rich_text(page: Page, name: str = "正文") -> Locator:
    """The rich-text editor that takes a textarea's place once editor.js has run (a
    deferred script): waited for first, so that a click never lands on the textarea the
    script is about to hide — a race seen in CI under load, where the click then waited
    30 s on a hidden element."""
    expect(page.locator(".rich-editor").first).to_be_visible()
    return page.get_by_role("textbox", name=name)


def log_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    fill_login(page, username)
    expect(page).to_have_url(f"{live_server.url}/")


def fill_login(page: Page, username: str) -> None:
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_member_on_a_phone_writes_a_note_and_uploads_a_reflection(
    page: Page, live_server, cast, campaign
):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.set_viewport_size(PHONE)
    log_in(page, live_server, cast.member.username)

    page.locator(".mainnav summary", has_text="学习").click()  # the menu's group
    page.get_by_role("link", name="学习", exact=True).click()
    expect(page.get_by_role("heading", name="我的学习")).to_be_visible()
    page.get_by_role("button", name="写读书笔记").click()

    expect(page.get_by_label("类型")).to_have_value("reading_note")
    page.get_by_role("textbox", name="标题", exact=True).fill("读《党章》第一章笔记")
    page.get_by_label("所学书目或材料").fill("《中国共产党章程》")
    editor = rich_text(page)
    editor.click()
    page.get_by_role("button", name="加粗").click()
    page.keyboard.type("全心全意为人民服务")
    page.keyboard.press("Enter")
    page.keyboard.type("<script>alert(1)</script>")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="提交").click()

    expect(page.get_by_role("status")).to_contain_text("已提交读书笔记“读《党章》第一章笔记”")

    page.get_by_role("button", name="写学习心得").click()
    expect(page.get_by_label("类型")).to_have_value("reflection")
    page.get_by_role("textbox", name="标题", exact=True).fill("学习心得：保持先进性")
    page.get_by_label("所学书目或材料").fill("《保持共产党员先进性教育读本》")
    page.get_by_label("上传文件（PDF、Word 或手写笔记的照片）").set_input_files(
        {"name": "心得.pdf", "mimeType": "application/pdf", "buffer": factories.PDF_BYTES}
    )
    page.get_by_role("button", name="提交").click()

    works = page.get_by_role("list", name="我提交的学习成果")
    expect(works.get_by_role("listitem")).to_have_count(2)
    expect(works).to_contain_text("读《党章》第一章笔记")
    expect(works).to_contain_text("学习心得：保持先进性")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    note = StudyWork.objects.get(kind="reading_note")
    assert "<b>全心全意为人民服务</b>" in note.body
    assert (
        "<p><b>&lt;script&gt;alert(1)&lt;/script&gt;</b></p>" in note.body
    )  # typed markup stays text
    assert StudyWork.objects.get(kind="reflection").attachment_type == "pdf"

    page.get_by_role("link", name="读《党章》第一章笔记").click()
    expect(page.locator("main")).to_contain_text("<script>alert(1)</script>")
    assert dialogs == []


def test_secretary_runs_a_qr_sign_in_and_the_count_goes_up(
    page: Page, browser: Browser, live_server, org, cast, campaign
):
    session = factories.make_session(org, topic="学习“两个务必”")
    log_in(page, live_server, cast.secretary.username)
    page.goto(f"{live_server.url}/study/sessions/{session.pk}/")
    page.get_by_role("button", name="扫码签到（投影）").click()

    expect(page.get_by_role("img", name="签到二维码")).to_be_visible()
    count = page.locator("#signed-in-count")
    expect(count).to_have_text("0")
    link = page.locator("#sign-in-link").get_attribute("href")
    assert link and re.search(rf"/study/sessions/{session.pk}/signin/\d+-[0-9a-f]+/$", link)

    phone = browser.new_context(viewport=PHONE, locale="zh-CN")
    try:
        member_page = phone.new_page()
        member_page.goto(link)
        # Not signed in yet: the login form, then straight back to the sign-in.
        expect(member_page.get_by_text("请先登录。登录后将自动为您签到。")).to_be_visible()
        fill_login(member_page, cast.member.username)
        expect(member_page.get_by_role("heading", name="签到成功")).to_be_visible()
        expect(member_page.locator("main")).to_contain_text("学习“两个务必”")

        expect(count).to_have_text("1", timeout=10_000)
        expect(page.locator(".signed-in-names")).to_contain_text("王小明")

        member_page.goto(link)
        expect(member_page.get_by_role("heading", name="已签到")).to_be_visible()
        expect(member_page.locator("main")).to_contain_text("无需重复签到")
    finally:
        phone.close()
    assert Attendance.objects.filter(session=session).count() == 1
