"""Publishing notices to a unit and everything below it, and reading them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from vanguard.notices import services
from vanguard.notices.models import Notice, Notification


def _publish(org, cast, unit="gb_a", actor="committee_admin", **extra):
    return services.notice_publish(
        unit=getattr(org, unit),
        title=extra.get("title", "关于开展分析评议的通知"),
        body=extra.get("body", "各支部于5月2日起转入分析评议阶段。"),
        actor=getattr(cast, actor),
    )


def _inbox(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("notices:inbox")).content.decode()


def test_a_notice_to_a_general_branch_reaches_its_branches_members_but_not_others(
    client, org, cast
):
    _publish(org, cast)
    assert "关于开展分析评议的通知" in _inbox(client, cast.member)
    assert "关于开展分析评议的通知" in _inbox(client, cast.secretary)
    assert "关于开展分析评议的通知" not in _inbox(client, cast.other_member)


def test_a_notice_to_the_college_reaches_every_branch(client, org, cast):
    _publish(org, cast, unit="committee", title="全院通知")
    assert "全院通知" in _inbox(client, cast.other_member)
    assert "全院通知" in _inbox(client, cast.supervisor)


def test_a_branch_notice_is_not_seen_by_the_branch_above_members_elsewhere(client, org, cast):
    _publish(org, cast, unit="branch_a1", actor="secretary", title="支部学习安排")
    assert "支部学习安排" in _inbox(client, cast.member)
    assert "支部学习安排" in _inbox(client, cast.gb_secretary)  # an officer above it
    assert "支部学习安排" not in _inbox(client, cast.other_member)
    notice = Notice.objects.get()
    client.force_login(cast.other_member)
    assert client.get(reverse("notices:detail", args=[notice.pk])).status_code == 404


def test_publishing_notifies_each_person_it_reaches_once(org, cast):
    notice = _publish(org, cast)
    notified = set(Notification.objects.values_list("user__username", flat=True))
    assert {"member", "secretary", "supervisor", "gbsecretary", "zhiwei"} <= notified
    assert not {"othermember", "committee"} & notified  # not another branch, not the publisher
    assert all(
        n.url == reverse("notices:detail", args=[notice.pk]) for n in Notification.objects.all()
    )


@pytest.mark.parametrize(
    ("actor", "unit", "message"),
    [
        ("secretary", "gb_a", "您不能向“光电系党总支”发布通知"),
        ("gb_secretary", "branch_b1", "您不能向"),
        ("member", "branch_a1", "您不能向"),
    ],
)
def test_publishing_outside_ones_own_unit_is_refused(org, cast, actor, unit, message):
    with pytest.raises(ValidationError) as error:
        _publish(org, cast, unit=unit, actor=actor)
    assert message in str(error.value)
    assert not Notice.objects.exists() and not Notification.objects.exists()


def test_a_secretary_publishes_from_the_page(client, org, cast):
    client.force_login(cast.secretary)
    response = client.post(
        reverse("notices:publish"),
        {"unit": org.branch_a1.pk, "title": "周五学习", "body": "<script>alert(1)</script>"},
        follow=True,
    )
    page = response.content.decode()
    assert "周五学习" in page
    assert "&lt;script&gt;" in page and "<script>alert" not in page  # shown as text


def test_an_empty_title_is_refused_on_the_form(client, org, cast):
    client.force_login(cast.committee_admin)
    response = client.post(
        reverse("notices:publish"), {"unit": org.committee.pk, "title": "", "body": "正文"}
    )
    assert response.status_code == 200 and "这个字段是必填项" in response.content.decode()
    assert not Notice.objects.exists()


def test_the_unread_badge_counts_and_reading_clears_it(client, org, cast):
    notice = _publish(org, cast)
    client.force_login(cast.member)
    response = client.get(reverse("notices:inbox"))
    assert response.context["unread_notifications"] == 1
    client.get(reverse("notices:detail", args=[notice.pk]))
    assert client.get(reverse("notices:inbox")).context["unread_notifications"] == 0


def test_mark_one_read_opens_its_page_and_mark_all_read(client, org, cast):
    notice = _publish(org, cast)
    _publish(org, cast, title="第二份通知")
    client.force_login(cast.member)
    first = Notification.objects.filter(user=cast.member).order_by("pk").first()
    response = client.post(reverse("notices:notification_read", args=[first.pk]), {"open": "1"})
    assert response["Location"] == reverse("notices:detail", args=[notice.pk])
    assert Notification.objects.filter(user=cast.member, read_at__isnull=True).count() == 1
    client.post(reverse("notices:notifications_read_all"))
    assert not Notification.objects.filter(user=cast.member, read_at__isnull=True).exists()


@pytest.mark.parametrize("stored", ["https://evil.example/", "//evil.example/", "inbox", ""])
def test_a_notification_whose_link_is_not_a_page_here_opens_the_inbox(client, org, cast, stored):
    _publish(org, cast)
    mine = Notification.objects.get(user=cast.member)
    Notification.objects.filter(pk=mine.pk).update(url=stored)
    client.force_login(cast.member)
    response = client.post(reverse("notices:notification_read", args=[mine.pk]), {"open": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("notices:inbox")
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_someone_elses_notification_cannot_be_marked(client, org, cast):
    _publish(org, cast)
    theirs = Notification.objects.get(user=cast.member)
    client.force_login(cast.secretary)
    assert client.post(reverse("notices:notification_read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
