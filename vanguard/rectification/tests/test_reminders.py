"""`manage.py rectification_reminders`: a returned plan reminds its writers; a plan or
a done item waiting too long reminds its reviewers; an item past its deadline reminds
the person responsible and the writers, once per deadline, naming its problem and
never an opinion's source; a second run sends nothing new."""

from __future__ import annotations

import datetime
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from vanguard.campaigns.models import Campaign
from vanguard.notices.models import Notification
from vanguard.rectification.models import Item, Plan
from vanguard.rectification.plans import services
from vanguard.rectification.tests import factories_plans as fp

pytestmark = pytest.mark.django_db


@pytest.fixture
def f(org, cast):
    return SimpleNamespace(org=org, cast=cast)


def run(days: int = 3) -> str:
    out = StringIO()
    call_command("rectification_reminders", f"--days={days}", stdout=out)
    return out.getvalue()


def days_ago(n: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=n)


def reminded(prefix: str) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for user_id, text in (
        Notification.objects.filter(key__startswith=prefix)
        .order_by("pk")
        .values_list("user_id", "text")
    ):
        found.setdefault(user_id, []).append(text)
    return found


def _returned(f) -> Plan:
    plan = fp.member_plan(f)
    services.plan_submit(plan=plan, summary="", actor=f.cast.member)
    services.plan_review(plan=plan, approve=False, reason="措施不够具体", actor=f.cast.secretary)
    plan.refresh_from_db()
    return plan


def test_a_returned_plan_reminds_its_member_once_with_an_email(
    f, django_capture_on_commit_callbacks
):
    f.cast.member_record.email = "wang@example.edu.cn"
    f.cast.member_record.save()
    _returned(f)
    with django_capture_on_commit_callbacks(execute=True):
        assert run().startswith("1 ")
    assert reminded("plan-returned-remind") == {
        f.cast.member.pk: [
            "王小明的整改计划已被退回修改，请按退回理由修改后重新提交。退回理由：措施不够具体"
        ]
    }
    assert [m.to for m in mail.outbox] == [["wang@example.edu.cn"]]
    assert (
        "措施不够具体" in mail.outbox[0].body
        and "/rectification/plans/mine/" in mail.outbox[0].body
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert run().startswith("0 ")
    assert len(mail.outbox) == 1


def test_a_second_return_reminds_again_and_a_resubmitted_plan_does_not(f):
    plan = _returned(f)
    run()
    services.plan_submit(plan=plan, summary="改了", actor=f.cast.member)
    run()
    assert len(reminded("plan-returned-remind")[f.cast.member.pk]) == 1
    services.plan_review(plan=plan, approve=False, reason="还不够", actor=f.cast.secretary)
    run()
    texts = reminded("plan-returned-remind")[f.cast.member.pk]
    assert len(texts) == 2 and texts[-1].endswith("还不够")


def test_a_returned_branch_plan_reminds_the_branch_officers(f):
    plan = fp.branch_plan(f)
    fp.factories.item(plan, deadline=fp.in_days(10))
    services.plan_submit(plan=plan, summary="", actor=f.cast.secretary)
    services.plan_review(plan=plan, approve=False, reason="要有时限", actor=f.cast.committee_admin)
    run()
    assert set(reminded("plan-returned-remind")) == {
        f.cast.secretary.pk,
        f.cast.branch_committee.pk,
    }


def test_a_plan_waiting_reminds_its_reviewers_after_the_days(f):
    plan = fp.member_plan(f)
    services.plan_submit(plan=plan, summary="", actor=f.cast.member)
    run()
    assert not reminded("plan-wait")  # submitted just now

    Plan.objects.filter(pk=plan.pk).update(submitted_at=days_ago(4))
    run(days=5)
    assert not reminded("plan-wait")
    run()
    found = reminded("plan-wait")
    assert set(found) == {f.cast.secretary.pk, f.cast.branch_committee.pk}
    assert found[f.cast.secretary.pk] == ["有1份整改计划提交超过3天仍未审阅：王小明。"]
    run()
    assert Notification.objects.filter(key__startswith="plan-wait").count() == 2


def test_reviewers_are_not_reminded_of_their_own_plan(f):
    own = services.plan_start(
        campaign=fp.campaign(f), member=f.cast.secretary.member, actor=f.cast.secretary
    )
    fp.factories.item(own, deadline=fp.in_days(10))
    services.plan_submit(plan=own, summary="", actor=f.cast.secretary)
    Plan.objects.filter(pk=own.pk).update(submitted_at=days_ago(4))
    run()
    assert set(reminded("plan-wait")) == {f.cast.branch_committee.pk}


def _branch_item(f, **extra) -> Item:
    """An item of the branch's plan that the cast member (王小明) is responsible for."""
    plan = fp.branch_plan(f)
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.APPROVED, approved_at=timezone.now())
    fields = {"responsible": f.cast.member_record, "deadline": fp.in_days(-2)}
    fields.update(extra)
    return fp.factories.item(plan, **fields)


