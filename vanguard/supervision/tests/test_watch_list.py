"""The watch list in the browser: the committee puts a key person on it, a talk is
recorded, the entry is closed with a note; and through the API."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from vanguard.notices.models import Notification
from vanguard.supervision.models import Talk, WatchEntry
from vanguard.supervision.tests import factories_remediation as fr

pytestmark = pytest.mark.django_db


@pytest.fixture
def f(org, cast):
    return SimpleNamespace(org=org, cast=cast)


def test_key_person_talk_and_close(client, f):
    campaign = fr.campaign(f)
    client.force_login(f.cast.committee_admin)
    form = client.get(f"/supervision/c/{campaign.pk}/watch/new/?branch={f.org.branch_a1.pk}")
    assert "张丽" in form.content.decode()  # the branch's members to choose from
    added = client.post(
        f"/supervision/c/{campaign.pk}/watch/new/",
        {
            "kind": "person",
            "branch": f.org.branch_a1.pk,
            "member": f.cast.colleague_record.pk,
            "reason": "对评议有较大顾虑",
        },
    )
    entry = WatchEntry.objects.get()
    assert added["Location"] == f"/supervision/watch/{entry.pk}/"
    assert entry.member == f.cast.colleague_record and entry.kind == "person"
    assert not Notification.objects.exists()  # nobody is told

    client.post(
        f"/supervision/watch/{entry.pk}/talks/new/",
        {
            "held_on": fr.in_days(0).isoformat(),
            "talked_by": "活动第一责任人",
            "gist": "本人表示理解评议的目的",
            "follow_up": "一周后回访",
        },
    )
    talk = Talk.objects.get()
    assert talk.entry == entry and talk.talked_by == "活动第一责任人"
    page = client.get(f"/supervision/watch/{entry.pk}/").content.decode()
    assert "本人表示理解评议的目的" in page and "一周后回访" in page

    listed = client.get(f"/supervision/c/{campaign.pk}/watch/").content.decode()
    assert "张丽" in listed and "对评议有较大顾虑" in listed
    refused = client.post(f"/supervision/watch/{entry.pk}/close/", {"note": ""})
    assert refused.status_code == 200
    client.post(f"/supervision/watch/{entry.pk}/close/", {"note": "思想认识已提高"})
    entry.refresh_from_db()
    assert entry.closed_at is not None and entry.closed_note == "思想认识已提高"
    late = client.post(
        f"/supervision/watch/{entry.pk}/talks/new/",
        {"held_on": fr.in_days(0).isoformat(), "talked_by": "甲", "gist": "乙"},
    )
    assert late.status_code == 200 and Talk.objects.count() == 1


def test_a_person_cannot_be_listed_twice_while_open(client, f):
    fr.key_person(f)
    client.force_login(f.cast.supervisor)
    answer = client.post(
        f"/supervision/c/{fr.campaign(f).pk}/watch/new/",
        {
            "kind": "person",
            "branch": f.org.branch_a1.pk,
            "member": f.cast.member_record.pk,
            "reason": "再次列入",
        },
    )
    assert answer.status_code == 200 and "已在重点关注名单中" in answer.content.decode()
    assert WatchEntry.objects.count() == 1


def test_a_supervisor_cannot_watch_a_branch_they_do_not_check(client, f):
    client.force_login(f.cast.supervisor)
    answer = client.post(
        f"/supervision/c/{fr.campaign(f).pk}/watch/new/",
        {"kind": "branch", "branch": f.org.branch_b1.pk, "reason": "松散"},
    )
    assert answer.status_code == 200 and not WatchEntry.objects.exists()


def test_watch_list_and_talks_through_the_api(client, f):
    campaign = fr.campaign(f)
    client.force_login(f.cast.supervisor)
    made = client.post(
        "/api/v1/supervision/watch/",
        {
            "campaign_id": campaign.pk,
            "kind": "branch",
            "branch_id": f.org.branch_a1.pk,
            "reason": "组织生活松散",
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    entry_id = made.json()["id"]
    talk = client.post(
        f"/api/v1/supervision/watch/{entry_id}/talks",
        {"held_on": fr.in_days(0).isoformat(), "talked_by": "党委书记", "gist": "与支委谈话"},
        content_type="application/json",
    )
    assert talk.status_code == 201
    listed = client.get(f"/api/v1/supervision/watch/?campaign={campaign.pk}").json()
    assert [e["reason"] for e in listed] == ["组织生活松散"]
    talks = client.get(f"/api/v1/supervision/watch/{entry_id}/talks").json()
    assert [t["gist"] for t in talks] == ["与支委谈话"]
    client.force_login(f.cast.secretary)
    assert client.get(f"/api/v1/supervision/watch/{entry_id}").status_code == 404
