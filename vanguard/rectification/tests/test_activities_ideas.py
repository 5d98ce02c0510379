"""Golden ideas (金点子): a member of the branch gives an idea, named or anonymous (an
anonymous idea has no author, anywhere, and is written with no audit actor); the
officers decide (adopted, or not for now with a note) and turn an adopted idea into an
item of the branch's plan."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from vanguard.audit.models import AuditEntry
from vanguard.notices.models import Notification
from vanguard.rectification.models import Idea, Item, Plan
from vanguard.rectification.tests import factories_activities as fa

pytestmark = pytest.mark.django_db


@pytest.fixture
def f(org, cast):
    return SimpleNamespace(org=org, cast=cast)


def _told(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("text", flat=True))


def test_the_branch_members_are_asked_for_ideas(client, f):
    client.force_login(f.cast.secretary)
    made = client.post(
        f"/rectification/c/{fa.campaign(f).pk}/activities/new/",
        {"kind": "ideas", "title": "金点子征集"},
    )
    assert made.status_code == 302
    assert any("金点子" in text for text in _told(f.cast.member))
    assert not _told(f.cast.other_member)


def test_an_anonymous_idea_has_no_author_anywhere(client, f):
    activity = fa.ideas_activity(f)
    client.force_login(f.cast.member)
    sent = client.post(
        f"/rectification/activities/{activity.pk}/ideas/",
        {"text": "组会多讲问题", "anonymous": "on"},
    )
    assert sent.status_code == 302
    idea = Idea.objects.get(text="组会多讲问题")
    assert idea.anonymous and idea.author is None
    for entry in AuditEntry.objects.filter(object_type="rectification.idea"):
        assert entry.actor_id is None and not entry.actor_name
    # Nobody reading the activity, its officers included, sees who gave it.
    for reader in (f.cast.secretary, f.cast.committee_admin, f.cast.member):
        client.force_login(reader)
        page = client.get(f"/rectification/activities/{activity.pk}/").content.decode()
        assert "组会多讲问题" in page and "匿名" in page and "王小明" not in page
        ideas = client.get(f"/api/v1/rectification/activities/{activity.pk}/ideas").json()
        assert ideas[0]["author_name"] is None and ideas[0]["anonymous"] is True


def test_a_named_idea_shows_its_author_and_the_decision_tells_them(client, f):
    activity = fa.ideas_activity(f)
    client.force_login(f.cast.member)
    client.post(f"/rectification/activities/{activity.pk}/ideas/", {"text": "开放实验室"})
    idea = Idea.objects.get(text="开放实验室")
    assert idea.author == f.cast.member_record
    client.force_login(f.cast.branch_committee)
    page = client.get(f"/rectification/activities/{activity.pk}/").content.decode()
    assert "王小明" in page and "待研究" in page
    prefix = f"d{idea.pk.hex[:8]}"
    # Not adopted for now needs a reason.
    refused = client.post(
        f"/rectification/ideas/{idea.pk}/decide/", {f"{prefix}-decision": "declined"}
    )
    assert refused.status_code == 200 and "请填写说明" in refused.content.decode()
    assert Idea.objects.get(pk=idea.pk).decision == "pending"
    decided = client.post(
        f"/rectification/ideas/{idea.pk}/decide/",
        {f"{prefix}-decision": "adopted", f"{prefix}-note": "下学期起实行"},
    )
    assert decided.status_code == 302
    idea.refresh_from_db()
    assert idea.decision == "adopted" and idea.decided_by == f.cast.branch_committee
    assert any("采纳" in text for text in _told(f.cast.member))


def test_a_member_neither_decides_nor_gives_ideas_elsewhere(client, f):
    idea = fa.named_idea(f)
    client.force_login(f.cast.member)
    prefix = f"d{idea.pk.hex[:8]}"
    assert (
        client.post(
            f"/rectification/ideas/{idea.pk}/decide/", {f"{prefix}-decision": "adopted"}
        ).status_code
        == 403
    )
    client.force_login(f.cast.other_member)
    sent = client.post(f"/rectification/activities/{idea.activity_id}/ideas/", {"text": "x"})
    assert sent.status_code == 404


def test_an_adopted_idea_becomes_an_item_of_the_branch_plan(client, f):
    idea = fa.adopted_idea(f)
    client.force_login(f.cast.secretary)
    page = client.get(f"/rectification/activities/{idea.activity_id}/").content.decode()
    assert "加入支部整改计划" in page
    prefix = f"i{idea.pk.hex[:8]}"
    made = client.post(
        f"/rectification/ideas/{idea.pk}/to-item/",
        {
            f"{prefix}-measure": "每月第一个周六开放实验室",
            f"{prefix}-standard": "全年开放 10 次并有记录",
            f"{prefix}-deadline": fa.in_days(60).isoformat(),
            f"{prefix}-responsible": f.cast.colleague_record.pk,
        },
    )
    assert made.status_code == 302
    idea.refresh_from_db()
    item = Item.objects.get(pk=idea.became_id)
    assert item.plan.level == Plan.Level.BRANCH and item.plan.unit == f.org.branch_a1
    assert item.problem == idea.text and item.activity_id == idea.activity_id
    assert item.responsible == f.cast.colleague_record
    page = client.get(f"/rectification/activities/{idea.activity_id}/").content.decode()
    assert "已转为支部整改事项" in page
    # Once only.
    again = client.post(
        f"/rectification/ideas/{idea.pk}/to-item/",
        {
            f"{prefix}-measure": "再来一次",
            f"{prefix}-standard": "x",
            f"{prefix}-deadline": fa.in_days(60).isoformat(),
        },
    )
    assert again.status_code == 200
    assert Item.objects.count() == 1


def test_a_pending_idea_does_not_become_an_item(client, f):
    idea = fa.named_idea(f)
    client.force_login(f.cast.secretary)
    prefix = f"i{idea.pk.hex[:8]}"
    page = client.post(
        f"/rectification/ideas/{idea.pk}/to-item/",
        {
            f"{prefix}-measure": "开放实验室",
            f"{prefix}-standard": "有记录",
            f"{prefix}-deadline": fa.in_days(30).isoformat(),
        },
    )
    assert page.status_code == 200
    assert "只有已采纳的金点子" in page.content.decode()
    assert not Item.objects.exists()
