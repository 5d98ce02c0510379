"""Issue 15's first Done-when: "A secretary downloads the three materials of the demo
secretary's branch, and they match what the branch did." The demo `secretary` asks for
their branch's bundle (材料包) on the bundles page, follows the job page's link, and the
zip is read back against the branch's own rows:

* the meeting record book (支部大会记录本, PDF and Word) holds each meeting the demo
  recorded for the branch — its title, date, start and end, and its attendance counted
  from the attendance rows, the absent named with their reasons — and names the
  required meetings not held yet;
* the stage summaries (支部阶段工作小结) are there: the study phase's as the branch
  handed it in (the committee accepted it; no prompt left in it), the analysis phase's
  as a draft;
* the registration forms (党员评议登记表) are every active member's;
* README.txt lists exactly what is missing: the three required meetings and the draft
  summary — and, once the secretary records the mobilisation meeting, one line fewer.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from vanguard.accounts.models import User
from vanguard.ballots.models import AppraisalSession
from vanguard.campaigns.models import Campaign
from vanguard.demo.campaigns import CAMPAIGN_NAME
from vanguard.demo.common import DEMO_BRANCH
from vanguard.demo.materials import STUDY_WRITTEN
from vanguard.demo.tests.kept_demo import kept_demo
from vanguard.materials.bundles.build import safe_name
from vanguard.materials.stage_summary.document import file_stem
from vanguard.materials.stage_summary.models import SECTION_NAMES, StageSummary
from vanguard.meetings import services as meetings
from vanguard.meetings.models import Meeting, MeetingAttendance
from vanguard.organization.models import Member, Unit

pytestmark = pytest.mark.django_db

BOOK = "支部大会记录本"
SUMMARIES = "支部阶段工作小结"
FORMS = "党员评议登记表"
REQUIRED = (
    (Meeting.Kind.MOBILISATION, "支部动员会"),
    (Meeting.Kind.DEMOCRATIC_APPRAISAL, "民主评议会"),
    (Meeting.Kind.GRADE_RATING, "等级评定会"),
)


@pytest.fixture(scope="module")
def demo_of_the_module(django_db_setup, django_db_blocker):
    with kept_demo(django_db_blocker):
        yield Campaign.objects.get(name=CAMPAIGN_NAME).pk


@pytest.fixture
def demo(demo_of_the_module, db):
    return Campaign.objects.get(pk=demo_of_the_module)


@pytest.fixture
def branch(demo):
    return Unit.objects.get(name=DEMO_BRANCH, kind=Unit.Kind.BRANCH)


@pytest.fixture
def secretary(db):
    return User.objects.get(username="secretary")


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(content: bytes) -> str:
    return flat("".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages))


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    return flat(
        "\n".join(
            [p.text for p in document.paragraphs]
            + [c.text for t in document.tables for r in t.rows for c in r.cells]
        )
    )


def download_bundle(user: User, campaign: Campaign, branch: Unit) -> zipfile.ZipFile:
    """Through the pages, as the person would: the bundles page offers the branch, the
    form makes the job, the job's page links to the zip."""
    client = Client()
    client.force_login(user)
    home = client.get(reverse("materials:bundles"), {"campaign": campaign.pk})
    assert home.status_code == 200
    assert branch.name in home.content.decode()
    made = client.post(reverse("materials:bundles"), {"campaign": campaign.pk, "unit": branch.pk})
    assert made.status_code == 302, made.content.decode()[:500]
    job_page = client.get(made["Location"])
    assert job_page.status_code == 200
    link = re.search(r'href="([^"]+/download/)"', job_page.content.decode())
    assert link is not None, job_page.content.decode()[:2000]
    download = client.get(link.group(1))
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(download.getvalue()))
    assert archive.testzip() is None
    return archive


