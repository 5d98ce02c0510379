"""The opinion journey in a real browser (issue 4, "Done when"): an outsider scans
the branch's QR poster and, on a phone and without an account, leaves an opinion
about a named member with their phone number; the branch secretary sorts it
(attaches it to the member, tags aspect and kind) without seeing the phone number,
which only the general-branch secretary above him sees; the member reads it on their
feedback sheet — with no contact, no source and no date — and acknowledges it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from conftest import PASSWORD
from vanguard.opinions.models import Opinion
from vanguard.opinions.tests import factories_feedback as f

PHONE = {"width": 390, "height": 844}
OPINION = "希望王小明同志多深入学生，少在办公室坐着😀"
CONTACT = "source-marker-13900000000"


@pytest.fixture
def campaign(org):
    return f.campaign(org)


def log_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{live_server.url}/")


def _box_url(live_server, campaign, branch) -> str:
    from vanguard.opinions.intake import services as services_intake

    slug = services_intake.box_slug(campaign, branch)
    return live_server.url + reverse("opinions_public:box", args=[slug])


def test_outsider_leaves_an_opinion_secretary_sorts_it_member_reads_it(
    browser: Browser, live_server, org, cast, campaign
):
    # The secretary's poster carries the box's public link (the QR code encodes it).
    box_url = _box_url(live_server, campaign, org.branch_a1)
    secretary_context = browser.new_context(locale="zh-CN")
    secretary = secretary_context.new_page()
    log_in(secretary, live_server, cast.secretary.username)
    secretary.goto(live_server.url + reverse("opinions:box_poster", args=[org.branch_a1.pk]))
    expect(secretary.locator("body")).to_contain_text(box_url.split("/o/")[1].rstrip("/"))

    # 1. An outsider on a phone, not logged in, opens the box and leaves an opinion.
    phone_context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True)
    phone = phone_context.new_page()
    phone.goto(box_url)
    expect(phone.get_by_role("heading", name="意见箱")).to_be_visible()
    phone.get_by_label("意见涉及").select_option(label="王小明")
    phone.get_by_label("意见或建议").fill(OPINION)
    phone.get_by_label("联系方式（可不填）").fill(CONTACT)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.get_by_role("button", name="提交意见").click()
    expect(phone.get_by_role("heading", name="谢谢您的意见")).to_be_visible()
    phone_context.close()

    opinion = Opinion.objects.get()
    assert opinion.status == Opinion.Status.NEW and opinion.contact == CONTACT

    # The general-branch secretary of the branch, who cannot be its subject, sees the source.
    above_context = browser.new_context(locale="zh-CN")
    above = above_context.new_page()
    log_in(above, live_server, cast.gb_secretary.username)
    above.goto(live_server.url + reverse("opinions:sorting") + f"?unit={org.branch_a1.pk}")
    expect(above.locator(f"#opinion-{opinion.pk}")).to_contain_text(CONTACT)
    above_context.close()

    # 2. The secretary sorts it: the member, the aspect 工作作风, a criticism.
    secretary.goto(live_server.url + reverse("opinions:sorting"))
    card = secretary.locator(f"#opinion-{opinion.pk}")
    expect(card).to_contain_text(OPINION)
    # The secretary is a member of the branch, so the opinion may be about him: he
    # sorts it without seeing where it came from (issue 10, finding 7).
    expect(card).not_to_contain_text(CONTACT)
    if card.get_by_label("意见对象").count() == 0:  # a large branch: sort on the detail page
        card.get_by_role("link", name="梳理").click()
        card = secretary.locator(f"#opinion-{opinion.pk}")
    card.locator("summary").filter(has_text="梳理").first.evaluate(
        "summary => { summary.parentElement.open = true; }"
    )
    card.get_by_label("意见对象").select_option(f"member:{cast.member_record.pk}")
    card.get_by_label("方面").select_option(label="工作作风")
    card.get_by_label("批评").check()
    card.get_by_role("button", name="保存梳理结果").click()
    card = secretary.locator(f"#opinion-{opinion.pk}")
    expect(card).to_contain_text("已梳理")
    expect(card.locator(".opinion-tags")).to_contain_text("王小明")
    secretary_context.close()

    opinion.refresh_from_db()
    assert opinion.status == Opinion.Status.SORTED
    assert opinion.subject_member == cast.member_record and opinion.kind == "criticism"

    # 3. The member reads it on their feedback sheet, with no contact, and acknowledges.
    member_context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True)
    member = member_context.new_page()
    log_in(member, live_server, cast.member.username)
    member.goto(live_server.url + reverse("opinions:feedback"))
    expect(member.get_by_role("heading", name="我的意见反馈")).to_be_visible()
    aspect = member.locator(".feedback-aspect").filter(
        has=member.get_by_role("heading", name="工作作风")
    )
    expect(aspect).to_contain_text(OPINION)
    expect(aspect).to_contain_text("批评")
    expect(aspect).to_contain_text("意见箱")
    html = member.content()
    assert CONTACT not in html and "13900000000" not in html
    assert not re.search(r"\d{4}-\d{2}-\d{2}", member.locator(".feedback-opinions").inner_text())
    assert member.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    member.get_by_label("如何回应（整改打算）").fill("多到学生中去，每周走访一次宿舍。")
    member.get_by_role("button", name="确认已阅").click()
    expect(member.get_by_test_id("feedback-acknowledged")).to_be_visible()
    expect(member.get_by_label("如何回应（整改打算）")).to_have_value(
        "多到学生中去，每周走访一次宿舍。"
    )
    member_context.close()
