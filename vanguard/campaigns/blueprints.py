"""The campaign templates (模板) a committee starts from, as data.

Two are known: the three-phase education campaign of the seed — study and
mobilisation (学习动员) → analysis and appraisal (分析评议) → rectification
(整改提高) — and the annual democratic appraisal of members (年度民主评议党员),
which has the appraisal phase only. Each phase lists its default requirements,
which `services.campaign_create_from_blueprint` copies into the new campaign;
from then on the committee edits them per campaign.

Phase dates are offsets from the campaign's start date. With a start on 20
February the education campaign's analysis phase opens on 2 May, as the seed's
did.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from vanguard.campaigns.models import Campaign, Phase


@dataclass(frozen=True)
class RequirementSpec:
    kind: str  # a key of requirements.REGISTRY (which also says whom it applies to)
    params: dict[str, Any] = field(default_factory=dict)
    label: Promise | str | None = None  # None: the kind's own description


@dataclass(frozen=True)
class PhaseSpec:
    key: str  # Phase.Key
    name: Promise | str
    starts_after_days: int  # from the campaign's start date
    length_days: int  # the phase ends on its start + length_days
    requirements: tuple[RequirementSpec, ...] = ()


@dataclass(frozen=True)
class Blueprint:
    kind: str  # Campaign.Kind
    name: Promise | str
    description: Promise | str
    phases: tuple[PhaseSpec, ...]


THREE_MEETINGS = (
    RequirementSpec("branch_meeting", {"kind": "mobilisation"}),  # 支部动员会
    RequirementSpec("branch_meeting", {"kind": "democratic_appraisal"}),  # 民主评议会
    RequirementSpec("branch_meeting", {"kind": "grade_rating"}),  # 等级评定会
)

EDUCATION = Blueprint(
    kind=Campaign.Kind.EDUCATION,
    name=_("先进性教育活动"),
    description=_("学习动员、分析评议、整改提高三个阶段。"),
    phases=(
        PhaseSpec(
            Phase.Key.STUDY,
            _("学习动员"),
            starts_after_days=0,
            length_days=70,
            requirements=(
                RequirementSpec("member_study_works", {"kind": "reading_note", "min": 2}),
                RequirementSpec("member_study_works", {"kind": "reflection", "min": 1}),
                RequirementSpec("branch_study_plan"),
                RequirementSpec("branch_study_sessions", {"min": 2}),
            ),
        ),
        # Beside the three meetings, each member's own part: the party-spirit analysis
        # and personal summary (党性分析材料和个人总结), first sent up in round 1 of the
        # three rounds (三上三下). Without it the phase asked nothing of a member, and the
        # dashboards counted everyone as having done their part.
        PhaseSpec(
            Phase.Key.ANALYSIS,
            _("分析评议"),
            starts_after_days=71,
            length_days=44,
            requirements=(
                THREE_MEETINGS[0],
                RequirementSpec("member_self_analysis_submitted", {"round": 1}),
                *THREE_MEETINGS[1:],
            ),
        ),
        # The kinds are registered by the rectification app (campaigns names them only
        # by their codes): every member submits a written plan, the branch's plan is
        # approved by the committee, 80 % of the items due are done by their deadline.
        PhaseSpec(
            Phase.Key.RECTIFICATION,
            _("整改提高"),
            starts_after_days=116,
            length_days=44,
            requirements=(
                RequirementSpec("member_rectification_plan", {"state": "submitted"}),
                RequirementSpec("branch_rectification_plan_approved"),
                RequirementSpec("branch_rectification_items_done", {"percent": 80}),
            ),
        ),
    ),
)

ANNUAL_APPRAISAL = Blueprint(
    kind=Campaign.Kind.ANNUAL_APPRAISAL,
    name=_("年度民主评议党员"),
    description=_("召开支部动员会、民主评议会、等级评定会。"),
    phases=(
        PhaseSpec(
            Phase.Key.APPRAISAL,
            _("民主评议"),
            starts_after_days=0,
            length_days=30,
            requirements=THREE_MEETINGS,
        ),
    ),
)

BLUEPRINTS: dict[str, Blueprint] = {
    EDUCATION.kind: EDUCATION,
    ANNUAL_APPRAISAL.kind: ANNUAL_APPRAISAL,
}


def get_blueprint(kind: str) -> Blueprint:
    return BLUEPRINTS[kind]
