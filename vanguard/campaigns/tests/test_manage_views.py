"""The committee's campaign pages and the transition pages, as a person uses them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from vanguard.campaigns.models import Campaign, Phase, PhaseTransition
from vanguard.campaigns.tests.access_table_manage import education_campaign
from vanguard.campaigns.tests.test_transitions import complete_study


@pytest.fixture
def campaign(org):
    return education_campaign(org)


@pytest.fixture
def committee(client, cast):
    client.force_login(cast.committee_admin)
    return client


def test_committee_creates_a_campaign_from_the_template_and_sees_its_phases(committee, org):
    response = committee.post(
        reverse("campaigns:manage_create"),
        {
            "kind": "education",
            "name": "2005年保先教育",
            "year": "2005",
            "unit": org.committee.pk,
            "start_on": "2005-02-20",
            "description": "",
        },
        follow=True,
    )
    campaign = Campaign.objects.get(name="2005年保先教育")
    assert response.redirect_chain[-1][0] == reverse("campaigns:manage_detail", args=[campaign.pk])
    page = response.content.decode()
    for text in ("学习动员", "分析评议", "整改提高", "2005-05-02", "支部召开民主评议会"):
        assert text in page


def test_the_committee_list_shows_its_campaigns(committee, campaign):
    page = committee.get(reverse("campaigns:manage_list")).content.decode()
    assert campaign.name in page


def test_an_overlapping_phase_date_is_refused_on_the_form_and_nothing_changes(committee, campaign):
    study = campaign.phases.get(key="study")
    analysis = campaign.phases.get(key="analysis")
    response = committee.post(
        reverse("campaigns:manage_phase", args=[campaign.pk, study.pk]),
        {
            "name": study.name,
            "starts_on": study.starts_on.isoformat(),
            "ends_on": analysis.starts_on.isoformat(),
            "status": "open",
        },
    )
    assert response.status_code == 200
    assert "结束日期须早于下一阶段“分析评议”的开始日期" in response.content.decode()
    study.refresh_from_db()
    assert study.status == Phase.Status.PENDING


def test_committee_opens_a_phase_with_one_button(committee, campaign):
    analysis = campaign.phases.get(key="analysis")
    committee.post(
        reverse("campaigns:manage_phase_status", args=[campaign.pk, analysis.pk]),
        {"status": "open"},
    )
    analysis.refresh_from_db()
    assert analysis.status == Phase.Status.OPEN


def test_committee_adds_a_requirement_and_edits_its_parameters(committee, campaign):
    analysis = campaign.phases.get(key="analysis")
    committee.post(
        reverse("campaigns:manage_requirement_add", args=[campaign.pk, analysis.pk]),
        {"kind": "member_study_works", "work_kind": "essay", "min": "1", "label": ""},
    )
    added = analysis.requirements.get(kind="member_study_works")
    assert (added.params, added.label) == (
        {"kind": "essay", "min": 1},
        "每名党员提交论文不少于 1 篇",
    )

    response = committee.post(
        reverse("campaigns:manage_requirement_edit", args=[campaign.pk, added.pk]),
        {"kind": "member_study_works", "work_kind": "essay", "min": "0", "label": ""},
    )
    assert response.status_code == 200  # the form says what is wrong
    added.refresh_from_db()
    assert added.params["min"] == 1

    committee.post(reverse("campaigns:manage_requirement_delete", args=[campaign.pk, added.pk]))
    assert not analysis.requirements.filter(kind="member_study_works").exists()


def test_committee_clones_a_campaign_through_the_page(committee, campaign):
    committee.post(
        reverse("campaigns:manage_clone", args=[campaign.pk]),
        {"name": "下一年度教育活动", "year": str(campaign.year + 1), "start_on": ""},
    )
    clone = Campaign.objects.get(name="下一年度教育活动")
    assert clone.cloned_from == campaign and clone.phases.count() == 3


def test_branch_page_shows_what_is_unmet_and_refuses_the_supervisor(client, cast, org, campaign):
    client.force_login(cast.supervisor)
    url = reverse("campaigns:transition_branch", args=[campaign.pk, org.branch_a1.pk])
    page = client.get(url).content.decode()
    assert "支部提交学习讨论计划" in page and "未完成" in page
    study = campaign.phases.get(key="study")
    response = client.post(url, {"from_phase": study.pk, "reason": "完成"})
    assert response.status_code == 400
    assert "尚未完成本阶段要求" in response.content.decode()
    assert not PhaseTransition.objects.exists()


def test_supervisor_approves_a_branch_that_has_done_everything(client, cast, org, campaign):
    complete_study(campaign, org.branch_a1)
    client.force_login(cast.supervisor)
    url = reverse("campaigns:transition_branch", args=[campaign.pk, org.branch_a1.pk])
    response = client.post(
        url, {"from_phase": campaign.phases.get(key="study").pk, "reason": "学习扎实"}, follow=True
    )
    assert "已转入“分析评议”阶段" in response.content.decode()
    transition = PhaseTransition.objects.get()
    assert (transition.approved_by, transition.reason) == (cast.supervisor, "学习扎实")


def test_the_branch_secretary_sees_the_page_without_an_approve_button(client, cast, org, campaign):
    client.force_login(cast.secretary)
    url = reverse("campaigns:transition_branch", args=[campaign.pk, org.branch_a1.pk])
    page = client.get(url).content.decode()
    assert "本阶段要求" in page and "批准转段" not in page


def test_committee_moves_a_general_branch_from_its_page_with_an_override(committee, org, campaign):
    complete_study(campaign, org.branch_a1)
    url = reverse("campaigns:transition_unit", args=[campaign.pk, org.gb_a.pk])
    page = committee.get(url).content.decode()
    assert org.branch_a1.name in page and org.branch_a2.name in page
    study = campaign.phases.get(key="study")
    response = committee.post(
        url, {"from_phase": study.pk, "reason": "按期转段", "override": "on"}, follow=True
    )
    assert "其中1个支部要求未完成，已记录" in response.content.decode()
    assert dict(PhaseTransition.objects.values_list("branch_id", "requirements_met")) == {
        org.branch_a1.pk: True,
        org.branch_a2.pk: False,
    }
