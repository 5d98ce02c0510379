"""The branch meeting record book (支部大会记录本): a branch's meetings of the campaign,
read back from the PDF (pypdf) and the Word file (python-docx) as a secretary would
read them — every meeting with its times, counts, absences and texts, the required
meetings marked, the missing one named 未召开, the democratic appraisal meeting's
attendance and result from its vote and nothing of the vote beyond what the ballots
app publishes — in a fixed number of queries, for those who may read it."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from vanguard.ballots import services as ballots
from vanguard.ballots.models import AppraisalSession, RollEntry
from vanguard.ballots.tests import factories as f
from vanguard.materials.meeting_book import document, selectors
from vanguard.meetings import services as meetings
from vanguard.meetings.models import Meeting, MeetingAttendance
from vanguard.meetings.tests.factories import at, education_campaign
from vanguard.organization.models import Member

pytestmark = pytest.mark.django_db

EX, OK, BASIC, BAD = f.GRADES
VOTE_DAY = datetime.date(2026, 5, 21)


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def docx_text(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]

    def cells(table):
        for row in table.rows:
            for cell in row.cells:
                parts.append(cell.text)
                for inner in cell.tables:
                    cells(inner)

    for table in doc.tables:
        cells(table)
    return "\n".join(parts)


def flat(text: str) -> str:
    """Text without the line breaks a PDF's wrapping puts inside a long cell."""
    return text.replace("\n", "").replace(" ", "")


def _grow(org) -> list[Member]:
    """Three more formal members and one probationary in branch_a1 (the cast gives it
    李书记, 王小明, 张丽): seven on the roll."""
    extra = []
    for i, name in enumerate(("赵颂平", "钱卫东", "孙晓红")):
        extra.append(
            Member.objects.create(
                name=name,
                number=f"T01{i:02d}",
                branch=org.branch_a1,
                category=Member.Category.FACULTY,
                standing=Member.Standing.FORMAL,
                joined_on=datetime.date(2001, 7, 1),
            )
        )
    extra.append(
        Member.objects.create(
            name="周预备",
            number="T0199",
            branch=org.branch_a1,
            category=Member.Category.FACULTY,
            standing=Member.Standing.PROBATIONARY,
            joined_on=datetime.date(2026, 1, 1),
        )
    )
    return extra


def _mobilisation(org, cast):
    return meetings.meeting_create(
        unit=org.branch_a1,
        kind=Meeting.Kind.MOBILISATION,
        title="光学工程教工第一党支部动员会",
        held_at=at(datetime.date(2026, 5, 8), 14),
        ends_at=at(datetime.date(2026, 5, 8), 16),
        actor=cast.secretary,
        place="光电楼 305",
        host="李书记",
        recorder="张丽",
        agenda="一、传达学院党委部署\n二、布置征求意见",
        minutes="李书记传达学院党委关于分析评议阶段的部署。",
        decisions="两周内完成征求意见。",
        absences={cast.colleague_record.pk: "出差（北京）"},
    )


def _appraisal_meeting(org, cast) -> Meeting:
    """The 民主评议会 as recorded without attendance of its own (its attendance is the
    vote's door roll): 6 pm to 11 pm, as the seed's."""
    return Meeting.objects.create(
        campaign=education_campaign(org.committee),
        unit=org.branch_a1,
        kind=Meeting.Kind.DEMOCRATIC_APPRAISAL,
        title="民主评议会",
        held_at=at(VOTE_DAY, 18),
        ends_at=at(VOTE_DAY, 23),
        place="光电楼 305",
        host="李书记",
        recorder="张丽",
        agenda="一、个人总结\n二、民主评议投票",
        minutes="每位党员作个人总结，大家逐一评议，意犹未尽。",
        decisions="投票结果报党委。",
    )


def _vote(org, cast, meeting: Meeting | None, *, ballots_cast: int, absent: int = 2):
    """branch_a1 votes at the meeting: all but `absent` ticked present at the door, the
    first `ballots_cast` of them vote by card (candidate k's grade is digit k of the
    ballot's number in base 4), then the secretary closes the vote."""
    session = ballots.session_create(
        campaign=education_campaign(org.committee), unit=org.branch_a1, meeting=meeting
    )
    ballots.session_open(session=session, user=cast.secretary)
    cards = ballots.cards_issue(session=session, spares=0)
    roll = list(RollEntry.objects.filter(session=session).order_by("member__number"))
    for entry in roll[: len(roll) - absent]:
        ballots.roll_mark_present(session=session, member=entry.member)
    for n, card in enumerate(cards[:ballots_cast]):
        ballots.vote_by_card(session=session, code=card.code, grades=f.ballot_for(session, n))
    ballots.session_close(session=session, user=cast.secretary)
    opened = at(VOTE_DAY, 20)
    AppraisalSession.objects.filter(pk=session.pk).update(
        opened_at=opened, closed_at=opened + datetime.timedelta(minutes=45)
    )
    session.refresh_from_db()
    return session