def readme_lines(archive: zipfile.ZipFile, heading: str) -> list[str]:
    """The "- …" lines under a heading of the branch's README.txt."""
    text = archive.read(f"{DEMO_BRANCH}/README.txt").decode("utf-8-sig").replace("\r\n", "\n")
    block = text.split(heading, 1)[1].split("\n\n", 1)[0]
    return [line[2:] for line in block.splitlines() if line.startswith("- ")]


def date_text(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def held_meetings(campaign: Campaign, branch: Unit) -> list[Meeting]:
    return list(
        Meeting.objects.filter(
            campaign=campaign, unit=branch, held_at__lte=timezone.now()
        ).order_by("held_at", "pk")
    )


def test_the_meeting_book_holds_each_meeting_the_demo_recorded_for_the_branch(
    demo, branch, secretary
):
    held = held_meetings(demo, branch)
    # The demo recorded the branch's study-phase meetings, as a branch keeps them.
    assert len(held) >= 2
    assert {m.phase.key for m in held} == {"study"}
    archive = download_bundle(secretary, demo, branch)
    book = pdf_text(archive.read(f"{DEMO_BRANCH}/{BOOK}.pdf"))
    word = docx_text(archive.read(f"{DEMO_BRANCH}/{BOOK}.docx"))

    for meeting in held:
        start = timezone.localtime(meeting.held_at)
        assert meeting.ends_at is not None, meeting.title
        end = timezone.localtime(meeting.ends_at)
        rows = MeetingAttendance.objects.filter(meeting=meeting)
        present = rows.filter(status=MeetingAttendance.Status.PRESENT).count()
        absent = list(
            rows.filter(status=MeetingAttendance.Status.ABSENT)
            .select_related("member")
            .order_by("member__number")
        )
        assert absent and all(row.reason for row in absent), meeting.title
        expected = [
            meeting.title,
            f"{date_text(start.date())}{start:%H:%M}—{end:%H:%M}",
            f"应到{rows.count()}人，实到{present}人，缺席{len(absent)}人",
            "；".join(f"{row.member.name}（{row.reason}）" for row in absent),
            meeting.place,
            meeting.host,
            meeting.recorder,
        ]
        expected += [flat(line) for line in meeting.agenda.splitlines()]
        expected += [flat(line) for line in meeting.decisions.splitlines()]
        for found in (book, word):
            for text in expected:
                assert text and flat(text) in found, (meeting.title, text)
        assert flat(meeting.minutes) in book

    # Nothing more than the demo recorded: the README counts the book's meetings.
    [line] = [line for line in readme_lines(archive, "本文件夹包含：") if line.startswith(BOOK)]
    assert line.endswith(f"（记载会议 {len(held)} 次）")
    closing = "以下必开会议未召开：支部动员会、民主评议会、等级评定会。"
    assert closing in book and closing in word


def test_the_stage_summaries_are_there_as_the_branch_handed_them_in(demo, branch, secretary):
    summaries = {
        s.phase.key: s
        for s in StageSummary.objects.filter(campaign=demo, branch=branch).select_related(
            "phase", "branch", "campaign"
        )
    }
    assert {key: s.state for key, s in summaries.items()} == {
        "study": StageSummary.State.ACCEPTED,
        "analysis": StageSummary.State.DRAFT,
    }
    study, analysis = summaries["study"], summaries["analysis"]
    # What the committee accepted is the version the branch submitted, as it was.
    accepted = study.versions.get()
    assert all(getattr(accepted, name) == getattr(study, name) for name in SECTION_NAMES)
    assert list(study.decisions.values_list("level", "verdict")) == [
        ("general_branch", "pass"),
        ("committee", "accept"),
    ]

    archive = download_bundle(secretary, demo, branch)
    held = readme_lines(archive, "本文件夹包含：")
    for summary, state in ((study, "党委已审定"), (analysis, "撰写中")):
        stem = safe_name(file_stem(summary))
        pdf = pdf_text(archive.read(f"{DEMO_BRANCH}/{SUMMARIES}/{stem}.pdf"))
        word = docx_text(archive.read(f"{DEMO_BRANCH}/{SUMMARIES}/{stem}.docx"))
        for found in (pdf, word):
            assert flat(summary.branch.name) in found
            for name in SECTION_NAMES:
                for line in getattr(summary, name).splitlines():
                    assert flat(line) in found, (summary.phase.key, name, line)
        assert f"{SUMMARIES}：{SUMMARIES}/{stem}.pdf、.docx（{state}）" in held
    # The branch wrote what only it can write, in place of the draft's prompts; the
    # analysis phase's draft still asks for them.
    study_text = pdf_text(archive.read(f"{DEMO_BRANCH}/{SUMMARIES}/{file_stem(study)}.pdf"))
    for written in STUDY_WRITTEN.values():
        assert flat(written) in study_text
    assert "【请补充" not in study_text
    assert "【请补充" in analysis.good_practice
    # The study phase's figures are the branch's: its two meetings of the phase.
    assert "召开会议2次" in flat(study.figures)


def test_the_registration_forms_are_every_active_members(demo, branch, secretary):
    members = list(Member.objects.filter(branch=branch, is_active=True).order_by("number"))
    assert len(members) > 10
    archive = download_bundle(secretary, demo, branch)
    forms = sorted(
        n
        for n in archive.namelist()
        if n.startswith(f"{DEMO_BRANCH}/{FORMS}/") and n.endswith(".docx")
    )
    assert forms == sorted(f"{DEMO_BRANCH}/{FORMS}/{m.number}-{m.name}.docx" for m in members)
    whole = pdf_text(archive.read(f"{DEMO_BRANCH}/{FORMS}/{FORMS}（全支部）.pdf"))
    for member in members:
        assert member.name in whole
        form = docx_text(archive.read(f"{DEMO_BRANCH}/{FORMS}/{member.number}-{member.name}.docx"))
        assert member.name in form
    held = readme_lines(archive, "本文件夹包含：")
    assert any(line.startswith(f"{FORMS}：全支部 {len(members)} 人") for line in held)


def test_the_readme_lists_exactly_what_is_missing(demo, branch, secretary):
    """The branch has not yet held its three required meetings (its vote is set up, not
    held), and its analysis phase's summary is a draft: exactly that is missing. Once
    the secretary records the mobilisation meeting — their next step — the bundle holds
    it and no longer asks for it."""
    recorded = {m.kind for m in held_meetings(demo, branch)}
    voted = AppraisalSession.objects.filter(
        campaign=demo, unit=branch, status=AppraisalSession.Status.CLOSED
    ).exists()
    assert not voted and not recorded & {kind for kind, _label in REQUIRED}
    draft = StageSummary.objects.get(campaign=demo, branch=branch, phase__key="analysis")
    draft_line = f"{SUMMARIES}：“{safe_name(file_stem(draft))}”尚未提交（撰写中），所附为草稿。"

    archive = download_bundle(secretary, demo, branch)
    assert readme_lines(archive, "尚缺或待办：") == [
        *(f"{BOOK}：尚未召开{label}。" for _kind, label in REQUIRED),
        draft_line,
    ]

    phase = demo.phases.get(key="analysis")
    start = timezone.make_aware(
        datetime.datetime.combine(phase.starts_on + datetime.timedelta(days=6), datetime.time(19))
    )
    meetings.meeting_create(
        unit=branch,
        kind=Meeting.Kind.MOBILISATION,
        title=f"{DEMO_BRANCH}动员会",
        held_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        actor=secretary,
        place="光电楼 305",
        agenda="传达分析评议阶段部署",
    )
    archive = download_bundle(secretary, demo, branch)
    assert readme_lines(archive, "尚缺或待办：") == [
        *(f"{BOOK}：尚未召开{label}。" for _kind, label in REQUIRED[1:]),
        draft_line,
    ]
    book = pdf_text(archive.read(f"{DEMO_BRANCH}/{BOOK}.pdf"))
    assert f"{DEMO_BRANCH}动员会" in book and "【必开会议】支部动员会" in book
