"""The drafted campaign review report as a Word document (python-docx): the outline of
the college's own review in the seed — 基本情况, each phase with what was done and its
figures, 主要做法和经验 (the chosen examples), 存在的问题, 下一步工作 — in plain styles
the committee edits: Heading 1 and 2, Normal text in the official fonts (仿宋 body,
黑体 and 楷体 headings, 小标宋 title), tables for the figures, charts as pictures, and
no field that would prompt when the file is opened."""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.campaigns.models import Phase
from vanguard.documents import word
from vanguard.documents.text import xml_safe
from vanguard.materials.report import charts
from vanguard.materials.report.candidates import Candidate
from vanguard.materials.report.figures import ReportFigures
from vanguard.meetings.models import Meeting

BODY_FONT = "仿宋"
HEADING_1_FONT = "黑体"
HEADING_2_FONT = "楷体"
TITLE_FONT = "方正小标宋简体"
BODY_PT = 16  # 三号, the size of an official document's text
TABLE_PT = 10.5
LATE_NAMES_SHOWN = 5  # lagging branches named in 存在的问题


@dataclass
class Drafted:
    """What goes into the draft besides the figures: the chosen examples in order, and
    the day the figures were read."""

    examples: list[Candidate]
    today: datetime.date


def report_title(figures: ReportFigures) -> str:
    return _("%(campaign)s工作回顾") % {"campaign": figures.campaign.name}


def _day(value: datetime.date) -> str:
    return _("%(year)d年%(month)d月%(day)d日") % {
        "year": value.year,
        "month": value.month,
        "day": value.day,
    }


def _md(value: datetime.date) -> str:
    return _("%(month)d月%(day)d日") % {"month": value.month, "day": value.day}


def _listed(parts: Sequence[str]) -> str:
    return _("、").join(parts)


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "—"


# --- The document's styles and blocks -------------------------------------------------


def _set_font(style_or_run: Any, name: str, size: float | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    font = style_or_run.font
    font.name = name
    if size is not None:
        font.size = Pt(size)
    font.color.rgb = RGBColor(0, 0, 0)
    fonts = style_or_run.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attribute), name)


