"""A meeting form saved twice (a double click, a resent request, two posts at the same
moment) records one meeting; a date no meeting can have is refused, naming the field."""

from __future__ import annotations

import datetime
import re
import threading

import pytest
from django.urls import reverse

from conftest import build_cast, build_org
from vanguard.ballots.tests.factories import thread_db
from vanguard.meetings import services
from vanguard.meetings.models import Meeting
from vanguard.meetings.tests.factories import at
from vanguard.meetings.tests.test_views import form


def _token(page: str) -> str:
    found = re.search(r'name="submission_token" value="([^"]+)"', page)
    assert found, "the form carries a one-time token"
    return found.group(1)


@pytest.mark.django_db
def test_the_same_form_saved_twice_records_one_meeting(client, org, cast):
    client.force_login(cast.secretary)
    page = client.get(reverse("meetings:create")).content.decode()
    data = form(org, submission_token=_token(page))
    first = client.post(reverse("meetings:create"), data)
    second = client.post(reverse("meetings:create"), data)
    meeting = Meeting.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("meetings:detail", args=[meeting.pk])
    assert meeting.attendance.count() == 3


@pytest.mark.django_db
def test_two_forms_opened_separately_record_two_meetings(client, org, cast):
    client.force_login(cast.secretary)
    for _ in range(2):
        page = client.get(reverse("meetings:create")).content.decode()
        client.post(reverse("meetings:create"), form(org, submission_token=_token(page)))
    assert Meeting.objects.count() == 2


@pytest.mark.django_db
def test_a_refused_form_keeps_its_token_and_saves_once_corrected(client, org, cast):
    client.force_login(cast.secretary)
    token = _token(client.get(reverse("meetings:create")).content.decode())
    refused = client.post(reverse("meetings:create"), form(org, held_on="", submission_token=token))
    assert refused.status_code == 200
    assert _token(refused.content.decode()) == token
    for _ in range(2):
        client.post(reverse("meetings:create"), form(org, submission_token=token))
    assert Meeting.objects.count() == 1


@pytest.mark.django_db
def test_a_token_that_is_not_ours_is_ignored(client, org, cast):
    client.force_login(cast.secretary)
    response = client.post(reverse("meetings:create"), form(org, submission_token="<x>" * 50))
    assert response.status_code == 302
    assert Meeting.objects.get().submission_token is None


@pytest.mark.django_db
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_date_out_of_range_is_refused_naming_the_field(client, org, cast, day):
    client.force_login(cast.secretary)
    response = client.post(reverse("meetings:create"), form(org, held_on=day))
    assert response.status_code == 200
    assert "会议日期" in response.context["form"].errors["held_on"][0]
    assert not Meeting.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00", "9999-12-31T23:59:00"])
def test_the_api_refuses_a_date_out_of_range_naming_the_field(client, org, cast, moment):
    client.force_login(cast.secretary)
    response = client.post(
        "/api/v1/meetings/",
        {"unit_id": org.branch_a1.pk, "kind": "mobilisation", "title": "动员会", "held_at": moment},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["held_at"]
    assert not Meeting.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_same_form_posted_at_the_same_moment_records_one_meeting(db_file):
    with thread_db(db_file):
        org = build_org()
        cast = build_cast(org)
    barrier = threading.Barrier(4)
    results: list = [None] * 4

    def post(i: int) -> None:
        with thread_db(db_file):
            barrier.wait()
            try:
                results[i] = services.meeting_create(
                    unit=org.branch_a1,
                    kind=Meeting.Kind.MOBILISATION,
                    title="支部动员会",
                    held_at=at(datetime.date(2026, 5, 8)),
                    actor=cast.secretary,
                    submission_token="same-form-token-0123456789",
                ).pk
            except Exception as error:  # noqa: BLE001 - reported by the assertion
                results[i] = repr(error)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    with thread_db(db_file):
        assert Meeting.objects.count() == 1
        assert results == [Meeting.objects.get().pk] * 4, results


def _api_create(client, org, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(
        "/api/v1/meetings/",
        {
            "unit_id": org.branch_a1.pk,
            "kind": "mobilisation",
            "title": "支部动员会",
            "held_at": "2026-05-08T14:00:00+08:00",
        },
        content_type="application/json",
        **headers,
    )


@pytest.mark.django_db
def test_an_api_create_retried_with_its_key_records_one_meeting(client, org, cast):
    client.force_login(cast.secretary)
    first = _api_create(client, org, key="meeting-2026-05-08")
    again = _api_create(client, org, key="meeting-2026-05-08")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    _api_create(client, org)  # no key: a create like any other
    assert Meeting.objects.count() == 2


@pytest.mark.django_db
def test_an_unusable_key_is_refused_naming_the_header(client, org, cast):
    client.force_login(cast.secretary)
    response = _api_create(client, org, key="k" * 201)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert not Meeting.objects.exists()
