"""The drafted campaign review report for the demo college (issue 15, point 5): the
outline of the seed's review, every figure the same as the page a person reads it on
(the dashboard, the opinion statistics, the college ledger) or as the rows counted
straight, the examples the committee ticked and no others, the charts embedded, and
nothing of who gave what or who voted how."""

from __future__ import annotations

import io
import re

import pytest
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from docx import Document

from vanguard.accounts.models import User
from vanguard.campaigns.models import Campaign
from vanguard.demo.campaigns import CAMPAIGN_NAME
from vanguard.demo.tests.kept_demo import kept_demo
from vanguard.grading.models import BranchGrading, GradeProposal
from vanguard.materials.report.models import ReportSelection
from vanguard.meetings.models import Meeting
from vanguard.rectification.models import Donation, Idea
from vanguard.supervision.models import NoteAssessment

pytestmark = pytest.mark.django_db

HEADINGS_1 = [
    "一、基本情况",
    "二、各阶段工作情况",
    "三、主要做法和经验",
    "四、存在的问题",
    "五、下一步工作",
]
HEADINGS_2 = ["（一）学习动员阶段", "（二）党性分析、民主评议阶段", "（三）整改提高阶段"]


@pytest.fixture(scope="module")
def demo_of_the_module(django_db_setup, django_db_blocker):
    with kept_demo(django_db_blocker):
        yield Campaign.objects.get(name=CAMPAIGN_NAME).pk


