"""Branch study plans, sessions and attendance by hand, as the secretary keeps them."""

from __future__ import annotations

from django.urls import reverse

from vanguard.audit.models import AuditEntry
from vanguard.campaigns.models import Campaign
from vanguard.study.models import Attendance, StudyPlan, StudySession


def test_secretary_writes_and_submits_the_branch_plan(client, org, cast, campaign):
    client.force_login(cast.secretary)
    url = reverse("study:plan_edit", args=[org.branch_a1.pk])

    response = client.post(
        url,
        {
            "title": "一支部学习讨论计划",
            "body": "<h3>三月</h3><p>学习党章<script>alert(1)</script></p>",
            "body_format": "html",
            "submit": "1",
        },
    )

    assert response.status_code == 302
    plan = StudyPlan.objects.get(branch=org.branch_a1, campaign=campaign)
    assert plan.submitted_at is not None and plan.submitted_by == cast.secretary
    assert plan.body == "<h3>三月</h3><p>学习党章</p>"
    client.force_login(cast.member)  # the branch's members read it
    html = client.get(reverse("study:plan_detail", args=[org.branch_a1.pk])).content.decode()
    assert "一支部学习讨论计划" in html and "<h3>三月</h3>" in html


def test_plan_saved_as_draft_is_not_submitted(client, org, cast, campaign):
    client.force_login(cast.branch_committee)
    client.post(
        reverse("study:plan_edit", args=[org.branch_a1.pk]),
        {"title": "草稿", "body": "待定", "save": "1"},
    )
    assert StudyPlan.objects.get().submitted_at is None


def test_plan_without_a_title_is_refused_naming_the_field(client, org, cast, campaign):
    client.force_login(cast.secretary)
    response = client.post(
        reverse("study:plan_edit", args=[org.branch_a1.pk]), {"title": "", "body": "x"}
    )
    assert response.status_code == 200
    assert "标题" in response.content.decode()
    assert not StudyPlan.objects.exists()


def test_without_an_active_campaign_there_is_no_plan_to_write(client, org, cast):
    client.force_login(cast.secretary)
    response = client.get(reverse("study:plan_edit", args=[org.branch_a1.pk]), follow=True)
    assert "没有进行中的活动" in response.content.decode()


def test_secretary_schedules_a_session_linked_to_the_plan(client, org, cast, campaign):
    plan = StudyPlan.objects.create(branch=org.branch_a1, campaign=campaign, title="计划")
    client.force_login(cast.secretary)

    response = client.post(
        reverse("study:session_create"),
        {
            "unit": org.branch_a1.pk,
            "kind": "session",
            "topic": "学习“两个务必”",
            "starts_at": "2005-03-20T14:30",
            "materials": "《在党的七届二中全会上的报告》",
        },
    )

    session = StudySession.objects.get()
    assert response["Location"] == reverse("study:session_detail", args=[session.pk])
    assert (session.campaign, session.plan, session.unit) == (campaign, plan, org.branch_a1)


def test_session_for_a_unit_outside_scope_is_refused(client, org, cast, campaign):
    client.force_login(cast.secretary)
    response = client.post(
        reverse("study:session_create"),
        {
            "unit": org.branch_b1.pk,
            "kind": "session",
            "topic": "x",
            "starts_at": "2005-03-20T14:30",
        },
    )
    assert response.status_code == 200
    assert 'name="unit"' in response.content.decode()
    assert not StudySession.objects.exists()


def test_session_without_an_active_campaign_is_refused_naming_the_unit(client, org, cast, campaign):
    Campaign.objects.update(status=Campaign.Status.CLOSED)
    client.force_login(cast.secretary)
    response = client.post(
        reverse("study:session_create"),
        {
            "unit": org.branch_a1.pk,
            "kind": "session",
            "topic": "x",
            "starts_at": "2005-03-20T14:30",
        },
    )
    assert "光学工程教工第一党支部目前没有进行中的活动" in response.content.decode()
    assert not StudySession.objects.exists()


def _marks(session, **overrides):
    data = {}
    for member in session.unit.members.filter(is_active=True):
        data[f"status_{member.pk}"] = "present"
    data.update(overrides)
    return data


