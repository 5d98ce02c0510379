"""What of each app the demo must build the same every time: one fingerprint per app,
compared before and after one reset of the whole demo (test_organization), instead of a
reset per app's test module (each cost a full rebuild)."""

from __future__ import annotations

from collections import Counter

from vanguard.accounts.models import RoleAssignment
from vanguard.ballots import services as ballots
from vanguard.ballots.models import AppraisalSession
from vanguard.campaigns.models import Campaign
from vanguard.demo.campaigns import CAMPAIGN_NAME
from vanguard.grading.models import GradeProposal
from vanguard.materials.stage_summary.models import (
    SECTION_NAMES,
    StageSummary,
    StageSummaryDecision,
    StageSummaryVersion,
)
from vanguard.meetings.models import Meeting, MeetingAttendance
from vanguard.opinions.models import Opinion, SurveyAnswer
from vanguard.organization.models import Member, Unit
from vanguard.rectification.models import Donation, Idea, Item, ItemLink, Plan, PlanDecision, Update
from vanguard.reviews.models import BranchReview, SubmittedVersion
from vanguard.study.models import Attendance, StudyWork
from vanguard.supervision.models import (
    Check,
    CheckFinding,
    Exemplar,
    NoteAssessment,
    RemediationOrder,
    SampledMember,
    SupervisionGroup,
)


def organization() -> tuple:
    units = sorted(Unit.objects.values_list("name", "kind", "branch_type", "parent__name", "depth"))
    members = sorted(
        Member.objects.values_list(
            "name",
            "number",
            "category",
            "standing",
            "joined_on",
            "phone",
            "email",
            "is_active",
            "branch__name",
            "party_group__name",
            "user__username",
        )
    )
    roles = sorted(
        RoleAssignment.objects.values_list("user__username", "role", "unit__name", "note")
    )
    return units, members, roles


def campaigns() -> tuple:
    return (
        sorted(
            StudyWork.objects.values_list("member__number", "kind", "title", "body", "submitted_at")
        ),
        sorted(
            Attendance.objects.values_list(
                "session__topic", "session__unit__name", "member__number", "status", "reason"
            )
        ),
        sorted(
            Meeting.objects.values_list(
                "title",
                "unit__name",
                "kind",
                "phase__key",
                "held_at",
                "ends_at",
                "place",
                "host",
                "recorder",
                "agenda",
                "minutes",
                "decisions",
            ),
            key=repr,
        ),
        sorted(
            MeetingAttendance.objects.values_list(
                "meeting__title", "meeting__unit__name", "member__number", "status", "reason"
            )
        ),
    )


def opinions(campaign: Campaign) -> list[tuple]:
    return list(
        Opinion.objects.filter(campaign=campaign)
        .order_by("branch__name", "received_on", "text", "subject_member__number", "channel")
        .values_list(
            "branch__name",
            "channel",
            "text",
            "received_on",
            "subject_member__number",
            "kind",
            "status",
            "round",
            "source",
            "contact",
        )
    )


def reviews(campaign: Campaign) -> list[tuple]:
    return list(
        SubmittedVersion.objects.filter(document__campaign=campaign)
        .order_by("document__member__number", "number")
        .values_list(
            "document__member__number",
            "number",
            "round",
            "problems",
            "summary",
            "submitted_at",
            "document__state",
        )
    ) + list(
        BranchReview.objects.filter(version__document__campaign=campaign)
        .order_by("version__document__member__number", "version__number")
        .values_list("version__document__member__number", "verdict", "reasons", "at")
    )


def grading(campaign: Campaign) -> list[tuple]:
    proposals = list(
        GradeProposal.objects.filter(grading__campaign=campaign)
        .order_by("member__number")
        .values_list("member__number", "grade", "rationale", "grading__status")
    )
    counts = []
    for session in AppraisalSession.objects.filter(
        campaign=campaign, status=AppraisalSession.Status.CLOSED
    ).order_by("unit__name"):
        tally = ballots.compute_tally(session=session)
        counts += [(c.number, tuple(sorted(c.counts.items()))) for c in tally.candidates]
    # Each vote with the appraisal meeting it was held at (or none, while it is a draft).
    held_at = sorted(
        AppraisalSession.objects.filter(campaign=campaign).values_list(
            "unit__name", "status", "meeting__title", "opened_at", "closed_at"
        ),
        key=repr,
    )
    return proposals + counts + held_at


def materials(campaign: Campaign) -> tuple:
    """The stage summaries with their versions and decisions, by branch and phase."""
    summaries = sorted(
        StageSummary.objects.filter(campaign=campaign).values_list(
            "branch__name",
            "phase__key",
            "state",
            "version",
            *SECTION_NAMES,
            "drafted_at",
            "submitted_at",
            "accepted_at",
        ),
        key=repr,
    )
    versions = sorted(
        StageSummaryVersion.objects.filter(summary__campaign=campaign).values_list(
            "summary__branch__name", "summary__phase__key", "number", *SECTION_NAMES
        ),
        key=repr,
    )
    decisions = sorted(
        StageSummaryDecision.objects.filter(summary__campaign=campaign).values_list(
            "summary__branch__name",
            "summary__phase__key",
            "version__number",
            "level",
            "verdict",
            "reason",
            "reviewer__username",
            "at",
        ),
        key=repr,
    )
    return summaries, versions, decisions


