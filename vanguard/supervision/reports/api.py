"""JSON API of supervision's figures: the overview of a campaign (督查情况), as the page
shows it, counted over the branches the caller reads (`access.report_branches`); the
watch list only for those who keep it (`access.reads_watch_list`), otherwise null."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from vanguard.lib.api.errors import ErrorOut
from vanguard.supervision import access
from vanguard.supervision.models import CheckItem, NoteAssessment
from vanguard.supervision.reports import selectors

router = Router(tags=["supervision"])

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class OverviewRoundOut(Schema):
    round_id: int
    title: str
    status: str
    scope: int  # the round's branches the caller reads
    checked: int  # of them, with the check done


class OverviewCoverageOut(Schema):
    branches: int
    checked: int
    checked_twice: int
    checked_percent: int
    members_with_notes: int
    sampled: int
    sampled_percent: int
    rounds: list[OverviewRoundOut]


class OverviewCountOut(Schema):
    key: str  # the grade's value, or the note type's name
    label: str
    college: int
    general_branch: int


class OverviewNotesOut(Schema):
    read_college: int
    read_general_branch: int
    read_percent: int  # of the sampled, read by the college
    by_grade: list[OverviewCountOut]
    by_type: list[OverviewCountOut]


class OverviewFindingOut(Schema):
    item: str
    label: str
    good: int
    needs_work: int
    missing: int
    total: int


class OverviewOrderStatusOut(Schema):
    status: str
    label: str
    count: int
    overdue: int | None  # null: an order in this status cannot be overdue


class OverviewOrdersOut(Schema):
    total: int
    open: int
    overdue: int
    by_status: list[OverviewOrderStatusOut]


class OverviewGuidanceOut(Schema):
    sessions: int
    lagging: int
    branches: int


class OverviewWatchOut(Schema):
    branches: int
    persons: int
    talks: int


class SupervisionOverviewOut(Schema):
    campaign_id: int
    campaign: str
    coverage: OverviewCoverageOut
    notes: OverviewNotesOut
    findings: list[OverviewFindingOut]
    orders: OverviewOrdersOut
    guidance: OverviewGuidanceOut
    watch: OverviewWatchOut | None  # only for those who keep the watch list


def _overview(data: selectors.Overview) -> dict[str, Any]:
    items = {str(label): value for value, label in CheckItem.choices}
    grades = {str(label): value for value, label in NoteAssessment.Grade.choices}
    values = [f.value for f in selectors.FINDINGS]
    findings = []
    for row in data.findings:
        counts = dict(zip(values, row.counts, strict=True))
        findings.append(
            {
                "item": items.get(row.label, ""),
                "label": row.label,
                "good": counts.get("good", 0),
                "needs_work": counts.get("needs_work", 0),
                "missing": counts.get("missing", 0),
                "total": row.total,
            }
        )
    watch = data.watch
    return {
        "campaign_id": data.campaign.pk,
        "campaign": data.campaign.name,
        "coverage": {
            "branches": data.branches,
            "checked": data.checked,
            "checked_twice": data.checked_twice,
            "checked_percent": data.checked_percent,
            "members_with_notes": data.members_with_notes,
            "sampled": data.sampled,
            "sampled_percent": data.sampled_percent,
            "rounds": [
                {
                    "round_id": c.round.pk,
                    "title": c.round.title,
                    "status": c.round.status,
                    "scope": c.scope,
                    "checked": c.checked,
                }
                for c in data.rounds
            ],
        },
        "notes": {
            "read_college": data.read_college,
            "read_general_branch": data.read_general_branch,
            "read_percent": data.read_percent,
            "by_grade": [
                {"key": grades.get(label, ""), "label": label, "college": c, "general_branch": g}
                for label, c, g in data.by_grade
            ],
            "by_type": [
                {"key": name, "label": name, "college": c, "general_branch": g}
                for name, c, g in data.by_type
            ],
        },
        "findings": findings,
        "orders": {
            "total": data.orders_total,
            "open": data.orders_open,
            "overdue": data.overdue,
            "by_status": [
                {"status": s.status, "label": s.label, "count": s.count, "overdue": s.overdue}
                for s in data.orders
            ],
        },
        "guidance": {
            "sessions": data.guidance,
            "lagging": data.guidance_lagging,
            "branches": data.guided_branches,
        },
        "watch": (
            {"branches": watch.branches, "persons": watch.persons, "talks": watch.talks}
            if watch is not None
            else None
        ),
    }


@router.get(
    "/overview/{int:campaign_id}",
    response={200: SupervisionOverviewOut, **ERRORS},
    summary="A campaign's supervision figures, over the branches the caller reads",
)
def overview(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    campaign = access.get_supervision_campaign_for_user(request.user, campaign_id)
    return _overview(selectors.overview(request.user, campaign))
