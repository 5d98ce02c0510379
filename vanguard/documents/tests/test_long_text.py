"""Any length of text lays out in every PDF (issue 10, finding 12): an opinion of
19,000 characters made the feedback sheet answer 500 (reportlab `LayoutError`: one
table row taller than a page) for the member and every officer. Each text here is
20,000 characters — prose, one unbroken run without space or punctuation, and many
short lines — and must come back whole from the PDF, over several pages."""

from __future__ import annotations

import io

import pypdf
import pytest
from django.urls import reverse
from reportlab import rl_config

from vanguard.documents import pdf
from vanguard.grading.registration_form import registration_form_pdf
from vanguard.grading.selectors_registration import RegistrationData
from vanguard.opinions.models import FeedbackAcknowledgement
from vanguard.opinions.tests import factories_feedback as f

pytestmark = pytest.mark.django_db

LENGTH = 20_000
TEXTS = {
    "prose": ("党员要联系群众，深入实际，认真听取意见。Work with the people, " * 400)[:LENGTH],
    "unbroken": ("批评与自我批评ABC123" * 2000)[:LENGTH],
    "lines": "\n".join(f"第{n}条意见" for n in range(4000))[:LENGTH],
}


def _pages(content: bytes) -> list[str]:
    """Each page's text with all white space removed (pypdf spaces Chinese freely)."""
    reader = pypdf.PdfReader(io.BytesIO(content))
    return ["".join(page.extract_text().split()) for page in reader.pages]


def _body(pages: list[str], footer: str, *repeated: str) -> str:
    """The pages' text in order, without what every page repeats (the footer with its
    page number, a table's header) and any other `repeated` string: the user's text
    runs on across them."""
    text = "".join(
        page.replace(_flat(footer) + str(number), "", 1) for number, page in enumerate(pages, 1)
    )
    for part in repeated:
        text = text.replace(_flat(part), "")
    return text


def _flat(text: str) -> str:
    return "".join(text.split())


def _prints_whole(text: str, body: str) -> bool:
    """Every character of the text, in order, in the PDF's text: pypdf reads a short
    cell beside a long one (a label, an opinion's kind) where it stands, inside the
    long text, so the text is checked as a subsequence — and its first and last
    hundred characters as they are."""
    flat = _flat(text)
    rest = iter(body)
    return all(c in rest for c in flat) and flat[:100] in body and flat[-100:] in body


@pytest.mark.parametrize("kind", list(TEXTS))
def test_a_long_opinion_prints_whole_on_the_feedback_sheet_for_the_member_and_officers(
    client, org, cast, kind, monkeypatch
):
    # Without the time and a random id in the file, the same sheet is the same bytes.
    # Each person's sheet is still fetched and checked, but bytes already read are not
    # read again (reading dozens of pages was most of this test's time).
    monkeypatch.setattr(rl_config, "invariant", 1)
    read: dict[bytes, list[str]] = {}
    campaign = f.campaign(org)
    text = TEXTS[kind]
    f.opinion(campaign, cast.member_record, text, kind="praise", aspect_key="style")
    f.opinion(campaign, cast.member_record, "备课认真负责", aspect_key="style")
    member_pdf = reverse("opinions:feedback_member_pdf", args=[cast.member_record.pk])
    for user, url in (
        (cast.member, reverse("opinions:feedback_pdf")),
        (cast.secretary, member_pdf),
        (cast.committee_admin, member_pdf),
    ):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, (user, response.status_code)
        if response.content not in read:
            read[response.content] = _pages(response.content)
        pages = read[response.content]
        assert len(pages) > 1, user
        # The row's other cells (kind 肯定表扬, channel 意见箱) are read out where they
        # stand beside the text.
        body = _body(
            pages,
            f"{cast.member_record.name} · 党员意见反馈表",
            "性质意见内容渠道",
            "肯定表扬",
            "意见箱",
        )
        assert _prints_whole(text, body), user
        assert "备课认真负责" in body  # the next opinion still follows


def test_long_survey_comments_and_response_print_whole(client, org, cast):
    campaign = f.campaign(org)
    comment = TEXTS["unbroken"]
    good = ({"style": "good"}, {"style": comment})
    f.survey(campaign, cast.member_record, [good, good, good])
    FeedbackAcknowledgement.objects.create(
        campaign=campaign, member=cast.member_record, response=TEXTS["lines"]
    )
    client.force_login(cast.member)
    response = client.get(reverse("opinions:feedback_pdf"))
    assert response.status_code == 200
    pages = _pages(response.content)
    assert len(pages) > 1
    body = _body(pages, f"{cast.member_record.name} · 党员意见反馈表")
    assert _prints_whole(comment, body) and _prints_whole(TEXTS["lines"], body)


def _registration(**texts: str) -> RegistrationData:
    return RegistrationData(
        member_id=1,
        name="王小明",
        number="T0002",
        category="教工",
        standing="正式党员",
        probationary=False,
        joined_on=None,
        branch_name="光学工程教工第一党支部",
        party_group_name="",
        campaign_name="民主评议党员",
        campaign_year=2026,
        initial_grade="合格",
        approved_grade="合格",
        **texts,
    )


@pytest.mark.parametrize("kind", list(TEXTS))
@pytest.mark.parametrize(
    "field", ["summary", "initial_rationale", "committee_opinion", "outcome_note"]
)
def test_every_long_text_of_the_registration_form_prints_whole(field, kind):
    text = TEXTS[kind]
    extra = {"outcome": "限期改正"} if field == "outcome_note" else {}
    data = _registration(**{field: text}, **extra)
    pages = _pages(registration_form_pdf(data))
    assert len(pages) > 1
    body = _body(pages, "王小明 · 党员评议登记表")
    assert _prints_whole(text, body)
    assert "党委审批意见" in body  # the form goes on after the long text


def test_thousands_of_blank_lines_do_not_print_pages_of_nothing():
    text = "开头" + "\n" * LENGTH + "结尾"
    for content in (
        registration_form_pdf(_registration(summary=text)),
        registration_form_pdf(_registration(initial_rationale=text)),
    ):
        pages = _pages(content)
        assert len(pages) <= 2
        assert "开头" in "".join(pages) and "结尾" in "".join(pages)


def test_pieces_are_the_text_and_each_fits_well_within_a_page():
    style = pdf.styles().cell
    width = 40  # points: a narrow column, two or three characters a line
    for text in TEXTS.values():
        parts = pdf.pieces(text, width=width, style=style)
        assert "".join(parts).replace("\n", "") == text.replace("\n", "")
        for part in parts:
            _w, height = pdf.para(part, style).wrap(width, 10_000)
            assert height < 400, (len(part), height)
