"""The demo secretary downloads their branch's meeting record book (支部大会记录本), and it
holds what the branch did: every meeting of the campaign the demo recorded for it, with
its attendance, and the required meetings it has not held yet named 未召开; a branch
that voted without a recorded appraisal meeting shows the vote's page, its published
counts and nothing more (issue 15: "the three materials … match what the branch did")."""

from __future__ import annotations

import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from vanguard.accounts.models import User
from vanguard.ballots import services as ballots
from vanguard.ballots.models import AppraisalSession
from vanguard.campaigns.models import Campaign
from vanguard.demo.campaigns import CAMPAIGN_NAME
from vanguard.demo.common import DEMO_BRANCH
from vanguard.demo.grading import APPROVED_BRANCH
from vanguard.demo.tests.kept_demo import kept_demo
from vanguard.materials.meeting_book import document, selectors
from vanguard.meetings import selectors as meeting_selectors
from vanguard.meetings import services as meetings
from vanguard.meetings.models import Meeting, MeetingAttendance
from vanguard.organization.models import Member, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_of_the_module(django_db_setup, django_db_blocker):
    with kept_demo(django_db_blocker):
        yield Campaign.objects.get(name=CAMPAIGN_NAME).pk


@pytest.fixture
def demo(demo_of_the_module, db):
    return Campaign.objects.get(pk=demo_of_the_module)


def flat(text: str) -> str:
    return text.replace("\n", "").replace(" ", "")


def _download(client: Client, campaign: Campaign, branch: Unit) -> tuple[str, str]:
    """The book as the secretary downloads it: the PDF's text and the Word file's."""
    pdf = client.get(reverse("materials:meeting_book_pdf", args=[campaign.pk, branch.pk]))
    assert pdf.status_code == 200
    reader = PdfReader(io.BytesIO(pdf.content))
    word = client.get(reverse("materials:meeting_book_docx", args=[campaign.pk, branch.pk]))
    assert word.status_code == 200
    doc = Document(io.BytesIO(word.content))
    word_text = "\n".join(
        [p.text for p in doc.paragraphs]
        + [c.text for t in doc.tables for r in t.rows for c in r.cells]
    )
    return flat("\n".join(p.extract_text() for p in reader.pages)), flat(word_text)


def test_the_demo_secretary_downloads_their_branchs_book_and_it_holds_its_meetings(demo):
    """The demo leaves the secretary's branch with no meeting yet (recording its
    mobilisation meeting is their next step): the book says so; once they record it,
    the book holds it as recorded."""
    branch = Unit.objects.get(name=DEMO_BRANCH, kind=Unit.Kind.BRANCH)
    secretary = User.objects.get(username="secretary")
    client = Client()
    client.force_login(secretary)
    index = client.get(reverse("materials:meeting_book_index"))
    assert [b.name for b in index.context["page"].object_list] == [DEMO_BRANCH]

    held = Meeting.objects.filter(campaign=demo, unit=branch, held_at__lte=timezone.now())
    text, word_text = _download(client, demo, branch)
    if not held.exists():
        assert "本活动中本支部尚未召开会议。" in text
        assert "以下必开会议未召开：支部动员会、民主评议会、等级评定会。" in text
        assert "以下必开会议未召开：支部动员会、民主评议会、等级评定会。" in word_text

    phase = meeting_selectors.phase_for_kind(campaign=demo, kind=Meeting.Kind.MOBILISATION)
    assert phase is not None
    day = phase.starts_on + datetime.timedelta(days=5)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(19, 0)))
    absent = Member.objects.filter(branch=branch, is_active=True).exclude(user=secretary).first()
    meetings.meeting_create(
        unit=branch,
        kind=Meeting.Kind.MOBILISATION,
        title=f"{DEMO_BRANCH}动员会",
        held_at=start,
        ends_at=start + datetime.timedelta(hours=2, minutes=30),
        actor=secretary,
        place="光电楼 305",
        agenda="传达分析评议阶段部署",
        absences={absent.pk: "出差"},
    )
    text, word_text = _download(client, demo, branch)
    for meeting in held.order_by("held_at"):
        rows = MeetingAttendance.objects.filter(meeting=meeting)
        present = rows.filter(status="present").count()
        counts = f"应到{rows.count()}人，实到{present}人，缺席{rows.count() - present}人"
        for found in (text, word_text):
            assert flat(meeting.title) in found
            assert counts in found
        for row in rows.filter(status="absent").select_related("member"):
            assert f"{row.member.name}（{flat(row.reason)}）" in text
    assert f"{absent.name}（出差）" in text
    assert "19:00—21:30" in text and "【必开会议】支部动员会" in text
    assert "以下必开会议未召开：民主评议会、等级评定会。" in text
    assert "以下必开会议未召开：民主评议会、等级评定会。" in word_text


def test_a_branch_that_voted_shows_the_votes_published_counts(demo):
    branch = Unit.objects.get(name=APPROVED_BRANCH, kind=Unit.Kind.BRANCH)
    session = AppraisalSession.objects.get(campaign=demo, unit=branch)
    tally = ballots.compute_tally(session=session)
    book = selectors.meeting_book(campaign=demo, branch=branch)
    [page] = [p for p in book.meetings if p.votes]
    [vote] = page.votes
    assert vote.published == tally.published
    assert vote.ballots == tally.total_ballots
    assert sum(sum(c.counts) for c in vote.candidates) == sum(
        sum(c.counts.values()) for c in tally.candidates
    )
    text = flat(
        "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(document.book_pdf(book))).pages)
    )
    assert f"收回有效选票{tally.total_ballots}张" in text
