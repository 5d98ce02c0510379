"""The navigation's facts about the person: which links the base layout shows."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from vanguard.accounts import access
from vanguard.campaigns import access as campaigns_access
from vanguard.materials import access as materials_access
from vanguard.opinions import access as opinions_access
from vanguard.organization import access as organization_access
from vanguard.rectification import access as rectification_access
from vanguard.reviews import access as reviews_access
from vanguard.supervision import access as supervision_access


def roles(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": set(), "current_member": None}
    return {
        "user_roles": access.roles(user),
        "current_member": organization_access.member_of(user),
        "is_committee_admin": access.is_committee_admin(user),
        "manages_roster": organization_access.manages_any_roster(user),
        "reads_opinions": opinions_access.reads_opinions(user),
        "reviews_branch": reviews_access.branch_review_units(user).exists(),
        "sorts_opinions": campaigns_access.record_units(user).exists(),
        "reads_supervision": supervision_access.reads_supervision(user),
        "reads_materials": materials_access.reads_materials(user),
        # From the scopes already read above: no query of its own.
        "reads_ledgers": rectification_access.reads_ledgers(user),
    }
