"""Make-up work (补课) in the browser: ordered from a member's assessment, reported
done by the member, re-checked by the supervisor (sent back, then verified); who is
told at each step; overdue orders shown plainly; the lists; guidance; the lagging
branches."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from vanguard.notices.models import Notification
from vanguard.supervision import access
from vanguard.supervision.models import (
    Check,
    CheckFinding,
    GuidanceSession,
    NoteAssessment,
    RemediationOrder,
    Round,
)
from vanguard.supervision.remediation import services
from vanguard.supervision.tests import factories_remediation as fr

pytestmark = pytest.mark.django_db


@pytest.fixture
def f(org, cast):
    return SimpleNamespace(org=org, cast=cast)


def _told(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("text", flat=True))


def _assessment(f) -> NoteAssessment:
    return NoteAssessment.objects.create(
        campaign=fr.campaign(f),
        member=f.cast.member_record,
        level=NoteAssessment.Level.COLLEGE,
        books="fair",
        content="poor",
        practice="poor",
        attitude="fair",
        grade=NoteAssessment.Grade.INSUFFICIENT,
        assessed_by=f.cast.supervisor,
    )


def test_order_from_an_assessment_reported_sent_back_and_verified(client, f):
    campaign = fr.campaign(f)
    assessment = _assessment(f)
    client.force_login(f.cast.supervisor)
    url = f"/supervision/c/{campaign.pk}/orders/new/?assessment={assessment.pk}"
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "王小明" in text and "需补课" in text  # prefilled from the assessment

    made = client.post(
        url,
        {
            "branch": f.org.branch_a1.pk,
            "member": f.cast.member_record.pk,
            "assessment": assessment.pk,
            "reason": "读书笔记只摘抄原文，请补写联系实际的心得",
            "deadline": fr.in_days(10).isoformat(),
        },
    )
    order = RemediationOrder.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/supervision/orders/{order.pk}/"
    assert order.member == f.cast.member_record and order.assessment == assessment
    assert order.responsible == f.cast.member  # a member's order: the member's login
    assert any("补课通知" in t for t in _told(f.cast.member))
    assert any("补课通知" in t for t in _told(f.cast.secretary))

    # The member finds it in their to-do and reports it done.
    client.force_login(f.cast.member)
    todo = client.get("/supervision/orders/mine/").content.decode()
    assert "读书笔记只摘抄原文" in todo
    client.post(f"/supervision/orders/{order.pk}/report/", {"report": "补写了两篇心得"})
    order.refresh_from_db()
    assert order.status == RemediationOrder.Status.REPORTED and order.reported_by == f.cast.member
    assert any("请复查" in t for t in _told(f.cast.supervisor))

    # The supervisor sends it back with a note; the member is told and reports again.
    client.force_login(f.cast.supervisor)
    refused = client.post(f"/supervision/orders/{order.pk}/verify/", {"outcome": "reopened"})
    assert refused.status_code == 200 and "请填写复查意见" in refused.content.decode()
    client.post(
        f"/supervision/orders/{order.pk}/verify/",
        {"outcome": "reopened", "note": "心得仍未联系本人工作实际"},
    )
    order.refresh_from_db()
    assert order.status == RemediationOrder.Status.REOPENED
    assert any("心得仍未联系本人工作实际" in t for t in _told(f.cast.member))
    client.force_login(f.cast.member)
    client.post(f"/supervision/orders/{order.pk}/report/", {"report": "结合教学工作重写了心得"})
    client.force_login(f.cast.supervisor)
    client.post(f"/supervision/orders/{order.pk}/verify/", {"outcome": "verified", "note": ""})
    order.refresh_from_db()
    assert order.status == RemediationOrder.Status.VERIFIED
    assert any("复查通过" in t for t in _told(f.cast.member))
    assert any("复查通过" in t for t in _told(f.cast.secretary))
    page = client.get(f"/supervision/orders/{order.pk}/").content.decode()
    assert "复查通过" in page and "结合教学工作重写了心得" in page


def test_a_branch_order_defaults_to_the_secretary_and_is_not_the_members(client, f):
    campaign = fr.campaign(f)
    client.force_login(f.cast.gb_secretary)
    client.post(
        f"/supervision/c/{campaign.pk}/orders/new/",
        {
            "branch": f.org.branch_a1.pk,
            "reason": "学习记录不全",
            "deadline": fr.in_days(5).isoformat(),
        },
    )
    order = RemediationOrder.objects.get()
    assert order.member is None and order.responsible == f.cast.secretary
    client.force_login(f.cast.member)
    assert client.get(f"/supervision/orders/{order.pk}/").status_code == 404
    assert "学习记录不全" not in client.get("/supervision/orders/mine/").content.decode()
    client.force_login(f.cast.secretary)
    assert "学习记录不全" in client.get("/supervision/orders/mine/").content.decode()


def test_an_order_needs_a_reason_and_a_deadline_not_in_the_past(f):
    with pytest.raises(Exception) as error:
        services.order_create(
            campaign=fr.campaign(f),
            branch=f.org.branch_a1,
            reason=" ",
            deadline=fr.in_days(-1),
            actor=f.cast.supervisor,
        )
    assert set(error.value.message_dict) == {"reason", "deadline"}  # type: ignore[attr-defined]
    assert not RemediationOrder.objects.exists()


def test_the_responsible_person_must_be_an_officer_or_the_member(f):
    with pytest.raises(Exception) as error:
        services.order_create(
            campaign=fr.campaign(f),
            branch=f.org.branch_a1,
            reason="补课",
            deadline=fr.in_days(3),
            responsible=f.cast.other_member,
            actor=f.cast.supervisor,
        )
    assert "responsible" in error.value.message_dict  # type: ignore[attr-defined]


def test_overdue_orders_are_shown_plainly_and_filtered(client, f):
    late = fr.branch_order(f)
    RemediationOrder.objects.filter(pk=late.pk).update(deadline=fr.in_days(-3))
    fr.member_order(f)
    campaign = fr.campaign(f)
    client.force_login(f.cast.committee_admin)
    page = client.get(f"/supervision/c/{campaign.pk}/orders/").content.decode()
    assert "已逾期" in page and fr.ORDER_REASON in page
    only_late = client.get(f"/supervision/c/{campaign.pk}/orders/?overdue=1").content.decode()
    assert fr.BRANCH_ORDER_REASON in only_late and fr.ORDER_REASON not in only_late
    done = client.get(f"/supervision/c/{campaign.pk}/orders/?status=verified").content.decode()
    assert fr.BRANCH_ORDER_REASON not in done


def test_a_branch_officer_lists_their_branchs_orders_not_others(client, f):
    fr.member_order(f)
    RemediationOrder.objects.create(
        campaign=fr.campaign(f),
        branch=f.org.branch_b1,
        reason="信电支部的补课",
        deadline=fr.in_days(4),
    )
    client.force_login(f.cast.branch_committee)
    page = client.get(f"/supervision/c/{fr.campaign(f).pk}/orders/").content.decode()
    assert fr.ORDER_REASON in page and "信电支部的补课" not in page
    assert "下达补课通知" not in page


def test_guidance_recorded_and_read_by_the_branch(client, f):
    campaign = fr.campaign(f)
    client.force_login(f.cast.supervisor)
    answer = client.post(
        f"/supervision/c/{campaign.pk}/guidance/new/",
        {
            "branch": f.org.branch_a1.pk,
            "held_on": fr.in_days(0).isoformat(),
            "given_by": "党委书记",
            "attendees": "支部委员会",
            "instructions": "传达上级要求",
            "agreed": "下周前补开民主评议会",
            "lagging": "on",
        },
    )
    session = GuidanceSession.objects.get()
    assert answer["Location"] == f"/supervision/guidance/{session.pk}/" and session.lagging
    client.force_login(f.cast.secretary)
    listed = client.get(f"/supervision/c/{campaign.pk}/guidance/").content.decode()
    assert "下周前补开民主评议会" in listed
    assert "传达上级要求" in client.get(f"/supervision/guidance/{session.pk}/").content.decode()


def test_lagging_branches_say_why(client, f):
    campaign = fr.campaign(f)
    phase = campaign.phases.order_by("order").first()
    round_ = Round.objects.create(
        campaign=campaign,
        phase=phase,
        title="学习阶段第一次检查",
        items=["study_plan", "notes"],
        starts_on=fr.in_days(-5),
        due_on=fr.in_days(-1),
    )
    check = Check.objects.create(
        round=round_, branch=f.org.branch_b1, status=Check.Status.DONE, checked_on=fr.in_days(-2)
    )
    CheckFinding.objects.create(check_record=check, item="study_plan", finding="missing")
    late = fr.branch_order(f)
    RemediationOrder.objects.filter(pk=late.pk).update(deadline=fr.in_days(-1))

    client.force_login(f.cast.committee_admin)
    page = client.get(f"/supervision/c/{campaign.pk}/lagging/").content.decode()
    assert "信电本科生第四党支部" in page and "学习阶段第一次检查" in page and "学习计划" in page
    assert "1 项补课逾期未完成" in page
    assert f"?branch={f.org.branch_a1.pk}&amp;lagging=1" in page  # record guidance

    # A supervisor sees only their own branches.
    client.force_login(f.cast.supervisor)
    page = client.get(f"/supervision/c/{campaign.pk}/lagging/").content.decode()
    assert "信电本科生第四党支部" not in page and "光学工程教工第一党支部" in page


def test_overdue_is_past_the_deadline_and_not_verified(f):
    from vanguard.supervision.remediation.selectors import is_overdue

    today = timezone.localdate()
    order = RemediationOrder(deadline=today - datetime.timedelta(days=1))
    for status, expected in (("open", True), ("reported", True), ("verified", False)):
        order.status = status
        assert is_overdue(order, today) is expected
    order.deadline = today
    order.status = "open"
    assert is_overdue(order, today) is False


def test_the_order_form_names_the_default_person_responsible_as_people_know_them(f, client):
    """A member order falls to the member: the form says who by name, with the login."""
    campaign = fr.campaign(f)
    client.force_login(f.cast.supervisor)
    page = client.get(
        f"/supervision/c/{campaign.pk}/orders/new/"
        f"?branch={f.org.branch_a1.pk}&member={f.cast.member_record.pk}"
    ).content.decode()
    assert "默认责任人：王小明（member）" in page


def test_the_to_do_query_and_the_report_check_agree_for_every_role(f):
    """The home page's to-do (access.reportable_orders, one query) lists exactly the
    orders access.can_report_order lets each person report."""
    orders = [
        fr.member_order(f),
        fr.branch_order(f),
        fr.member_order(f, status=RemediationOrder.Status.REPORTED),
    ]
    for role in (
        "committee_admin",
        "supervisor",
        "gb_secretary",
        "secretary",
        "branch_committee",
        "group_leader",
        "observer",
        "member",
        "other_member",
    ):
        user = getattr(f.cast, role)
        listed = set(access.reportable_orders(user).values_list("pk", flat=True))
        allowed = {order.pk for order in orders if access.can_report_order(user, order)}
        assert listed == allowed, role
    assert set(access.reportable_orders(f.cast.member).values_list("pk", flat=True)) == {
        orders[0].pk
    }