def survey_answers(campaign: Campaign) -> list:
    return sorted(
        SurveyAnswer.objects.filter(survey__campaign_id=campaign.pk).values_list("id", flat=True)
    )


def supervision(campaign: Campaign) -> tuple:
    """Groups, checks, reading and orders by name and number. Not which members were
    sampled: the draw seeds each branch's stratum with the branch's id, which a
    rebuild changes (the same number per branch is drawn), so the college's reading
    and what follows from it (orders, exemplars) count per branch; the general
    branch's own reading, which draws nothing, names its members by number."""
    groups = sorted(
        (
            g.name,
            g.leader.get_username() if g.leader else "",
            tuple(sorted(g.members.values_list("username", flat=True))),
            tuple(sorted(g.branches.values_list("name", flat=True))),
        )
        for g in SupervisionGroup.objects.filter(campaign=campaign).select_related("leader")
    )
    checks = sorted(
        Check.objects.filter(round__campaign=campaign).values_list(
            "round__title",
            "branch__name",
            "group__name",
            "status",
            "checked_by__username",
            "checked_on",
            "summary",
        )
    )
    findings = sorted(
        CheckFinding.objects.filter(check_record__round__campaign=campaign).values_list(
            "check_record__round__title",
            "check_record__branch__name",
            "check_record__status",
            "item",
            "finding",
            "note",
        )
    )
    drawn = sorted(
        Counter(
            SampledMember.objects.filter(sample__campaign=campaign).values_list(
                "branch__name", flat=True
            )
        ).items()
    )
    assessments = NoteAssessment.objects.filter(campaign=campaign)
    read = sorted(
        Counter(
            assessments.values_list(
                "level",
                "member__branch__name",
                "grade",
                "note_type__name",
                "comment",
                "assessed_by__username",
            )
        ).items()
    )
    general_branch = sorted(
        assessments.filter(level=NoteAssessment.Level.GENERAL_BRANCH).values_list(
            "member__number", "grade", "note_type__name", "comment", "assessed_at"
        )
    )
    orders = sorted(
        (branch, member is None, status, deadline, reason, ordered_at)
        for branch, member, status, deadline, reason, ordered_at in RemediationOrder.objects.filter(
            campaign=campaign
        ).values_list("branch__name", "member_id", "status", "deadline", "reason", "ordered_at")
    )
    exemplars = sorted(
        Exemplar.objects.filter(campaign=campaign).values_list(
            "work__member__branch__name", "note_type__name", "consent", "comment"
        )
    )
    return groups, checks, findings, drawn, read, general_branch, orders, exemplars


def _owner(prefix: str = "") -> tuple[str, str]:
    """A plan's owner by name and number, never by id (a rebuild has other ids)."""
    return (f"{prefix}member__number", f"{prefix}unit__name")


def rectification(campaign: Campaign) -> tuple:
    """Plans, items, links, updates, decisions, activities, donations and ideas, each by
    its owner's number or name and its place in the plan."""
    plans = sorted(
        Plan.objects.filter(campaign=campaign).values_list(
            *_owner(), "level", "status", "summary", "return_reason", "submitted_at", "approved_at"
        ),
        key=repr,
    )
    items = sorted(
        Item.objects.filter(plan__campaign=campaign).values_list(
            *_owner("plan__"),
            "order",
            "problem",
            "measure",
            "standard",
            "deadline",
            "status",
            "tags",
            "responsible__number",
            "done_at",
            "verified_at",
            "verified_by__username",
            "activity__title",
        ),
        key=repr,
    )
    links = sorted(
        ItemLink.objects.filter(item__plan__campaign=campaign).values_list(
            *_owner("item__plan__"),
            "item__order",
            "target",
            "opinion__text",
            "review__version__document__member__number",
            "review__version__number",
            "check_finding__check_record__round__title",
            "check_finding__check_record__branch__name",
            "check_finding__item",
            "remediation__branch__name",
            "remediation__reason",
        ),
        key=repr,
    )
    updates = sorted(
        Update.objects.filter(item__plan__campaign=campaign).values_list(
            *_owner("item__plan__"), "item__order", "on", "text", "activity__title", "created_at"
        ),
        key=repr,
    )
    decisions = sorted(
        PlanDecision.objects.filter(plan__campaign=campaign).values_list(
            *_owner("plan__"), "verdict", "reason", "reviewer__username", "at"
        ),
        key=repr,
    )
    donations = sorted(
        Donation.objects.filter(activity__campaign=campaign).values_list(
            "activity__branch__name", "activity__title", "member__number", "amount", "given_on"
        ),
        key=repr,
    )
    ideas = sorted(
        Idea.objects.filter(activity__campaign=campaign).values_list(
            "activity__branch__name",
            "text",
            "anonymous",
            "author__number",
            "decision",
            "decision_note",
            "received_on",
            "became__problem",
        ),
        key=repr,
    )
    return plans, items, links, updates, decisions, donations, ideas


def whole_demo() -> dict[str, object]:
    campaign = Campaign.objects.get(name=CAMPAIGN_NAME)
    return {
        "organization": organization(),
        "campaigns": (Campaign.objects.count(), campaigns()),
        "opinions": opinions(campaign),
        "survey answers": survey_answers(campaign),
        "reviews": reviews(campaign),
        "grading": grading(campaign),
        "supervision": supervision(campaign),
        "rectification": rectification(campaign),
        "materials": materials(campaign),
    }
