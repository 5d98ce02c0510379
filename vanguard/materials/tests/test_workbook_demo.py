"""The demo college's statistics workbook carries the figures its pages show (issue 15,
Done when: "the workbook … for the demo college carr[ies] the same figures as the
dashboard"). The committee makes the workbook through its page, downloads it and reads
it back with openpyxl; each sheet is held against the page a person reads the same
figures on: the progress dashboards (each general branch's, by the phase each branch is
in and by every phase), the supervision overview's meetings, the opinions dashboard, the
review rounds' progress and the college's rectification ledger."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from vanguard.accounts.models import User
from vanguard.ballots.models import AppraisalSession
from vanguard.ballots.selectors import with_results_published
from vanguard.campaigns.models import Campaign
from vanguard.demo.campaigns import CAMPAIGN_NAME
from vanguard.demo.tests.kept_demo import kept_demo
from vanguard.materials import figures as shared
from vanguard.materials.workbook.models import WorkbookJob
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
    """The committee's workbook of the college, made and downloaded as a person does."""
    client = _client("committee")
    response = client.post(reverse("materials:workbook"), {"campaign": demo.pk, "unit": ""})
    assert response.status_code == 302
    job = WorkbookJob.objects.get(created_by__username="committee")
    assert job.state == WorkbookJob.State.DONE, job.error
    assert response["Location"] == reverse("materials:workbook_job", args=[job.pk])
    download = client.get(reverse("materials:workbook_download", args=[job.pk]))
    assert download.status_code == 200
    return load_workbook(io.BytesIO(b"".join(download.streaming_content)))


def _table(sheet) -> tuple[list[str], list[list[Any]], list[Any]]:
    """The header, the data rows and the 合计 row of a topic sheet."""
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[-1][0] == "合计"
    return rows[0], rows[1:-1], rows[-1]


def _by_name(header: list[str], rows: list[list[Any]], name_column: str) -> dict[str, dict]:
    index = header.index(name_column)
    return {row[index]: dict(zip(header, row, strict=True)) for row in rows}


def _column_sum(header: list[str], rows: list[list[Any]], column: str) -> int:
    index = header.index(column)
    return sum(row[index] or 0 for row in rows)


def _pairs(html: str) -> dict[str, str]:
    """The row-header → first cell pairs of a page's tables, as text."""
    return {
        re.sub(r"<[^>]+>", "", head).strip(): re.sub(r"<[^>]+>", "", cell).strip()
        for head, cell in re.findall(
            r"<th scope=\"row\">(.*?)</th>\s*<td[^>]*>(.*?)</td>", html, re.S
        )
    }


def _row_cells(html: str, head: str) -> list[str]:
    """The cells of the table row whose header cell reads `head` (a link or not)."""
    row = re.search(
        rf"<tr[^>]*>\s*<th scope=\"row\">(?:<a [^>]*>)?{re.escape(head)}(?:</a>)?(?:<br>.*?)?</th>"
        r"(.*?)</tr>",
        html,
        re.S,
    )
    assert row is not None, head
    return [
        " ".join(re.sub(r"<[^>]+>", " ", cell).split())
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    ]


def _general_branches(campaign: Campaign):
    return Unit.objects.filter(
        kind=Unit.Kind.GENERAL_BRANCH, path__startswith=campaign.unit.path, is_active=True
    ).order_by("path")


def test_every_topic_has_its_sheet_with_frozen_headers_filters_and_sums(workbook):
    assert workbook.sheetnames == [
        "说明",
        "支部进展",
        "各阶段要求",
        "会议",
        "学习",
        "意见·渠道",
        "意见·方面",
        "三上三下",
        "评议与等级",
        "整改",
    ]
    cover = {row[0]: row[1] for row in workbook["说明"].iter_rows(values_only=True)}
    assert cover["活动"] == CAMPAIGN_NAME and cover["统计范围"] == "信息学院党委"
    assert cover["支部数"] == 41
    for sheet in workbook.worksheets[1:]:
        header, rows, total = _table(sheet)
        assert sheet.freeze_panes and sheet.freeze_panes.endswith("2"), sheet.title
        assert sheet.auto_filter.ref == f"A1:{get_column_letter(sheet.max_column)}{len(rows) + 1}"
        assert all(cell.font.bold for cell in sheet[1])
        for letter, value in zip(
            (c.column_letter for c in sheet[sheet.max_row]), total, strict=True
        ):
            if isinstance(value, str) and value.startswith("="):
                assert value == f"=SUM({letter}2:{letter}{len(rows) + 1})", sheet.title
        assert sheet.column_dimensions["B"].width >= 16


