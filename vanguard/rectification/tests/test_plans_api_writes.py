"""The plans API's writes, under the pages' rules: a plan submitted, returned with a
reason and approved; an item moved along, sent back and verified; updates listed and
read; evidence uploaded as multipart (a real photo kept as a cleaned copy, a fake or
oversized file refused naming the field with nothing stored) and downloaded by those
who see the item; a stale version answered 409 with nothing written; and no answer a
member reaches names an opinion's source."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from vanguard.accounts import services as accounts_services
from vanguard.notices.models import Notification
from vanguard.opinions.models import Opinion
from vanguard.rectification.models import Item, Plan, PlanDecision, Update
from vanguard.rectification.plans import selectors
from vanguard.rectification.tests import factories
from vanguard.rectification.tests import factories_plans as fp

pytestmark = pytest.mark.django_db

API = "/api/v1/rectification"
SOURCE = "举报人赵六-来源标记SR88"
CONTACT = "contact-marker-13912345678"


@pytest.fixture
def f(org, cast):
    class F:
        pass

    found = F()
    found.org, found.cast = org, cast  # type: ignore[attr-defined]
    return found


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _token_client(user) -> Client:
    """An API client as a script is: a bearer token, no session, no CSRF cookie."""
    _token, raw = accounts_services.token_create(user=user, name="script")
    return Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {raw}")


def _post(client: Client, url: str, body: dict) -> object:
    return client.post(url, body, content_type="application/json")


def _fields(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


def jpeg_bytes(size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def _photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg")


def _stored_files() -> list[Path]:
    root = Path(django_settings.MEDIA_ROOT) / "rectification"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- Submit and review --------------------------------------------------------------------


def test_member_submits_officer_returns_with_a_reason_then_approves(f):
    plan = fp.member_plan(f)
    member, secretary = _client(f.cast.member), _client(f.cast.secretary)

    submitted = _post(member, f"{API}/plans/{plan.pk}/submit", {"summary": "从谈心入手"})
    assert submitted.status_code == 200
    body = submitted.json()
    assert body["status"] == Plan.Status.SUBMITTED and body["summary"] == "从谈心入手"
    assert Notification.objects.filter(user=f.cast.secretary, key__startswith="plan-sub").exists()

    # Nobody reviews their own plan; a return needs its reason, named.
    own = _post(member, f"{API}/plans/{plan.pk}/review", {"verdict": "approve"})
    assert own.status_code == 403
    bare = _post(secretary, f"{API}/plans/{plan.pk}/review", {"verdict": "return"})
    assert bare.status_code == 422 and _fields(bare) == {"reason"}
    wrong = _post(secretary, f"{API}/plans/{plan.pk}/review", {"verdict": "maybe"})
    assert wrong.status_code == 422 and _fields(wrong) == {"verdict"}
    assert not PlanDecision.objects.exists()

    returned = _post(
        secretary,
        f"{API}/plans/{plan.pk}/review",
        {"verdict": "return", "reason": "措施不够具体", "version": body["version"]},
    )
    assert returned.status_code == 200
    body = returned.json()
    assert body["status"] == Plan.Status.RETURNED and body["return_reason"] == "措施不够具体"
    assert [(d["verdict"], d["reason"]) for d in body["decisions"]] == [("return", "措施不够具体")]
    # The member reads the reason and the decisions on their plan.
    mine = member.get(f"{API}/plans/{plan.pk}").json()
    assert mine["return_reason"] == "措施不够具体" and len(mine["decisions"]) == 1
    assert Notification.objects.filter(user=f.cast.member, key__startswith="plan-ret").exists()

    assert _post(member, f"{API}/plans/{plan.pk}/submit", {}).status_code == 200
    approved = _post(secretary, f"{API}/plans/{plan.pk}/review", {"verdict": "approve"})
    assert approved.status_code == 200
    assert approved.json()["status"] == Plan.Status.APPROVED
    assert approved.json()["return_reason"] == ""
    # Approved: no more items, no second review.
    again = _post(secretary, f"{API}/plans/{plan.pk}/review", {"verdict": "approve"})
    assert again.status_code == 422 and _fields(again) == {"status"}
    assert _post(member, f"{API}/plans/{plan.pk}/submit", {}).status_code == 422


def test_an_empty_plan_is_not_submitted(f):
    plan = factories.member_plan(fp.campaign(f), f.cast.member_record)
    response = _post(_client(f.cast.member), f"{API}/plans/{plan.pk}/submit", {})
    assert response.status_code == 422 and _fields(response) == {"items"}
    plan.refresh_from_db()
    assert plan.status == Plan.Status.DRAFT


def test_a_stale_plan_version_is_a_conflict_and_writes_nothing(f):
    plan = fp.submitted_plan(f)
    read = plan.version
    secretary, committee = _client(f.cast.secretary), _client(f.cast.branch_committee)
    first = _post(
        secretary,
        f"{API}/plans/{plan.pk}/review",
        {"verdict": "return", "reason": "再具体些", "version": read},
    )
    assert first.status_code == 200
    # The branch committee member decided from the same reading: refused, not overwritten.
    second = _post(
        committee, f"{API}/plans/{plan.pk}/review", {"verdict": "approve", "version": read}
    )
    assert second.status_code == 409 and _fields(second) == {"version"}
    plan.refresh_from_db()
    assert plan.status == Plan.Status.RETURNED and plan.decisions.count() == 1
    stale_submit = _post(_client(f.cast.member), f"{API}/plans/{plan.pk}/submit", {"version": read})
    assert stale_submit.status_code == 409
    plan.refresh_from_db()
    assert plan.status == Plan.Status.RETURNED


# --- Status and verification ---------------------------------------------------------------


def test_item_moves_along_is_sent_back_and_verified(f):
    item = fp.member_plan(f, status=Plan.Status.APPROVED).items.get()
    member, secretary = _client(f.cast.member), _client(f.cast.secretary)
    url = f"{API}/items/{item.pk}"

    moved = _post(member, f"{url}/status", {"status": "in_progress"})
    assert moved.status_code == 200 and moved.json()["status"] == Item.Status.IN_PROGRESS
    # Verification is the reviewers' word, never a status a reporter sets.
    refused = _post(member, f"{url}/status", {"status": "verified"})
    assert refused.status_code == 422 and _fields(refused) == {"status"}
    assert _post(secretary, f"{url}/status", {"status": "done"}).status_code == 403
    early = _post(secretary, f"{url}/verify", {"outcome": "verified"})
    assert early.status_code == 422 and _fields(early) == {"status"}

    done = _post(member, f"{url}/status", {"status": "done"})
    assert done.status_code == 200 and done.json()["status"] == Item.Status.DONE
    assert _post(member, f"{url}/verify", {"outcome": "verified"}).status_code == 403
    no_note = _post(secretary, f"{url}/verify", {"outcome": "reopened"})
    assert no_note.status_code == 422 and _fields(no_note) == {"note"}
    reopened = _post(secretary, f"{url}/verify", {"outcome": "reopened", "note": "缺谈心记录"})
    assert reopened.status_code == 200
    assert reopened.json()["status"] == Item.Status.IN_PROGRESS
    assert reopened.json()["verify_note"] == "缺谈心记录"

    _post(member, f"{url}/status", {"status": "done"})
    committee = _client(f.cast.branch_committee)
    verified = _post(committee, f"{url}/verify", {"outcome": "verified", "note": "记录齐全"})
    assert verified.status_code == 200 and verified.json()["status"] == Item.Status.VERIFIED
    item.refresh_from_db()
    assert item.verified_by == f.cast.branch_committee
    assert Notification.objects.filter(user=f.cast.member, key__startswith="item-verified").exists()
    # Verified is final for the status and for updates.
    assert _post(member, f"{url}/status", {"status": "done"}).status_code == 422
    late = _post(member, f"{url}/updates", {"on": fp.in_days(0).isoformat(), "text": "补记"})
    assert late.status_code == 422 and _fields(late) == {"status"}
    assert _post(committee, f"{url}/verify", {"outcome": "verified"}).status_code == 422


def test_a_stale_item_version_is_a_conflict(f):
    item = fp.plan_item(f)
    member = _client(f.cast.member)
    read = member.get(f"{API}/plans/{item.plan_id}").json()["items"][0]["version"]
    changed = member.patch(
        f"{API}/items/{item.pk}",
        {"measure": "每两周谈心", "version": read},
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["version"] == read + 1
    stale = member.patch(
        f"{API}/items/{item.pk}",
        {"measure": "每月一次", "version": read},
        content_type="application/json",
    )
    assert stale.status_code == 409 and _fields(stale) == {"version"}
    assert (
        _post(
            member, f"{API}/items/{item.pk}/status", {"status": "done", "version": read}
        ).status_code
        == 409
    )
    item.refresh_from_db()
    assert item.measure == "每两周谈心" and item.status == Item.Status.PLANNED


# --- Updates and evidence -------------------------------------------------------------------


def test_a_real_photo_uploaded_by_a_script_is_kept_clean_and_served_to_those_who_see_it(f):
    item = fp.member_plan(f, status=Plan.Status.APPROVED).items.get()
    script = _token_client(f.cast.member)
    photo = SimpleUploadedFile("谈心 IMG_0001.jpg", jpeg_bytes(), content_type="image/jpeg")
    response = script.post(
        f"{API}/items/{item.pk}/updates/upload",
        {"on": fp.in_days(0).isoformat(), "text": "与两名学生谈心", "evidence": photo},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == Item.Status.IN_PROGRESS  # the first update starts the item
    [shown] = body["updates"]
    assert shown["text"] == "与两名学生谈心" and shown["evidence_name"].endswith(".jpg")
    update = Update.objects.get()
    assert update.evidence_type == "jpeg" and "IMG_0001" not in update.evidence.name
    assert len(_stored_files()) == 1

    download = shown["evidence_download_url"]
    assert download == f"{API}/updates/{update.pk}/evidence"
    served = script.get(download)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    data = b"".join(served.streaming_content)
    assert Image.open(io.BytesIO(data)).size == (64, 48)
    assert "private" in served["Cache-Control"]
    assert _client(f.cast.secretary).get(download).status_code == 200
    assert _client(f.cast.observer).get(download).status_code == 200
    assert _client(f.cast.other_member).get(download).status_code == 404
    assert _client(f.cast.group_leader).get(download).status_code == 404
    assert Client().get(download).status_code == 401

    # The update, listed and read.
    listed = script.get(f"{API}/items/{item.pk}/updates").json()
    assert [u["id"] for u in listed["items"]] == [update.pk] and listed["count"] == 1
    one = script.get(f"{API}/updates/{update.pk}").json()
    assert one["item_id"] == item.pk and one["evidence_download_url"] == download
    assert _client(f.cast.other_member).get(f"{API}/updates/{update.pk}").status_code == 404


def test_a_session_upload_needs_the_csrf_token(f):
    item = fp.plan_item(f)
    client = Client(enforce_csrf_checks=True)
    client.force_login(f.cast.member)
    photo = _photo()
    response = client.post(
        f"{API}/items/{item.pk}/updates/upload",
        {"on": fp.in_days(0).isoformat(), "evidence": photo},
    )
    assert response.status_code == 403
    assert not Update.objects.exists() and not _stored_files()


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("照片.jpg", "这不是照片，只是一段文字。\n" * 50, "fake"),
        ("空.jpg", b"", "empty"),
        ("virus.jpg", b"MZ\x90\x00" * 100, "program"),
    ],
)
def test_a_file_that_is_not_what_it_says_is_refused_naming_the_field(f, name, content, reason):
    item = fp.plan_item(f)
    data = content.encode() if isinstance(content, str) else content
    fake = SimpleUploadedFile(name, data, content_type="image/jpeg")
    response = _client(f.cast.member).post(
        f"{API}/items/{item.pk}/updates/upload",
        {"on": fp.in_days(0).isoformat(), "text": "照片见附件", "evidence": fake},
    )
    assert response.status_code == 422, reason
    [error] = response.json()["errors"]
    assert error["field"] == "evidence" and "没有保存" in error["message"]
    assert not Update.objects.exists() and not _stored_files()
    item.refresh_from_db()
    assert item.status == Item.Status.PLANNED


def test_an_oversized_file_is_refused_with_the_limit(f):
    item = fp.plan_item(f)
    limit = django_settings.STUDY_UPLOAD_MAX_BYTES
    big = SimpleUploadedFile("大.jpg", jpeg_bytes() + b"\0" * limit, content_type="image/jpeg")
    response = _client(f.cast.member).post(
        f"{API}/items/{item.pk}/updates/upload",
        {"on": fp.in_days(0).isoformat(), "evidence": big},
    )
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "evidence" and str(limit) in error["message"]
    assert not Update.objects.exists() and not _stored_files()


def test_an_upload_form_with_bad_fields_names_them(f):
    item = fp.plan_item(f)
    member = _client(f.cast.member)
    url = f"{API}/items/{item.pk}/updates/upload"
    cases = [
        ({"on": "昨天", "evidence": _photo()}, {"on"}),
        ({"on": fp.in_days(1).isoformat(), "evidence": _photo()}, {"on"}),
        ({"on": fp.in_days(0).isoformat()}, {"text"}),  # nothing said, nothing shown
        ({"on": fp.in_days(0).isoformat(), "meeting_id": "99999999999999999999"}, {"meeting_id"}),
        (
            {"on": fp.in_days(0).isoformat(), "meeting_id": "424242", "evidence": _photo()},
            {"meeting_id"},
        ),
        ({"on": fp.in_days(0).isoformat(), "status": "verified", "evidence": _photo()}, {"status"}),
    ]
    for data, fields in cases:
        response = member.post(url, data)
        assert response.status_code == 422, data
        assert _fields(response) == fields, (data, response.json())
    # A NUL no column holds: refused before the endpoint (lib.middleware), naming it.
    nul = member.post(url, {"on": fp.in_days(0).isoformat(), "text": "a\x00b"})
    assert nul.status_code == 400 and _fields(nul) == {"text"}
    assert not Update.objects.exists() and not _stored_files()


def test_a_json_update_points_at_an_activity_the_branch_plan_may_name(f):
    plan = fp.branch_plan(f)
    item = factories.item(plan, deadline=fp.in_days(10))
    found = factories.activity(fp.campaign(f), f.org.branch_a1)
    other = factories.activity(fp.campaign(f), f.org.branch_b1)
    secretary = _client(f.cast.secretary)
    refused = _post(
        secretary,
        f"{API}/items/{item.pk}/updates",
        {"on": fp.in_days(0).isoformat(), "activity_id": other.pk},
    )
    assert refused.status_code == 422 and _fields(refused) == {"activity_id"}
    made = _post(
        secretary,
        f"{API}/items/{item.pk}/updates",
        {"on": fp.in_days(0).isoformat(), "activity_id": found.pk, "status": "done"},
    )
    assert made.status_code == 201
    [update] = made.json()["updates"]
    assert update["activity_title"] == found.title and update["evidence_download_url"] is None
    assert made.json()["status"] == Item.Status.DONE


# --- Idempotency ------------------------------------------------------------------------


def test_an_upload_resent_with_its_idempotency_key_is_recorded_once(f):
    item = fp.plan_item(f)
    script = _token_client(f.cast.member)
    url = f"{API}/items/{item.pk}/updates/upload"

    def send(key: str):
        return script.post(
            url,
            {"on": fp.in_days(0).isoformat(), "text": "谈心", "evidence": _photo()},
            HTTP_IDEMPOTENCY_KEY=key,
        )

    first, again = send("phone-upload-1"), send("phone-upload-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["updates"] == again.json()["updates"]
    assert Update.objects.count() == 1 and len(_stored_files()) == 1
    # A JSON update with the same key is the same request: still one.
    resent = script.post(
        f"{API}/items/{item.pk}/updates",
        {"on": fp.in_days(0).isoformat(), "text": "谈心"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="phone-upload-1",
    )
    assert resent.status_code == 201 and Update.objects.count() == 1
    # Another key is another update; another person's same key is theirs alone.
    assert send("phone-upload-2").status_code == 201
    assert Update.objects.count() == 2 and len(_stored_files()) == 2
    branch_item = factories.item(fp.branch_plan(f), deadline=fp.in_days(5))
    theirs = _token_client(f.cast.secretary).post(
        f"{API}/items/{branch_item.pk}/updates",
        {"on": fp.in_days(0).isoformat(), "text": "支部谈心"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="phone-upload-1",
    )
    assert theirs.status_code == 201 and branch_item.updates.count() == 1

    bad = send("x" * 201)
    assert bad.status_code == 422 and _fields(bad) == {"Idempotency-Key"}
    assert Update.objects.count() == 3


def test_an_item_resent_with_its_idempotency_key_is_added_once(f):
    plan = fp.member_plan(f)
    script = _token_client(f.cast.member)
    body = {
        "problem": "联系群众不够",
        "measure": "每月谈心",
        "standard": "六次",
        "deadline": fp.in_days(30).isoformat(),
    }
    answers = [
        script.post(
            f"{API}/plans/{plan.pk}/items",
            body,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="item-1",
        )
        for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert plan.items.count() == 2  # the plan's first item and this one


# --- Secrecy --------------------------------------------------------------------------------


def test_no_answer_a_member_reaches_names_a_source(f):
    opinion = fp.member_opinion(
        f, pk=987653, source=SOURCE, contact=CONTACT, channel=Opinion.Channel.TALK
    )
    plan = fp.member_plan(f)
    item = plan.items.get()
    token = selectors.point_token(plan, opinion.pk)
    member = _client(f.cast.member)
    answers = [
        member.patch(
            f"{API}/items/{item.pk}", {"links": [f"o-{token}"]}, content_type="application/json"
        ),
        _post(member, f"{API}/items/{item.pk}/status", {"status": "in_progress"}),
        member.post(
            f"{API}/items/{item.pk}/updates/upload",
            {
                "on": fp.in_days(0).isoformat(),
                "evidence": _photo(),
            },
        ),
        _post(member, f"{API}/plans/{plan.pk}/submit", {}),
    ]
    _post(
        _client(f.cast.secretary),
        f"{API}/plans/{plan.pk}/review",
        {
            "verdict": "return",
            "reason": "请补充",
        },
    )
    update = Update.objects.get()
    answers += [
        member.get(f"{API}/plans/{plan.pk}"),
        member.get(f"{API}/items/{item.pk}/updates"),
        member.get(f"{API}/updates/{update.pk}"),
    ]
    for response in answers:
        assert response.status_code in (200, 201), response.content
        text = json.dumps(response.json(), ensure_ascii=False)
        for secret in (SOURCE, CONTACT, "个人交谈", str(opinion.pk)):
            assert secret not in text
    detail = answers[-3].json()
    [link] = detail["items"][0]["links"]
    assert link["key"] == f"o-{token}" and link["text"] == fp.OPINION_TEXT
