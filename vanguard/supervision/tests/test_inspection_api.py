"""The inspection API: rounds, checks and groups listed under the same access as the
pages (a supervisor gets their branches' checks only), findings saved with the
check's version (a stale one is a 409 that changes nothing), and the sign-off."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from vanguard.supervision.models import CheckFinding, PhaseSignoff
from vanguard.supervision.tests.factories_inspection import (
    a1_check,
    a_round,
    b1_check,
    campaign,
    group,
    study_phase,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def f(org, cast):
    return SimpleNamespace(org=org, cast=cast)


def _send(client, url, body, method="patch"):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def test_a_supervisor_lists_the_round_and_only_their_branchs_check(f, client):
    round = a_round(f)
    client.force_login(f.cast.supervisor)
    rounds = client.get("/api/v1/supervision/rounds").json()
    assert [r["title"] for r in rounds["items"]] == ["中期全面检查"]
    assert rounds["items"][0]["items"] == [
        "study_plan",
        "study_records",
        "study_materials",
        "notes",
    ]
    checks = client.get(f"/api/v1/supervision/checks?round={round.pk}").json()
    assert [c["branch_name"] for c in checks["items"]] == [f.org.branch_a1.name]
    assert client.get(f"/api/v1/supervision/checks/{b1_check(f).pk}").status_code == 404


def test_a_member_gets_no_rounds_and_no_checks(f, client):
    a_round(f)
    client.force_login(f.cast.member)
    assert client.get("/api/v1/supervision/rounds").json()["count"] == 0
    assert client.get("/api/v1/supervision/checks").json()["count"] == 0


def test_findings_are_saved_with_the_version_and_a_stale_one_is_a_409(f, client):
    check = a1_check(f)
    client.force_login(f.cast.supervisor)
    body = {
        "version": check.version,
        "findings": [{"item": "notes", "finding": "needs_work", "note": "笔记过于简单"}],
        "summary": "总体较好",
    }
    saved = _send(client, f"/api/v1/supervision/checks/{check.pk}", body)
    assert saved.status_code == 200, saved.content
    answer = saved.json()
    assert answer["version"] == check.version + 1 and answer["status"] == "pending"
    assert answer["findings"] == [
        {
            "item": "notes",
            "item_display": "读书笔记",
            "finding": "needs_work",
            "finding_display": "需改进",
            "note": "笔记过于简单",
        }
    ]
    body["findings"] = [{"item": "notes", "finding": "good"}]
    stale = _send(client, f"/api/v1/supervision/checks/{check.pk}", body)
    assert stale.status_code == 409
    assert "已保存了这个支部的检查结果" in stale.json()["detail"]
    assert CheckFinding.objects.get(check_record=check).finding == "needs_work"


def test_done_without_every_finding_is_a_422(f, client):
    check = a1_check(f)
    client.force_login(f.cast.committee_admin)
    response = _send(
        client,
        f"/api/v1/supervision/checks/{check.pk}",
        {
            "version": check.version,
            "findings": [{"item": "notes", "finding": "good"}],
            "done": True,
        },
    )
    assert response.status_code == 422
    assert "学习计划" in json.dumps(response.json(), ensure_ascii=False)


def test_an_officer_reads_the_check_but_may_not_change_it(f, client):
    check = a1_check(f)
    client.force_login(f.cast.secretary)
    assert client.get(f"/api/v1/supervision/checks/{check.pk}").status_code == 200
    response = _send(client, f"/api/v1/supervision/checks/{check.pk}", {"version": 1})
    assert response.status_code == 403


def test_groups_are_listed_for_their_members_and_the_committee(f, client):
    made = group(f)
    client.force_login(f.cast.supervisor)
    items = client.get("/api/v1/supervision/groups").json()["items"]
    assert [(g["name"], g["branch_ids"]) for g in items] == [("第一督查组", [f.org.branch_a1.pk])]
    client.force_login(f.cast.secretary)
    assert client.get("/api/v1/supervision/groups").json()["count"] == 0
    client.force_login(f.cast.committee_admin)
    assert (
        client.get(f"/api/v1/supervision/groups?campaign={made.campaign_id}").json()["count"] == 1
    )


def test_a_sign_off_is_made_once(f, client):
    client.force_login(f.cast.supervisor)
    body = {
        "campaign_id": campaign(f).pk,
        "branch_id": f.org.branch_a1.pk,
        "phase_id": study_phase(f).pk,
        "note": "同意转段",
    }
    made = _send(client, "/api/v1/supervision/signoffs", body, method="post")
    assert made.status_code == 201 and made.json()["signed_by"] == "supervisor"
    again = _send(client, "/api/v1/supervision/signoffs", body, method="post")
    assert again.status_code == 422
    assert PhaseSignoff.objects.count() == 1
    other = {**body, "branch_id": f.org.branch_b1.pk}
    assert _send(client, "/api/v1/supervision/signoffs", other, method="post").status_code == 404
