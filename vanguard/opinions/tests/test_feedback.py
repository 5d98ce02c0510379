"""The feedback sheet (反馈表): a member reads the opinions about them, grouped by
aspect, with no source; survey aggregates only when they cannot give anyone away;
the member acknowledges the sheet; reviewers read it."""

from __future__ import annotations

import io
import re

import pypdf
import pytest
from django.urls import reverse

from vanguard.opinions.feedback import services as services_feedback
from vanguard.opinions.models import FeedbackAcknowledgement, Opinion, OpinionSettings
from vanguard.opinions.tests import factories_feedback as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(org):
    return f.campaign(org)


def _sheet(client, user, **params) -> str:
    client.force_login(user)
    response = client.get(reverse("opinions:feedback"), params)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    return response.content.decode()


def _no_source(html: str) -> None:
    for marker in f.MARKERS:
        assert marker not in html
    for date in ("2026-04-17", "2026-04", "4月17", "2026年4月", "Apr"):
        assert date not in html


def test_member_reads_opinions_about_them_by_aspect_without_source(client, cast, campaign):
    member = cast.member_record
    f.opinion(campaign, member, "备课认真负责", kind="praise", aspect_key="work")
    f.opinion(campaign, member, "工作作风有时急躁", aspect_key="style")
    f.opinion(campaign, member, "希望多参加组织生活", kind="suggestion", aspect_key=None)

    html = _sheet(client, cast.member)

    assert "备课认真负责" in html and "工作作风有时急躁" in html and "希望多参加组织生活" in html
    # Grouped by the campaign's aspect order; opinions without an aspect come last.
    assert html.index("学习工作（教学科研）") < html.index("工作作风") < html.index("其他")
    assert html.index("备课认真负责") < html.index("工作作风有时急躁") < html.index("希望多参加")
    _no_source(html)


def test_only_sorted_opinions_about_the_member_reach_the_sheet(client, cast, campaign):
    member = cast.member_record
    f.opinion(campaign, member, "已梳理的意见")
    f.opinion(campaign, member, "尚未梳理的意见", status=Opinion.Status.NEW)
    f.opinion(campaign, member, "搁置的意见", status=Opinion.Status.SET_ASIDE)
    f.opinion(campaign, member, "合并掉的重复意见", status=Opinion.Status.MERGED)
    f.opinion(campaign, cast.colleague_record, "关于张丽的意见")

    html = _sheet(client, cast.member)

    assert "已梳理的意见" in html
    for text in ("尚未梳理的意见", "搁置的意见", "合并掉的重复意见", "关于张丽的意见"):
        assert text not in html


def test_channel_is_shown_only_where_it_cannot_identify_the_source(client, cast, campaign):
    f.every_channel(campaign, cast.member_record)

    html = _sheet(client, cast.member)

    assert "（意见箱）" in html and "（座谈会）" in html
    assert "电子信箱" not in html and "个人交谈" not in html
    assert "邮件：批评与自我批评不够" in html and "谈话：联系群众不够" in html
    _no_source(html)


def test_order_inside_an_aspect_does_not_follow_the_order_of_intake(client, cast, campaign):
    texts = [f"第{n:02d}条意见" for n in range(20)]
    for text in texts:
        f.opinion(campaign, cast.member_record, text)

    html = _sheet(client, cast.member)
    shown = re.findall(r"第\d\d条意见", html)

    assert sorted(shown) == texts
    assert shown != texts and shown != texts[::-1]
    assert re.findall(r"第\d\d条意见", _sheet(client, cast.member)) == shown  # stable


GOOD = ({"style": "good", "work": "fair"}, {"style": "作风扎实"})
POOR = ({"style": "poor", "work": "fair"}, {"style": "有时急躁"})


def test_survey_aggregate_waits_for_enough_respondents_and_the_end_of_the_survey(
    client, cast, campaign
):
    survey = f.survey(campaign, cast.member_record, [GOOD, POOR], is_open=False)
    html = _sheet(client, cast.member)
    assert "作风扎实" not in html and "（2 人作答）" not in html
    assert "至少 3 人作答后显示" in html

    f.survey(campaign, cast.member_record, [GOOD, POOR, GOOD], is_open=True, title="第二份")
    html = _sheet(client, cast.member)
    assert "作风扎实" not in html and "（3 人作答）" not in html

    survey.answers.create(subject_member=cast.member_record, ratings=GOOD[0], comments={})
    html = _sheet(client, cast.member)
    assert "书面调查（3 人作答）" in html
    assert "作风扎实" in html and "有时急躁" in html
    # 工作作风: 2 好, 0 较好, 0 一般, 1 较差.
    row = re.search(r"<th scope=\"row\">工作作风</th>(.*?)</tr>", html).group(1)
    assert re.findall(r"<td>(\d+)</td>", row) == ["2", "0", "0", "1"]
    assert "第二份" not in html  # still open: not shown, nor pooled into the first


def test_min_respondents_is_set_per_campaign(client, cast, campaign):
    OpinionSettings.objects.create(campaign=campaign, min_respondents=4)
    f.survey(campaign, cast.member_record, [GOOD, POOR, GOOD])

    html = _sheet(client, cast.member)

    assert "作风扎实" not in html and "至少 4 人作答后显示" in html


