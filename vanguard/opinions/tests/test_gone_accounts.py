"""Opinion pages that name who did something keep working when that account is gone."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse

from vanguard.opinions.intake import services as intake_services
from vanguard.opinions.models import OpinionRound
from vanguard.opinions.sorting import services as sorting_services
from vanguard.opinions.tests.sorting_data import campaign

pytestmark = pytest.mark.django_db

GONE = "（账号已删除）"


def test_a_record_whose_recorder_was_deleted_names_them_neutrally(client, org, cast):
    campaign(SimpleNamespace(org=org, cast=cast))
    record = intake_services.record_create(
        branch=org.branch_a1,
        recorded_by=cast.secretary,
        data={"kind": "talk", "held_on": datetime.date(2026, 4, 20)},
    )
    cast.secretary.delete()
    client.force_login(cast.gb_secretary)
    page = client.get(reverse("opinions:record_detail", args=[record.pk]))
    assert page.status_code == 200
    assert GONE in page.content.decode()


def test_a_round_opened_by_a_deleted_account_still_shows_and_counts(client, org, cast):
    camp = campaign(SimpleNamespace(org=org, cast=cast))
    sorting_services.round_open(
        campaign=camp, branch=org.branch_a1, reason="面对面再征求一轮", actor=cast.secretary
    )
    cast.secretary.delete()
    assert OpinionRound.objects.get().opened_by is None
    client.force_login(cast.gb_secretary)
    for url in (reverse("opinions:sorting"), reverse("opinions:dashboard")):
        assert client.get(url).status_code == 200, url
    assert client.get("/api/v1/opinions/").status_code == 200
