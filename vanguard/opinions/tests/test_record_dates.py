"""A talk record dated in a year no campaign can have is refused, naming the field."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.urls import reverse

from vanguard.opinions.models import OpinionRecord
from vanguard.opinions.tests.sorting_data import campaign

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31"])
def test_a_record_dated_before_any_campaign_is_refused_naming_the_field(client, org, cast, day):
    campaign(SimpleNamespace(org=org, cast=cast))
    client.force_login(cast.branch_committee)
    response = client.post(
        reverse("opinions:record_create"),
        {"branch": org.branch_a1.pk, "kind": "talk", "held_on": day},
    )
    assert response.status_code == 200
    assert "“日期”须在 1900-01-01 到 2100-12-31 之间" in response.content.decode()
    assert not OpinionRecord.objects.exists()
