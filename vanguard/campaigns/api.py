"""JSON API of the campaigns app: the campaigns a caller may see, one campaign with its
phases, and live progress per branch (`campaigns.progress`), under the same access
rules as the dashboards (`campaigns.access`)."""

import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import paginate

from vanguard.campaigns import access, progress
from vanguard.campaigns.models import Campaign
from vanguard.lib.api.errors import ApiError, ErrorOut
from vanguard.lib.api.fields import SchemaName
from vanguard.lib.api.pagination import Pagination
from vanguard.organization.models import Unit

CampaignStatus = Annotated[Campaign.Status, SchemaName("CampaignStatus")]
router = Router(tags=["campaigns"])

ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class PhaseOut(Schema):
    id: int
    key: str
    name: str
    order: int
    starts_on: datetime.date
    ends_on: datetime.date
    status: str


class CampaignOut(Schema):
    id: int
    name: str
    kind: str
    year: int
    status: str
    unit_id: int
    unit_name: str

    @staticmethod
    def resolve_unit_name(obj: Campaign) -> str:
        return obj.unit.name


class CampaignDetailOut(CampaignOut):
    description: str
    phases: list[PhaseOut]

    @staticmethod
    def resolve_phases(obj: Campaign) -> list[Any]:
        return list(obj.phases.order_by("order"))


class RequirementOut(Schema):
    label: str
    scope: str
    target: int
    done: int
    total: int
    met: bool


class BranchProgressOut(Schema):
    id: int
    name: str
    parent_id: int | None
    phase_id: int | None
    phase_name: str | None
    percent: int = 0
    met: bool
    members_total: int
    members_required: int
    members_complete: int
    silent_members: int
    has_plan: bool
    has_meeting: bool
    unmet: list[str]
    requirements: list[RequirementOut]


class ProgressOut(Schema):
    campaign_id: int
    unit_id: int
    unit_name: str
    percent: int
    branches_total: int
    branches_met: int
    members_total: int
    members_required: int
    members_complete: int
    silent_members: int
    without_plan: int
    without_meeting: int
    branches: list[BranchProgressOut]


@router.get("/", response=list[CampaignOut], summary="Campaigns the caller may see")
@paginate(Pagination)
def campaign_list(request: HttpRequest, status: CampaignStatus | None = None) -> Any:
    campaigns = access.visible_campaigns(request.user)
    if status is not None:
        campaigns = campaigns.filter(status=status)
    return campaigns.order_by("-year", "-pk")


@router.get(
    "/{int:campaign_id}",
    response={200: CampaignDetailOut, **ERRORS},
    summary="One campaign with its phases",
)
def campaign_detail(request: HttpRequest, campaign_id: int) -> Campaign:
    return access.get_campaign_for_user(request.user, campaign_id)


def _progress_root(request: HttpRequest, campaign: Campaign, unit_id: int | None) -> Unit:
    """The unit whose progress is asked for: `unit`, or else the caller's one view of
    the campaign (the college for the committee, a general branch for its secretary)."""
    user = request.user
    if unit_id is None:
        inside = access.get_progress_roots_for_user(user, campaign)
        if len(inside) > 1:
            raise ApiError(
                422,
                _("数据有误"),
                [
                    {
                        "field": "unit",
                        "message": _("您可查看多个单位的进展，请用 unit 参数指明其中一个。"),
                    }
                ],
            )
        return inside[0]
    return access.get_progress_unit_for_user(user, campaign, unit_id)


@router.get(
    "/{int:campaign_id}/progress",
    response={200: ProgressOut, **ERRORS},
    summary="Progress of each branch under a unit against its current phase",
)
def campaign_progress(
    request: HttpRequest, campaign_id: int, unit: int | None = None
) -> dict[str, Any]:
    """Per-branch completion under `unit` (default: the caller's own view of the
    campaign — the college for the committee, a general branch for its secretary)."""
    campaign = access.get_campaign_for_user(request.user, campaign_id)
    root = _progress_root(request, campaign, unit)
    found = progress.campaign_progress(campaign=campaign, roots=[root])
    top = found.units.get(root.pk)
    branches = [
        {
            "id": branch.id,
            "name": branch.name,
            "parent_id": branch.parent_id,
            "phase_id": branch.phase.pk if branch.phase else None,
            "phase_name": branch.phase.name if branch.phase else None,
            "percent": branch.percent,
            "met": branch.met,
            "members_total": branch.members_total,
            "members_required": branch.members_required,
            "members_complete": branch.members_complete,
            "silent_members": branch.silent_members,
            "has_plan": branch.has_plan,
            "has_meeting": branch.has_meeting,
            "unmet": branch.unmet_labels,
            "requirements": [
                {
                    "label": result.label,
                    "scope": result.requirement.scope,
                    "target": result.target,
                    "done": result.done,
                    "total": result.total,
                    "met": result.met,
                }
                for result in branch.results
            ],
        }
        for branch in found.branches
    ]
    return {
        "campaign_id": campaign.pk,
        "unit_id": root.pk,
        "unit_name": root.name,
        "percent": top.percent if top else 100,
        "branches_total": top.branch_count if top else 0,
        "branches_met": top.branches_met if top else 0,
        "members_total": top.members_total if top else 0,
        "members_required": top.members_required if top else 0,
        "members_complete": top.members_complete if top else 0,
        "silent_members": top.silent_members if top else 0,
        "without_plan": top.without_plan if top else 0,
        "without_meeting": top.without_meeting if top else 0,
        "branches": branches,
    }
