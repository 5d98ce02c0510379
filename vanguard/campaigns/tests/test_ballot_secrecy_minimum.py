"""The campaign's ballot secrecy minimum: the fewest ballots with which a vote's
per-candidate results are shown. The committee may raise it on the campaign's edit page;
nobody can set it below 3, on the form, through the model's validation or in the
database."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from vanguard.campaigns.models import Campaign
from vanguard.campaigns.tests.access_table_manage import education_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(org):
    return education_campaign(org)


def _edit(client, campaign, minimum):
    return client.post(
        reverse("campaigns:manage_edit", args=[campaign.pk]),
        {
            "name": campaign.name,
            "year": campaign.year,
            "status": campaign.status,
            "description": campaign.description,
            "ballot_secrecy_minimum": minimum,
        },
    )


def test_a_new_campaign_asks_for_three_ballots(campaign):
    assert campaign.ballot_secrecy_minimum == 3


def test_the_committee_raises_the_minimum_on_the_edit_page(client, cast, campaign):
    client.force_login(cast.committee_admin)
    page = client.get(reverse("campaigns:manage_edit", args=[campaign.pk])).content.decode()
    assert "公布得票所需最少选票数" in page and 'name="ballot_secrecy_minimum"' in page
    response = _edit(client, campaign, 5)
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.ballot_secrecy_minimum == 5


@pytest.mark.parametrize("minimum", [2, 1, 0])
def test_the_minimum_cannot_be_set_below_three(client, cast, campaign, minimum):
    client.force_login(cast.committee_admin)
    response = _edit(client, campaign, minimum)
    assert response.status_code == 200
    page = response.content.decode()
    assert "不能少于 3 张：选票太少时，投票人减去自己的选票就能推知他人的投票。" in page
    campaign.refresh_from_db()
    assert campaign.ballot_secrecy_minimum == 3


def test_the_model_and_the_database_refuse_less_than_three(campaign):
    campaign.ballot_secrecy_minimum = 2
    with pytest.raises(ValidationError) as error:
        campaign.full_clean()
    assert "ballot_secrecy_minimum" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).update(ballot_secrecy_minimum=2)


def test_a_copied_campaign_keeps_the_minimum(campaign):
    from vanguard.campaigns import services

    Campaign.objects.filter(pk=campaign.pk).update(ballot_secrecy_minimum=7)
    campaign.refresh_from_db()
    copy = services.campaign_clone(source=campaign, name="下一年度", year=campaign.year + 1)
    assert copy.ballot_secrecy_minimum == 7
