"""The written survey (书面调查) in a real browser, on a phone (issue 10, finding 11):
the secretary issues a link; the respondent opens it as the invitation gives it,
answers about two members, submits and sees the thank-you; the answers are stored.

Chromium sends `Origin: null` on a form POST from a page whose referrer policy is
`no-referrer`, and Django's CSRF check refuses it: this journey is what a unit test
with Django's client (which sends no Origin) cannot see."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_login import expect_home, log_in
from tests.browser.test_pages_look import Watch, look
from vanguard.opinions.models import Survey, SurveyAnswer, SurveyInvitation
from vanguard.opinions.tests import factories_feedback as factories

PHONE = {"width": 390, "height": 844}


def phone(browser: Browser) -> tuple[Page, Watch]:
    page = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True).new_page()
    return page, Watch(page)


def rate(page: Page, member: str, aspect: str, rating: str, comment: str = "") -> None:
    section = page.locator("details.survey-member").filter(
        has=page.locator("summary", has_text=member)
    )
    if section.get_attribute("open") is None:
        section.locator("summary").click()
    row = section.locator("fieldset.survey-aspect").filter(
        has=page.locator("legend", has_text=aspect)
    )
    row.get_by_label(rating, exact=True).check()
    if comment:
        row.locator("textarea").fill(comment)


@pytest.mark.django_db(transaction=True)
def test_respondent_answers_the_survey_from_the_invite_link_on_a_phone(
    browser: Browser, live_server, org, cast
):
    factories.campaign(org)
    base = live_server.url

    # 1. The secretary starts the survey and issues a link, on their phone.
    secretary, secretary_watch = phone(browser)
    log_in(secretary, live_server, cast.secretary.username)
    expect_home(secretary, live_server)
    secretary.goto(base + reverse("opinions:survey_list"))
    secretary.get_by_label("支部").select_option(value=str(org.branch_a1.pk))
    secretary.get_by_label("标题（可不填）").fill("征求意见问卷")
    secretary.get_by_role("button", name="发起").click()
    survey = Survey.objects.get(title="征求意见问卷")
    expect(secretary).to_have_url(base + reverse("opinions:survey_detail", args=[survey.pk]))
    # A member of the branch is ticked from its roster (nobody types a name Vanguard
    # holds); someone outside the Party is typed.
    secretary.get_by_label(cast.member_record.name, exact=True).check()
    secretary.get_by_label("党外调查对象（每行一个姓名）").fill("群众乙")
    look(secretary, "survey-invite-phone")
    secretary.get_by_role("button", name="生成链接").click()
    link = secretary.locator(".survey-link-url a")
    expect(link).to_have_count(2)
    expect(secretary.get_by_text(cast.member_record.name)).not_to_have_count(0)
    url = link.nth(1).inner_text().strip()  # 群众乙's (the Party members' come first)
    assert re.fullmatch(re.escape(base) + r"/o/survey/[A-Za-z0-9_-]{20,}/", url), url
    look(secretary, "survey-links-phone")
    # The links page's own forms work too: the secretary signs out from it.
    secretary.get_by_role("button", name="退出").click()
    expect(secretary.get_by_role("button", name="登录")).to_be_visible()
    secretary.context.close()

    # 2. The respondent, with no account, opens the link on a phone and answers.
    respondent, watch = phone(browser)
    respondent.goto(url)
    expect(respondent.get_by_role("heading", name="征求意见问卷")).to_be_visible()
    colleague, member = cast.colleague_record.name, cast.member_record.name
    rate(respondent, colleague, "政治思想", "好", "政治坚定，带头学习。")
    rate(respondent, colleague, "工作作风", "一般", "有时拖拉。")
    rate(respondent, member, "团结协作", "较好")
    look(respondent, "survey-form-phone")
    respondent.get_by_role("button", name="提交问卷").click()

    # 3. The thank-you, and the answers are stored.
    expect(respondent.get_by_role("heading", name="谢谢您参加调查")).to_be_visible()
    expect(respondent).to_have_url(base + reverse("opinions_public:survey_thanks"))
    look(respondent, "survey-thanks-phone")
    rows = {a.subject_member.name: a for a in SurveyAnswer.objects.select_related("subject_member")}
    assert set(rows) == {colleague, member}
    assert rows[colleague].ratings == {"political": "good", "style": "average"}
    assert rows[colleague].comments == {"political": "政治坚定，带头学习。", "style": "有时拖拉。"}
    assert rows[member].ratings == {"unity": "fair"}
    assert SurveyInvitation.objects.get(respondent="群众乙").used
    assert not SurveyInvitation.objects.get(respondent=cast.member_record.name).used
    # Nothing refused on the way: no CSP refusal, no failed request, no 403.
    assert secretary_watch.problems == [] and watch.problems == []

    # The link, opened again, says it was used; its language switch still works.
    respondent.goto(url)
    expect(respondent.get_by_role("heading", name="问卷链接不能使用")).to_be_visible()
    respondent.get_by_role("button", name="English").click()
    expect(respondent.locator("html")).to_have_attribute("lang", "en")
    look(respondent, "survey-used-phone")
    # Closed before the live server stops: a kept-alive connection's request thread
    # would otherwise close the test's shared database connection from another thread.
    respondent.context.close()
