"""The requirement kinds (检查项) of the self-analysis and personal summary.

Registered with the campaign's requirement registry at start-up
(`ReviewsConfig.ready` imports this module), so that a phase can ask of every
member:

* ``member_self_analysis_submitted`` — the member has sent their self-analysis up
  at least once in round N or later (第N轮已提交);
* ``member_self_analysis_approved`` — the committee's word has come back down for
  round N or later: guidance (round 1), opinion (round 2), approval (round 3).

Each evaluator answers for every member of the scope with one query. The number
of submitted versions is also added to the readings of "has submitted something"
that the blind spots (死角) use.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from vanguard.campaigns.requirements import (
    MEMBER,
    SUBMISSION_READINGS,
    Context,
    IntParam,
    RequirementKind,
    counts_records_of,
    register,
)

ROUND = IntParam("round", _("轮次"), default=1, min_value=1, max_value=3)
APPROVED_ROUND = IntParam("round", _("轮次"), default=3, min_value=1, max_value=3)


def _scope_filter(ctx: Context, prefix: str) -> dict[str, Any]:
    return {f"{prefix}campaign": ctx.campaign, f"{prefix}member__is_active": True}


def _submitted(ctx: Context, requirement: Any, params: dict[str, Any]) -> dict[int, int]:
    """{member id: 1} for members with a version submitted in round ≥ params["round"]."""
    from vanguard.reviews.models import SubmittedVersion

    member_ids = (
        SubmittedVersion.objects.filter(
            round__gte=params["round"], **_scope_filter(ctx, "document__")
        )
        .filter(ctx.under("document__member__branch__path"))
        .order_by()
        .values_list("document__member_id", flat=True)
        .distinct()
    )
    return dict.fromkeys(member_ids, 1)


def _answered(ctx: Context, requirement: Any, params: dict[str, Any]) -> dict[int, int]:
    """{member id: 1} for members whose round ≥ params["round"] has the committee's word."""
    from vanguard.reviews.models import CommitteeResponse

    member_ids = (
        CommitteeResponse.objects.filter(
            round__number__gte=params["round"], **_scope_filter(ctx, "round__document__")
        )
        .filter(ctx.under("round__document__member__branch__path"))
        .order_by()
        .values_list("round__document__member_id", flat=True)
        .distinct()
    )
    return dict.fromkeys(member_ids, 1)


def _describe_submitted(params: dict[str, Any]) -> str:
    return gettext("每名党员第 %(round)d 轮提交党性分析材料和个人总结") % params


def _describe_approved(params: dict[str, Any]) -> str:
    if params["round"] == 3:
        return gettext("每名党员的党性分析材料和个人总结经党委审批")
    return gettext("每名党员的个人总结第 %(round)d 轮已有党委意见") % params


def submitted_versions(ctx: Context) -> dict[int, int]:
    """{member id: versions submitted in the campaign}: a reading for the blind spots."""
    from vanguard.reviews.models import SubmittedVersion

    def compute() -> dict[int, int]:
        rows = (
            SubmittedVersion.objects.filter(**_scope_filter(ctx, "document__"))
            .filter(ctx.under("document__member__branch__path"))
            .order_by()
            .values("document__member_id")
            .annotate(n=Count("pk"))
            .values_list("document__member_id", "n")
        )
        return dict(rows)

    return ctx.shared("reviews_submitted_versions", compute)


SUBMITTED = register(
    RequirementKind(
        code="member_self_analysis_submitted",
        scope=MEMBER,
        name=_("党员提交党性分析材料和个人总结"),
        params=(ROUND,),
        describe=_describe_submitted,
        evaluate=_submitted,
        target=lambda params: 1,
    )
)

APPROVED = register(
    RequirementKind(
        code="member_self_analysis_approved",
        scope=MEMBER,
        name=_("党员个人总结经党委反馈或审批"),
        params=(APPROVED_ROUND,),
        describe=_describe_approved,
        evaluate=_answered,
        target=lambda params: 1,
    )
)

SUBMISSION_READINGS.append(submitted_versions)

# The records the readings above read (campaigns.records keeps their version).
counts_records_of("reviews.SelfAnalysis", "reviews.SubmittedVersion", "reviews.CommitteeResponse")
