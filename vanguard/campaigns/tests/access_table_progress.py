"""Who may open the progress dashboards (see tests/access.py). The cast's college runs
an active campaign. The supervisor, branch secretary and branch committee member
hold branch A1; the general-branch secretary holds general branch A; the observer
the college. The group leader holds no role that reads progress; members see only
their own progress."""

from django.urls import reverse

from tests.access import LOGIN, AccessRow
from vanguard.campaigns.models import Campaign


def _campaign(f) -> Campaign:
    from vanguard.campaigns.tests.progress_data import make_campaign

    found = Campaign.objects.filter(unit=f.org.committee, status=Campaign.Status.ACTIVE).first()
    return found or make_campaign(f.org.committee)


def _unit_url(f, unit) -> str:
    return reverse("campaigns:progress_unit", args=[_campaign(f).pk, unit.pk])


NO_PROGRESS = {"group_leader": 404, "member": 404, "other_member": 404}

ROWS = [
    AccessRow(
        "campaigns/",
        lambda f: _campaign(f) and reverse("campaigns:dashboard"),
        {"anonymous": LOGIN},
        default=200,
        note="everyone signed in gets a page: their scope's progress, or their own",
    ),
    AccessRow(
        "campaigns/<int:campaign_id>/progress/units/<int:unit_id>/",
        lambda f: _unit_url(f, f.org.branch_a1),
        {"anonymous": LOGIN, **NO_PROGRESS},
        default=200,
        note="branch A1: its officers, the general branch, the committee and the observer",
    ),
    AccessRow(
        "campaigns/<int:campaign_id>/progress/units/<int:unit_id>/",
        lambda f: _unit_url(f, f.org.committee),
        {"anonymous": LOGIN, "committee_admin": 200, "observer": 200},
        default=404,
        note="the whole college: the committee and the observer only",
    ),
    AccessRow(
        "campaigns/<int:campaign_id>/progress/units/<int:unit_id>/",
        lambda f: _unit_url(f, f.org.group_a1),
        {"anonymous": LOGIN},
        default=404,
        note="a party group has no progress page of its own",
    ),
    AccessRow(
        "campaigns/<int:campaign_id>/progress/me/",
        lambda f: reverse("campaigns:progress_me", args=[_campaign(f).pk]),
        {"anonymous": LOGIN, "member": 200, "other_member": 200, "secretary": 200},
        default=404,
        note="one's own progress: only people who are members (have a member record)",
    ),
]
