"""A campaign fetched by id is seen by the rule `visible_campaigns` asks the database:
`sees_campaign` answers it for a loaded campaign without a query, and the two agree for
every role, every kind of campaign unit and every status."""

from __future__ import annotations

import datetime

import pytest
from django.http import Http404

from tests.access import ROLES
from vanguard.accounts.models import Role, RoleAssignment, User
from vanguard.campaigns import access
from vanguard.campaigns.models import Campaign


@pytest.fixture
def campaigns(org):
    found = []
    for unit in (org.committee, org.gb_a, org.gb_b, org.branch_a1, org.branch_b1):
        for status in Campaign.Status.values:
            found.append(
                Campaign.objects.create(
                    name=f"{unit.name} {status}",
                    kind=Campaign.Kind.values[0],
                    unit=unit,
                    year=datetime.date.today().year,
                    status=status,
                )
            )
    return found


def _people(cast, org) -> dict[str, User]:
    people = {role: getattr(cast, role) for role in ROLES if role != "anonymous"}
    # A secretary of a general branch's branch who is also an admin of another general branch.
    both = User.objects.create_user(username="both")
    RoleAssignment.objects.create(user=both, role=Role.BRANCH_SECRETARY, unit=org.branch_b1)
    RoleAssignment.objects.create(user=both, role=Role.COMMITTEE_ADMIN, unit=org.gb_a)
    people["both"] = both
    people["nobody"] = User.objects.create_user(username="nobody")
    return people


def test_the_one_campaign_rule_and_the_list_agree(cast, org, campaigns):
    for name, user in _people(cast, org).items():
        listed = set(access.visible_campaigns(user).values_list("pk", flat=True))
        seen = {campaign.pk for campaign in campaigns if access.sees_campaign(user, campaign)}
        assert seen == listed, name
        for campaign in campaigns:
            if campaign.pk in listed:
                assert access.get_campaign_for_user(user, campaign.pk) == campaign
            else:
                with pytest.raises(Http404):
                    access.get_campaign_for_user(user, campaign.pk)
    # The rule sees something and hides something: drafts only from the admins.
    draft = next(c for c in campaigns if c.status == "draft" and c.unit == org.branch_a1)
    assert access.sees_campaign(cast.committee_admin, draft)
    assert not access.sees_campaign(cast.secretary, draft)
    # A member sees the campaigns of their branch and above, not a neighbour branch's.
    active = {(c.unit_id, c.status): c for c in campaigns}
    assert access.sees_campaign(cast.other_member, active[(org.branch_b1.pk, "active")])
    assert access.sees_campaign(cast.other_member, active[(org.committee.pk, "active")])
    assert not access.sees_campaign(cast.other_member, active[(org.branch_a1.pk, "active")])
