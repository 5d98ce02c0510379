"""One definition per figure (`materials.figures`): over the demo college, the drafted
report states the statistics workbook's 合计 row, and the demo secretary's branch's
stage summaries state that branch's row of the workbook — each document made as a
person makes it (the committee's workbook and report through their pages, the
secretary's summaries through theirs) and read back.

The one figure that differs on purpose: the stage summary is read by the branch's
officers and those above them, so it leaves out the opinions about any of them (the
opinions app never lets a person count the opinions about themself), while the
committee's workbook leaves out only the committee's own."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from vanguard.accounts.models import User
from vanguard.campaigns.models import Campaign, Phase
from vanguard.demo.campaigns import CAMPAIGN_NAME
from vanguard.demo.tests.kept_demo import kept_demo
from vanguard.materials import access
from vanguard.materials.stage_summary import services
from vanguard.materials.stage_summary.models import StageSummary
from vanguard.materials.workbook.models import WorkbookJob
from vanguard.meetings.models import Meeting
from vanguard.opinions.models import Opinion
from vanguard.organization.models import Unit

pytestmark = pytest.mark.django_db


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


@pytest.fixture
def workbook(demo):
    """The committee's workbook of the college: each sheet's header and data rows."""
    client = _client("committee")
    response = client.post(reverse("materials:workbook"), {"campaign": demo.pk, "unit": ""})
    assert response.status_code == 302
    job = WorkbookJob.objects.filter(created_by__username="committee").latest("pk")
    assert job.state == WorkbookJob.State.DONE, job.error
    download = client.get(reverse("materials:workbook_download", args=[job.pk]))
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    sheets = {}
    for sheet in book.worksheets[1:]:
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert rows[-1][0] == "合计"
        sheets[sheet.title] = (rows[0], rows[1:-1])
    return sheets


def _total(workbook, title: str, column: str) -> int:
    """The sheet's 合计 of a column (the SUM formula's value: openpyxl reads formulas)."""
    header, rows = workbook[title]
    index = header.index(column)
    return sum(row[index] or 0 for row in rows)


def _row(workbook, title: str, name: str) -> dict[str, Any]:
    header, rows = workbook[title]
    column = "党支部" if "党支部" in header else "组织"
    found = [
        dict(zip(header, row, strict=True)) for row in rows if row[header.index(column)] == name
    ]
    assert len(found) == 1, (title, name)
    return found[0]


@pytest.fixture
def report(demo):
    response = _client("committee").get(reverse("materials:report_download", args=[demo.pk]))
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    tables = {
        table.rows[0].cells[0].text: [[cell.text for cell in row.cells] for row in table.rows[1:]]
        for table in document.tables
    }
    return text, tables


def _pairs(tables, head: str) -> dict[str, int]:
    return {row[0]: int(row[-1]) for row in tables[head]}


def test_the_reports_figures_are_the_workbooks_totals(demo, workbook, report):
    text, tables = report
    basics = _pairs(tables, "项目")
    branches = workbook["支部进展"][1]
    assert basics["党支部"] == len(branches) == 41
    assert basics["党员"] == _total(workbook, "支部进展", "在册党员")
    assert basics["制定学习讨论计划的支部"] == _total(workbook, "支部进展", "有学习讨论计划")

    # Meetings by kind: the report's table (its 合计 column) and the workbook's sheet.
    meetings = _pairs(tables, "会议")
    header, _rows = workbook["会议"]
    kinds = header[3:-1]
    assert meetings == {
        kind: _total(workbook, "会议", kind) for kind in kinds if meetings.get(kind)
    }
    assert sum(meetings.values()) == _total(workbook, "会议", "合计") > 0

    # Study: works by kind, sessions and lectures, the members with notes.
    works = _pairs(tables, "学习成果")
    for kind in ("读书笔记", "学习心得", "论文"):
        assert works[kind] == _total(workbook, "学习", kind), kind
    sessions = _total(workbook, "学习", "学习讨论（次）")
    lectures = _total(workbook, "学习", "专题报告（次）")
    writers = _total(workbook, "学习", "提交读书笔记的党员")
    assert f"共组织学习讨论{sessions}次、专题报告{lectures}场" in text
    assert f"{writers}名党员撰写读书笔记{works['读书笔记']}篇" in text

    # Opinions by channel (the committee's own left out of both, as on its dashboard).
    channels = _pairs(tables, "征求意见渠道")
    for channel, n in channels.items():
        assert n == _total(workbook, "意见·渠道", channel), channel
    assert basics["征求意见"] == _total(workbook, "意见·渠道", "合计") > 0
    assert f"已梳理{_total(workbook, '意见·方面', '合计')}条" in text

    # Votes and grades: closed votes, approved grades by grade, never below the minimum.
    voted = sum(1 for row in workbook["评议与等级"][1] if row[2])
    assert (
        f"{voted}个党支部完成了民主评议投票（共{_total(workbook, '评议与等级', '已结束的表决')}场）"
        in text
    )
    grades = _pairs(tables, "等级")
    for grade, n in grades.items():
        assert n == _total(workbook, "评议与等级", grade), grade
    assert basics["等级经党委审批的党员"] == _total(workbook, "评议与等级", "党委审批人数") > 0

    # Rectification: the ledger's 合计, the branches' rows summed.
    plans = _pairs(tables, "整改计划和事项")
    for label, column in (
        ("写出书面整改计划的党员", "已写个人整改计划"),
        ("已审批的党员整改计划", "个人计划已审核通过"),
        ("已审批的支部整改计划", "支部计划已审核通过"),
        ("整改事项", "整改事项"),
        ("计划中", "计划中"),
        ("进行中", "进行中"),
        ("已完成", "已完成"),
        ("已验收", "已验收"),
        ("逾期未完成", "逾期"),
    ):
        assert plans[label] == _total(workbook, "整改", column), label


def numbers_in(text: str, label: str) -> int:
    """The number written right after `label` in a drafted line ("召开会议 3 次" → 3)."""
    found = re.search(re.escape(label) + r"\s*(\d+)", text)
    assert found, f"{label!r} not in {text!r}"
    return int(found.group(1))


def _line_of(text: str, label: str) -> str:
    return next(line for line in text.splitlines() if label in line)


@pytest.fixture
def summaries(demo):
    """The secretary's branch's stage summary of each phase, drafted through the page:
    {phase key: its figures section}."""
    secretary = User.objects.get(username="secretary")
    branch = secretary.member.branch
    client = _client("secretary")
    found = {}
    for phase in demo.phases.order_by("order"):
        response = client.post(
            reverse("materials:stage_summary_start"),
            {"campaign": demo.pk, "branch": branch.pk, "phase": phase.pk},
        )
        assert response.status_code == 302, phase.key
        summary = StageSummary.objects.get(campaign=demo, branch=branch, phase=phase)
        found[phase.key] = summary.figures
    return found


def test_the_branchs_stage_summaries_are_its_row_of_the_workbook(demo, workbook, summaries):
    branch = User.objects.get(username="secretary").member.branch
    name = branch.name
    study, analysis, rectification = (
        summaries[Phase.Key.STUDY],
        summaries[Phase.Key.ANALYSIS],
        summaries[Phase.Key.RECTIFICATION],
    )
    progress = _row(workbook, "支部进展", name)
    for text in summaries.values():
        assert numbers_in(text, "支部党员") == progress["在册党员"]

    # Each phase's requirements: met in the summary as in the workbook's column.
    requirements = _row(workbook, "各阶段要求", name)
    for phase in demo.phases.all():
        text = summaries[phase.key]
        asked, done = numbers_in(text, "本阶段检查要求"), numbers_in(text, "已完成")
        assert requirements[f"{phase.name}：达标"] == (1 if asked == done else 0), phase.key

    # Meetings: the phases' summaries together hold the branch's row, kind by kind.
    meetings = _row(workbook, "会议", name)
    assert sum(numbers_in(text, "召开会议") for text in summaries.values()) == meetings["合计"]
    lines = [_line_of(text, "召开会议") for text in summaries.values()]
    for _kind, label in Meeting.Kind.choices:
        held = sum(numbers_in(line, f"{label}") if f"{label} " in line else 0 for line in lines)
        assert held == meetings[str(label)], label

    # Study, in the study phase (every work and session of the demo falls in it).
    row = _row(workbook, "学习", name)
    assert numbers_in(study, "学习讨论") == row["学习讨论（次）"]
    assert numbers_in(study, "提交学习材料") == row["读书笔记"] + row["学习心得"] + row["论文"]
    assert numbers_in(study, "读书笔记") == row["读书笔记"]

    # Opinions: the workbook's row less those about the summary's readers.
    readers = access.stage_summary_readers(branch)
    about_readers = dict(
        Opinion.objects.filter(campaign=demo, branch=branch, subject_member__in=readers)
        .exclude(status=Opinion.Status.MERGED)
        .values_list("channel")
        .annotate(n=Count("pk"))
    )
    assert sum(about_readers.values()) > 0  # the demo exercises the rule
    by_channel = _row(workbook, "意见·渠道", name)
    opinions = _line_of(analysis, "征求意见")
    assert numbers_in(opinions, "征求意见") == by_channel["合计"] - sum(about_readers.values())
    for channel, label in Opinion.Channel.choices:
        expected = by_channel[str(label)] - about_readers.get(channel, 0)
        if expected:
            assert numbers_in(opinions, f"{label}") == expected, label
    sorted_about = Opinion.objects.filter(
        campaign=demo, branch=branch, subject_member__in=readers, status=Opinion.Status.SORTED
    ).count()
    assert (
        numbers_in(analysis, "已梳理") == _row(workbook, "意见·方面", name)["合计"] - sorted_about
    )

    # Self-analyses by round and state (三上三下).
    reviews = _row(workbook, "三上三下", name)
    rounds = sum(v for k, v in reviews.items() if k.startswith("第"))
    assert numbers_in(analysis, "党性分析材料") == rounds + reviews["党委已审批"]
    assert numbers_in(analysis, "党委已审批") == reviews["党委已审批"]
    assert numbers_in(analysis, "。支部审阅") == reviews["支部审阅次数"]
    assert numbers_in(analysis, "次，退回修改") == reviews["退回修改次数"]

    # The vote and the grades: the secretary's branch has not voted yet in the demo.
    votes = _row(workbook, "评议与等级", name)
    assert votes["已结束的表决"] == 0 and votes["党委审批人数"] == 0
    assert "民主评议投票：尚未进行。" in analysis and "等级评定：" not in analysis

    # Rectification: the ledger's row of the branch.
    plans = _row(workbook, "整改", name)
    assert numbers_in(rectification, "已制订") == plans["已写个人整改计划"]
    assert numbers_in(rectification, "审核通过") == plans["个人计划已审核通过"]
    assert numbers_in(rectification, "整改事项") == plans["整改事项"]
    assert numbers_in(rectification, "未开始") == plans["计划中"]
    assert numbers_in(rectification, "进行中") == plans["进行中"]
    assert numbers_in(rectification, "已完成") == plans["已完成"]
    assert numbers_in(rectification, "已验收") == plans["已验收"]
    assert numbers_in(rectification, "逾期未完成") == plans["逾期"]


def test_no_branch_row_shows_grades_by_grade_below_the_secrecy_minimum(demo, workbook):
    header, rows = workbook["评议与等级"]
    minimum = max(3, demo.ballot_secrecy_minimum)
    for row in rows:
        line = dict(zip(header, row, strict=True))
        shown = [line[g] for g in ("优秀", "合格", "基本合格", "不合格")]
        if line["党委审批人数"] and line["党委审批人数"] < minimum:
            assert shown == [None] * 4, line["党支部"]
        elif any(value is not None for value in shown):
            assert sum(shown) == line["党委审批人数"], line["党支部"]
    assert Unit.objects.filter(
        kind=Unit.Kind.BRANCH, path__startswith=demo.unit.path
    ).count() == len(rows)


def test_a_voted_branchs_summary_quotes_its_published_vote_and_grades_as_the_workbook(
    demo, workbook
):
    """A branch whose vote is published and whose grades the committee approved (the
    secretary's has not voted yet): its analysis summary's vote and grades are its row."""
    header, rows = workbook["评议与等级"]
    lines = [dict(zip(header, row, strict=True)) for row in rows]
    line = next(
        line
        for line in lines
        if line["公布结果的表决"] == line["已结束的表决"] == 1 and line["优秀"] is not None
    )
    branch = Unit.objects.get(name=line["党支部"], path__startswith=demo.unit.path)
    analysis = services.drafted_from_data(
        campaign=demo, branch=branch, phase=demo.phases.get(key=Phase.Key.ANALYSIS)
    )["figures"]
    assert numbers_in(analysis, "收回选票") == line["收回选票（公布结果的）"]
    assert numbers_in(analysis, "名册") == line["应参加人数（公布结果的）"]
    assert numbers_in(analysis, "党委审批") == line["党委审批人数"]
    for grade in ("优秀", "合格", "基本合格", "不合格"):
        assert numbers_in(analysis, f"{grade} ") == line[grade], grade
