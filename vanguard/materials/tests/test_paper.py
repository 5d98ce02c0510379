"""The paper forms (issue 15, point 6), read back as a person reads them: the
appraisal sheets (测评表) name the candidates and the four grades and nothing that
could tell one voter's sheet from another's; the tally sheet (汇总表) has the
candidates × grades and the counters' signature lines and leads to the one page where
its totals are typed in; the written-survey form (征求意见表) has the survey's aspects
for each member, in PDF and Word, and no name field."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from vanguard.ballots import services as ballot_services
from vanguard.ballots.tests import factories as ballot_factories
from vanguard.materials.paper import documents, selectors
from vanguard.meetings.tests.factories import education_campaign
from vanguard.opinions.intake import services as intake_services
from vanguard.organization.models import Member

pytestmark = pytest.mark.django_db

GRADES = ("优秀", "合格", "基本合格", "不合格")


def _pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def _text(content: bytes) -> str:
    return re.sub(r"\s+", "", "".join(_pages(content)))


def _probationary(org) -> Member:
    return Member.objects.create(
        name="赵预备",
        number="T0009",
        branch=org.branch_a1,
        category=Member.Category.FACULTY,
        standing=Member.Standing.PROBATIONARY,
    )


def _session(org):
    return ballot_factories.session_for(org.branch_a1)


def test_each_sheet_names_the_candidates_and_grades_and_nothing_of_its_voter(client, org, cast):
    _probationary(org)
    session = _session(org)
    client.force_login(cast.secretary)

    response = client.get(reverse("materials:paper_sheets", args=[session.pk]), {"copies": 4})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 4
    texts = [page.extract_text() for page in reader.pages]
    text = re.sub(r"\s+", "", texts[0])
    assert "民主评议党员测评表" in text
    for name in ("李书记", "王小明", "张丽"):
        assert name in text
    for grade in GRADES:
        assert grade in text
    assert "赵预备" not in text  # probationary: votes, is not graded
    assert "本表不写姓名" in text
    # Every sheet is the same page: the same text, the same drawing, byte for byte.
    assert len(set(texts)) == 1
    assert len({page.get_contents().get_data() for page in reader.pages}) == 1


def test_the_page_offers_as_many_sheets_as_voters_and_refuses_a_bad_number(client, org, cast):
    _probationary(org)
    session = _session(org)
    client.force_login(cast.secretary)

    page = client.get(reverse("materials:paper_ballot", args=[session.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="copies"' in html and 'value="4"' in html  # 3 formal + 1 probationary vote
    assert "应参加评议 4 人，评定等次的正式党员 3 人" in html
    assert reverse("materials:paper_tally", args=[session.pk]) in html

    url = reverse("materials:paper_sheets", args=[session.pk])
    for value, message in (
        ("0", "测评表份数至少为 1"),
        ("abc", "测评表份数须是整数"),
        ("501", "测评表份数最多为 500"),
        ("", "请填写测评表份数"),
    ):
        response = client.get(url, {"copies": value})
        assert response.status_code == 400, value
        assert message in response.content.decode(), value
        assert response["Content-Type"].startswith("text/html")


def test_once_the_vote_is_open_the_sheet_follows_the_frozen_roll(client, org, cast):
    session = _session(org)
    ballot_services.session_open(session=session, user=cast.secretary)
    Member.objects.create(
        name="后来者",
        number="T0100",
        branch=org.branch_a1,
        category=Member.Category.FACULTY,
        standing=Member.Standing.FORMAL,
    )
    sheet = selectors.ballot_sheet(session)
    assert sheet.candidates == ["李书记", "王小明", "张丽"]
    assert sheet.voters == 3
    client.force_login(cast.secretary)
    response = client.get(reverse("materials:paper_sheets", args=[session.pk]), {"copies": 1})
    assert "后来者" not in _text(response.content)


def test_a_voter_who_does_not_run_the_vote_may_not_print_its_sheets(client, org, cast):
    session = _session(org)
    ballot_services.session_open(session=session, user=cast.secretary)
    client.force_login(cast.member)  # on the roll: sees the session, does not run it
    assert client.get(reverse("ballots:detail", args=[session.pk])).status_code == 200
    for name in ("materials:paper_ballot", "materials:paper_tally"):
        assert client.get(reverse(name, args=[session.pk])).status_code == 403
    assert (
        client.get(reverse("materials:paper_sheets", args=[session.pk]), {"copies": 1}).status_code
        == 403
    )


def test_the_tally_sheet_has_the_grid_the_signatures_and_the_way_to_enter_it(client, org, cast):
    _probationary(org)
    session = _session(org)
    client.force_login(cast.secretary)

    response = client.get(reverse("materials:paper_tally", args=[session.pk]))

    assert response.status_code == 200
    text = _text(response.content)
    assert "民主评议党员测评汇总表" in text
    for word in (*GRADES, "未评定", "合计", "计票人（签字）", "监票人（签字）", "李书记", "张丽"):
        assert word in text, word
    assert "应参加评议4人" in text
    assert "纸质选票票数" in text  # where the totals are typed in, once
    assert "赵预备" not in text


def test_the_session_page_leads_to_the_paper_forms_and_after_the_close_to_the_entry(
    client, org, cast
):
    session = _session(org)
    client.force_login(cast.secretary)
    detail = client.get(reverse("ballots:detail", args=[session.pk])).content.decode()
    assert reverse("materials:paper_ballot", args=[session.pk]) in detail
    page = client.get(reverse("materials:paper_ballot", args=[session.pk])).content.decode()
    assert reverse("ballots:paper", args=[session.pk]) not in page  # nothing to enter yet

    ballot_services.session_open(session=session, user=cast.secretary)
    ballot_services.session_close(session=session, user=cast.secretary)
    page = client.get(reverse("materials:paper_ballot", args=[session.pk])).content.decode()
    # The totals are entered once, on the ballots app's page: the only way in.
    assert reverse("ballots:paper", args=[session.pk]) in page


def test_many_candidates_still_lay_out_with_every_name():
    sheet = selectors.BallotSheet(
        session_id=1,
        unit_name="控制系仪表所党支部",
        campaign_name="民主评议党员",
        campaign_year=2026,
        held_on=None,
        candidates=[f"党员{i:02d}" for i in range(1, 61)],
        voters=70,
    )
    single = documents.appraisal_sheets_pdf(sheet, copies=1)
    pages = len(PdfReader(io.BytesIO(single)).pages)
    assert pages == 2
    double = documents.appraisal_sheets_pdf(sheet, copies=3)
    assert len(PdfReader(io.BytesIO(double)).pages) == 3 * pages
    text = _text(single)
    assert all(f"党员{i:02d}" in text for i in range(1, 61))
    assert "党员60" in _text(documents.tally_sheet_pdf(sheet))


def _survey(org):
    education_campaign(org.committee)
    return intake_services.survey_create(branch=org.branch_a1, title="2026年书面调查")


def test_the_survey_form_asks_each_aspect_about_each_member_and_not_who_answers(client, org, cast):
    survey = _survey(org)
    aspects = [a.name for a in intake_services.aspects_for(survey.campaign)]
    assert len(aspects) == 8
    client.force_login(cast.secretary)

    pdf_response = client.get(reverse("materials:paper_survey_pdf", args=[survey.pk]))
    assert pdf_response.status_code == 200
    text = _text(pdf_response.content)
    assert "征求意见表" in text and "2026年书面调查" in text
    for aspect in aspects:
        assert aspect in text
    for rating in ("好", "较好", "一般", "较差", "具体意见"):
        assert rating in text
    for name in ("李书记", "王小明", "张丽"):
        assert f"对{name}同志的意见" in text
    assert "本表不填写姓名" in text
    assert "填表人" not in text and "姓名：" not in text

    docx_response = client.get(reverse("materials:paper_survey_docx", args=[survey.pk]))
    assert docx_response.status_code == 200
    assert "attachment" in docx_response["Content-Disposition"]
    document = Document(io.BytesIO(docx_response.content))
    assert len(document.tables) == 3  # one per member
    for table in document.tables:
        assert [row.cells[0].text for row in table.rows] == ["方面", *aspects]
        assert [c.text for c in table.rows[0].cells] == [
            "方面",
            "好",
            "较好",
            "一般",
            "较差",
            "具体意见",
        ]
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    assert "对 王小明 同志的意见" in paragraphs
    assert "本表不填写姓名" in paragraphs


def test_the_survey_page_offers_the_paper_form(client, org, cast):
    survey = _survey(org)
    client.force_login(cast.secretary)
    html = client.get(reverse("opinions:survey_detail", args=[survey.pk])).content.decode()
    assert reverse("materials:paper_survey_pdf", args=[survey.pk]) in html
    assert reverse("materials:paper_survey_docx", args=[survey.pk]) in html
    # A member of the branch gathers no opinions: no form for them.
    client.force_login(cast.member)
    assert client.get(reverse("materials:paper_survey_pdf", args=[survey.pk])).status_code == 403