def test_an_overdue_item_reminds_the_person_responsible_and_the_writers_once(f):
    opinion = fp.member_opinion(f, subject_kind="branch", subject_member=None)
    item = _branch_item(f, problem="支部组织生活不够规范，" * 6)
    item.links.create(target="opinion", opinion=opinion)
    fp.factories.item(item.plan, problem="按期完成的事项", deadline=fp.in_days(5))
    run()
    found = reminded("item-overdue")
    assert set(found) == {f.cast.member.pk, f.cast.secretary.pk, f.cast.branch_committee.pk}
    text = found[f.cast.member.pk][0]
    assert text.startswith("光学工程教工第一党支部的整改计划第1项已过完成时限")
    # Named by its number, never by its text or what it answers: no problem, no
    # opinion's text, source or contact.
    for sent in Notification.objects.all():
        assert "支部组织生活不够规范" not in sent.text
        assert fp.OPINION_TEXT not in sent.text and "张三" not in sent.text
        assert "13800000000" not in sent.text
    url = Notification.objects.get(user=f.cast.member, key__startswith="item-overdue").url
    assert url == f"/rectification/plans/{item.plan_id}/#item-{item.pk}"

    run()
    assert Notification.objects.filter(key__startswith="item-overdue").count() == 3
    # A new deadline, passed too, reminds again.
    Item.objects.filter(pk=item.pk).update(deadline=fp.in_days(-1))
    run()
    assert Notification.objects.filter(key__startswith="item-overdue").count() == 6


def test_a_member_who_writes_and_answers_for_an_item_is_reminded_once(f):
    item = fp.plan_item(f)
    Item.objects.filter(pk=item.pk).update(deadline=fp.in_days(-1))
    run()
    assert reminded("item-overdue") == {
        f.cast.member.pk: [
            f"王小明的整改计划第1项已过完成时限（{fp.in_days(-1).isoformat()}），尚未完成。"
        ]
    }
    url = Notification.objects.get(key__startswith="item-overdue").url
    assert url.startswith("/rectification/plans/mine/?campaign=")


def test_done_items_and_closed_campaigns_remind_nobody_of_a_deadline(f):
    fp.factories.done(_branch_item(f))
    item = fp.plan_item(f)
    Item.objects.filter(pk=item.pk).update(deadline=fp.in_days(-1))
    Campaign.objects.filter(pk=item.plan.campaign_id).update(status=Campaign.Status.CLOSED)
    run()
    assert not reminded("item-overdue")


def test_a_done_item_waiting_for_verification_reminds_the_reviewers(f):
    item = fp.done_item(f)
    run()
    assert not reminded("item-verify-wait")
    Item.objects.filter(pk=item.pk).update(done_at=days_ago(4))
    run()
    found = reminded("item-verify-wait")
    assert set(found) == {f.cast.secretary.pk, f.cast.branch_committee.pk}
    assert found[f.cast.secretary.pk] == ["有1条整改事项完成超过3天仍未验收：王小明。"]
    run()
    assert Notification.objects.filter(key__startswith="item-verify-wait").count() == 2

    services.item_verify(item=item, passed=True, note="", actor=f.cast.secretary)
    Notification.objects.all().delete()
    run()
    assert not reminded("item-verify-wait")


def test_the_person_responsible_is_not_asked_to_verify_their_own_item(f):
    item = fp.done_item(f)
    Item.objects.filter(pk=item.pk).update(responsible=f.cast.secretary.member, done_at=days_ago(4))
    run()
    assert set(reminded("item-verify-wait")) == {f.cast.branch_committee.pk}


def test_reviewers_are_written_to_at_their_member_records_address(
    f, django_capture_on_commit_callbacks
):
    record = f.cast.secretary.member
    record.email = "li@example.edu.cn"
    record.save()
    f.cast.branch_committee.email = "zhiwei@example.edu.cn"
    f.cast.branch_committee.save()
    plan = fp.member_plan(f)
    services.plan_submit(plan=plan, summary="", actor=f.cast.member)
    Plan.objects.filter(pk=plan.pk).update(submitted_at=days_ago(4))
    with django_capture_on_commit_callbacks(execute=True):
        run()
    assert sorted(m.to[0] for m in mail.outbox) == ["li@example.edu.cn", "zhiwei@example.edu.cn"]
    assert all(m.subject == "【先锋】有整改计划等待审阅" for m in mail.outbox)
