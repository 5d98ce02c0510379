"""Saving a draft never un-submits (issue 16, point 8): in every workflow with a save
button next to a submit button, a document already handed in offers no draft save,
the service refuses one (or holds it to the submitted rule), and what was handed in
stays standing: the study plan, a supervision check, the self-analysis and the
rectification plan (the stage summary: materials/tests/test_stage_summary.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.urls import reverse

from vanguard.rectification.models import Plan
from vanguard.rectification.tests import factories_plans as fp
from vanguard.reviews.models import SelfAnalysis
from vanguard.reviews.tests import factories_member as fm
from vanguard.study.models import StudyPlan
from vanguard.study.tests import factories as study_factories
from vanguard.supervision.models import Check
from vanguard.supervision.tests.factories_inspection import a1_check, check_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def f(org, cast):
    return SimpleNamespace(org=org, cast=cast)


# --- The study plan: once submitted, a change is a new submission -------------------------


def test_a_submitted_study_plan_offers_no_draft_and_refuses_one(client, f):
    study_factories.make_campaign(f.org)
    url = reverse("study:plan_edit", args=[f.org.branch_a1.pk])
    client.force_login(f.cast.secretary)
    client.post(url, {"title": "一支部学习计划", "body": "每周学习一次", "submit": "1"})
    plan = StudyPlan.objects.get()
    submitted_at = plan.submitted_at
    assert submitted_at is not None

    page = client.get(url).content.decode()
    assert "保存草稿" not in page and "提交修改" in page

    client.force_login(f.cast.branch_committee)
    refused = client.post(url, {"title": "改成草稿", "body": "待定", "save": "1"})
    assert refused.status_code == 200
    assert "学习讨论计划已经提交，不能再存为草稿" in refused.content.decode()
    plan.refresh_from_db()
    assert (plan.title, plan.submitted_at) == ("一支部学习计划", submitted_at)

    resubmitted = client.post(url, {"title": "修改后的计划", "body": "每周两次", "submit": "1"})
    assert resubmitted.status_code == 302
    plan.refresh_from_db()
    assert plan.title == "修改后的计划"
    assert plan.submitted_by == f.cast.branch_committee and plan.submitted_at > submitted_at


def test_a_study_plan_not_yet_submitted_still_saves_as_a_draft(client, f):
    study_factories.make_campaign(f.org)
    url = reverse("study:plan_edit", args=[f.org.branch_a1.pk])
    client.force_login(f.cast.secretary)
    assert "保存草稿" in client.get(url).content.decode()
    client.post(url, {"title": "草稿", "body": "待定", "save": "1"})
    client.post(url, {"title": "草稿二", "body": "待定", "save": "1"})
    plan = StudyPlan.objects.get()
    assert (plan.title, plan.submitted_at) == ("草稿二", None)


# --- A supervision check: once done, 暂存 is gone and a save keeps it done --------------------


def test_a_done_check_offers_no_interim_save_and_stays_done(client, f):
    check = a1_check(f)
    client.force_login(f.cast.supervisor)
    assert "暂存" in client.get(f"/supervision/checks/{check.pk}/").content.decode()
    client.post(f"/supervision/checks/{check.pk}/edit/", check_data(check))
    check.refresh_from_db()
    assert check.status == Check.Status.DONE
    assert "暂存" not in client.get(f"/supervision/checks/{check.pk}/").content.decode()

    # A forged (or old-page) interim save that clears a finding is held to the done rule.
    data = check_data(check, done=False)
    data["notes-finding"] = ""
    refused = client.post(f"/supervision/checks/{check.pk}/edit/", data)
    assert "还没有检查结论" in refused.content.decode()
    check.refresh_from_db()
    assert check.status == Check.Status.DONE
    assert check.findings.count() == len(check.round.items)

    # A correction that keeps every item judged is saved, and the check stays done.
    corrected = check_data(check, done=False)
    corrected["notes-finding"] = "needs_work"
    assert client.post(f"/supervision/checks/{check.pk}/edit/", corrected).status_code == 302
    check.refresh_from_db()
    assert check.status == Check.Status.DONE
    assert check.findings.get(item="notes").finding == "needs_work"


# --- The self-analysis: the editor is gone once submitted, and a save is refused -------------


def test_a_submitted_self_analysis_cannot_be_saved_as_a_draft(client, f):
    fm.campaign(f.org)
    client.force_login(f.cast.member)
    client.post(reverse("reviews:mine"), {**fm.TEXT, "base_version": 0, "action": "submit"})
    doc = SelfAnalysis.objects.get()
    assert doc.state == SelfAnalysis.State.SUBMITTED
    page = client.get(reverse("reviews:mine")).content.decode()
    assert 'value="save"' not in page and "<textarea" not in page
    changed = {**fm.TEXT, "problems": "改过的内容", "base_version": doc.draft_version}
    saved = client.post(reverse("reviews:mine"), {**changed, "action": "save"})
    assert saved.status_code in (403, 422)
    autosaved = client.post(reverse("reviews:mine_autosave"), changed)
    assert autosaved.status_code in (403, 422)
    doc.refresh_from_db()
    assert doc.state == SelfAnalysis.State.SUBMITTED and doc.problems == fm.TEXT["problems"]


# --- The rectification plan: its items are frozen while it is with the reviewers ------------


def test_a_submitted_rectification_plan_keeps_its_items_and_status(client, f):
    plan = fp.submitted_plan(f)
    item = plan.items.get()
    client.force_login(f.cast.member)
    page = client.get(f"/rectification/items/{item.pk}/edit/").content.decode()
    assert "disabled" in page
    data = {
        "campaign": str(fp.campaign(f).pk),
        "problem": "改过的问题",
        "measure": "改过的措施",
        "standard": "",
        "deadline": fp.in_days(60).isoformat(),
    }
    refused = client.post(f"/rectification/items/{item.pk}/edit/", data)
    assert refused.status_code == 422
    assert "不能再修改事项" in refused.content.decode()
    plan.refresh_from_db()
    item.refresh_from_db()
    assert plan.status == Plan.Status.SUBMITTED and item.problem == fp.PROBLEM
