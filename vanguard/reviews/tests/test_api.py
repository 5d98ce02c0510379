"""The reviews API: my document, a document in scope with versions and history,
draft saves with a 409 on conflict, submit, the branch verdict and the committee's
response — each refusal with a Chinese reason and nothing written."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from vanguard.reviews.models import BranchReview, CommitteeResponse, SelfAnalysis, SubmittedVersion
from vanguard.reviews.tests import factories_member as f

pytestmark = pytest.mark.django_db
API = "/api/v1/reviews"
ALL_OK = {name: {"ok": True, "comment": ""} for name in f.ALL_OK}


@pytest.fixture
def fx(org, cast):
    f.campaign(org)
    return SimpleNamespace(org=org, cast=cast)


def _as(client, user):
    client.force_login(user)
    return client


def _put(client, url, data):
    return client.put(url, data, content_type="application/json")


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_my_document_is_created_on_first_call(client, fx):
    body = _as(client, fx.cast.member).get(f"{API}/mine").json()
    assert body["state"] == "draft" and body["current_round"] == 1
    assert body["draft"] == {"problems": "", "roots": "", "direction": "", "summary": ""}
    assert body["draft_version"] == 0


def test_save_submit_return_pass_respond_through_the_api(client, fx):
    member, secretary, committee = fx.cast.member, fx.cast.secretary, fx.cast.committee_admin
    doc_id = _as(client, member).get(f"{API}/mine").json()["id"]
    saved = _put(client, f"{API}/documents/{doc_id}/draft", {**f.TEXT, "base_version": 0})
    assert saved.status_code == 200 and saved.json()["draft_version"] == 1
    submitted = _post(client, f"{API}/documents/{doc_id}/submit", {"base_version": 1})
    assert submitted.status_code == 201 and submitted.json()["number"] == 1
    again = _post(client, f"{API}/documents/{doc_id}/submit", {"base_version": 1})
    assert again.status_code == 201 and again.json()["number"] == 1
    assert SubmittedVersion.objects.count() == 1

    _as(client, secretary)
    returned = _post(
        client,
        f"{API}/documents/{doc_id}/reviews",
        {"version": 1, "criteria": ALL_OK, "verdict": "return", "reasons": "问题不具体"},
    )
    assert returned.status_code == 201
    body = returned.json()
    assert body["state"] == "returned" and body["draft"] is None
    assert [e["kind"] for e in body["history"]] == ["submitted", "review"]
    assert body["history"][1]["reasons"] == "问题不具体"

    _as(client, member)
    _put(client, f"{API}/documents/{doc_id}/draft", {**f.TEXT, "roots": "改过", "base_version": 1})
    assert _post(client, f"{API}/documents/{doc_id}/submit", {"base_version": 2}).status_code == 201

    _as(client, secretary)
    passed = _post(
        client,
        f"{API}/documents/{doc_id}/reviews",
        {"version": 2, "criteria": ALL_OK, "verdict": "pass"},
    )
    assert passed.json()["state"] == "with_committee"
    _as(client, committee)
    responded = _post(client, f"{API}/documents/{doc_id}/committee-response", {"text": "指导意见"})
    assert responded.status_code == 201
    assert responded.json()["state"] == "draft" and responded.json()["current_round"] == 2

    version = _as(client, fx.cast.observer).get(f"{API}/documents/{doc_id}/versions/2").json()
    assert version["roots"] == "改过"


def test_a_stale_save_answers_409_with_both_texts(client, fx):
    doc = f.filled(fx)
    _as(client, fx.cast.member)
    url = f"{API}/documents/{doc.pk}/draft"
    assert _put(client, url, {**f.TEXT, "problems": "甲", "base_version": 1}).status_code == 200
    refused = _put(client, url, {**f.TEXT, "problems": "乙", "base_version": 1})
    assert refused.status_code == 409
    body = refused.json()
    assert "另一次保存" in body["detail"]
    assert body["current"]["problems"] == "甲" and body["yours"]["problems"] == "乙"
    assert body["current_version"] == 2
    assert SelfAnalysis.objects.get().problems == "甲"


def test_submitting_an_empty_section_is_422_naming_it(client, fx):
    doc = f.document(fx)
    refused = _post(
        _as(client, fx.cast.member), f"{API}/documents/{doc.pk}/submit", {"base_version": 0}
    )
    assert refused.status_code == 422
    fields = {e["field"] for e in refused.json()["errors"]}
    assert fields == {"problems", "roots", "direction", "summary"}
    assert not SubmittedVersion.objects.exists()


def test_reviewing_outside_ones_branch_is_refused(client, fx):
    doc, _v = f.submitted(fx)
    payload = {"version": 1, "criteria": ALL_OK, "verdict": "pass"}
    gb = _post(_as(client, fx.cast.gb_secretary), f"{API}/documents/{doc.pk}/reviews", payload)
    assert gb.status_code == 403 and "支部" in gb.json()["detail"]
    other = _post(_as(client, fx.cast.other_member), f"{API}/documents/{doc.pk}/reviews", payload)
    assert other.status_code == 404
    assert not BranchReview.objects.exists()


def test_returning_without_a_reason_is_422(client, fx):
    doc, _v = f.submitted(fx)
    refused = _post(
        _as(client, fx.cast.secretary),
        f"{API}/documents/{doc.pk}/reviews",
        {"version": 1, "criteria": ALL_OK, "verdict": "return"},
    )
    assert refused.status_code == 422
    [error] = refused.json()["errors"]
    assert (error["field"], error["message"]) == ("reasons", "退回修改时必须写明退回理由。")
    assert SelfAnalysis.objects.get().state == "submitted"


def test_committee_before_the_branch_passed_is_422(client, fx):
    doc, _v = f.submitted(fx)
    refused = _post(
        _as(client, fx.cast.committee_admin),
        f"{API}/documents/{doc.pk}/committee-response",
        {"text": "同意"},
    )
    assert refused.status_code == 422
    assert "支部尚未通过" in refused.json()["errors"][0]["message"]
    assert not CommitteeResponse.objects.exists()


def test_only_the_author_writes_the_draft(client, fx):
    doc = f.document(fx)
    refused = _put(
        _as(client, fx.cast.secretary), f"{API}/documents/{doc.pk}/draft", {"base_version": 0}
    )
    assert refused.status_code == 403