def test_attendance_form_has_a_row_for_every_active_member(client, cast, session):
    client.force_login(cast.secretary)
    html = client.get(reverse("study:attendance_edit", args=[session.pk])).content.decode()
    for name in ("李书记", "王小明", "张丽"):
        assert name in html
    assert "陈刚" not in html


def test_secretary_marks_attendance_with_a_reason_for_the_absent(client, cast, session):
    client.force_login(cast.secretary)
    colleague = cast.colleague_record
    data = _marks(session, **{f"status_{colleague.pk}": "absent", f"reason_{colleague.pk}": "出差"})

    response = client.post(reverse("study:attendance_edit", args=[session.pk]), data)

    assert response.status_code == 302
    rows = {row.member.name: row for row in Attendance.objects.select_related("member")}
    assert set(rows) == {"李书记", "王小明", "张丽"}
    assert (rows["张丽"].status, rows["张丽"].reason) == ("absent", "出差")
    assert rows["王小明"].method == "manual"
    # Bulk writes are audited one row each.
    assert AuditEntry.objects.filter(object_type="study.attendance").count() == 3


def test_absence_without_a_reason_is_refused_naming_the_member(client, cast, session):
    client.force_login(cast.secretary)
    colleague = cast.colleague_record
    data = _marks(session, **{f"status_{colleague.pk}": "absent"})

    response = client.post(reverse("study:attendance_edit", args=[session.pk]), data)

    assert response.status_code == 200
    assert "请填写这些同志的缺席原因：张丽" in response.content.decode()
    assert not Attendance.objects.exists()


def test_marking_again_changes_only_what_changed(client, cast, session):
    client.force_login(cast.secretary)
    url = reverse("study:attendance_edit", args=[session.pk])
    client.post(url, _marks(session))
    before = AuditEntry.objects.count()
    member = cast.member_record

    client.post(
        url, _marks(session, **{f"status_{member.pk}": "absent", f"reason_{member.pk}": "病假"})
    )

    assert Attendance.objects.get(member=member).status == "absent"
    assert AuditEntry.objects.count() == before + 1


def test_session_page_shows_attendance_to_officers_and_own_status_to_member(client, cast, session):
    Attendance.objects.create(
        session=session, member=cast.member_record, status="present", method="qr"
    )
    client.force_login(cast.secretary)
    html = client.get(reverse("study:session_detail", args=[session.pk])).content.decode()
    assert "出勤（1 / 3 人）" in html and "张丽" in html
    client.force_login(cast.member)
    html = client.get(reverse("study:session_detail", args=[session.pk])).content.decode()
    assert "我的出勤" in html and "扫码签到" in html
    assert "张丽" not in html


def test_home_shows_member_requirements_and_officer_overview(client, org, cast, session):
    client.force_login(cast.member)
    html = client.get(reverse("study:home")).content.decode()
    assert "每名党员至少提交 2 篇读书笔记" in html
    assert "学习党章" in html  # the session they are expected at
    assert "写读书笔记" in html

    client.force_login(cast.committee_admin)
    html = client.get(reverse("study:home")).content.decode()
    for name in ("光学工程教工第一党支部", "光电博士生党支部", "信电本科生第四党支部"):
        assert name in html
    assert "未制定" in html


def _grow(org, campaign, n, start=0):
    from django.utils import timezone

    from vanguard.organization.models import Unit

    for i in range(start, start + n):
        branch = Unit.objects.create(name=f"新增党支部{i}", kind=Unit.Kind.BRANCH, parent=org.gb_b)
        StudyPlan.objects.create(branch=branch, campaign=campaign, title="计划")
        StudySession.objects.create(
            campaign=campaign, unit=branch, topic="学习", starts_at=timezone.now()
        )


def _queries(client, user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("study:home")).status_code == 200
    return len(captured)


def test_home_query_count_does_not_grow_with_branches(client, org, cast, session, campaign):
    _grow(org, campaign, 2)
    small = (_queries(client, cast.committee_admin), _queries(client, cast.secretary))
    _grow(org, campaign, 20, start=2)
    assert (_queries(client, cast.committee_admin), _queries(client, cast.secretary)) == small