def test_the_branches_progress_is_the_dashboards(demo, workbook):
    """Each general branch's progress page lists its branches: the phase each is in,
    its share done, whether it met its phase's requirements, its members who did their
    part, and those who handed in nothing — the workbook's row of every branch."""
    header, rows, _total = _table(workbook["支部进展"])
    sheet = _by_name(header, rows, "党支部")
    assert len(sheet) == 41
    client = _client("committee")
    seen = 0
    # Some branches sit under the committee itself: the college's page lists them.
    for unit in [demo.unit, *_general_branches(demo)]:
        url = reverse("campaigns:progress_unit", args=[demo.pk, unit.pk])
        html = client.get(url).content.decode()
        for name, row in sheet.items():
            if row["党总支"] != unit.name:
                continue
            phase, percent, met, members, silent = _row_cells(html, name)
            assert phase == row["所处阶段"], name
            assert percent == f"{row['完成率（%）']}%", name
            assert met == f"{row['达标支部']}/1", name
            assert members == f"{row['完成个人要求的党员']}/{row['在册党员']}", name
            assert silent == str(row["未提交任何材料的党员"]), name
            seen += 1
    assert seen == 41


def test_each_phases_requirements_are_the_dashboards_judged_by_that_phase(demo, workbook):
    """The dashboards' ?phase= judges every branch by one phase's requirements: whether
    each branch met them is the workbook's column of that phase."""
    header, rows, _total = _table(workbook["各阶段要求"])
    sheet = _by_name(header, rows, "党支部")
    client = _client("committee")
    for phase in demo.phases.order_by("order"):
        column = f"{phase.name}：达标"
        assert column in header
        for unit in [demo.unit, *_general_branches(demo)]:
            url = reverse("campaigns:progress_unit", args=[demo.pk, unit.pk])
            html = client.get(url, {"phase": phase.pk}).content.decode()
            for name, row in sheet.items():
                if row["党总支"] == unit.name:
                    assert _row_cells(html, name)[2] == f"{row[column]}/1", (phase.name, name)
        # A member requirement counts the members who meet it, never more than are there.
        for label in header:
            if label.startswith(f"{phase.name}：") and label.endswith("（人）"):
                assert all(row[label] <= row["在册党员"] for row in sheet.values())


def test_meetings_by_kind_are_the_supervision_overviews(demo, workbook):
    header, rows, _total = _table(workbook["会议"])
    html = _client("committee").get(reverse("supervision:overview", args=[demo.pk]))
    shown = _pairs(html.content.decode())
    kinds = header[3:-1]
    assert sum(_column_sum(header, rows, kind) for kind in kinds) > 0
    for kind in kinds:
        held = _column_sum(header, rows, kind)
        if held:
            assert shown[kind] == f"{held} 次", kind
        else:
            assert kind not in shown or not shown[kind].endswith("次")


def test_opinions_by_channel_and_aspect_are_the_opinion_dashboards(demo, workbook):
    shown = _pairs(_client("committee").get(reverse("opinions:dashboard")).content.decode())
    header, rows, _total = _table(workbook["意见·渠道"])
    channels = header[3:-1]
    assert _column_sum(header, rows, "合计") > 0
    for channel in channels:
        if _column_sum(header, rows, channel):
            assert shown[channel] == str(_column_sum(header, rows, channel)), channel
    header, rows, _total = _table(workbook["意见·方面"])
    for aspect in header[3:-1]:
        assert shown[aspect] == str(_column_sum(header, rows, aspect)), aspect


def test_the_review_rounds_are_the_progress_pages(demo, workbook):
    header, rows, _total = _table(workbook["三上三下"])
    html = _client("committee").get(reverse("reviews:progress"), {"campaign": demo.pk})
    cells = _row_cells(html.content.decode(), "合计")
    rounds = [label for label in header if label.startswith("第")]
    expected = [
        _column_sum(header, rows, "在册党员"),
        _column_sum(header, rows, "尚未开始"),
        *(_column_sum(header, rows, label) for label in rounds),
        _column_sum(header, rows, "党委已审批"),
        _column_sum(header, rows, "支部审阅次数"),
        _column_sum(header, rows, "退回修改次数"),
    ]
    assert cells[: len(expected)] == [str(n) for n in expected]


