"""The college statistics workbook (统计表, .xlsx): a cover sheet (the campaign, the
scope, when it was made, what each sheet counts), then one sheet per topic — the
branches' progress and each phase's requirements, meetings by kind, study, opinions by
channel and by aspect, the review rounds, votes and grades, rectification.

Each topic sheet is one table (`documents.xlsx.table_sheet`: Chinese headers, the
header row frozen, a filter on it, widths) with a 合计 row of SUM formulas under the
filtered rows. Every text that comes from the data — unit names, phase and requirement
labels, aspect names — goes through `xlsx.cell_value`, which neutralises anything a
spreadsheet would run as a formula; the formulas are only the workbook's own sums.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from vanguard.ballots.models import Grade
from vanguard.documents.xlsx import Column, cell_value, new_workbook, table_sheet
from vanguard.grading.models import BranchGrading
from vanguard.materials.figures import Figures, UnitLine
from vanguard.meetings.models import Meeting
from vanguard.opinions.models import Opinion
from vanguard.organization.models import Unit
from vanguard.reviews.selectors_review import progress_columns
from vanguard.study.models import StudySession, StudyWork
from vanguard.supervision.models import NoteAssessment

TOTAL_FONT = Font(bold=True)
NAME_WIDTH = 26
NUMBER_WIDTH = 10


@dataclass(frozen=True)
class Figure:
    """A numeric column: its header, and whether the 合计 row sums it."""

    header: str
    summed: bool = True
    width: float = NUMBER_WIDTH


def _text(value: Any) -> str:
    """A header or label taken from the data (a requirement's label, an aspect's name)."""
    return str(cell_value(str(value)) or "")


def _sheet(
    workbook: Workbook,
    title: str,
    names: Sequence[Column],
    figures: Sequence[Figure],
    rows: Sequence[Sequence[Any]],
) -> Worksheet:
    """A topic sheet: the name columns, the figures, and the 合计 row beneath."""
    columns = [*names, *(Column(f.header, f.width, wrap=True) for f in figures)]
    sheet = table_sheet(workbook, title, columns, rows)
    first, last = 2, len(rows) + 1
    total: list[Any] = [_("合计"), *[None] * (len(names) - 1)]
    for offset, figure in enumerate(figures):
        letter = get_column_letter(len(names) + offset + 1)
        if not figure.summed:
            total.append(None)
        elif rows:
            total.append(f"=SUM({letter}{first}:{letter}{last})")
        else:
            total.append(0)
    sheet.append(total)
    for cell in sheet[sheet.max_row]:
        cell.font = TOTAL_FONT
    # The header row stays in view, and so do the names while a phone scrolls sideways.
    sheet.freeze_panes = f"{get_column_letter(len(names) + 1)}2"
    return sheet


def _branch_names() -> list[Column]:
    return [Column(_("党总支"), 16, wrap=True), Column(_("党支部"), NAME_WIDTH, wrap=True)]


def _unit_names() -> list[Column]:
    return [
        Column(_("上级组织"), 16, wrap=True),
        Column(_("组织"), NAME_WIDTH, wrap=True),
        Column(_("类别"), 8),
    ]


def _branch_cells(unit: UnitLine) -> list[Any]:
    return [unit.general_branch, unit.name]


def _unit_cells(unit: UnitLine) -> list[Any]:
    return [unit.general_branch or None, unit.name, str(Unit.Kind(unit.kind).label)]


def _flag(value: bool) -> int:
    return 1 if value else 0


# --- The sheets ------------------------------------------------------------------------


def progress_sheet(workbook: Workbook, figures: Figures) -> None:
    """What the dashboards show for each branch, judged by the phase it is in."""
    units = figures.branch_progress
    rows = []
    for branch in figures.branches:
        found = units.get(branch.id)
        if found is None:
            continue
        rows.append(
            [
                *_branch_cells(branch),
                found.phase.name if found.phase else None,
                found.percent,
                _flag(found.met),
                found.members_total,
                found.members_complete,
                found.silent_members,
                _flag(found.has_plan),
                _flag(found.has_meeting),
            ]
        )
    _sheet(
        workbook,
        _("支部进展"),
        [*_branch_names(), Column(_("所处阶段"), 12, wrap=True)],
        [
            Figure(_("完成率（%）"), summed=False),
            Figure(_("达标支部")),
            Figure(_("在册党员")),
            Figure(_("完成个人要求的党员")),
            Figure(_("未提交任何材料的党员")),
            Figure(_("有学习讨论计划")),
            Figure(_("已召开会议")),
        ],
        rows,
    )


def requirements_sheet(workbook: Workbook, figures: Figures) -> None:
    """Each branch against every phase's requirements: a member requirement as the
    members who meet it, a branch requirement as 1 (met) or 0."""
    columns: list[Figure] = []
    # For each column: the phase's progress, and the requirement's place in each
    # branch's results (None: the phase as a whole, met or not).
    cells: list[tuple[dict[int, Any], int | None]] = []
    for phase, progress in figures.by_phase:
        phase_name = _text(phase.name)
        columns.append(Figure(_("%(phase)s：达标") % {"phase": phase_name}, width=12))
        cells.append((progress.units, None))
        sample = next((u for u in progress.units.values() if u.is_branch and u.results), None)
        for index, result in enumerate(sample.results if sample else []):
            unit_word = _("人") if result.is_member_scope else _("达标")
            columns.append(
                Figure(
                    _("%(phase)s：%(label)s（%(unit)s）")
                    % {"phase": phase_name, "label": _text(result.label), "unit": unit_word},
                    width=16,
                )
            )
            cells.append((progress.units, index))
    members = figures.branch_progress
    rows = [
        [
            *_branch_cells(branch),
            members[branch.id].members_total if branch.id in members else None,
            *(_result_cell(units.get(branch.id), index) for units, index in cells),
        ]
        for branch in figures.branches
    ]
    _sheet(
        workbook,
        _("各阶段要求"),
        _branch_names(),
        [Figure(_("在册党员")), *columns],
        rows,
    )


def _result_cell(unit: Any, index: int | None) -> Any:
    if unit is None:
        return None
    if index is None:
        return _flag(unit.met)
    if index >= len(unit.results):
        return None
    result = unit.results[index]
    return result.done if result.is_member_scope else _flag(result.met)


def meetings_sheet(workbook: Workbook, figures: Figures) -> None:
    kinds = Meeting.Kind.choices
    rows = []
    for unit in figures.units:
        counts = figures.meetings(unit.id)
        values = [counts.get(value, 0) for value, _label in kinds]
        rows.append([*_unit_cells(unit), *values, sum(values)])
    _sheet(
        workbook,
        _("会议"),
        _unit_names(),
        [*(Figure(str(label)) for _value, label in kinds), Figure(_("合计"))],
        rows,
    )


def study_sheet(workbook: Workbook, figures: Figures) -> None:
    members = figures.branch_progress
    works = StudyWork.Kind.choices
    sessions = StudySession.Kind.choices
    levels = NoteAssessment.Level.choices
    rows = []
    for unit in figures.units:
        line = figures.study.get(unit.id)
        found = members.get(unit.id)
        rows.append(
            [
                *_unit_cells(unit),
                found.members_total if unit.is_branch and found else None,
                *(line.works.get(value, 0) if line else 0 for value, _label in works),
                line.members_with_notes if line else 0,
                *(line.sessions.get(value, 0) if line else 0 for value, _label in sessions),
                *(line.read.get(value, 0) if line else 0 for value, _label in levels),
            ]
        )
    _sheet(
        workbook,
        _("学习"),
        _unit_names(),
        [
            Figure(_("在册党员")),
            *(Figure(str(label)) for _value, label in works),
            Figure(_("提交读书笔记的党员")),
            *(Figure(_("%(kind)s（次）") % {"kind": label}) for _value, label in sessions),
            *(Figure(_("%(level)s阅评笔记") % {"level": label}) for _value, label in levels),
        ],
        rows,
    )


def opinions_sheets(workbook: Workbook, figures: Figures) -> None:
    channels = Opinion.Channel.choices
    rows = []
    for unit in figures.units:
        line = figures.opinions.get(unit.id)
        counts = line.by_channel if line else {}
        values = [counts.get(value, 0) for value, _label in channels]
        rows.append([*_unit_cells(unit), *values, sum(values)])
    _sheet(
        workbook,
        _("意见·渠道"),
        _unit_names(),
        [*(Figure(str(label)) for _value, label in channels), Figure(_("合计"))],
        rows,
    )

    keys: list[int | None] = [aspect.pk for aspect in figures.aspects]
    headers = [_text(aspect.name) for aspect in figures.aspects]
    if any(None in line.by_aspect for line in figures.opinions.values()):
        keys.append(None)
        headers.append(_("不区分方面"))
    rows = []
    for unit in figures.units:
        line = figures.opinions.get(unit.id)
        values = [line.by_aspect.get(key, 0) if line else 0 for key in keys]
        rows.append([*_unit_cells(unit), *values, sum(values)])
    _sheet(
        workbook,
        _("意见·方面"),
        _unit_names(),
        [*(Figure(header) for header in headers), Figure(_("合计"))],
        rows,
    )


def reviews_sheet(workbook: Workbook, figures: Figures) -> None:
    rows = []
    for branch in figures.branches:
        row = figures.reviews.get(branch.id)
        if row is None:
            continue
        rows.append(
            [
                *_branch_cells(branch),
                row.members,
                *row.cells(),
                row.approved,
                row.not_started,
                row.reviews,
                row.returns,
            ]
        )
    rounds = [
        Figure(_("第%(n)s轮·%(state)s") % {"n": n, "state": label}, width=12)
        for n, _state, label in progress_columns()
    ]
    _sheet(
        workbook,
        _("三上三下"),
        _branch_names(),
        [
            Figure(_("在册党员")),
            *rounds,
            Figure(_("党委已审批")),
            Figure(_("尚未开始")),
            Figure(_("支部审阅次数")),
            Figure(_("退回修改次数")),
        ],
        rows,
    )


def votes_sheet(workbook: Workbook, figures: Figures) -> None:
    """Votes and grades of the branches whose grading the person reads (blank for the
    others): the closed votes, the roll and ballots of the published ones only, and the
    approved grades — by grade only where the branch reaches the secrecy minimum."""
    statuses = dict(BranchGrading.Status.choices)
    grades = Grade.choices
    rows = []
    for branch in figures.branches:
        line = figures.grades.get(branch.id)
        cells: list[Any]
        if branch.id not in figures.grades_read or line is None:
            cells = [None] * (6 + len(grades) + 1)
        else:
            vote = figures.votes.get(branch.id)
            by_grade = line.by_grade
            cells = [
                vote.sessions_closed if vote else 0,
                vote.published if vote else 0,
                vote.withheld if vote else 0,
                vote.roll if vote else 0,
                vote.ballots if vote else 0,
                str(statuses[line.status]) if line.status else _("未开始"),
                *(by_grade.get(value) if by_grade else None for value, _label in grades),
                line.approved,
            ]
        rows.append([*_branch_cells(branch), *cells])
    _sheet(
        workbook,
        _("评议与等级"),
        _branch_names(),
        [
            Figure(_("已结束的表决")),
            Figure(_("公布结果的表决")),
            Figure(_("不公布结果的表决")),
            Figure(_("应参加人数（公布结果的）")),
            Figure(_("收回选票（公布结果的）")),
            Figure(_("等级评定"), summed=False, width=12),
            *(Figure(str(label)) for _value, label in grades),
            Figure(_("党委审批人数")),
        ],
        rows,
    )


def rectification_sheet(workbook: Workbook, figures: Figures) -> None:
    rows = []
    for branch in figures.branches:
        tally = figures.rectification.get(branch.id)
        if tally is None:
            continue
        rows.append(
            [
                *_branch_cells(branch),
                tally.members,
                tally.written,
                tally.approved,
                tally.branch_plans_approved,
                tally.items,
                tally.planned,
                tally.in_progress,
                tally.done,
                tally.verified,
                tally.overdue,
                tally.due,
                tally.on_time,
            ]
        )
    _sheet(
        workbook,
        _("整改"),
        _branch_names(),
        [
            Figure(_("在册党员")),
            Figure(_("已写个人整改计划")),
            Figure(_("个人计划已审核通过")),
            Figure(_("支部计划已审核通过")),
            Figure(_("整改事项")),
            Figure(_("计划中")),
            Figure(_("进行中")),
            Figure(_("已完成")),
            Figure(_("已验收")),
            Figure(_("逾期")),
            Figure(_("已到期")),
            Figure(_("按期完成")),
        ],
        rows,
    )


SHEETS: tuple[Callable[[Workbook, Figures], None], ...] = (
    progress_sheet,
    requirements_sheet,
    meetings_sheet,
    study_sheet,
    opinions_sheets,
    reviews_sheet,
    votes_sheet,
    rectification_sheet,
)


def _notes() -> list[tuple[str, str]]:
    return [
        (_("支部进展"), _("各支部按所处阶段的要求计算，与“活动进展”页面一致。")),
        (
            _("各阶段要求"),
            _(
                "各支部按每一阶段的要求分别计算：个人要求填完成的党员人数，"
                "支部要求填 1（达标）或 0。"
            ),
        ),
        (
            _("会议"),
            _("本次活动中各组织已召开的会议，按会议类别计次；党小组的会议计入所在支部。"),
        ),
        (
            _("学习"),
            _(
                "党员提交的读书笔记、心得、论文篇数，各组织的学习讨论和专题报告次数，"
                "督查阅评的笔记篇数。"
            ),
        ),
        (
            _("意见·渠道"),
            _(
                "各收集单位收到的意见条数（不含已合并的），按渠道。只有条数，不含提意见的人；"
                "与“意见统计”页面一样，不含关于制表人本人的意见。"
            ),
        ),
        (_("意见·方面"), _("已梳理的意见条数，按意见表的方面。")),
        (_("三上三下"), _("党员自我剖析材料所处的轮次和状态，支部审阅及退回的次数。")),
        (
            _("评议与等级"),
            _(
                "民主评议表决只计结果已公布的场次（选票达到保密下限且超过应到人数要求），"
                "不公布结果的表决只计场次；等级为党委审批的评定等级，审批人数少于保密下限"
                "的支部只列人数、不分等级。不记录任何人的投票。"
            ),
        ),
        (
            _("整改"),
            _("与“整改台账”一致：个人和支部整改计划及其事项，按状态。党委整改计划不在其中。"),
        ),
    ]


def cover_sheet(workbook: Workbook, figures: Figures, scope_name: str) -> None:
    made = timezone.localtime(figures.made_at)
    rows: list[list[Any]] = [
        [_("活动"), figures.campaign.name],
        [_("统计范围"), scope_name],
        [_("生成时间"), made.strftime("%Y-%m-%d %H:%M")],
        [_("支部数"), len(figures.branches)],
        [None, None],
        *([name, note] for name, note in _notes()),
    ]
    sheet = table_sheet(
        workbook, _("说明"), [Column(_("项目"), 16), Column(_("内容"), 90, wrap=True)], rows
    )
    sheet.auto_filter.ref = None
    sheet.freeze_panes = None


def workbook_document(
    figures: Figures, *, scope_name: str, progress: Callable[[str], None] | None = None
) -> Workbook:
    workbook = new_workbook()
    cover_sheet(workbook, figures, scope_name)
    for build in SHEETS:
        if progress is not None:
            progress(build.__name__)
        build(workbook, figures)
    return workbook
