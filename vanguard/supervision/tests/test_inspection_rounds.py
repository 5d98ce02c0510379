"""Inspection rounds and checks (检查): the committee plans a round from one of the
seed's checklists over all branches, a general branch or picked ones; opening it
makes one check per branch, with the group that has the branch; a supervisor fills
their branches' checks on a phone beside the evidence Vanguard already holds, one
branch after another; a stale save is refused; the branch's secretaries hear of
findings that need work; closing the round freezes the checks."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.urls import NoReverseMatch, reverse

from vanguard.campaigns.tests.progress_data import attend, meeting, plan, session, work
from vanguard.notices.models import Notification
from vanguard.opinions.models import Opinion
from vanguard.supervision.inspection import services
from vanguard.supervision.models import Check, CheckFinding, Round
from vanguard.supervision.tests.factories_inspection import (
    a1_check,
    a_round,
    campaign,
    check_data,
    group,
    planned_round,
    study_phase,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def f(org, cast):
    return SimpleNamespace(org=org, cast=cast)


# --- Planning, opening, closing -------------------------------------------------------------


def test_a_template_fills_the_round_form_with_its_title_and_items(f, client):
    c = campaign(f)
    client.force_login(f.cast.committee_admin)
    page = client.get(f"/supervision/c/{c.pk}/rounds/new/?template=analysis").content.decode()
    assert 'value="分析评议阶段检查"' in page
    checked = [
        part for part in page.split("<input") if 'name="items"' in part and "checked" in part
    ]
    assert sorted(p.split('value="')[1].split('"')[0] for p in checked) == [
        "appraisal_meeting",
        "grading",
        "opinions",
        "summary_drafts",
    ]


def test_the_committee_plans_a_round_over_one_general_branch(f, client):
    c = campaign(f)
    client.force_login(f.cast.committee_admin)
    response = client.post(
        f"/supervision/c/{c.pk}/rounds/new/",
        {
            "title": "分析评议阶段检查",
            "phase": str(study_phase(f).pk),
            "items": ["grading", "opinions"],
            "scope": "general_branch",
            "general_branches": [str(f.org.gb_a.pk)],
            "starts_on": "2026-05-20",
            "due_on": "2026-05-23",
        },
    )
    assert response.status_code == 302
    made = Round.objects.get(campaign=c, title="分析评议阶段检查")
    assert made.items == ["opinions", "grading"]  # the checklist's own order
    assert set(made.branches.all()) == {f.org.branch_a1, f.org.branch_a2}
    assert made.status == Round.Status.PLANNED and not made.checks.exists()


def test_a_round_due_before_it_starts_is_refused_with_a_message(f, client):
    c = campaign(f)
    client.force_login(f.cast.committee_admin)
    page = client.post(
        f"/supervision/c/{c.pk}/rounds/new/",
        {
            "title": "第一次检查",
            "phase": str(study_phase(f).pk),
            "items": ["study_plan"],
            "scope": "all",
            "starts_on": "2026-05-20",
            "due_on": "2026-05-01",
        },
    ).content.decode()
    assert "完成期限不能早于开始日期" in page
    assert not Round.objects.exists()


def test_opening_a_round_makes_a_check_per_branch_with_the_group_that_has_it(f, client):
    checking = group(f)  # over A1
    planned = planned_round(f)
    client.force_login(f.cast.committee_admin)
    client.post(f"/supervision/rounds/{planned.pk}/open/")
    planned.refresh_from_db()
    assert planned.status == Round.Status.OPEN
    checks = {c.branch_id: c for c in planned.checks.all()}
    assert set(checks) == {f.org.branch_a1.pk, f.org.branch_a2.pk, f.org.branch_b1.pk}
    assert checks[f.org.branch_a1.pk].group == checking
    assert checks[f.org.branch_b1.pk].group is None
    # Opening twice is refused and makes nothing more.
    response = client.post(f"/supervision/rounds/{planned.pk}/open/", follow=True)
    assert "已经开始" in response.content.decode()
    assert planned.checks.count() == 3


def test_two_passes_over_every_branch_are_two_rounds(f):
    first = a_round(f, title="第一轮检查")
    second = a_round(f, title="第二轮检查")
    assert first.checks.count() == second.checks.count() == 3
    assert set(first.checks.values_list("branch", flat=True)) == set(
        second.checks.values_list("branch", flat=True)
    )


def test_a_closed_round_freezes_its_checks(f, client):
    check = a1_check(f)
    client.force_login(f.cast.committee_admin)
    client.post(f"/supervision/rounds/{check.round_id}/close/")
    assert Round.objects.get(pk=check.round_id).status == Round.Status.CLOSED
    client.force_login(f.cast.supervisor)
    response = client.post(f"/supervision/checks/{check.pk}/edit/", check_data(check))
    assert response.status_code == 403
    page = client.get(f"/supervision/checks/{check.pk}/").content.decode()
    assert "检查结果不再修改" in page and 'name="action"' not in page
    assert not CheckFinding.objects.exists()


# --- Who sees which checks ------------------------------------------------------------------------


def test_a_supervisor_sees_only_their_branches_checks_in_the_round(f, client):
    round = a_round(f)
    client.force_login(f.cast.supervisor)
    page = client.get(f"/supervision/rounds/{round.pk}/").content.decode()
    assert f.org.branch_a1.name in page
    assert f.org.branch_b1.name not in page and f.org.branch_a2.name not in page
    client.force_login(f.cast.committee_admin)
    page = client.get(f"/supervision/rounds/{round.pk}/").content.decode()
    assert all(b.name in page for b in (f.org.branch_a1, f.org.branch_a2, f.org.branch_b1))


def test_the_branch_secretary_reads_the_findings_without_a_form(f):
    check = a1_check(f)
    services.check_save(
        check=check,
        findings={"study_plan": services.ItemFinding("needs_work", "计划过于笼统")},
        summary="",
        done=False,
        version=check.version,
        actor=f.cast.supervisor,
    )
    from django.test import Client

    client = Client()
    client.force_login(f.cast.secretary)
    page = client.get(f"/supervision/checks/{check.pk}/").content.decode()
    assert "需改进" in page and "计划过于笼统" in page
    assert f"/supervision/checks/{check.pk}/edit/" not in page


# --- The check page ------------------------------------------------------------------------


def test_the_check_page_shows_the_study_evidence_vanguard_holds(f, client):
    c = campaign(f)
    check = a1_check(f)
    plan(c, f.org.branch_a1)
    held = session(c, f.org.branch_a1)
    attend(held, f.cast.member_record)
    work(c, f.cast.member_record)
    work(c, f.cast.member_record)
    client.force_login(f.cast.supervisor)
    page = client.get(f"/supervision/checks/{check.pk}/").content.decode()
    assert "已提交" in page
    assert reverse("study:plan_detail", args=[f.org.branch_a1.pk]) in page
    assert reverse("study:session_detail", args=[held.pk]) in page
    assert "2 篇" in page  # the reading notes
    assert "1 / 3 人" in page  # one of the branch's three members wrote notes


def test_the_check_page_shows_the_analysis_evidence(f, client):
    c = campaign(f)
    check = Check.objects.get(
        round=a_round(
            f,
            title="分析评议阶段检查",
            items=["opinions", "summary_drafts", "appraisal_meeting", "grading"],
        ),
        branch=f.org.branch_a1,
    )
    for channel in ("suggestion_box", "suggestion_box", "talk"):
        Opinion.objects.create(
            campaign=c,
            branch=f.org.branch_a1,
            channel=channel,
            text="意见",
            received_on=datetime.date(2026, 5, 10),
        )
    held = meeting(c, f.org.branch_a1, "democratic_appraisal", day=datetime.date(2026, 5, 20))
    client.force_login(f.cast.committee_admin)
    page = client.get(f"/supervision/checks/{check.pk}/").content.decode()
    assert "3 条" in page and "2 条" in page  # all opinions, and those of the box
    assert reverse("meetings:detail", args=[held.pk]) in page
    assert "尚未开始" in page  # no grading yet
    assert reverse("grading:branch", args=[c.pk, f.org.branch_a1.pk]) in page


def test_save_and_next_branch_goes_to_the_next_pending_check(f, client):
    check = a1_check(f)
    client.force_login(f.cast.committee_admin)
    data = {**check_data(check), "action": "next"}
    response = client.post(f"/supervision/checks/{check.pk}/edit/", data)
    following = Check.objects.get(round=check.round, branch=f.org.branch_a2)
    assert response.status_code == 302
    assert response["Location"] == f"/supervision/checks/{following.pk}/"
    check.refresh_from_db()
    assert check.status == Check.Status.DONE and check.checked_by == f.cast.committee_admin
    assert check.findings.filter(finding="good").count() == 4


def test_saved_as_done_every_item_needs_a_finding(f, client):
    check = a1_check(f)
    client.force_login(f.cast.supervisor)
    data = check_data(check)
    data["notes-finding"] = ""
    page = client.post(f"/supervision/checks/{check.pk}/edit/", data).content.decode()
    assert "读书笔记" in page and "还没有检查结论" in page
    check.refresh_from_db()
    assert check.status == Check.Status.PENDING and not check.findings.exists()


def test_a_stale_save_is_refused_and_the_first_findings_kept(f, client):
    check = a1_check(f)
    stale = check_data(check, finding="missing", done=False)
    client.force_login(f.cast.committee_admin)
    first = client.post(f"/supervision/checks/{check.pk}/edit/", check_data(check, done=False))
    assert first.status_code == 302
    client.force_login(f.cast.supervisor)
    second = client.post(f"/supervision/checks/{check.pk}/edit/", stale)
    assert second.status_code == 409
    assert "已保存了这个支部的检查结果" in second.content.decode()
    assert set(check.findings.values_list("finding", flat=True)) == {"good"}


def test_findings_that_need_work_tell_the_branch_secretary(f, client):
    check = a1_check(f)
    client.force_login(f.cast.supervisor)
    data = check_data(check)
    data["notes-finding"] = "needs_work"
    data["notes-note"] = "部分党员笔记过于简单"
    client.post(f"/supervision/checks/{check.pk}/edit/", data)
    told = Notification.objects.filter(user=f.cast.secretary)
    assert told.count() == 1
    assert "读书笔记" in told.get().text and told.get().url == f"/supervision/checks/{check.pk}/"
    assert not Notification.objects.filter(user=f.cast.member).exists()
    assert not Notification.objects.filter(user=f.cast.other_member).exists()


def test_a_check_found_good_tells_nobody(f, client):
    check = a1_check(f)
    client.force_login(f.cast.supervisor)
    client.post(f"/supervision/checks/{check.pk}/edit/", check_data(check))
    assert not Notification.objects.exists()


def test_a_finding_that_needs_work_links_to_the_order_form(f, client):
    try:
        base = reverse("supervision:order_new", args=[campaign(f).pk])
    except NoReverseMatch:
        pytest.skip("remediation's order form is not there yet")
    check = a1_check(f)
    client.force_login(f.cast.supervisor)
    data = check_data(check)
    data["study_plan-finding"] = "missing"
    client.post(f"/supervision/checks/{check.pk}/edit/", data)
    page = client.get(f"/supervision/checks/{check.pk}/").content.decode()
    assert f"{base}?branch={f.org.branch_a1.pk}&amp;check={check.pk}" in page