def test_rectification_is_the_college_ledger(demo, workbook):
    """The ledger's 合计 row and each general branch's are the workbook's branches summed."""
    header, rows, _total = _table(workbook["整改"])
    html = _client("committee").get(reverse("rectification:ledger", args=[demo.pk]))
    html = html.content.decode()

    def expected(selected: list[list[Any]]) -> list[str]:
        def n(column: str) -> int:
            return _column_sum(header, selected, column)

        return [
            f"{n('已写个人整改计划')}/{n('在册党员')}",
            str(n("个人计划已审核通过")),
            f"{n('支部计划已审核通过')}/{len(selected)}",
            str(n("计划中")),
            str(n("进行中")),
            str(n("已完成")),
            str(n("已验收")),
            str(n("逾期")),
        ]

    assert _row_cells(html, "合计")[:8] == expected(rows)
    for unit in _general_branches(demo):
        under = [row for row in rows if row[0] == unit.name]
        assert _row_cells(html, unit.name)[:8] == expected(under), unit.name


def test_votes_count_only_the_published_sessions(demo, workbook):
    """Ballots and roll are those of the votes whose results the ballots app publishes;
    a vote below the secrecy minimum or the quorum counts as a session, nothing more."""
    header, rows, _total = _table(workbook["评议与等级"])
    sessions = AppraisalSession.objects.filter(campaign=demo, status=AppraisalSession.Status.CLOSED)
    published = list(with_results_published(sessions))
    assert _column_sum(header, rows, "已结束的表决") == sessions.count()
    assert _column_sum(header, rows, "公布结果的表决") == len(published)
    assert _column_sum(header, rows, "收回选票（公布结果的）") == sum(
        s.ballots_total for s in published
    )
    assert _column_sum(header, rows, "优秀") + _column_sum(header, rows, "合格") > 0


def test_the_figures_take_as_many_queries_for_a_large_general_branch_as_a_small_one(demo):
    user = User.objects.get(username="committee")
    counts, sizes = [], []
    general = list(_general_branches(demo)[:3])
    # Once beforehand: what is cached on first use (the person's roles) is not counted.
    shared.count_figures(user=user, campaign=demo, roots=general[-1:])
    for unit in general:
        with CaptureQueriesContext(connection) as captured:
            figures = shared.count_figures(user=user, campaign=demo, roots=[unit])
        counts.append(len(captured))
        sizes.append(len(figures.branches))
    assert len(set(sizes)) > 1, sizes  # the general branches differ in size
    assert len(set(counts)) == 1, (sizes, counts)


def test_the_college_dashboard_leads_to_the_workbook(demo):
    html = _client("committee").get(reverse("campaigns:dashboard")).content.decode()
    assert f"{reverse('materials:workbook')}?campaign={demo.pk}" in html
    html = _client("secretary").get(reverse("campaigns:dashboard")).content.decode()
    assert reverse("materials:workbook") not in html


def _progress_lines(figures: shared.Figures) -> list[Any]:
    lines: list[Any] = []
    for phase, run in figures.by_phase:
        for unit in run.units.values():
            lines.append(
                (
                    phase.pk,
                    unit.id,
                    unit.phase.pk if unit.phase else None,
                    [(r.requirement.pk, r.done, r.total, r.value) for r in unit.results],
                    unit.branch_shares,
                    unit.members_total,
                    unit.members_required,
                    unit.members_complete,
                    unit.silent_members,
                    unit.has_plan,
                    unit.has_meeting,
                )
            )
    lines.append(
        sorted((pk, unit.percent, unit.met) for pk, unit in figures.branch_progress.items())
    )
    return lines


def test_the_workbooks_figures_without_member_lines_are_the_same(demo):
    """The workbook's job counts the members of its progress runs without a line for each
    (`count_figures(members=False)`): the same figures, in as many queries."""
    user = User.objects.get(username="committee")
    college = [demo.unit]
    shared.count_figures(user=user, campaign=demo, roots=college)
    with CaptureQueriesContext(connection) as listed_queries:
        listed = shared.count_figures(user=user, campaign=demo, roots=college)
    with CaptureQueriesContext(connection) as counted_queries:
        counted = shared.count_figures(user=user, campaign=demo, roots=college, members=False)
    assert _progress_lines(counted) == _progress_lines(listed)
    assert any(run.members() for _phase, run in listed.by_phase)
    assert not any(run.members() for _phase, run in counted.by_phase)
    assert len(counted_queries) == len(listed_queries)