def _styles(document: Any) -> None:
    from docx.shared import Pt

    normal = document.styles["Normal"]
    _set_font(normal, BODY_FONT, BODY_PT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = Pt(28)  # 28-point lines, as official text
    for name, font in (("Heading 1", HEADING_1_FONT), ("Heading 2", HEADING_2_FONT)):
        style = document.styles[name]
        _set_font(style, font, BODY_PT)
        style.font.bold = False
        style.font.italic = False
        style.paragraph_format.space_before = Pt(6)
        style.paragraph_format.space_after = Pt(0)
        style.paragraph_format.first_line_indent = Pt(BODY_PT * 2)


class _Writer:
    def __init__(self, document: Any) -> None:
        self.document = document

    def heading(self, text: str, level: int) -> None:
        self.document.add_heading(xml_safe(text), level=level)

    def paragraph(self, text: str, *, indent: bool = True) -> Any:
        from docx.shared import Pt

        paragraph = self.document.add_paragraph(xml_safe(text))
        if indent:
            paragraph.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
        return paragraph

    def table(self, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        table = self.document.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            cell.text = xml_safe(text)
        for values in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, values, strict=True):
                cell.text = xml_safe(value)
        for index, row in enumerate(table.rows):
            for column, cell in enumerate(row.cells):
                for paragraph in cell.paragraphs:
                    paragraph.paragraph_format.line_spacing = 1.15
                    paragraph.paragraph_format.first_line_indent = Pt(0)
                    if column > 0:
                        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                    for run in paragraph.runs:
                        run.font.size = Pt(TABLE_PT)
                        run.font.bold = index == 0
        self.document.add_paragraph()  # a line between the table and what follows

    def picture(self, png: bytes | None, caption: str) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Mm, Pt

        if png is None:
            return
        self.document.add_picture(io.BytesIO(png), width=Mm(150))
        holder = self.document.paragraphs[-1]
        holder.alignment = WD_ALIGN_PARAGRAPH.CENTER
        # Single spacing: the body's exact 28-point lines would crop the picture.
        holder.paragraph_format.line_spacing = 1.0
        holder.paragraph_format.first_line_indent = Pt(0)
        label = self.document.add_paragraph(xml_safe(caption))
        label.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for run in label.runs:
            run.font.size = Pt(TABLE_PT)


# --- The sections ----------------------------------------------------------------------


def _phase_label(phase: Phase) -> str:
    return _("%(name)s（%(start)s至%(end)s）") % {
        "name": phase.name,
        "start": _md(phase.starts_on),
        "end": _md(phase.ends_on),
    }


def _basics(w: _Writer, f: ReportFigures) -> None:
    w.heading(_("一、基本情况"), 1)
    w.paragraph(
        _(
            "%(unit)s下设%(general)d个党总支、%(branches)d个党支部，在册党员%(members)d名。"
            "活动分%(n)d个阶段进行：%(phases)s。"
        )
        % {
            "unit": f.campaign.unit.name,
            "general": f.general_branches,
            "branches": f.branches,
            "members": f.members,
            "n": len(f.phases),
            "phases": _listed([_phase_label(phase) for phase in f.phases]),
        }
    )
    w.table(
        [_("项目"), _("数量")],
        [
            (_("党总支"), f.general_branches),
            (_("党支部"), f.branches),
            (_("党员"), f.members),
            (_("制定学习讨论计划的支部"), f.study_plans),
            (_("征求意见"), f.opinions_total),
            (_("等级经党委审批的党员"), f.grades.approved),
            (_("写出书面整改计划的党员"), f.rectification.written),
        ],
    )
    in_phase = dict(f.college.phase_summary) if f.college else {}
    w.table(
        [_("阶段"), _("起止日期"), _("状态"), _("所处支部")],
        [
            (
                phase.name,
                _("%(start)s至%(end)s")
                % {"start": _md(phase.starts_on), "end": _md(phase.ends_on)},
                phase.get_status_display(),
                in_phase.get(phase, 0),
            )
            for phase in f.phases
        ],
    )


def _meeting_table(w: _Writer, f: ReportFigures) -> None:
    rows = [row for row in f.meetings if row.total]
    if not rows:
        return
    w.table(
        [_("会议"), *[phase.name for phase in f.phases], _("合计")],
        [(row.label, *row.by_phase, row.total) for row in rows],
    )


def _study_phase(w: _Writer, f: ReportFigures) -> None:
    counts = {row.key: row.count for row in f.works}
    sessions = {row.key: row.count for row in f.sessions}
    w.heading(_("（一）学习动员阶段"), 2)
    w.paragraph(
        _(
            "学习阶段，学院先后召开%(all)d次全体党员大会、%(secretaries)d次党支部书记会议，"
            "进行动员和布置；召开%(leading)d次党总支书记和领导小组会议进行分析与研讨。"
            "%(plans)d个党支部制定了学习讨论计划，共组织学习讨论%(sessions)d次、专题报告%(lectures)d场；"
            "%(writers)d名党员撰写读书笔记%(notes)d篇，另有学习心得%(reflections)d篇、论文%(essays)d篇。"
        )
        % {
            "all": f.meetings_in(Meeting.Kind.ALL_MEMBER, Phase.Key.STUDY),
            "secretaries": f.meetings_in(Meeting.Kind.SECRETARY, Phase.Key.STUDY),
            "leading": f.meetings_in(Meeting.Kind.LEADING_GROUP, Phase.Key.STUDY),
            "plans": f.study_plans,
            "sessions": sessions.get("session", 0),
            "lectures": sessions.get("lecture", 0),
            "writers": f.members_with_notes,
            "notes": counts.get("reading_note", 0),
            "reflections": counts.get("reflection", 0),
            "essays": counts.get("essay", 0),
        }
    )
    s = f.supervision
    verified = next((row.count for row in s.orders if row.status == "verified"), 0)
    w.paragraph(
        _(
            "学院督查组开展检查%(rounds)d轮，检查党支部%(checked)d个，其中检查两次以上的%(twice)d个；"
            "从撰写读书笔记的%(with_notes)d名党员中抽查%(sampled)d名（%(share)s），"
            "学院督查组查阅了%(read)d位党员的读书笔记，党总支查阅%(gb_read)d位；"
            "对质量不够格的党员和进度滞后的支部提出补课要求%(orders)d项，已复查通过%(verified)d项。"
        )
        % {
            "rounds": len(s.rounds),
            "checked": s.checked,
            "twice": s.checked_twice,
            "with_notes": s.members_with_notes,
            "sampled": s.sampled,
            "share": _percent(s.sampled, s.members_with_notes),
            "read": s.read_college,
            "gb_read": s.read_general_branch,
            "orders": s.orders_total,
            "verified": verified,
        }
    )
    _meeting_table(w, f)
    w.table(
        [_("学习成果"), _("篇数")],
        [(row.label, row.count) for row in f.works]
        + [(_("学院督查组查阅读书笔记（人）"), s.read_college)],
    )
    weeks = sorted({row["week"] for row in f.progress.weekly})
    from vanguard.campaigns import requirements

    series = []
    for reading in requirements.WEEKLY_READINGS:
        for kind, label in reading.kinds():
            counts_by_week = {
                row["week"]: row["count"] for row in f.progress.weekly if row["kind"] == kind
            }
            if counts_by_week:
                series.append((str(label), [counts_by_week.get(week, 0) for week in weeks]))
    w.picture(
        charts.line_chart(_("每周提交的学习成果"), [_md(week) for week in weeks], series),
        _("图1 每周提交的学习成果"),
    )


def _analysis_phase(w: _Writer, f: ReportFigures) -> None:
    analysis = next((p for p in f.phases if p.key == Phase.Key.ANALYSIS), None)
    w.heading(_("（二）党性分析、民主评议阶段"), 2)
    start = _md(analysis.starts_on) if analysis else ""
    w.paragraph(
        _(
            "%(start)s起，学院转入党性分析、民主评议阶段。%(mobilised)d个党支部召开了支部动员会，"
            "%(appraised)d个党支部召开了民主评议会，%(rated)d个党支部召开了等级评定会。"
        )
        % {
            "start": start,
            "mobilised": f.meeting(Meeting.Kind.MOBILISATION).branches,
            "appraised": f.meeting(Meeting.Kind.DEMOCRATIC_APPRAISAL).branches,
            "rated": f.meeting(Meeting.Kind.GRADE_RATING).branches,
        }
    )
    kinds = {row.key: row.count for row in f.opinions_by_kind}
    w.paragraph(
        _(
            "学院党委、各党支部和党员个人通过%(channels)s等渠道征求党内外意见共%(total)d条"
            "（%(by_channel)s）。已梳理%(sorted)d条，其中肯定表扬%(praise)d条、批评%(criticism)d条、"
            "建议%(suggestion)d条，梳理后及时反馈党员个人；%(rounds)d个党支部在首轮征求意见后"
            "又组织了新一轮征求意见。"
        )
        % {
            "channels": _listed([row.label for row in f.opinions]),
            "total": f.opinions_total,
            "by_channel": _listed([f"{row.label}{row.count}" for row in f.opinions]),
            "sorted": f.opinions_sorted,
            "praise": kinds.get("praise", 0),
            "criticism": kinds.get("criticism", 0),
            "suggestion": kinds.get("suggestion", 0),
            "rounds": f.further_rounds,
        }
    )
    w.table([_("征求意见渠道"), _("意见条数")], [(row.label, row.count) for row in f.opinions])
    w.picture(
        charts.bar_chart(
            _("各渠道征求的意见"),
            [row.label for row in f.opinions],
            [row.count for row in f.opinions],
        ),
        _("图2 各渠道征求的意见"),
    )
    g = f.grades
    text = _(
        "%(voted)d个党支部完成了民主评议投票（共%(sessions)d场），"
        "%(decided)d个党支部的党员等级已经党委审批，共%(approved)d名党员。"
    ) % {
        "voted": g.branches_voted,
        "sessions": g.sessions_closed,
        "decided": g.gradings_approved,
        "approved": g.approved,
    }
    if g.by_grade:
        text += _("其中%(grades)s。") % {
            "grades": _listed(
                [_("%(label)s%(n)d名") % {"label": row.label, "n": row.count} for row in g.by_grade]
            )
        }
    if g.withheld:
        text += _("另有%(n)d名党员所在支部经审批的人数少于%(minimum)d名，不分等级列出。") % {
            "n": g.withheld,
            "minimum": g.minimum,
        }
    w.paragraph(text)
    if g.by_grade:
        w.table([_("等级"), _("人数")], [(row.label, row.count) for row in g.by_grade])
        w.picture(
            charts.bar_chart(
                _("经党委审批的党员等级"),
                [row.label for row in g.by_grade],
                [row.count for row in g.by_grade],
            ),
            _("图3 经党委审批的党员等级"),
        )


def _rectification_phase(w: _Writer, f: ReportFigures) -> None:
    w.heading(_("（三）整改提高阶段"), 2)
    t = f.rectification
    on_time = t.on_time_percent
    w.paragraph(
        _(
            "%(written)d名党员（在册%(members)d名）写出了书面整改计划，其中%(approved)d份已审批；"
            "%(branch_plans)d个党支部（共%(branches)d个）的支部整改计划已审批。"
            "整改事项共%(items)d项：计划中%(planned)d项、进行中%(in_progress)d项、已完成%(done)d项、"
            "已验收%(verified)d项，逾期未完成%(overdue)d项；到期事项按期完成%(on_time)s。"
        )
        % {
            "written": t.written,
            "members": t.members,
            "approved": t.approved,
            "branch_plans": t.branch_plans_approved,
            "branches": t.branches,
            "items": t.items,
            "planned": t.planned,
            "in_progress": t.in_progress,
            "done": t.done,
            "verified": t.verified,
            "overdue": t.overdue,
            "on_time": f"{on_time}%" if on_time is not None else "—",
        }
    )
    if f.committee_tally is not None:
        w.paragraph(
            _(
                "学院党委根据广大党员提出的建议制定了党委整改计划，列出整改事项%(items)d项，已完成%(finished)d项。"
            )
            % {
                "items": f.committee_tally.items,
                "finished": f.committee_tally.finished,
            }
        )
    activities = [row for row in f.activities if row.count]
    if activities:
        w.paragraph(
            _("各党支部结合实际开展整改活动%(n)d项（%(kinds)s）。")
            % {
                "n": sum(row.count for row in activities),
                "kinds": _listed([f"{row.label}{row.count}" for row in activities]),
            }
        )
    statuses = [
        (_("计划中"), t.planned),
        (_("进行中"), t.in_progress),
        (_("已完成"), t.done),
        (_("已验收"), t.verified),
    ]
    w.table(
        [_("整改计划和事项"), _("数量")],
        [
            (_("写出书面整改计划的党员"), t.written),
            (_("已审批的党员整改计划"), t.approved),
            (_("已审批的支部整改计划"), t.branch_plans_approved),
            (_("整改事项"), t.items),
            *statuses,
            (_("逾期未完成"), t.overdue),
        ],
    )
    w.picture(
        charts.bar_chart(
            _("整改事项的进展"), [str(label) for label, _n in statuses], [n for _l, n in statuses]
        ),
        _("图4 整改事项的进展"),
    )


def _examples(w: _Writer, examples: list[Candidate]) -> None:
    w.heading(_("三、主要做法和经验"), 1)
    if not examples:
        w.paragraph(_("（请在“起草工作回顾”页面勾选典型事例，或在此直接填写。）"))
        return
    numbers = "一二三四五六七八九十"
    for index, example in enumerate(examples):
        number = numbers[index] if index < len(numbers) else str(index + 1)
        title = (
            _("%(branch)s：%(title)s") % {"branch": example.branch, "title": example.title}
            if example.branch
            else example.title
        )
        w.heading(_("（%(n)s）%(title)s") % {"n": number, "title": title}, 2)
        w.paragraph(example.text)
    w.paragraph(_("（请领导小组在以上事例的基础上归纳提炼经验。）"))


def _problems(w: _Writer, f: ReportFigures, today: datetime.date) -> None:
    w.heading(_("四、存在的问题"), 1)
    found: list[str] = []
    lagging = f.progress.lagging
    if lagging:
        names = _listed([branch.name for branch in lagging[:LATE_NAMES_SHOWN]])
        found.append(
            _("截至%(date)s，仍有%(n)d个党支部未完成所处阶段的要求（%(names)s%(more)s）。")
            % {
                "date": _day(today),
                "n": len(lagging),
                "names": names,
                "more": _("等") if len(lagging) > LATE_NAMES_SHOWN else "",
            }
        )
    silent = len(f.progress.blind_spot_members)
    if silent:
        found.append(_("%(n)d名党员尚未提交任何学习材料。") % {"n": silent})
    college = f.college
    if college is not None and (college.without_plan or college.without_meeting):
        found.append(
            _("%(plan)d个党支部没有提交学习讨论计划，%(meeting)d个党支部没有召开会议。")
            % {"plan": college.without_plan, "meeting": college.without_meeting}
        )
    s = f.supervision
    if s.orders_open:
        found.append(
            _("督查提出的补课要求尚有%(open)d项未复查通过，其中逾期%(overdue)d项。")
            % {"open": s.orders_open, "overdue": s.overdue}
        )
    if f.rectification.overdue:
        found.append(
            _("整改事项中有%(n)d项已过完成期限仍未完成。") % {"n": f.rectification.overdue}
        )
    for text in found:
        w.paragraph(text)
    w.paragraph(_("（请领导小组根据督查和评议情况补充。）"))


def _next_steps(w: _Writer, f: ReportFigures) -> None:
    w.heading(_("五、下一步工作"), 1)
    ahead = [phase for phase in f.phases if phase.status != Phase.Status.CLOSED]
    for phase in ahead:
        w.paragraph(
            _("按照方案做好%(phase)s阶段的工作（%(start)s至%(end)s）。")
            % {"phase": phase.name, "start": _md(phase.starts_on), "end": _md(phase.ends_on)}
        )
    if f.progress.lagging:
        w.paragraph(_("对进度滞后的党支部加强个别指导，消除死角。"))
    if f.rectification.items:
        w.paragraph(_("对整改事项逐项跟踪落实，按期验收，巩固提高活动成果。"))
    w.paragraph(_("（请领导小组补充。）"))


def report_docx(figures: ReportFigures, drafted: Drafted) -> bytes:
    """The draft as the bytes of a .docx file."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    title = report_title(figures)
    document = word.a4_document(title=title)
    _styles(document)
    section = document.sections[0]
    from docx.shared import Mm

    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)

    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_font(heading.add_run(xml_safe(title)), TITLE_FONT, 22)
    sub = document.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_font(
        sub.add_run(
            _("（初稿：根据%(date)s的数据起草，供领导小组修改）") % {"date": _day(drafted.today)}
        ),
        HEADING_2_FONT,
        BODY_PT,
    )
    sub.paragraph_format.space_after = Pt(12)

    w = _Writer(document)
    first = figures.phases[0].starts_on if figures.phases else drafted.today
    w.paragraph(
        _(
            "%(start)s以来，%(unit)s按照上级部署开展%(campaign)s。学院党委和各党支部采取了许多措施和好的做法，"
            "保证了教育活动的顺利进行。现将活动开展情况回顾如下。（请领导小组补充总体评价。）"
        )
        % {
            "start": _day(first),
            "unit": figures.campaign.unit.name,
            "campaign": figures.campaign.name,
        }
    )
    _basics(w, figures)
    w.heading(_("二、各阶段工作情况"), 1)
    _study_phase(w, figures)
    _analysis_phase(w, figures)
    _rectification_phase(w, figures)
    _examples(w, drafted.examples)
    _problems(w, figures, drafted.today)
    _next_steps(w, figures)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def today() -> datetime.date:
    return timezone.localdate()
