"""Who may open the campaign-management and phase-gating (转段) pages (see
tests/access.py). The campaign runs in the cast's committee and is active, so
everyone in the college sees it; only committee admins manage it. Branch A1's
supervisor and the committee approve A1's transitions; officers and observers
over A1 may look at its page; its plain member may not (403); a member of
another branch does not see A1 at all (404)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from tests.access import LOGIN, AccessRow
from vanguard.campaigns import services
from vanguard.campaigns.models import Campaign

CAMPAIGN_NAME = "保持共产党员先进性教育活动"
ADMIN_ONLY = {"anonymous": LOGIN, "committee_admin": 200}


def education_campaign(org, *, start_on: datetime.date | None = None) -> Campaign:
    """The seed's three-phase campaign in the cast's committee, active, with its study
    phase over and its analysis phase under way (made once per test database)."""
    campaign = Campaign.objects.filter(unit=org.committee, name=CAMPAIGN_NAME).first()
    if campaign is None:
        start_on = start_on or timezone.localdate() - datetime.timedelta(days=80)
        campaign = services.campaign_create_from_blueprint(
            kind=Campaign.Kind.EDUCATION,
            name=CAMPAIGN_NAME,
            year=start_on.year,
            unit=org.committee,
            start_on=start_on,
        )
        Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.ACTIVE)
        campaign.refresh_from_db()
    return campaign


def _c(f) -> int:
    return education_campaign(f.org).pk


def _phase(f) -> int:
    return education_campaign(f.org).phases.order_by("order").first().pk


def _requirement(f) -> int:
    return education_campaign(f.org).phases.order_by("order").first().requirements.first().pk


def _create_data(f):
    return {
        "kind": "annual_appraisal",
        "name": "",
        "year": "2025",
        "unit": f.org.committee.pk,
        "start_on": "2025-11-01",
        "description": "",
    }


def _transition_data(f):
    return {"from_phase": _phase(f), "reason": "学习阶段要求均已完成"}


def _bulk_data(f):
    return {"from_phase": _phase(f), "reason": "党委决定整体转段", "override": "on"}


ROWS = [
    AccessRow("campaigns/manage/", lambda f: reverse("campaigns:manage_list"), ADMIN_ONLY, 403),
    AccessRow(
        "campaigns/manage/new/", lambda f: reverse("campaigns:manage_create"), ADMIN_ONLY, 403
    ),
    AccessRow(
        "campaigns/manage/new/",
        lambda f: reverse("campaigns:manage_create"),
        {"anonymous": LOGIN, "committee_admin": 302},
        403,
        method="post",
        data=_create_data,
    ),
    AccessRow(
        "campaigns/manage/<int:pk>/",
        lambda f: reverse("campaigns:manage_detail", args=[_c(f)]),
        ADMIN_ONLY,
        403,
        note="everyone in the college sees the active campaign; only the committee manages it",
    ),
    AccessRow(
        "campaigns/manage/<int:pk>/edit/",
        lambda f: reverse("campaigns:manage_edit", args=[_c(f)]),
        ADMIN_ONLY,
        403,
    ),
    AccessRow(
        "campaigns/manage/<int:pk>/clone/",
        lambda f: reverse("campaigns:manage_clone", args=[_c(f)]),
        ADMIN_ONLY,
        403,
    ),
    AccessRow(
        "campaigns/manage/<int:pk>/phases/<int:phase_pk>/",
        lambda f: reverse("campaigns:manage_phase", args=[_c(f), _phase(f)]),
        ADMIN_ONLY,
        403,
    ),
    AccessRow(
        "campaigns/manage/<int:pk>/phases/<int:phase_pk>/status/",
        lambda f: reverse("campaigns:manage_phase_status", args=[_c(f), _phase(f)]),
        {"anonymous": LOGIN, "committee_admin": 302},
        403,
        method="post",
        data=lambda f: {"status": "closed"},
    ),
    AccessRow(
        "campaigns/manage/<int:pk>/phases/<int:phase_pk>/requirements/new/",
        lambda f: reverse("campaigns:manage_requirement_add", args=[_c(f), _phase(f)]),
        ADMIN_ONLY,
        403,
    ),
    AccessRow(
        "campaigns/manage/<int:pk>/requirements/<int:requirement_pk>/",
        lambda f: reverse("campaigns:manage_requirement_edit", args=[_c(f), _requirement(f)]),
        ADMIN_ONLY,
        403,
    ),
    AccessRow(
        "campaigns/manage/<int:pk>/requirements/<int:requirement_pk>/delete/",
        lambda f: reverse("campaigns:manage_requirement_delete", args=[_c(f), _requirement(f)]),
        {"anonymous": LOGIN, "committee_admin": 302},
        403,
        method="post",
    ),
    AccessRow(
        "campaigns/<int:pk>/transition/branch/<int:branch_pk>/",
        lambda f: reverse("campaigns:transition_branch", args=[_c(f), f.org.branch_a1.pk]),
        {"anonymous": LOGIN, "member": 403, "group_leader": 404, "other_member": 404},
        200,
    ),
    AccessRow(
        "campaigns/<int:pk>/transition/branch/<int:branch_pk>/",
        lambda f: reverse("campaigns:transition_branch", args=[_c(f), f.org.branch_a1.pk]),
        {
            "anonymous": LOGIN,
            # Allowed to approve, but nothing is done yet: refused with the unmet list.
            "committee_admin": 400,
            "supervisor": 400,
            "group_leader": 404,
            "other_member": 404,
        },
        403,
        method="post",
        data=_transition_data,
    ),
    AccessRow(
        "campaigns/<int:pk>/transition/unit/<int:unit_pk>/",
        lambda f: reverse("campaigns:transition_unit", args=[_c(f), f.org.committee.pk]),
        {"anonymous": LOGIN, "committee_admin": 200, "observer": 403},
        404,
    ),
    AccessRow(
        "campaigns/<int:pk>/transition/unit/<int:unit_pk>/",
        lambda f: reverse("campaigns:transition_unit", args=[_c(f), f.org.gb_a.pk]),
        {"anonymous": LOGIN, "committee_admin": 200, "observer": 403, "gb_secretary": 403},
        404,
        note="a general branch: its secretary sees it but cannot move it",
    ),
    AccessRow(
        "campaigns/<int:pk>/transition/unit/<int:unit_pk>/",
        lambda f: reverse("campaigns:transition_unit", args=[_c(f), f.org.gb_a.pk]),
        {"anonymous": LOGIN, "committee_admin": 302, "observer": 403, "gb_secretary": 403},
        404,
        method="post",
        data=_bulk_data,
    ),
]
