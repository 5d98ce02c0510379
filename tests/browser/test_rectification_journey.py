"""Rectification (整改) in a real browser (issue 14, "Done when"): a member on a phone
opens 我的整改计划, finds their feedback sheet's points, writes an item for each on the
same screen (the five clarities) and submits the plan; their branch secretary, at a
desk, returns it with a reason; the member reads the reason, revises an item and
submits again; the secretary approves it; the member records progress with a photo
taken on the phone (its GPS position is not kept) and marks the item done; the
secretary verifies it; and the member sees it 已验收. No page shows who gave an
opinion, nothing is refused by the CSP, nothing fails, nothing runs sideways."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, ViewportSize, expect

from conftest import PASSWORD
from tests.browser import rectification_journey_data as data
from tests.browser.test_pages_look import SCREENS, Watch, look
from vanguard.rectification.models import Item, Plan, Update

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
SHOTS = Path("/tmp/h6-shots")
TALK_MEASURE = "每月与两名学生谈心，记下他们的想法和困难。"
BOX_MEASURE = "在组织生活会上先讲自己的问题。"
BOX_MEASURE_REVISED = "在下次组织生活会上先讲自己的三个问题，并请同志们当面批评。"
REASON = "第二条措施太笼统：写清楚在哪次会上讲、讲几个问题。"
PROGRESS = "本月与两名本科生谈心，已记入谈心记录本（见照片）。"
VERIFY_NOTE = "谈心记录齐全，学生反映良好，同意销号。"

WATCHES: list[Watch] = []


def log_in(browser: Browser, live_server, username: str, viewport: ViewportSize) -> Page:
    """A logged-in page of the given size; its CSP refusals, script errors and failed
    requests are collected and checked at the end of the journey."""
    page = browser.new_context(
        locale="zh-CN", viewport=viewport, is_mobile=viewport == PHONE
    ).new_page()
    WATCHES.append(Watch(page))
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{live_server.url}/")
    return page


def shot(page: Page, name: str) -> None:
    """The project's look (styles loaded, nothing wider than the screen), and a copy of
    the screenshot for a person to look at."""
    look(page, name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(SCREENS / f"{name}.png", SHOTS / f"{name}.png")


def no_source(page: Page) -> None:
    text = page.content()
    for marker in data.SOURCES:
        assert marker not in text, marker


def item_card(page: Page, text: str):
    return page.locator("li.item-card").filter(has_text=text)


def write_item_for(page: Page, point: str, measure: str, standard: str, days: int) -> None:
    """From a sheet point, the item form on the same screen, prefilled with the point."""
    page.locator("li.point").filter(has_text=point).get_by_role(
        "link", name="针对这条写整改事项"
    ).click()
    form = page.locator("#item-form")
    expect(form.get_by_label("存在问题")).to_have_value(point)
    expect(form.locator(".link-choices input:checked")).to_have_count(1)
    form.get_by_label("整改措施").fill(measure)
    form.get_by_label("完成标准").fill(standard)
    deadline = datetime.date.today() + datetime.timedelta(days=days)
    form.get_by_label("完成时限").fill(deadline.isoformat())
    form.get_by_label("培养学生").check()
    form.get_by_role("button", name="添加事项").click()
    expect(page.locator("main")).to_contain_text("已添加整改事项")
    expect(item_card(page, measure)).to_contain_text(point)


def open_notification(page: Page, live_server, text: str) -> None:
    page.goto(live_server.url + reverse("notices:inbox"))
    page.locator("ul.notifications li").filter(has_text=text).first.get_by_role(
        "button", name="查看"
    ).click()


@pytest.mark.django_db(transaction=True)
def test_member_writes_plan_from_sheet_on_phone_secretary_returns_approves_verifies(
    browser: Browser, live_server, org, cast
):
    data.sheet_points(org, cast)
    name = cast.member_record.name

    # 1. The member, on a phone, opens 我的整改计划 and finds the sheet's points.
    member = log_in(browser, live_server, cast.member.username, PHONE)
    member.locator(".mainnav summary", has_text="整改").click()  # the menu's group
    member.get_by_role("link", name="我的整改计划").click()
    expect(member.get_by_role("heading", name="我的整改计划", level=1)).to_be_visible()
    points = member.locator(".sheet-points")
    for point in data.POINTS:
        expect(points).to_contain_text(point)
    no_source(member)
    shot(member, "rectification-1-sheet-points-phone")

    # 2. An item for each point, written on the same screen, then the plan submitted.
    write_item_for(member, data.TALK_POINT, TALK_MEASURE, "全年谈心记录不少于十二次", 60)
    shot(member, "rectification-2-first-item-phone")
    write_item_for(member, data.BOX_POINT, BOX_MEASURE, "会议记录中有本人的自我批评", 30)
    expect(member.locator(".sheet-points .badge.ok")).to_have_count(2)  # 已有 1 条事项
    member.get_by_label("整改思路").fill("从联系学生和开展批评两方面整改。")
    member.get_by_role("button", name="提交审阅").click()
    expect(member.locator(".lead .badge")).to_have_text("已提交，待审阅")
    no_source(member)
    shot(member, "rectification-3-submitted-phone")
    plan = Plan.objects.get(member=cast.member_record)
    assert plan.items.count() == 2 and plan.items.filter(links__isnull=False).count() == 2

    # 3. The branch secretary, at a desk, is told, opens the plan and returns it.
    secretary = log_in(browser, live_server, cast.secretary.username, DESKTOP)
    open_notification(secretary, live_server, f"{name}提交了整改计划")
    expect(secretary.get_by_role("heading", name=f"整改计划 · {name}")).to_be_visible()
    expect(secretary.locator("main")).to_contain_text(data.TALK_POINT)
    no_source(secretary)
    secretary.get_by_label("退回修改").check()
    secretary.get_by_label("退回理由").fill(REASON)
    shot(secretary, "rectification-4-review-desktop")
    secretary.get_by_role("button", name="提交审阅结论").click()
    expect(secretary.locator(".lead .badge")).to_have_text("退回修改")

    # 4. The member reads the reason, revises the second item and submits again.
    member.reload()
    expect(member.locator(".return-reason")).to_contain_text(REASON)
    shot(member, "rectification-5-returned-phone")
    item_card(member, BOX_MEASURE).get_by_role("button", name="修改").click()
    expect(member.get_by_role("heading", name="修改整改事项")).to_be_visible()
    member.get_by_label("整改措施").fill(BOX_MEASURE_REVISED)
    shot(member, "rectification-6-edit-item-phone")
    member.get_by_role("button", name="保存").click()
    expect(item_card(member, BOX_MEASURE_REVISED)).to_be_visible()
    member.get_by_role("button", name="提交审阅").click()
    expect(member.locator(".lead .badge")).to_have_text("已提交，待审阅")

    # 5. The secretary, told of the resubmission, approves it.
    open_notification(secretary, live_server, "重新提交了整改计划")
    expect(secretary.locator("main")).to_contain_text(BOX_MEASURE_REVISED)
    secretary.get_by_label("审核通过").check()
    secretary.get_by_role("button", name="提交审阅结论").click()
    expect(secretary.locator(".lead .badge")).to_have_text("已审核通过")

    # 6. The member records progress on the first item with a photo from the phone,
    #    then marks the item done.
    member.reload()
    expect(member.locator(".lead .badge")).to_have_text("已审核通过")
    card = item_card(member, TALK_MEASURE)
    card.get_by_text("记录进展").click()
    card.get_by_label("进展情况").fill(PROGRESS)
    card.get_by_label("佐证材料").set_input_files(
        files=[{"name": "谈心记录.jpg", "mimeType": "image/jpeg", "buffer": data.photo_with_gps()}]
    )
    card.get_by_label("事项状态").select_option(label="进行中")
    shot(member, "rectification-7-update-form-phone")
    card.get_by_role("button", name="保存进展").click()
    expect(member.locator("main")).to_contain_text("已记录进展")
    card = item_card(member, TALK_MEASURE)
    expect(card.locator(".update-list")).to_contain_text(PROGRESS)
    expect(card.get_by_role("link", name="佐证材料：谈心记录.jpg")).to_be_visible()
    update = Update.objects.get(item__plan=plan)
    with update.evidence.open("rb") as stored:
        kept = stored.read()
    assert kept.startswith(b"\xff\xd8") and not data.has_gps(kept), "the photo kept its GPS"
    served = member.request.get(
        live_server.url + reverse("rectification:update_evidence", args=[update.pk])
    )
    assert served.ok and not data.has_gps(served.body())
    card.get_by_role("button", name="标记为已完成").click()
    expect(item_card(member, TALK_MEASURE).locator(".item-line")).to_contain_text("已完成")
    shot(member, "rectification-8-done-phone")

    # 7. The secretary verifies the item.
    secretary.reload()
    card = item_card(secretary, TALK_MEASURE)
    card.get_by_label("验收通过").check()
    card.get_by_label("验收意见").fill(VERIFY_NOTE)
    shot(secretary, "rectification-9-verify-desktop")
    card.get_by_role("button", name="提交验收结论").click()
    expect(secretary.locator("main")).to_contain_text("已验收")
    item = Item.objects.get(plan=plan, measure=TALK_MEASURE)
    assert item.status == Item.Status.VERIFIED and item.verified_by == cast.secretary

    # 8. The member sees the item verified, with the secretary's note.
    member.reload()
    card = item_card(member, TALK_MEASURE)
    expect(card.locator(".item-line")).to_contain_text("已验收")
    expect(card).to_contain_text(VERIFY_NOTE)
    no_source(member)
    shot(member, "rectification-10-verified-phone")

    problems = [p for watch in WATCHES for p in watch.problems]
    WATCHES.clear()
    assert problems == []