def _recorded_before_votes_held_meetings(session):
    """The vote as one held before a vote recorded its meeting (faff373): no meeting
    linked, none made by it; such votes stay in the books of earlier years."""
    made = session.meeting
    AppraisalSession.objects.filter(pk=session.pk).update(meeting=None)
    if made is not None:
        made.delete()
    session.refresh_from_db()
    return session


@pytest.fixture
def held(org, cast):
    """branch_a1's campaign so far: the mobilisation meeting (张丽 away), a symposium,
    the democratic appraisal meeting with its vote (5 ballots of 7 on the roll); no
    grade rating meeting."""
    campaign = education_campaign(org.committee)
    _grow(org)
    mobilisation = _mobilisation(org, cast)
    symposium = meetings.meeting_create(
        unit=org.branch_a1,
        kind=Meeting.Kind.SYMPOSIUM,
        title="党内外群众座谈会",
        held_at=at(datetime.date(2026, 5, 12), 15),
        actor=cast.secretary,
        place="光电楼 101",
        minutes="听取学生代表的意见。",
    )
    appraisal = _appraisal_meeting(org, cast)
    session = _vote(org, cast, appraisal, ballots_cast=5)
    return campaign, mobilisation, symposium, appraisal, session


def test_the_pdf_holds_every_meeting_as_the_paper_book_does(org, cast, held):
    campaign, *_rest, session = held
    text = pdf_text(document.meeting_book_pdf(campaign=campaign, branch=org.branch_a1))
    flat_text = flat(text)
    assert "支部大会记录本" in text
    for heading in ("光学工程教工第一党支部", "光电系党总支", "信息学院党委", "2026"):
        assert heading in text
    assert "目录" in text
    for title in ("光学工程教工第一党支部动员会", "党内外群众座谈会", "民主评议会"):
        assert title in flat_text
    # Times, start to end; the symposium recorded no end.
    assert "2026年5月8日14:00—16:00" in flat_text
    assert "2026年5月21日18:00—23:00" in flat_text
    assert "2026年5月12日15:00" in flat_text
    # The mobilisation's own attendance, with the absent member and her reason.
    assert "应到7人，实到6人，缺席1人" in flat_text
    assert "张丽（出差（北京））" in flat_text
    assert "一、传达学院党委部署" in text and "两周内完成征求意见。" in flat_text
    # The three required meetings marked; the grade rating meeting not held.
    assert "【必开会议】支部动员会" in flat_text
    assert "【必开会议】民主评议会" in flat_text
    assert "【必开会议】等级评定会" not in flat_text
    assert "等级评定会" in flat_text and "未召开" in text


def test_the_word_book_has_the_same_content(org, cast, held):
    campaign, *_rest = held
    pdf = flat(pdf_text(document.meeting_book_pdf(campaign=campaign, branch=org.branch_a1)))
    word = flat(docx_text(document.meeting_book_docx(campaign=campaign, branch=org.branch_a1)))
    for expected in (
        "支部大会记录本",
        "2026年5月8日14:00—16:00",
        "2026年5月21日18:00—23:00",
        "应到7人，实到6人，缺席1人",
        "张丽（出差（北京））",
        "【必开会议】支部动员会",
        "【必开会议】民主评议会",
        "一、个人总结",
        "意犹未尽",
        "未召开",
        "以下必开会议未召开：等级评定会。",
    ):
        assert expected in pdf, expected
        assert expected in word, expected


