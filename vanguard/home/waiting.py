"""What waits for an officer (等待您处理), on their home page: a count and a link to the
page where the thing is done, for each kind of work their roles give them.

Every count is read through the owning app's access (`visible_*`, `reviewable_*`,
`*_units`), so it covers only what the person may see and act on; each is one query,
so the number of queries depends on the roles held, never on the data. Lagging
branches come from the progress engine (`campaigns.progress`), the same evaluation as
the progress dashboards.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from vanguard.accounts import access
from vanguard.accounts.access import Person
from vanguard.accounts.models import Role, User
from vanguard.ballots import access as ballots_access
from vanguard.ballots.models import AppraisalSession
from vanguard.campaigns import access as campaigns_access
from vanguard.campaigns import progress as engine
from vanguard.campaigns.models import Campaign
from vanguard.grading import access as grading_access
from vanguard.grading.models import BranchGrading
from vanguard.materials import access as materials_access
from vanguard.materials.stage_summary import selectors as stage_summaries
from vanguard.materials.stage_summary.models import StageSummary
from vanguard.organization.models import Unit
from vanguard.rectification import access as rectification_access
from vanguard.rectification.models import Plan
from vanguard.reviews import access as reviews_access
from vanguard.reviews import selectors_review
from vanguard.reviews.models import SelfAnalysis
from vanguard.study import selectors as study_selectors
from vanguard.supervision import access as supervision_access
from vanguard.supervision.models import Check, Round
from vanguard.supervision.remediation import selectors as remediation_selectors

BRANCH_OFFICER_ROLES = {Role.BRANCH_SECRETARY, Role.BRANCH_COMMITTEE}
OVERSIGHT_ROLES = {Role.COMMITTEE_ADMIN, Role.GENERAL_BRANCH_SECRETARY}
LAGGING_NAMED = 3


@dataclass
class WaitingEntry:
    key: str
    label: str
    count: int
    url: str
    note: str = ""  # e.g. the names of the first lagging branches


def _campaign(user: User) -> Campaign | None:
    """The person's nearest active campaign (the one the dashboard opens)."""
    return (
        campaigns_access.visible_campaigns(user)
        .filter(status=Campaign.Status.ACTIVE)
        .select_related("unit")
        .order_by("-unit__depth", "-year", "-pk")
        .first()
    )


def _branch_officer(user: User, campaign: Campaign | None) -> list[WaitingEntry]:
    entries: list[WaitingEntry] = []
    units = reviews_access.branch_review_units(user)
    documents = (
        reviews_access.visible_self_analyses(user)
        .filter(
            member__branch__in=units,
            state=SelfAnalysis.State.SUBMITTED,
            campaign__status=Campaign.Status.ACTIVE,
        )
        .exclude(member__user_id__in=[pk for pk in [getattr(user, "pk", None)] if pk])
        .count()
    )
    entries.append(
        WaitingEntry("reviews", _("待审阅的党性分析材料"), documents, reverse("reviews:queue"))
    )
    works = study_selectors.works_to_review(user).filter(
        reviewed_at__isnull=True,
        campaign__status=Campaign.Status.ACTIVE,
        member__branch__in=units,
    )
    entries.append(
        WaitingEntry(
            "works",
            _("待评阅的学习成果"),
            works.count(),
            reverse("study:work_list") + "?pending=1",
        )
    )
    plans = (
        rectification_access.reviewable_plans(user)
        .filter(
            level=Plan.Level.MEMBER,
            status=Plan.Status.SUBMITTED,
            campaign__status=Campaign.Status.ACTIVE,
        )
        .count()
    )
    if campaign is not None:
        entries.append(
            WaitingEntry(
                "member-plans",
                _("待审阅的党员整改计划"),
                plans,
                reverse("rectification:campaign_plans", args=[campaign.pk]),
            )
        )
    if campaign is not None:
        # Grades to propose: a closed vote of the branch and no grading sent up yet, or a
        # grading the committee returned.
        branches = grading_access.grading_branches(user).filter(path__startswith=campaign.unit.path)
        branches = branches.filter(pk__in=units.values("pk"))
        sent = BranchGrading.objects.filter(
            campaign=campaign,
            branch=OuterRef("pk"),
            status__in=[BranchGrading.Status.SUBMITTED, BranchGrading.Status.APPROVED],
        )
        voted = AppraisalSession.objects.filter(
            campaign=campaign, unit=OuterRef("pk"), status=AppraisalSession.Status.CLOSED
        )
        to_propose = list(
            branches.filter(Exists(voted) & ~Exists(sent))
            .order_by("path")
            .values_list("pk", flat=True)[:2]
        )
        count = branches.filter(Exists(voted) & ~Exists(sent)).count() if to_propose else 0
        url = (
            reverse("grading:branch", args=[campaign.pk, to_propose[0]])
            if count == 1
            else reverse("grading:home")
        )
        entries.append(WaitingEntry("grades", _("待报送的评议等级"), count, url))
        returned = (
            rectification_access.visible_plans(user)
            .filter(
                campaign=campaign,
                level=Plan.Level.BRANCH,
                status=Plan.Status.RETURNED,
                unit__in=units,
            )
            .count()
        )
        entries.append(
            WaitingEntry(
                "branch-plan-returned",
                _("被退回的支部整改计划"),
                returned,
                reverse("rectification:campaign_plans", args=[campaign.pk]),
            )
        )
        summaries = (
            materials_access.visible_stage_summaries(user)
            .filter(
                campaign=campaign,
                state=StageSummary.State.RETURNED,
                branch__in=materials_access.stage_summary_branches(user, campaign),
            )
            .count()
        )
        entries.append(
            WaitingEntry(
                "summaries-returned",
                _("被退回的阶段工作小结"),
                summaries,
                reverse("materials:stage_summary_index") + f"?campaign={campaign.pk}",
            )
        )
        sessions = (
            ballots_access.visible_appraisal_sessions(user)
            .filter(campaign=campaign, status=AppraisalSession.Status.OPEN, unit__in=units)
            .count()
        )
        entries.append(
            WaitingEntry("votes-open", _("进行中的民主评议投票"), sessions, reverse("ballots:list"))
        )
    return entries