@pytest.fixture
def demo(demo_of_the_module, db):
    return Campaign.objects.get(pk=demo_of_the_module)


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _draft(client: Client, campaign: Campaign):
    response = client.get(reverse("materials:report_download", args=[campaign.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    return Document(io.BytesIO(response.content))


def _text(document) -> str:
    return "\n".join(paragraph.text for paragraph in document.paragraphs)


def _table(document, head: str) -> dict[str, str]:
    """The table whose first header cell reads `head`, as {first cell: second cell}."""
    for table in document.tables:
        if table.rows[0].cells[0].text == head:
            return {row.cells[0].text: row.cells[1].text for row in table.rows[1:]}
    raise AssertionError(head)


def _row_cells(html: str, head: str) -> list[str]:
    row = re.search(
        rf"<tr[^>]*>\s*<th scope=\"row\">(?:<a [^>]*>)?{re.escape(head)}(?:</a>)?</th>(.*?)</tr>",
        html,
        re.S,
    )
    assert row is not None, head
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    ]


def test_the_draft_follows_the_seeds_outline(demo):
    document = _draft(_client("committee"), demo)
    by_style = {"Heading 1": [], "Heading 2": []}
    for paragraph in document.paragraphs:
        if paragraph.style.name in by_style:
            by_style[paragraph.style.name].append(paragraph.text)
    assert by_style["Heading 1"] == HEADINGS_1
    assert by_style["Heading 2"][:3] == HEADINGS_2
    assert document.paragraphs[0].text == f"{demo.name}工作回顾"
    # Every figure table is a real table; no field that would prompt when opened.
    assert len(document.tables) >= 6
    assert b"w:fldChar" not in document.part.blob and b"w:fldSimple" not in document.part.blob


def test_the_figures_are_the_dashboards_and_the_ledgers(demo):
    client = _client("committee")
    document = _draft(client, demo)
    text = _text(document)
    basics = _table(document, "项目")

    # The dashboard (/campaigns/): the college's branches and members.
    page = client.get(reverse("campaigns:dashboard"), {"campaign": demo.pk})
    college = page.context["root"] or page.context["rows"][0]
    assert basics["党支部"] == str(college.branch_count) == "41"
    assert basics["党员"] == str(college.members_total)
    assert basics["制定学习讨论计划的支部"] == str(college.branch_count - college.without_plan)

    # Meetings by kind and phase, counted straight from the rows: the seed's two
    # all-member meetings, three secretaries' and five leading-group meetings.
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "会议")
    totals = {row.cells[0].text: row.cells[-1].text for row in table.rows[1:]}
    held = {
        str(label): str(Meeting.objects.filter(campaign=demo, kind=kind).count())
        for kind, label in Meeting.Kind.choices
        if Meeting.objects.filter(campaign=demo, kind=kind).exists()
    }
    assert totals == held
    assert "先后召开2次全体党员大会、3次党支部书记会议" in text
    assert "召开5次党总支书记和领导小组会议" in text

    # Notes read by the college's supervision (查阅了…位党员的读书笔记).
    read = NoteAssessment.objects.filter(campaign=demo, level=NoteAssessment.Level.COLLEGE).count()
    assert f"学院督查组查阅了{read}位党员的读书笔记" in text

    # Opinions by channel: what the committee reads on the opinion statistics page.
    stats = client.get(reverse("opinions:dashboard"), {"campaign": demo.pk})
    by_channel = dict(stats.context["by_channel"])
    channels = _table(document, "征求意见渠道")
    assert channels == {label: str(n) for label, n in by_channel.items()}
    assert basics["征求意见"] == str(sum(by_channel.values()))

    # Grades: the approved ones, counted straight.
    approved = (
        GradeProposal.objects.filter(
            grading__campaign=demo, grading__status=BranchGrading.Status.APPROVED
        )
        .values_list("grade")
        .annotate(n=Count("pk"))
    )
    grades = _table(document, "等级")
    assert sum(int(n) for n in grades.values()) == sum(n for _g, n in approved) > 0
    assert basics["等级经党委审批的党员"] == str(sum(n for _g, n in approved))

    # Rectification: the college ledger's total row, as the committee reads it.
    ledger = client.get(reverse("rectification:ledger", args=[demo.pk])).content.decode()
    cells = _row_cells(ledger, "合计")
    rectification = _table(document, "整改计划和事项")
    written, _members = cells[0].split("/")
    assert rectification["写出书面整改计划的党员"] == written
    assert rectification["已审批的党员整改计划"] == cells[1]
    assert rectification["已审批的支部整改计划"] == cells[2].split("/")[0]
    assert [rectification[k] for k in ("计划中", "进行中", "已完成", "已验收")] == cells[3:7]
    assert rectification["逾期未完成"] == cells[7]


def test_the_charts_are_embedded_as_pictures(demo):
    document = _draft(_client("committee"), demo)
    assert len(document.inline_shapes) == 4  # weekly work, channels, grades, rectification
    images = [part for part in document.part.package.parts if part.content_type == "image/png"]
    assert len(images) == 4 and all(part.blob.startswith(b"\x89PNG") for part in images)


def test_the_chosen_examples_go_in_and_the_others_do_not(demo):
    client = _client("committee")
    page = client.get(reverse("materials:report", args=[demo.pk]))
    assert page.status_code == 200
    groups = page.context["groups"]
    candidates = [c for _label, found in groups for c in found]
    kinds = {c.kind for c in candidates}
    assert {"activity", "plans", "study", "round", "exemplar", "meeting"} <= kinds
    donation = next(c for c in candidates if "特殊党费" in c.title)
    ideas = next(c for c in candidates if "金点子" in c.title)
    left_out = next(c for c in candidates if c.kind == "round")
    response = client.post(
        reverse("materials:report", args=[demo.pk]), {"chosen": [ideas.ref, donation.ref]}
    )
    assert response.status_code == 302
    chosen = list(ReportSelection.objects.filter(campaign=demo).values_list("ref", "order"))
    assert chosen == [(ideas.ref, 1), (donation.ref, 2)]

    text = _text(_draft(client, demo))
    assert ideas.text in text and donation.text in text
    assert text.index(ideas.text) < text.index(donation.text)  # the committee's order
    assert "1310" in text
    assert left_out.text not in text

    # Nothing of who gave how much, or who gave which idea.
    amounts = {f"{line.amount:.2f}" for line in Donation.objects.filter(activity__campaign=demo)}
    assert not [amount for amount in amounts if amount in text]
    named = Idea.objects.filter(activity__campaign=demo, author__isnull=False)
    assert named.exists()
    assert not [idea.author.name for idea in named if idea.author.name in text]


def test_a_choice_that_is_not_a_candidate_is_refused_and_nothing_is_written(demo):
    client = _client("committee")
    ReportSelection.objects.filter(campaign=demo).delete()
    response = client.post(
        reverse("materials:report", args=[demo.pk]), {"chosen": ["opinion:1", "activity:999999"]}
    )
    assert response.status_code == 400
    assert "不在候选事例之中" in response.content.decode()
    assert not ReportSelection.objects.filter(campaign=demo).exists()


def test_the_observer_reads_the_page_and_the_draft_but_chooses_nothing(demo):
    client = _client("observer")
    page = client.get(reverse("materials:report", args=[demo.pk]))
    assert page.status_code == 200
    assert "保存选用的事例" not in page.content.decode()
    assert (
        client.post(reverse("materials:report", args=[demo.pk]), {"chosen": []}).status_code == 403
    )
    assert _draft(client, demo).paragraphs[0].text == f"{demo.name}工作回顾"
