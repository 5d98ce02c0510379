"""Reads every workflow of supervision shares."""

from __future__ import annotations

from django.db.models import QuerySet

from vanguard.campaigns.models import Campaign
from vanguard.organization.models import Unit


def campaign_branches(campaign: Campaign) -> QuerySet[Unit]:
    """The active branches of the campaign's unit, in tree order (by path)."""
    return Unit.objects.filter(
        path__startswith=campaign.unit.path, kind=Unit.Kind.BRANCH, is_active=True
    ).order_by("path")
