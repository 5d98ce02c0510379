"""Deadline reminders (in-app and e-mail, never twice) and the daily digest."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from vanguard.campaigns.models import Phase
from vanguard.campaigns.tests.access_table_manage import education_campaign
from vanguard.campaigns.tests.test_transitions import complete_study
from vanguard.notices import services
from vanguard.notices.models import Notification


@pytest.fixture
def campaign(org, cast):
    """The study phase is open and ends the day after tomorrow."""
    start = timezone.localdate() - datetime.timedelta(days=68)
    campaign = education_campaign(org, start_on=start)
    campaign.phases.filter(key="study").update(status=Phase.Status.OPEN)
    cast.member_record.email = "wangxm@example.edu.cn"
    cast.member_record.save()
    cast.secretary.email = "li@example.edu.cn"
    cast.secretary.save()
    return campaign


def _remind(django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return services.reminders_send(**kwargs)


def test_members_and_secretaries_with_unmet_requirements_are_reminded_once(
    cast, campaign, django_capture_on_commit_callbacks
):
    sent = _remind(django_capture_on_commit_callbacks)
    reminded = {(n.user.username, n.key.count(":branch:")) for n in Notification.objects.all()}
    # 王小明, 李书记 (a member of A1 too) and 陈刚 each for themselves; 李书记 for the branch.
    assert reminded == {("member", 0), ("secretary", 0), ("othermember", 0), ("secretary", 1)}
    assert len(sent) == 4
    mine = Notification.objects.get(user=cast.member)
    assert "“学习动员”阶段将于" in mine.text and "读书笔记" in mine.text
    assert {m.to[0] for m in mail.outbox} == {"wangxm@example.edu.cn", "li@example.edu.cn"}
    assert all("截止" in m.subject for m in mail.outbox)

    outbox = len(mail.outbox)
    assert _remind(django_capture_on_commit_callbacks) == []
    assert Notification.objects.count() == 4 and len(mail.outbox) == outbox


def test_a_branch_that_has_done_everything_gets_no_reminder(
    org, cast, campaign, django_capture_on_commit_callbacks
):
    complete_study(campaign, org.branch_a1)
    _remind(django_capture_on_commit_callbacks)
    assert set(Notification.objects.values_list("user__username", flat=True)) == {"othermember"}


def test_no_reminder_for_a_phase_ending_later_or_already_closed(
    campaign, django_capture_on_commit_callbacks
):
    assert _remind(django_capture_on_commit_callbacks, days=1) == []
    campaign.phases.filter(key="study").update(status=Phase.Status.CLOSED)
    assert _remind(django_capture_on_commit_callbacks) == []
    assert not Notification.objects.exists() and not mail.outbox


def test_moving_the_deadline_reminds_again(campaign, django_capture_on_commit_callbacks):
    _remind(django_capture_on_commit_callbacks)
    study = campaign.phases.get(key="study")
    study.ends_on -= datetime.timedelta(days=1)
    study.save()
    assert len(_remind(django_capture_on_commit_callbacks)) == 4


def test_the_command_reports_what_it_sent(campaign):
    out = StringIO()
    call_command("send_reminders", "--days", "3", stdout=out)
    assert "4 reminder(s) sent." in out.getvalue()
    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert "0 reminder(s) sent." in out.getvalue()


def test_daily_digest_mails_each_officer_their_scope_and_the_days_notices(org, cast, campaign):
    cast.committee_admin.email = "dangwei@example.edu.cn"
    cast.committee_admin.save()
    services.notice_publish(
        unit=org.committee, title="关于督查的通知", body="下周督查。", actor=cast.committee_admin
    )
    out = StringIO()
    call_command("daily_digest", stdout=out)
    assert "2 digest(s) sent." in out.getvalue()  # the committee admin and 李书记
    by_address = {m.to[0]: m for m in mail.outbox}
    college = by_address["dangwei@example.edu.cn"].body
    assert "信息学院党委" in college and "0/3个支部已完成本阶段要求" in college
    assert "关于督查的通知" in college
    branch = by_address["li@example.edu.cn"].body
    assert "光学工程教工第一党支部" in branch and "0/3名党员已完成个人要求" in branch


def test_an_officer_who_chose_no_mail_gets_no_daily_summary(org, cast, campaign):
    from vanguard.notices.models import NoticePreference

    services.notice_preference_set(user=cast.secretary, email=NoticePreference.Email.NONE)
    out = StringIO()
    call_command("daily_digest", stdout=out)
    assert "li@example.edu.cn" not in [m.to[0] for m in mail.outbox]
