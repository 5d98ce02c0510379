"""Phase gating (转段): a branch moves on when its requirements are met and its
supervisor or the committee approves; the committee moves whole general branches.
Judged by the real progress engine from the data itself."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from vanguard.audit.context import acting_as
from vanguard.audit.models import AuditEntry
from vanguard.campaigns import services
from vanguard.campaigns.models import Phase, PhaseTransition
from vanguard.campaigns.selectors import current_phases
from vanguard.campaigns.tests.access_table_manage import education_campaign
from vanguard.organization.models import Member
from vanguard.study.models import StudyPlan, StudySession, StudyWork


@pytest.fixture
def campaign(org):
    return education_campaign(org)


def _phase(campaign, key):
    return campaign.phases.get(key=key)


def complete_study(campaign, branch):
    """What the seed's study phase asks: a plan, two sessions, and from every member
    two reading notes and a reflection."""
    StudyPlan.objects.create(
        campaign=campaign, branch=branch, title="学习讨论计划", submitted_at=timezone.now()
    )
    for days_ago in (40, 20):
        StudySession.objects.create(
            campaign=campaign,
            unit=branch,
            topic="学习党章",
            starts_at=timezone.now() - datetime.timedelta(days=days_ago),
        )
    for member in Member.objects.filter(branch=branch, is_active=True):
        for kind in ("reading_note", "reading_note", "reflection"):
            StudyWork.objects.create(
                campaign=campaign, member=member, kind=kind, title="体会", material="党章"
            )


def _where(campaign, branch) -> str:
    return current_phases(campaign=campaign, branch_ids=[branch.pk])[branch.pk].key


def _approve(campaign, branch, actor, *, key="study", reason="学习阶段要求均已完成", **extra):
    return services.phase_transition_approve(
        campaign=campaign,
        branch=branch,
        from_phase=_phase(campaign, key),
        reason=reason,
        actor=actor,
        **extra,
    )


def test_supervisor_moves_a_branch_on_when_its_requirements_are_met(org, cast, campaign):
    complete_study(campaign, org.branch_a1)
    transition = _approve(campaign, org.branch_a1, cast.supervisor)
    assert _where(campaign, org.branch_a1) == "analysis"
    assert transition.approved_by == cast.supervisor
    assert transition.reason == "学习阶段要求均已完成"
    assert transition.requirements_met is True
    assert transition.to_phase == _phase(campaign, "analysis")


def test_unmet_requirements_are_named_and_nothing_is_written(org, cast, campaign):
    complete_study(campaign, org.branch_a1)
    StudyWork.objects.filter(member=cast.colleague_record, kind="reflection").delete()
    with pytest.raises(ValidationError) as error:
        _approve(campaign, org.branch_a1, cast.supervisor)
    assert "尚未完成本阶段要求：每名党员提交学习心得不少于 1 篇" in str(error.value)
    assert not PhaseTransition.objects.exists()
    assert _where(campaign, org.branch_a1) == "study"


def test_only_the_committee_may_override_unmet_requirements_and_it_is_recorded(org, cast, campaign):
    with pytest.raises(ValidationError, match="只有党委"):
        _approve(campaign, org.branch_a1, cast.supervisor, override=True)
    assert not PhaseTransition.objects.exists()

    transition = _approve(
        campaign, org.branch_a1, cast.committee_admin, override=True, reason="党委同意先行转段"
    )
    assert transition.requirements_met is False
    assert _where(campaign, org.branch_a1) == "analysis"


@pytest.mark.parametrize(
    ("who", "branch", "reason", "message"),
    [
        ("supervisor", "branch_b1", "理由", "您无权批准“信电本科生第四党支部”转段"),
        ("secretary", "branch_a1", "理由", "您无权批准"),
        ("gb_secretary", "branch_a1", "理由", "您无权批准"),
        ("supervisor", "branch_a1", "   ", "请填写转段理由"),
        ("committee_admin", "gb_a", "理由", "不是“保持共产党员先进性教育活动”范围内的党支部"),
    ],
)
def test_refusals_write_nothing(org, cast, campaign, who, branch, reason, message):
    complete_study(campaign, org.branch_a1)
    complete_study(campaign, org.branch_b1)
    with pytest.raises(ValidationError) as error:
        _approve(campaign, getattr(org, branch), getattr(cast, who), reason=reason)
    assert message in str(error.value)
    assert not PhaseTransition.objects.exists()


def test_a_branch_already_in_a_later_phase_is_not_moved_again(org, cast, campaign):
    complete_study(campaign, org.branch_a1)
    _approve(campaign, org.branch_a1, cast.supervisor)
    with pytest.raises(ValidationError) as error:
        _approve(campaign, org.branch_a1, cast.committee_admin, override=True)
    assert "已进入“分析评议”阶段" in str(error.value)
    assert PhaseTransition.objects.count() == 1


def test_no_move_past_the_last_phase(org, cast, campaign):
    _approve(campaign, org.branch_a1, cast.committee_admin, override=True)
    _approve(campaign, org.branch_a1, cast.committee_admin, key="analysis", override=True)
    assert _where(campaign, org.branch_a1) == "rectification"
    with pytest.raises(ValidationError) as error:
        _approve(campaign, org.branch_a1, cast.committee_admin, key="rectification", override=True)
    assert "“整改提高”已是最后一个阶段" in str(error.value)
    assert PhaseTransition.objects.count() == 2


def _bulk(campaign, unit, actor, **extra):
    return services.phase_transition_bulk(
        campaign=campaign,
        unit=unit,
        from_phase=_phase(campaign, "study"),
        reason=extra.pop("reason", "党委决定光电系整体转段"),
        actor=actor,
        **extra,
    )


def test_committee_moves_a_general_branch_leaving_unmet_branches_unless_it_overrides(
    org, cast, campaign
):
    complete_study(campaign, org.branch_a1)  # A2 has done nothing

    with acting_as(cast.committee_admin):
        result = _bulk(campaign, org.gb_a, cast.committee_admin)
    assert [t.branch for t in result.moved] == [org.branch_a1]
    assert [branch for branch, _unmet in result.held_back] == [org.branch_a2]
    assert "支部提交学习讨论计划" in result.held_back[0][1]
    assert _where(campaign, org.branch_a2) == "study"
    assert AuditEntry.objects.filter(object_type="campaigns.phasetransition").count() == 1

    result = _bulk(campaign, org.gb_a, cast.committee_admin, override=True)
    assert result.moved_unmet == [org.branch_a2]
    assert [(b, p.key) for b, p in result.elsewhere] == [(org.branch_a1, "analysis")]
    moved = PhaseTransition.objects.get(branch=org.branch_a2)
    assert (moved.requirements_met, moved.reason, moved.approved_by) == (
        False,
        "党委决定光电系整体转段",
        cast.committee_admin,
    )
    # The other general branch is untouched.
    assert _where(campaign, org.branch_b1) == "study"


def test_bulk_move_refusals(org, cast, campaign):
    with pytest.raises(ValidationError, match="只有党委可以整体批准转段"):
        _bulk(campaign, org.gb_a, cast.gb_secretary, override=True)
    with pytest.raises(ValidationError, match="请填写转段理由"):
        _bulk(campaign, org.gb_a, cast.committee_admin, reason="", override=True)
    with pytest.raises(ValidationError, match="均未完成要求"):
        _bulk(campaign, org.gb_a, cast.committee_admin)
    assert not PhaseTransition.objects.exists()


def test_the_whole_college_moves_at_once_with_one_transition_per_branch(org, cast, campaign):
    result = _bulk(campaign, org.committee, cast.committee_admin, override=True)
    assert {t.branch for t in result.moved} == {org.branch_a1, org.branch_a2, org.branch_b1}
    assert set(PhaseTransition.objects.values_list("to_phase__key", flat=True)) == {
        Phase.Key.ANALYSIS
    }