def test_the_appraisal_meeting_takes_its_attendance_and_result_from_the_vote(org, cast, held):
    campaign, _mobilisation, _symposium, appraisal, session = held
    book = selectors.meeting_book(campaign=campaign, branch=org.branch_a1)
    page = next(p for p in book.meetings if p.kind == Meeting.Kind.DEMOCRATIC_APPRAISAL)
    roll = list(RollEntry.objects.filter(session=session).select_related("member"))
    absent = sorted(e.member.name for e in roll if not e.present)
    # The close wrote the door roll as the meeting's attendance: entered once.
    assert page.attendance.source == selectors.FROM_MEETING
    assert (page.attendance.expected, page.attendance.present) == (7, 5)
    assert sorted(a.name for a in page.attendance.absences) == absent
    text = flat(pdf_text(document.meeting_book_pdf(campaign=campaign, branch=org.branch_a1)))
    assert "应到7人，实到5人，缺席2人" in text and "收回有效选票5张" in text
    # A meeting of an earlier year, recorded without attendance: the vote's roll is it.
    MeetingAttendance.objects.filter(meeting=appraisal).delete()
    book = selectors.meeting_book(campaign=campaign, branch=org.branch_a1)
    page = next(p for p in book.meetings if p.kind == Meeting.Kind.DEMOCRATIC_APPRAISAL)
    assert page.attendance.source == selectors.FROM_VOTE
    assert (page.attendance.expected, page.attendance.present) == (7, 5)
    assert sorted(a.name for a in page.attendance.absences) == absent
    tally = ballots.compute_tally(session=session)
    [vote] = page.votes
    assert vote.published and vote.ballots == 5
    assert [(c.name, c.counts) for c in vote.candidates] == [
        (c.name, [c.counts[g] for g in f.GRADES]) for c in tally.candidates
    ]
    assert vote.not_graded == ["周预备"]
    text = flat(pdf_text(document.meeting_book_pdf(campaign=campaign, branch=org.branch_a1)))
    assert "以下出勤据民主评议投票的到会名册" in text
    assert "应到7人，实到5人，缺席2人" in text
    assert "收回有效选票5张" in text
    assert "、".join(a.name for a in page.attendance.absences) in text
    assert "名册不记录缺席原因" in text
    # The meeting's own attendance, once recorded, is what the book shows.
    MeetingAttendance.objects.create(meeting=appraisal, member=cast.member_record, status="present")
    book = selectors.meeting_book(campaign=campaign, branch=org.branch_a1)
    page = next(p for p in book.meetings if p.kind == Meeting.Kind.DEMOCRATIC_APPRAISAL)
    assert page.attendance.source == selectors.FROM_MEETING
    assert page.attendance.expected == 1


def test_no_vote_detail_beyond_the_published_counts(org, cast):
    """Two ballots (below the secrecy minimum of 3): the book says how many ballots and
    why there are no counts, and holds no count per candidate, no receipt, no order."""
    campaign = education_campaign(org.committee)
    appraisal = _appraisal_meeting(org, cast)
    session = _vote(org, cast, appraisal, ballots_cast=2, absent=0)
    receipts = ballots.receipts_published(session=session)
    reason = ballots.compute_tally(session=session).withheld_reason
    for content in (
        pdf_text(document.meeting_book_pdf(campaign=campaign, branch=org.branch_a1)),
        docx_text(document.meeting_book_docx(campaign=campaign, branch=org.branch_a1)),
    ):
        text = flat(content)
        assert "收回有效选票2张" in text
        assert flat(reason) in text
        for grade in ("优秀", "基本合格", "不合格"):
            assert grade not in text
        assert not any(receipt in text for receipt in receipts)
        assert "登录投票" not in text


def test_the_vote_meets_the_appraisal_meeting_of_its_day_when_it_names_none(org, cast):
    campaign = education_campaign(org.committee)
    _appraisal_meeting(org, cast)
    _recorded_before_votes_held_meetings(_vote(org, cast, None, ballots_cast=3, absent=0))
    book = selectors.meeting_book(campaign=campaign, branch=org.branch_a1)
    [page] = book.meetings
    assert page.title == "民主评议会" and len(page.votes) == 1


def test_a_vote_without_a_recorded_meeting_is_a_page_of_its_own_and_says_so(org, cast):
    campaign = education_campaign(org.committee)
    _mobilisation(org, cast)
    _recorded_before_votes_held_meetings(_vote(org, cast, None, ballots_cast=3, absent=0))
    book = selectors.meeting_book(campaign=campaign, branch=org.branch_a1)
    assert [p.kind for p in book.meetings] == ["mobilisation", "democratic_appraisal"]
    assert book.meetings[1].from_vote_only
    held = {r.kind: (r.held, r.from_vote_only) for r in book.required}
    assert held == {
        "mobilisation": (True, False),
        "democratic_appraisal": (True, True),
        "grade_rating": (False, False),
    }
    text = flat(pdf_text(document.book_pdf(book)))
    assert "本次会议未登记会议记录" in text
    assert "已投票评议，会议记录未登记" in text
    assert "以下必开会议未召开：等级评定会。" in text


def test_a_branch_without_meetings_has_a_book_that_says_none_was_held(org, cast):
    campaign = education_campaign(org.committee)
    text = flat(pdf_text(document.meeting_book_pdf(campaign=campaign, branch=org.branch_b1)))
    assert "本活动中本支部尚未召开会议。" in text
    assert "以下必开会议未召开：支部动员会、民主评议会、等级评定会。" in text
    word = flat(docx_text(document.meeting_book_docx(campaign=campaign, branch=org.branch_b1)))
    assert "以下必开会议未召开：支部动员会、民主评议会、等级评定会。" in word