def test_small_surveys_are_never_pooled_with_others(client, cast, campaign):
    """A survey of 3 shown beside "all surveys: 5" would give away the other 2."""
    f.survey(campaign, cast.member_record, [GOOD, GOOD, GOOD], title="第一轮")
    f.survey(campaign, cast.member_record, [POOR, POOR], title="第二轮", round=2)

    html = _sheet(client, cast.member)

    assert "第一轮（3 人作答）" in html
    assert "第二轮" not in html and "有时急躁" not in html and "5 人" not in html
    row = re.search(r"<th scope=\"row\">工作作风</th>(.*?)</tr>", html).group(1)
    assert re.findall(r"<td>(\d+)</td>", row) == ["3", "0", "0", "0"]


def test_survey_opinions_are_never_listed_one_by_one(client, cast, campaign):
    f.opinion(campaign, cast.member_record, "问卷里的一句话", channel="survey")

    assert "问卷里的一句话" not in _sheet(client, cast.member)


def test_member_acknowledges_the_sheet_once_and_may_update_the_response(client, cast, campaign):
    f.opinion(campaign, cast.member_record, "工作作风有时急躁")
    client.force_login(cast.member)
    url = reverse("opinions:feedback_acknowledge")

    response = client.post(url, {"campaign": campaign.pk, "response": "认真对照检查"})
    assert response.status_code == 302
    response = client.post(url, {"campaign": campaign.pk, "response": "制定整改措施，按期完成"})
    assert response.status_code == 302

    ack = FeedbackAcknowledgement.objects.get()
    assert (ack.member, ack.campaign) == (cast.member_record, campaign)
    assert ack.response == "制定整改措施，按期完成"
    html = client.get(response["Location"]).content.decode()
    assert "已确认" in html and "制定整改措施，按期完成" in html

    client.force_login(cast.secretary)
    html = client.get(
        reverse("opinions:feedback_member", args=[cast.member_record.pk])
    ).content.decode()
    assert "制定整改措施，按期完成" in html


def test_too_long_a_response_is_refused_with_a_message_and_changes_nothing(client, cast, campaign):
    services_feedback.feedback_acknowledge(
        member=cast.member_record, campaign=campaign, response="原来的回应"
    )
    client.force_login(cast.member)

    response = client.post(
        reverse("opinions:feedback_acknowledge"),
        {"campaign": campaign.pk, "response": "长" * 10_000},
    )

    assert response.status_code == 422
    assert "最多 5000 字" in response.content.decode()
    assert FeedbackAcknowledgement.objects.get().response == "原来的回应"


def test_script_in_an_opinion_is_shown_as_text(client, cast, campaign):
    f.opinion(campaign, cast.member_record, "<script>alert(1)</script>意见😀")

    html = _sheet(client, cast.member)

    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;意见😀" in html


def test_reviewers_of_the_branch_read_a_members_sheet_and_outsiders_do_not(client, cast, campaign):
    f.opinion(campaign, cast.member_record, "工作作风有时急躁")
    url = reverse("opinions:feedback_member", args=[cast.member_record.pk])
    for user in (cast.secretary, cast.branch_committee, cast.gb_secretary, cast.committee_admin):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, user
        assert "工作作风有时急躁" in response.content.decode()
        _no_source(response.content.decode())
    for user in (cast.group_leader, cast.other_member, cast.observer):
        client.force_login(user)
        assert client.get(url).status_code == 404, user


def _pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "".join(page.extract_text() for page in reader.pages)


def _embedded_fonts(content: bytes) -> set[str]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    found = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            if descriptor and any(
                k in descriptor.get_object() for k in ("/FontFile2", "/FontFile")
            ):
                found.add(str(target["/BaseFont"]))
    return found


def test_printable_pdf_has_the_opinions_in_chinese_and_no_source(client, cast, campaign):
    f.every_channel(campaign, cast.member_record)
    f.survey(campaign, cast.member_record, [GOOD, POOR, GOOD])
    client.force_login(cast.member)

    response = client.get(reverse("opinions:feedback_pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert "王小明" in text and "党员意见反馈表" in text
    assert "意见箱：工作作风需改进" in text and "谈话：联系群众不够" in text
    assert "作风扎实" in text  # a qualifying survey aggregate's comment
    for marker in f.MARKERS:
        assert marker not in text
    assert "电子信箱" not in text and "个人交谈" not in text and "2026" not in text
    assert _embedded_fonts(response.content), "the Chinese font must be embedded"


def test_api_gives_the_same_sheet_without_source(client, cast, campaign):
    f.every_channel(campaign, cast.member_record)
    client.force_login(cast.member)

    response = client.get("/api/v1/opinions/feedback")

    assert response.status_code == 200
    body = response.json()
    texts = [item["text"] for group in body["opinions"] for item in group["items"]]
    assert len(texts) == 4
    channels = {item["text"][:2]: item["channel"] for g in body["opinions"] for item in g["items"]}
    assert channels == {"意见": "意见箱", "邮件": "", "谈话": "", "座谈": "座谈会"}
    for marker in f.MARKERS:
        assert marker not in response.content.decode()


def test_api_acknowledgement_checks_the_length(client, cast, campaign):
    client.force_login(cast.member)

    ok = client.post(
        "/api/v1/opinions/feedback/acknowledgement",
        {"response": "对照检查"},
        content_type="application/json",
    )
    too_long = client.post(
        "/api/v1/opinions/feedback/acknowledgement",
        {"response": "长" * 6000},
        content_type="application/json",
    )

    assert ok.status_code == 200 and ok.json()["response"] == "对照检查"
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"].endswith("response")
    assert FeedbackAcknowledgement.objects.get().response == "对照检查"
