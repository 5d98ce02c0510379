"""The note workflow's API: draw a sample and read it back with its members, record
and change an assessment, list note types and exemplars — under the pages' rules."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from vanguard.supervision.models import NoteAssessment, Sample
from vanguard.supervision.tests import factories_notes as data

pytestmark = pytest.mark.django_db


@pytest.fixture
def f(org, cast):
    return SimpleNamespace(org=org, cast=cast)


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_the_committee_draws_a_sample_and_anyone_reading_it_can_check_it(f, client):
    data.cast_notes(f)
    client.force_login(f.cast.committee_admin)
    response = _post(
        client,
        "/api/v1/supervision/samples",
        {"campaign_id": data.campaign(f).pk, "title": "接口抽查", "share": "0.5", "seed": 2**62},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["seed"] == str(2**62)  # a string: exact in any client
    assert (body["method"], body["population"], body["size"], body["verified"]) == (
        "stratified-v1",
        3,
        2,
        True,
    )
    assert {m["branch_id"] for m in body["members"]} == {f.org.branch_a1.pk, f.org.branch_b1.pk}

    client.force_login(f.cast.supervisor)
    seen = client.get(f"/api/v1/supervision/samples/{body['id']}").json()
    names = {m["branch_id"]: m["member_name"] for m in seen["members"]}
    assert names[f.org.branch_b1.pk] is None  # not the supervisor's branch
    assert names[f.org.branch_a1.pk] in ("王小明", "张丽")


def test_a_bad_sample_request_is_a_422_naming_the_field(f, client):
    data.cast_notes(f)
    client.force_login(f.cast.committee_admin)
    response = _post(
        client,
        "/api/v1/supervision/samples",
        {"campaign_id": data.campaign(f).pk, "title": "抽查", "share": "0"},
    )
    assert response.status_code == 422
    assert "share" in response.content.decode()
    assert not Sample.objects.exists()


def test_an_assessment_is_recorded_then_changed(f, client):
    row = data.a1_sampled(f)
    kind = data.note_type(f)
    client.force_login(f.cast.supervisor)
    body = {
        "level": "college",
        "sampled_id": row.pk,
        "books": "good",
        "content": "good",
        "practice": "poor",
        "attitude": "good",
        "grade": "pass",
        "note_type_id": kind.pk,
    }
    first = _post(client, "/api/v1/supervision/assessments", body)
    assert first.status_code == 201, first.content
    assert (first.json()["grade"], first.json()["note_type_name"]) == ("pass", "心得型")
    again = _post(client, "/api/v1/supervision/assessments", {**body, "grade": "insufficient"})
    assert again.status_code == 200
    assert NoteAssessment.objects.get().grade == "insufficient"

    listed = client.get(f"/api/v1/supervision/assessments?campaign={data.campaign(f).pk}")
    assert [a["member_name"] for a in listed.json()["items"]] == ["王小明"]
    # The member reads their own assessment; the other branch's member does not.
    client.force_login(f.cast.member)
    assert client.get("/api/v1/supervision/assessments").json()["count"] == 1
    client.force_login(f.cast.other_member)
    assert client.get("/api/v1/supervision/assessments").json()["count"] == 0


def test_the_general_branch_secretary_assesses_through_the_api(f, client):
    data.cast_notes(f)
    client.force_login(f.cast.gb_secretary)
    body = {
        "level": "general_branch",
        "campaign_id": data.campaign(f).pk,
        "member_id": f.cast.colleague_record.pk,
        "books": "fair",
        "content": "fair",
        "practice": "fair",
        "attitude": "good",
        "grade": "pass",
    }
    assert _post(client, "/api/v1/supervision/assessments", body).status_code == 201
    other = {**body, "member_id": f.cast.other_member_record.pk}
    assert _post(client, "/api/v1/supervision/assessments", other).status_code == 404


def test_note_types_are_listed_for_the_campaign(f, client):
    data.note_type(f, "摘录型")
    data.note_type(f, "心得型")
    client.force_login(f.cast.secretary)
    listed = client.get(f"/api/v1/supervision/note-types?campaign={data.campaign(f).pk}").json()
    assert [t["name"] for t in listed] == ["摘录型", "心得型"]
