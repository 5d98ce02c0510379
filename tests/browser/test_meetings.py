"""Recording a meeting in a real browser, on a phone-sized screen: the branch secretary
signs in, records the branch's mobilisation meeting (支部动员会) with everyone present
by default and two members ticked absent with their reasons, and finds it in the
meeting list with the right counts. A date outside the analysis phase is refused
first, naming the date."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from conftest import PASSWORD, make_member
from vanguard.meetings.models import Meeting, MeetingAttendance
from vanguard.meetings.tests.factories import education_campaign

PHONE = {"width": 390, "height": 844}


def log_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{live_server.url}/")


def mark_absent(page: Page, name: str, reason: str) -> None:
    row = page.locator(".attendance-row", has_text=name)
    row.get_by_role("checkbox").check()
    row.get_by_role("textbox").fill(reason)


def test_secretary_records_a_mobilisation_meeting_with_two_absent_members(
    page: Page, live_server, org, cast
):
    education_campaign(org.committee)
    for n, name in enumerate(("刘洋", "周敏", "吴磊", "郑芳", "孙强"), start=10):
        make_member(name=name, number=f"T00{n}", branch=org.branch_a1)
    page.set_viewport_size(PHONE)
    log_in(page, live_server, cast.secretary.username)

    page.goto(f"{live_server.url}/meetings/")
    page.get_by_role("button", name="记录会议").click()
    expect(page.get_by_role("heading", name="记录会议")).to_be_visible()
    expect(page.get_by_label("会议类型")).to_have_value("mobilisation")
    expect(page.locator("#attendance legend")).to_contain_text("应到 8 人")

    page.get_by_label("会议名称").fill("光学工程教工第一党支部动员会")
    page.get_by_label("会议日期").fill("2026-04-20")  # still the study phase
    page.get_by_label("地点").fill("光电楼 305")
    page.get_by_label("主持人").fill("李书记")
    mark_absent(page, "张丽", "出差（北京）")
    mark_absent(page, "周敏", "生病请假")
    expect(page.locator(".attendance-summary")).to_have_text("实到 6 人，缺席 2 人")
    page.get_by_role("button", name="保存").click()

    # Refused, naming the date; nothing saved, and the ticks and reasons are kept.
    error = page.locator("#id_held_on_error")
    expect(error).to_contain_text("2026-04-20")
    expect(error).to_contain_text("分析评议")
    assert not Meeting.objects.exists()
    expect(page.locator(".attendance-row", has_text="张丽").get_by_role("textbox")).to_have_value(
        "出差（北京）"
    )

    page.get_by_label("会议日期").fill("2026-05-08")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", name="光学工程教工第一党支部动员会")).to_be_visible()
    expect(page.locator(".absent-list")).to_contain_text("张丽：出差（北京）")

    page.locator(".mainnav summary", has_text="学习").click()  # the menu's groups fold out
    page.get_by_role("link", name="会议", exact=True).first.click()
    row = page.get_by_role("row", name="光学工程教工第一党支部动员会")
    expect(row.get_by_role("cell")).to_have_text(
        [
            "2026-05-08 14:00",
            "光学工程教工第一党支部动员会",
            "支部动员会",
            "光学工程教工第一党支部",
            "8",
            "6",
            "2",
        ]
    )
    meeting = Meeting.objects.get()
    assert meeting.phase.key == "analysis"
    absent = MeetingAttendance.objects.filter(meeting=meeting, status="absent")
    assert sorted(absent.values_list("member__name", "reason")) == [
        ("周敏", "生病请假"),
        ("张丽", "出差（北京）"),
    ]