def _oversight(user: User, campaign: Campaign | None) -> list[WaitingEntry]:
    """Committee admins and general-branch secretaries: approvals waiting, lagging."""
    entries: list[WaitingEntry] = []
    if campaign is None:
        return entries
    branches = grading_access.grading_branches(user)
    is_admin = bool(access.paths(user, {Role.COMMITTEE_ADMIN}))
    gradings = BranchGrading.objects.filter(
        campaign=campaign, branch__in=branches, status=BranchGrading.Status.SUBMITTED
    ).count()
    entries.append(
        WaitingEntry(
            "gradings",
            _("待党委审批的评议等级") if not is_admin else _("待审批的支部评议等级"),
            gradings,
            reverse("grading:home"),
        )
    )
    entries.append(
        WaitingEntry(
            "summaries",
            _("待审阅的支部阶段工作小结"),
            len(stage_summaries.review_queue(user, campaign)),
            reverse("materials:stage_summary_index") + f"?campaign={campaign.pk}",
        )
    )
    if is_admin:
        entries.append(
            WaitingEntry(
                "committee-reviews",
                _("待党委给出意见的个人总结"),
                selectors_review.committee_queue(user).count(),
                reverse("reviews:committee"),
            )
        )
        plans = (
            rectification_access.reviewable_plans(user)
            .filter(
                campaign=campaign,
                status=Plan.Status.SUBMITTED,
                level__in=[Plan.Level.BRANCH, Plan.Level.COMMITTEE],
            )
            .count()
        )
        entries.append(
            WaitingEntry(
                "branch-plans",
                _("待审核的支部整改计划"),
                plans,
                reverse("rectification:campaign_plans", args=[campaign.pk]),
            )
        )
    roots = [
        unit
        for unit in campaigns_access.progress_roots(user)
        if unit.path.startswith(campaign.unit.path)
        and unit.kind != Unit.Kind.BRANCH
        and access.covers(access.paths(user, OVERSIGHT_ROLES), unit.path)
    ]
    if roots:
        lagging = engine.campaign_progress(campaign=campaign, roots=roots).lagging
        entries.append(
            WaitingEntry(
                "lagging",
                _("进度落后的支部"),
                len(lagging),
                reverse("campaigns:dashboard") + f"?campaign={campaign.pk}",
                note=_("、").join(branch.name for branch in lagging[:LAGGING_NAMED]),
            )
        )
    return entries


def _supervision(user: User, campaign: Campaign | None) -> list[WaitingEntry]:
    entries: list[WaitingEntry] = []
    if campaign is None:
        return entries
    if access.paths(user, {Role.SUPERVISOR}):
        checks = (
            supervision_access.visible_checks(user)
            .filter(
                round__campaign=campaign,
                status=Check.Status.PENDING,
                branch__in=supervision_access.supervised_branches(user),
            )
            .exclude(round__status=Round.Status.CLOSED)
        )
        first = checks.order_by("round__pk", "branch__path").values_list("pk", flat=True).first()
        count = checks.count() if first is not None else 0
        url = (
            reverse("supervision:check_detail", args=[first])
            if count == 1 and first is not None
            else reverse("supervision:rounds", args=[campaign.pk])
        )
        entries.append(WaitingEntry("checks", _("待完成的督查检查"), count, url))
    if access.paths(user, {Role.SUPERVISOR, Role.COMMITTEE_ADMIN}):
        overdue = remediation_selectors.campaign_orders(user, campaign, overdue=True).count()
        entries.append(
            WaitingEntry(
                "orders-overdue",
                _("逾期未完成的补课"),
                overdue,
                reverse("supervision:orders", args=[campaign.pk]) + "?overdue=1",
            )
        )
    return entries


def waiting_for(user: Person) -> list[WaitingEntry] | None:
    """The entries with something waiting, for every kind of work the person's roles
    give; None for a person whose roles give no such work (a member, an observer)."""
    if not isinstance(user, User):  # roles are held by logins only
        return None
    held = access.roles(user)
    if not held & (BRANCH_OFFICER_ROLES | OVERSIGHT_ROLES | {Role.SUPERVISOR}):
        return None
    campaign = _campaign(user)
    entries: list[WaitingEntry] = []
    if held & BRANCH_OFFICER_ROLES:
        entries += _branch_officer(user, campaign)
    if held & OVERSIGHT_ROLES:
        entries += _oversight(user, campaign)
    if held & {Role.SUPERVISOR, Role.COMMITTEE_ADMIN}:
        entries += _supervision(user, campaign)
    seen: set[str] = set()
    unique = []
    for entry in entries:
        if entry.count and entry.key not in seen:
            seen.add(entry.key)
            unique.append(entry)
    return unique
