"""Creating campaigns from the two templates, cloning, and editing phases and
requirements per campaign."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from vanguard.audit.context import acting_as
from vanguard.audit.models import AuditEntry
from vanguard.campaigns import services
from vanguard.campaigns.models import Campaign, Phase, PhaseTransition, Requirement
from vanguard.meetings.models import Meeting
from vanguard.study.models import StudyPlan, StudyWork

SEED_START = datetime.date(2005, 2, 20)


def _education(org, **extra):
    return services.campaign_create_from_blueprint(
        kind=Campaign.Kind.EDUCATION,
        name=extra.pop("name", "保持共产党员先进性教育活动"),
        year=extra.pop("year", 2005),
        unit=org.committee,
        start_on=extra.pop("start_on", SEED_START),
        **extra,
    )


def _requirements(phase: Phase) -> list[tuple[str, dict, str]]:
    return [(r.kind, r.params, r.label) for r in phase.requirements.order_by("order")]


def test_education_template_gives_the_seeds_three_phases_with_the_analysis_phase_from_2_may(org):
    campaign = _education(org)
    phases = list(campaign.phases.order_by("order"))
    assert [(p.key, p.name) for p in phases] == [
        ("study", "学习动员"),
        ("analysis", "分析评议"),
        ("rectification", "整改提高"),
    ]
    assert phases[0].starts_on == SEED_START
    assert phases[1].starts_on == datetime.date(2005, 5, 2)
    assert all(p.status == Phase.Status.PENDING for p in phases)
    assert phases[0].ends_on < phases[1].starts_on and phases[1].ends_on < phases[2].starts_on
    assert campaign.status == Campaign.Status.DRAFT


def test_education_template_sets_the_seeds_requirements(org):
    study, analysis, rectification = _education(org).phases.order_by("order")
    assert _requirements(study) == [
        (
            "member_study_works",
            {"kind": "reading_note", "min": 2},
            "每名党员提交读书笔记不少于 2 篇",
        ),
        ("member_study_works", {"kind": "reflection", "min": 1}, "每名党员提交学习心得不少于 1 篇"),
        ("branch_study_plan", {}, "支部提交学习讨论计划"),
        ("branch_study_sessions", {"min": 2}, "支部组织学习讨论不少于 2 次"),
    ]
    assert [r.scope for r in study.requirements.order_by("order")] == [
        "member",
        "member",
        "branch",
        "branch",
    ]
    assert [label for _k, _p, label in _requirements(analysis)] == [
        "支部召开支部动员会",
        "每名党员第 1 轮提交党性分析材料和个人总结",
        "支部召开民主评议会",
        "支部召开等级评定会",
    ]
    assert [label for _k, _p, label in _requirements(rectification)] == [
        "每名党员提交书面整改计划",
        "支部整改计划经党委审核通过",
        "到期整改事项按期完成 80% 以上",
    ]


def test_annual_appraisal_template_has_the_appraisal_phase_with_the_three_meetings(org):
    campaign = services.campaign_create_from_blueprint(
        kind=Campaign.Kind.ANNUAL_APPRAISAL,
        name="",
        year=2025,
        unit=org.gb_a,
        start_on=datetime.date(2025, 11, 1),
    )
    assert campaign.name == "年度民主评议党员"
    (phase,) = campaign.phases.all()
    assert (phase.key, phase.starts_on, phase.ends_on) == (
        "appraisal",
        datetime.date(2025, 11, 1),
        datetime.date(2025, 12, 1),
    )
    assert [p["kind"] for _k, p, _l in _requirements(phase)] == [
        "mobilisation",
        "democratic_appraisal",
        "grade_rating",
    ]


def test_a_campaign_cannot_run_in_a_single_branch_and_nothing_is_written(org):
    with pytest.raises(ValidationError) as error:
        services.campaign_create_from_blueprint(
            kind=Campaign.Kind.EDUCATION,
            name="x",
            year=2025,
            unit=org.branch_a1,
            start_on=SEED_START,
        )
    assert "党委或党总支" in str(error.value)
    assert not Campaign.objects.exists() and not Phase.objects.exists()


def test_creating_a_campaign_audits_its_phases_and_requirements(org, cast):
    with acting_as(cast.committee_admin):
        _education(org)
    types = list(AuditEntry.objects.values_list("object_type", flat=True))
    assert types.count("campaigns.campaign") == 1
    assert types.count("campaigns.phase") == 3
    assert types.count("campaigns.requirement") == 11  # 4 + 4 + 3 (rectification)


def test_clone_copies_phases_a_year_later_and_requirements_but_no_data(org, cast):
    source = _education(org)
    study = source.phases.get(key="study")
    Requirement.objects.filter(phase=study, kind="branch_study_sessions").update(
        params={"min": 3}, label="支部组织学习讨论不少于 3 次"
    )
    StudyPlan.objects.create(campaign=source, branch=org.branch_a1, title="计划")
    StudyWork.objects.create(
        campaign=source,
        member=cast.member_record,
        kind="reading_note",
        title="笔记",
        material="党章",
    )
    Meeting.objects.create(
        campaign=source,
        unit=org.branch_a1,
        kind="mobilisation",
        title="动员会",
        held_at=timezone.now(),
    )
    PhaseTransition.objects.create(
        campaign=source,
        branch=org.branch_a1,
        from_phase=study,
        to_phase=source.phases.get(key="analysis"),
        reason="完成",
    )

    clone = services.campaign_clone(source=source, name="2006年教育活动", year=2006)

    assert clone.cloned_from == source and clone.status == Campaign.Status.DRAFT
    old, new = list(source.phases.order_by("order")), list(clone.phases.order_by("order"))
    assert [p.name for p in new] == [p.name for p in old]
    assert [p.starts_on for p in new] == [p.starts_on.replace(year=2006) for p in old]
    assert [_requirements(p) for p in new] == [_requirements(p) for p in old]
    assert "支部组织学习讨论不少于 3 次" in [
        r.label for r in clone.phases.get(key="study").requirements.all()
    ]
    assert not clone.study_plans.exists() and not clone.study_works.exists()
    assert not clone.meetings.exists() and not clone.transitions.exists()
    # The source keeps everything.
    assert source.phases.count() == 3 and source.transitions.count() == 1


def test_clone_to_a_new_start_date_keeps_the_phase_lengths(org):
    source = _education(org)
    clone = services.campaign_clone(
        source=source, name="", year=2007, start_on=datetime.date(2007, 3, 1)
    )
    assert clone.name == source.name
    old, new = list(source.phases.order_by("order")), list(clone.phases.order_by("order"))
    assert new[0].starts_on == datetime.date(2007, 3, 1)
    assert [(p.ends_on - p.starts_on) for p in new] == [(p.ends_on - p.starts_on) for p in old]


def test_phase_dates_and_status_can_be_changed(org):
    study = _education(org).phases.get(key="study")
    services.phase_update(
        phase=study,
        name="学习动员阶段",
        starts_on=datetime.date(2005, 2, 21),
        ends_on=datetime.date(2005, 4, 30),
        status=Phase.Status.OPEN,
    )
    study.refresh_from_db()
    assert (study.name, study.ends_on, study.status) == (
        "学习动员阶段",
        datetime.date(2005, 4, 30),
        "open",
    )
    services.phase_set_status(phase=study, status=Phase.Status.CLOSED)
    study.refresh_from_db()
    assert study.status == "closed"


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "message"),
    [
        (datetime.date(2005, 2, 20), datetime.date(2005, 5, 10), "下一阶段“分析评议”的开始日期"),
        (datetime.date(2005, 3, 1), datetime.date(2005, 2, 28), "结束日期不能早于开始日期"),
    ],
)
def test_phase_dates_that_overlap_or_run_backwards_are_refused(org, starts_on, ends_on, message):
    study = _education(org).phases.get(key="study")
    before = (study.starts_on, study.ends_on)
    with pytest.raises(ValidationError) as error:
        services.phase_update(
            phase=study, name="学习动员", starts_on=starts_on, ends_on=ends_on, status="open"
        )
    assert message in str(error.value)
    study.refresh_from_db()
    assert (study.starts_on, study.ends_on, study.status) == (*before, "pending")


def test_committee_adds_changes_and_removes_a_requirement(org):
    analysis = _education(org).phases.get(key="analysis")
    added = services.requirement_add(phase=analysis, kind="member_attendance", params={"min": 2})
    assert (added.scope, added.label, added.order) == (
        "member",
        "每名党员参加学习讨论不少于 2 次",
        5,
    )

    services.requirement_update(
        requirement=added, kind="member_attendance", params={"min": 3}, label="至少参加三次"
    )
    added.refresh_from_db()
    assert (added.params, added.label) == ({"min": 3}, "至少参加三次")

    services.requirement_remove(requirement=added)
    assert analysis.requirements.count() == 4


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        ("member_attendance", {"min": 0}, "最少次数"),
        ("branch_meeting", {"kind": "picnic"}, "picnic"),
        ("no_such_kind", {}, "未知的检查项"),
    ],
)
def test_bad_requirements_are_refused_and_nothing_changes(org, kind, params, message):
    study = _education(org).phases.get(key="study")
    with pytest.raises(ValidationError) as error:
        services.requirement_add(phase=study, kind=kind, params=params)
    assert message in str(error.value)
    assert study.requirements.count() == 4
