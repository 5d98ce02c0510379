"""The demo's last step, the branch's materials (三份材料): the stage summaries
(支部阶段工作小结) of the demo secretary's branch, so that its three materials hold what
a branch hands in by the end of May — its meeting record book (the meetings the
campaign and grading steps recorded) and its registration forms (grading's) are read
from the data as they are.

Run by `vanguard.demo.build.demo_build` with the demo campaign, after every other step
(a summary is drafted from the branch's records), inside the demo's transaction.
Everything goes through `materials.stage_summary.services`, each write on its day of the
demo (`on_day`) and by the person who would have done it, outside the audit trail
(`unaudited`, as every step's), its notifications in the app and e-mailed to nobody
(demo_build runs under `notices.services.mail_off`: the demo's addresses are made up):

* the study phase's summary (学习动员), drafted from the data on 6 May, its sections
  that only the branch can write (good practice, problems, next steps) written by the
  demo `secretary` in place of the draft's prompts, submitted that day, passed up by
  the general branch's secretary (`gbsecretary`) on 8 May and accepted by the
  committee (`committee`) on 11 May;
* the analysis phase's summary (分析评议), drafted from the data on 29 May and left a
  draft, its prompts still in it: the phase is still going (the branch's mobilisation
  meeting and vote are the demo `secretary`'s to do), and the bundle marks it so.
"""

from __future__ import annotations

from dataclasses import dataclass

from vanguard.accounts.models import User
from vanguard.campaigns.models import Campaign, Phase
from vanguard.demo.common import DEMO_BRANCH, meeting_keepers, on_day, unaudited
from vanguard.materials.stage_summary import drafting
from vanguard.materials.stage_summary import services as summaries
from vanguard.materials.stage_summary.models import (
    SECTION_NAMES,
    StageSummary,
    StageSummaryDecision,
)
from vanguard.organization.models import Unit

Verdict = StageSummaryDecision.Verdict

# (month, day, hour) of each step.
STUDY_DRAFTED = (5, 6, 9)
STUDY_SUBMITTED = (5, 6, 16)
STUDY_PASSED = (5, 8, 10)
STUDY_ACCEPTED = (5, 11, 15)
ANALYSIS_DRAFTED = (5, 29, 21)

# What the branch wrote in the study phase's summary where the draft asks it to: each
# section keeps the draft's lines from the data and adds these.
STUDY_WRITTEN = {
    "good_practice": (
        "支部把学习讨论与学科建设结合起来：由党小组分头组织学习、支部集中交流，"
        "党员结合教学科研实际撰写读书笔记和学习心得，学习有深度。\n"
        "在组织生活会上交流读书笔记和学习心得，对照党章查找差距，发言坦诚、联系实际。"
    ),
    "problems": (
        "少数党员因教学科研任务重、出差多，参加集中学习不够；"
        "个别党员的读书笔记以摘抄为主，联系思想和工作实际不够。"
    ),
    "next_steps": (
        "及时召开支部动员会，广泛征求党内外群众意见，组织党员认真撰写党性分析材料和个人总结。"
    ),
}
# Who reads the study phase's summary at each level, when, and what they decide.
REVIEWS: dict[str, tuple[tuple[int, int, int], str, str, str]] = {
    StageSummaryDecision.Level.GENERAL_BRANCH: (STUDY_PASSED, "gbsecretary", Verdict.PASS, ""),
    StageSummaryDecision.Level.COMMITTEE: (
        STUDY_ACCEPTED,
        "committee",
        Verdict.ACCEPT,
        "同意。支部学习组织有序，党员学习材料齐全。",
    ),
}


@dataclass
class DemoMaterialsResult:
    summaries: int
    states: dict[str, str]  # phase key -> the summary's state


def _written(summary: StageSummary) -> dict[str, str]:
    """The sections as the branch handed them in: the draft's lines from the data, its
    prompts (【请补充…】) replaced by what the branch wrote."""
    mark = drafting.stored_prompt_mark()
    sections = {}
    for name in SECTION_NAMES:
        kept = [line for line in getattr(summary, name).splitlines() if mark not in line]
        if name in STUDY_WRITTEN:
            kept.append(STUDY_WRITTEN[name])
        sections[name] = "\n".join(kept)
    return sections


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def demo_materials_build(campaign: Campaign) -> DemoMaterialsResult:
    """Draft (and, for the study phase, hand in) the demo secretary's branch's stage
    summaries (see the module's docstring). Call once, inside the demo's transaction,
    after the other steps."""
    branch = Unit.objects.filter(
        name=DEMO_BRANCH, kind=Unit.Kind.BRANCH, path__startswith=campaign.unit.path
    ).first()
    secretary = meeting_keepers(branch).secretary if branch is not None else None
    if branch is None or secretary is None:
        return DemoMaterialsResult(summaries=0, states={})
    phases = {phase.key: phase for phase in campaign.phases.all()}
    made: dict[str, StageSummary] = {}
    with unaudited():
        with on_day(*STUDY_DRAFTED):
            study = summaries.stage_summary_draft(
                campaign=campaign, branch=branch, phase=phases[Phase.Key.STUDY], actor=secretary
            )
            summaries.stage_summary_save(
                summary=study, data=_written(study), base_version=study.version, actor=secretary
            )
        with on_day(*STUDY_SUBMITTED):
            version = summaries.stage_summary_submit(
                summary=study, base_version=study.version, actor=secretary
            )
        while (level := summaries.review_level(study)) is not None:
            when, username, verdict, note = REVIEWS[level]
            reviewer = _user(username)
            if reviewer is None:
                break
            with on_day(*when):
                summaries.stage_summary_decide(
                    summary=study,
                    version_number=version.number,
                    verdict=verdict,
                    reason=note,
                    actor=reviewer,
                )
        made[Phase.Key.STUDY] = study
        with on_day(*ANALYSIS_DRAFTED):
            made[Phase.Key.ANALYSIS] = summaries.stage_summary_draft(
                campaign=campaign,
                branch=branch,
                phase=phases[Phase.Key.ANALYSIS],
                actor=secretary,
            )
    return DemoMaterialsResult(
        summaries=len(made), states={key: summary.state for key, summary in made.items()}
    )