def test_only_the_branchs_meetings_of_the_campaign_that_were_held(org, cast, held):
    campaign, *_rest = held
    meetings.meeting_create(
        unit=org.branch_b1,
        kind=Meeting.Kind.MOBILISATION,
        title="信电本科生第四党支部动员会",
        held_at=at(datetime.date(2026, 5, 9)),
        actor=cast.committee_admin,
    )
    Meeting.objects.create(
        campaign=campaign,
        unit=org.branch_a1,
        kind=Meeting.Kind.GRADE_RATING,
        title="等级评定会（筹备）",
        held_at=at(datetime.date(2099, 5, 9)),
    )
    titles = [
        p.title for p in selectors.meeting_book(campaign=campaign, branch=org.branch_a1).meetings
    ]
    assert titles == ["光学工程教工第一党支部动员会", "党内外群众座谈会", "民主评议会"]


def test_text_prints_as_written(org, cast):
    campaign = education_campaign(org.committee)
    meetings.meeting_create(
        unit=org.branch_a1,
        kind=Meeting.Kind.MOBILISATION,
        title="动员会 <b>&",
        held_at=at(datetime.date(2026, 5, 8)),
        actor=cast.secretary,
        minutes="<script>alert(1)</script> & 长" + "记" * 6000,
    )
    text = flat(pdf_text(document.meeting_book_pdf(campaign=campaign, branch=org.branch_a1)))
    assert "动员会<b>&" in text and "<script>alert(1)</script>&长" in text
    assert text.count("记") >= 6000
    word = docx_text(document.meeting_book_docx(campaign=campaign, branch=org.branch_a1))
    assert "<script>alert(1)</script>" in word


def _more_meetings(org, cast, n: int) -> None:
    for i in range(n):
        meetings.meeting_create(
            unit=org.branch_a1,
            kind=Meeting.Kind.SYMPOSIUM,
            title=f"座谈会 {i}",
            held_at=at(datetime.date(2026, 5, 13), 9) + datetime.timedelta(hours=i),
            actor=cast.secretary,
            absences={cast.colleague_record.pk: f"请假 {i}"},
        )


def test_the_book_is_read_in_the_same_queries_for_three_meetings_or_fifteen(org, cast, held):
    campaign, *_rest = held

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            selectors.meeting_book(campaign=campaign, branch=org.branch_a1)
        return len(captured.captured_queries)

    few = queries()
    _more_meetings(org, cast, 12)
    assert queries() == few
    assert len(selectors.meeting_book(campaign=campaign, branch=org.branch_a1).meetings) == 15


def test_the_secretary_downloads_the_pdf_and_the_word_file(client, org, cast, held):
    campaign, *_rest = held
    client.force_login(cast.secretary)
    args = [campaign.pk, org.branch_a1.pk]
    pdf = client.get(reverse("materials:meeting_book_pdf", args=args))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "attachment" in pdf["Content-Disposition"]
    assert "2026年5月21日18:00—23:00" in flat(pdf_text(pdf.content))
    word = client.get(reverse("materials:meeting_book_docx", args=args))
    assert word.status_code == 200
    assert "张丽（出差（北京））" in flat(docx_text(word.content))


def test_the_index_lists_the_branches_the_person_reads(client, org, cast, held):
    campaign, *_rest = held
    client.force_login(cast.gb_secretary)
    page = client.get(reverse("materials:meeting_book_index"))
    rows = {b.name: b.meetings_held for b in page.context["page"].object_list}
    assert rows == {"光学工程教工第一党支部": 3, "光电博士生党支部": 0}
    html = page.content.decode()
    assert reverse("materials:meeting_book_pdf", args=[campaign.pk, org.branch_a1.pk]) in html
    client.force_login(cast.secretary)
    listed = client.get(reverse("meetings:list")).content.decode()
    assert reverse("materials:meeting_book_index") in listed
    client.force_login(cast.member)
    assert (
        reverse("materials:meeting_book_index")
        not in client.get(reverse("meetings:list")).content.decode()
    )


def test_a_campaign_that_does_not_run_in_the_branch_or_is_a_draft_is_not_found(client, org, cast):
    elsewhere = education_campaign(org.gb_b)
    draft = education_campaign(org.gb_a)
    draft.status = "draft"
    draft.save()
    client.force_login(cast.committee_admin)
    for campaign in (elsewhere, draft):
        for name in ("materials:meeting_book_pdf", "materials:meeting_book_docx"):
            response = client.get(reverse(name, args=[campaign.pk, org.branch_a1.pk]))
            assert response.status_code == 404
    assert (
        client.get(reverse("materials:meeting_book_pdf", args=[elsewhere.pk, 999999])).status_code
        == 404
    )
