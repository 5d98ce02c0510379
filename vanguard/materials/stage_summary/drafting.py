"""The first draft of a stage summary, written from the figures (`figures.py`) in plain
Chinese sentences: what the branch did in the phase, its figures, and what the data
can say about good practice, problems and the next step — with a prompt (【请补充…】)
where only the branch can write, which must be replaced before the summary is
submitted.

Texts are written in the site's language (the summary is a stored document, like a
notification), whatever the language of the person who asked for the draft.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from vanguard.ballots.models import Grade
from vanguard.campaigns.models import Phase
from vanguard.grading.models import BranchGrading
from vanguard.materials.figures import secrecy_minimum
from vanguard.materials.stage_summary.figures import PhaseFigures
from vanguard.meetings.models import Meeting
from vanguard.notices.services import site_language
from vanguard.opinions.models import Opinion
from vanguard.reviews.models import ReviewRound, SelfAnalysis
from vanguard.study.models import StudyWork


def prompt_mark() -> str:
    """How every prompt of the draft begins: a section still holding one is not finished."""
    return _("【请补充")


def _day(value: datetime.date) -> str:
    return _("%(month)d月%(day)d日") % {"month": value.month, "day": value.day}


def _list(parts: list[str]) -> str:
    return _("、").join(parts)


def _clauses(parts: list[str]) -> str:
    return _("，").join(parts)


def _percent(part: int, whole: int) -> int:
    return round(part * 100 / whole) if whole else 0


def _counted(labels: dict[str, str], counts: dict[str, int], unit: str) -> list[str]:
    """ "label n unit" for each code counted, in the order of `labels` (the choices')."""
    return [
        _("%(label)s %(n)d %(unit)s") % {"label": label, "n": counts[code], "unit": unit}
        for code, label in labels.items()
        if counts.get(code)
    ]


# --- 工作开展情况 ----------------------------------------------------------------------


def _meetings_sentence(figures: PhaseFigures) -> str:
    if not figures.meetings:
        return _("本阶段支部尚未召开会议。")
    held = [
        _("%(day)s召开%(title)s")
        % {"day": _day(m.on), "title": m.title or figures.meeting_label(m)}
        for m in figures.meetings
    ]
    return _("本阶段支部共召开会议 %(n)d 次：%(list)s。") % {
        "n": len(figures.meetings),
        "list": _("；").join(held),
    }


def _study_work(figures: PhaseFigures) -> list[str]:
    lines = []
    if figures.study_plan_submitted:
        lines.append(_("支部制定并提交了学习讨论计划，按计划组织党员学习讨论。"))
    else:
        lines.append(_("支部尚未提交学习讨论计划。"))
    if figures.study_sessions:
        lines.append(
            _("支部共组织学习讨论 %(n)d 次，党员参加学习 %(times)d 人次。")
            % {"n": figures.study_sessions, "times": figures.attendances}
        )
    if figures.works_total:
        lines.append(
            _("%(members)d 名党员提交了读书笔记、学习心得等学习材料 %(works)d 篇。")
            % {"members": figures.members_with_works, "works": figures.works_total}
        )
    return lines


def _opinion_work(figures: PhaseFigures) -> list[str]:
    if not figures.opinions_total:
        return [_("支部尚未登记征求到的意见。")]
    channels = dict(Opinion.Channel.choices)
    used = [str(channels[c]) for c in Opinion.Channel.values if figures.opinions_by_channel.get(c)]
    line = _("支部通过%(channels)s等渠道广泛征求党内外群众意见，共收集意见 %(n)d 条") % {
        "channels": _list(used),
        "n": figures.opinions_total,
    }
    if figures.opinion_rounds > 1:
        line += _("；首轮征求后又组织了第 %(n)d 轮征求意见") % {"n": figures.opinion_rounds}
    line += _("，梳理后及时反馈给党员本人。")
    return [line]


def _review_work(figures: PhaseFigures) -> list[str]:
    if not figures.reviews_started:
        return [_("党员的党性分析材料和个人总结尚未开始撰写。")]
    line = _(
        "组织党员撰写党性分析材料和个人总结，按“三上三下”程序逐一审阅，"
        "支部共审阅 %(reviews)d 次，退回修改 %(returns)d 次"
    ) % {"reviews": figures.branch_reviews, "returns": figures.branch_returns}
    if figures.reviews_approved:
        line += _("，%(n)d 份已经党委审批") % {"n": figures.reviews_approved}
    return [line + _("。")]


def _withheld(figures: PhaseFigures) -> str:
    """Why a vote is quoted without figures (the ballots app publishes none of it)."""
    return _(
        "选票少于保密所需的最少 %(minimum)d 张或未超过规定的参加人数，不公布结果，不列人数和票数。"
    ) % {"minimum": secrecy_minimum(figures.campaign)}


def _vote_work(figures: PhaseFigures) -> list[str]:
    lines = []
    for vote in figures.votes:
        if vote.published:
            lines.append(
                _(
                    "%(unit)s以无记名投票方式对党员进行民主评议测评："
                    "名册 %(voters)d 人，收回选票 %(ballots)d 张。"
                )
                % {"unit": vote.unit_name, "voters": vote.roll, "ballots": vote.ballots}
            )
        else:
            lines.append(
                _("%(unit)s以无记名投票方式对党员进行了民主评议测评。") % {"unit": vote.unit_name}
            )
    if figures.grading_status == BranchGrading.Status.APPROVED:
        lines.append(_("支部根据民主评议情况提出等级初评意见，已经党委审批。"))
    elif figures.grading_status in (BranchGrading.Status.SUBMITTED,):
        lines.append(_("支部根据民主评议情况提出等级初评意见，已报党委审批。"))
    elif figures.grading_status:
        lines.append(_("支部正在拟定党员等级初评意见。"))
    return lines


def _rectification_work(figures: PhaseFigures) -> list[str]:
    tally = figures.rectification
    lines = [
        _("组织党员对照征求到的意见和评议情况制订书面整改计划，%(written)d 名党员已制订整改计划。")
        % {"written": tally.written}
    ]
    if tally.branch_plans:
        lines.append(_("支部制订了支部整改计划，明确整改措施、责任人和完成时限。"))
    else:
        lines.append(_("支部整改计划尚未制订。"))
    if tally.items:
        lines.append(
            _("各项整改事项正在逐项落实，已完成 %(finished)d 项。") % {"finished": tally.finished}
        )
    return lines


def work_done(figures: PhaseFigures) -> str:
    phase = figures.phase
    lines = [
        _("%(start)s至%(end)s为%(phase)s阶段。%(branch)s按照党委的部署和要求，开展了以下工作：")
        % {
            "start": _day(phase.starts_on),
            "end": _day(phase.ends_on),
            "phase": phase.name,
            "branch": figures.branch.name,
        }
    ]
    if figures.is_study:
        lines += _study_work(figures)
    lines.append(_meetings_sentence(figures))
    if figures.is_analysis:
        lines += _opinion_work(figures) + _review_work(figures) + _vote_work(figures)
    if figures.is_rectification:
        lines += _rectification_work(figures)
    return "\n".join(lines)


# --- 主要数据 --------------------------------------------------------------------------


def _meeting_figure(figures: PhaseFigures) -> str:
    labels = {code: str(label) for code, label in Meeting.Kind.choices}
    parts = _counted(labels, figures.meetings_by_kind, _("次"))
    text = _("召开会议 %(n)d 次") % {"n": len(figures.meetings)}
    if parts:
        text += _("：") + _list(parts)
    required = figures.required_meetings
    if required:
        met = [r.label for r in required if r.met]
        unmet = [r.label for r in required if not r.met]
        text += _("。按要求应召开的会议 %(n)d 次，已召开 %(met)d 次") % {
            "n": len(required),
            "met": len(met),
        }
        if unmet:
            text += _("，尚未完成：%(list)s") % {"list": _list(unmet)}
    return text + _("。")


def _study_figures(figures: PhaseFigures) -> list[str]:
    labels = {code: str(label) for code, label in StudyWork.Kind.choices}
    lines = [
        _("学习讨论 %(n)d 次，参加学习 %(times)d 人次。")
        % {"n": figures.study_sessions, "times": figures.attendances}
    ]
    parts = _counted(labels, figures.works, _("篇"))
    text = _("提交学习材料 %(n)d 篇") % {"n": figures.works_total}
    if parts:
        text += _("（%(list)s）") % {"list": _list(parts)}
    text += _("，提交人数 %(members)d 名，占党员总数的 %(percent)d%%。") % {
        "members": figures.members_with_works,
        "percent": _percent(figures.members_with_works, figures.members),
    }
    lines.append(text)
    return lines


def _opinion_figures(figures: PhaseFigures) -> list[str]:
    channels = {code: str(label) for code, label in Opinion.Channel.choices}
    kinds = {code: str(label) for code, label in Opinion.Kind.choices}
    text = _("征求意见 %(n)d 条") % {"n": figures.opinions_total}
    parts = _counted(channels, figures.opinions_by_channel, _("条"))
    if parts:
        text += _("：") + _list(parts)
    text += _("。已梳理 %(n)d 条") % {"n": figures.opinions_sorted}
    sorted_parts = _counted(
        kinds, {k: v for k, v in figures.opinions_by_kind.items() if k != "unsorted"}, _("条")
    )
    if sorted_parts:
        text += _("（%(list)s）") % {"list": _list(sorted_parts)}
    return [text + _("。")]


def _review_figures(figures: PhaseFigures) -> list[str]:
    states = {code: str(label) for code, label in SelfAnalysis.State.choices}
    rounds = dict(ReviewRound.Number.choices)
    text = _("党性分析材料 %(n)d 份，党委已审批 %(approved)d 份") % {
        "n": figures.reviews_started,
        "approved": figures.reviews_approved,
    }
    for number, counts in figures.reviews_by_round.items():
        parts = _counted(states, counts, _("份"))
        if parts:
            text += _("；%(round)s：%(list)s") % {
                "round": rounds.get(number, number),
                "list": _list(parts),
            }
    text += _("。支部审阅 %(reviews)d 次，退回修改 %(returns)d 次。") % {
        "reviews": figures.branch_reviews,
        "returns": figures.branch_returns,
    }
    return [text]


def _vote_figures(figures: PhaseFigures) -> list[str]:
    lines = []
    for vote in figures.votes:
        if vote.published:
            text = _(
                "民主评议投票（%(unit)s）：名册 %(voters)d 人，"
                "收回选票 %(ballots)d 张，参评率 %(percent)d%%。"
            ) % {
                "unit": vote.unit_name,
                "voters": vote.roll,
                "ballots": vote.ballots,
                "percent": vote.turnout_percent,
            }
        else:
            text = _("民主评议投票（%(unit)s）：%(why)s") % {
                "unit": vote.unit_name,
                "why": _withheld(figures),
            }
        lines.append(text)
    if not figures.votes:
        lines.append(_("民主评议投票：尚未进行。"))
    if figures.grading_status == BranchGrading.Status.APPROVED:
        if figures.grades is not None:
            labels = {code: str(label) for code, label in Grade.choices}
            parts = [
                _("%(label)s %(n)d 名") % {"label": labels[g], "n": figures.grades.get(g, 0)}
                for g in Grade.values
            ]
            lines.append(
                _("等级评定：党委审批 %(n)d 名，其中%(list)s。")
                % {"n": figures.graded, "list": _list(parts)}
            )
        else:
            lines.append(
                _("等级评定：党委审批 %(n)d 名（人数较少，不分等次列出）。") % {"n": figures.graded}
            )
    elif figures.grading_status:
        labels = {code: str(label) for code, label in BranchGrading.Status.choices}
        lines.append(_("等级评定：%(status)s。") % {"status": labels[figures.grading_status]})
    return lines


def _rectification_figures(figures: PhaseFigures) -> list[str]:
    tally = figures.rectification
    return [
        _(
            "个人整改计划：党员 %(members)d 名，已制订 %(written)d 份，"
            "审核通过 %(approved)d 份，待审核 %(submitted)d 份。"
        )
        % {
            "members": tally.members,
            "written": tally.written,
            "approved": tally.approved,
            "submitted": tally.submitted,
        },
        _("支部整改计划 %(n)d 份，审核通过 %(approved)d 份。")
        % {"n": tally.branch_plans, "approved": tally.branch_plans_approved},
        _(
            "整改事项 %(items)d 项：未开始 %(planned)d 项，进行中 %(progress)d 项，"
            "已完成 %(done)d 项，已验收 %(verified)d 项；逾期未完成 %(overdue)d 项。"
        )
        % {
            "items": tally.items,
            "planned": tally.planned,
            "progress": tally.in_progress,
            "done": tally.done,
            "verified": tally.verified,
            "overdue": tally.overdue,
        },
    ]


def _requirement_figure(figures: PhaseFigures) -> str:
    if not figures.requirements:
        return _("本阶段党委未设定检查要求。")
    met = sum(1 for r in figures.requirements if r.met)
    text = _("本阶段检查要求 %(n)d 项，已完成 %(met)d 项") % {
        "n": len(figures.requirements),
        "met": met,
    }
    open_ = [
        _("%(label)s（%(done)d/%(total)d 名党员）")
        % {"label": r.label, "done": r.done, "total": r.total}
        if r.member_scope
        else r.label
        for r in figures.requirements
        if not r.met
    ]
    if open_:
        text += _("；尚未完成：%(list)s") % {"list": _list(open_)}
    return text + _("。")


def figures_text(figures: PhaseFigures) -> str:
    lines = [
        _("支部党员 %(n)d 名（正式党员 %(formal)d 名，预备党员 %(probationary)d 名）。")
        % {"n": figures.members, "formal": figures.formal, "probationary": figures.probationary},
        _meeting_figure(figures),
    ]
    if figures.is_study:
        lines += _study_figures(figures)
    if figures.is_analysis:
        lines += _opinion_figures(figures) + _review_figures(figures) + _vote_figures(figures)
    if figures.is_rectification:
        lines += _rectification_figures(figures)
    lines.append(_requirement_figure(figures))
    return "\n".join(f"{number}. {line}" for number, line in enumerate(lines, start=1))


# --- 好的做法、存在问题、下一步打算 ---------------------------------------------------------


def good_practice(figures: PhaseFigures) -> str:
    lines = []
    required = figures.required_meetings
    if required and all(r.met for r in required):
        lines.append(
            _("按要求召开了%(list)s，程序规范。") % {"list": _list([r.label for r in required])}
        )
    if figures.is_study and figures.members and figures.members_with_works >= figures.members:
        lines.append(_("全体党员都提交了学习材料，学习没有死角。"))
    if figures.is_analysis and figures.opinion_rounds > 1:
        lines.append(
            _("首轮征求意见后，针对意见不够充分的情况又开展了面对面征求意见，取得较好效果。")
        )
    if figures.is_analysis and figures.branch_returns:
        lines.append(
            _("严格把好党员自我剖析和个人总结关，对不合格的退回修改共 %(n)d 次。")
            % {"n": figures.branch_returns}
        )
    if figures.is_rectification and figures.rectification.verified:
        lines.append(
            _("整改事项完成后由支部逐项验收，已验收 %(n)d 项。")
            % {"n": figures.rectification.verified}
        )
    lines.append(_("【请补充：本阶段支部好的做法和体会，可举具体事例。】"))
    return "\n".join(lines)


def problems(figures: PhaseFigures) -> str:
    lines = [
        _("尚未完成“%(label)s”。") % {"label": r.label} for r in figures.requirements if not r.met
    ]
    if figures.is_study and figures.members > figures.members_with_works:
        lines.append(
            _("还有 %(n)d 名党员没有提交学习材料。")
            % {"n": figures.members - figures.members_with_works}
        )
    if figures.is_analysis:
        unsorted = figures.opinions_total - figures.opinions_sorted
        if unsorted > 0:
            lines.append(_("还有 %(n)d 条意见尚未梳理。") % {"n": unsorted})
        if any(not vote.published for vote in figures.votes):
            lines.append(_withheld(figures))
    if figures.is_rectification and figures.rectification.overdue:
        lines.append(_("有 %(n)d 项整改事项逾期未完成。") % {"n": figures.rectification.overdue})
    lines.append(_("【请补充：工作中存在的问题和不足。】"))
    return "\n".join(lines)


def next_steps(figures: PhaseFigures, next_phase: Phase | None) -> str:
    lines = []
    unmet = [r.label for r in figures.requirements if not r.met]
    if unmet:
        lines.append(_("抓紧完成%(list)s。") % {"list": _list(unmet)})
    if next_phase is not None:
        lines.append(
            _("按照党委的部署，做好转入“%(phase)s”阶段的准备工作。") % {"phase": next_phase.name}
        )
    else:
        lines.append(_("巩固活动成果，建立健全长效机制。"))
    lines.append(_("【请补充：下一步工作打算。】"))
    return "\n".join(lines)


def drafted_sections(figures: PhaseFigures, *, next_phase: Phase | None) -> dict[str, str]:
    """The five sections of the draft, keyed as `models.SECTIONS`."""
    with site_language():
        return {
            "work_done": work_done(figures),
            "figures": figures_text(figures),
            "good_practice": good_practice(figures),
            "problems": problems(figures),
            "next_steps": next_steps(figures, next_phase),
        }


def stored_prompt_mark() -> str:
    with site_language():
        return prompt_mark()
