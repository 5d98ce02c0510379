"""Requirement kinds: their parameters are checked, and each is judged from the data."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from conftest import make_member
from vanguard.campaigns import requirements
from vanguard.campaigns.models import Phase
from vanguard.campaigns.progress import branch_requirements_met
from vanguard.campaigns.tests import progress_data as data


def test_every_issue_3_kind_is_registered_with_its_scope():
    assert requirements.scope_of("member_study_works") == "member"
    assert requirements.scope_of("member_attendance") == "member"
    assert requirements.scope_of("branch_study_plan") == "branch"
    assert requirements.scope_of("branch_study_sessions") == "branch"
    assert requirements.scope_of("branch_meeting") == "branch"
    assert ("branch_meeting", "支部召开会议") in requirements.kind_choices()


def test_params_are_completed_with_defaults():
    assert requirements.validate_params("member_study_works", {"min": "2"}) == {
        "kind": None,
        "min": 2,
    }
    assert requirements.validate_params("branch_study_plan", None) == {}


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        ("member_study_works", {"kind": "poem", "min": 1}, "“poem”不是可选的值"),
        ("member_study_works", {"min": "two"}, "参数“最少篇数”应为整数"),
        ("member_study_works", {"min": 0}, "应在 1 到 100 之间"),
        ("branch_meeting", {"kind": "party"}, "参数“会议类型”的值“party”"),
        ("branch_study_plan", {"min": 1}, "没有参数“min”"),
        ("no_such_kind", {}, "未知的检查项“no_such_kind”"),
    ],
)
def test_bad_params_are_refused_with_a_message_naming_the_parameter(kind, params, message):
    with pytest.raises(ValidationError) as caught:
        requirements.validate_params(kind, params)
    assert any(message in text for text in caught.value.messages), caught.value.messages


def test_default_labels_read_as_sentences():
    assert (
        requirements.default_label("member_study_works", {"kind": "reading_note", "min": 2})
        == "每名党员提交读书笔记不少于 2 篇"
    )
    assert (
        requirements.default_label("branch_meeting", {"kind": "mobilisation"})
        == "支部召开支部动员会"
    )


def test_a_member_with_one_of_two_notes_is_not_complete(cast, org):
    campaign = data.make_campaign(org.committee)
    study = data.phase(campaign, Phase.Key.STUDY)
    data.complete_study(campaign, org.branch_a1)
    # The colleague has two notes and a reflection; the member only one note.
    from vanguard.study.models import StudyWork

    StudyWork.objects.filter(member=cast.member_record, kind="reading_note").first().delete()

    met, unmet = branch_requirements_met(campaign=campaign, branch=org.branch_a1, phase=study)

    assert not met
    assert unmet == ["每名党员提交读书笔记不少于 2 篇"]


def test_a_branch_that_did_everything_meets_the_study_phase(cast, org):
    campaign = data.make_campaign(org.committee)
    data.complete_study(campaign, org.branch_a1)

    met, unmet = branch_requirements_met(
        campaign=campaign, branch=org.branch_a1, phase=data.phase(campaign, Phase.Key.STUDY)
    )

    assert (met, unmet) == (True, [])


def test_inactive_members_do_not_count(cast, org):
    campaign = data.make_campaign(org.committee)
    data.complete_study(campaign, org.branch_a1)
    # A member who left the roster after the study has nothing: the branch still meets it.
    make_member(name="离开的", number="T0099", branch=org.branch_a1).__class__.objects.filter(
        number="T0099"
    ).update(is_active=False)

    met, _unmet = branch_requirements_met(
        campaign=campaign, branch=org.branch_a1, phase=data.phase(campaign, Phase.Key.STUDY)
    )
    assert met


def test_works_of_another_campaign_do_not_count(cast, org):
    campaign = data.make_campaign(org.committee)
    other = data.make_campaign(org.committee)
    data.complete_study(other, org.branch_a1)

    met, unmet = branch_requirements_met(
        campaign=campaign, branch=org.branch_a1, phase=data.phase(campaign, Phase.Key.STUDY)
    )
    assert not met
    assert "支部提交学习讨论计划" in unmet


def test_an_unsubmitted_plan_does_not_count(cast, org):
    campaign = data.make_campaign(org.committee)
    data.plan(campaign, org.branch_a1, submitted=False)

    _met, unmet = branch_requirements_met(
        campaign=campaign, branch=org.branch_a1, phase=data.phase(campaign, Phase.Key.STUDY)
    )
    assert "支部提交学习讨论计划" in unmet


def test_a_meeting_outside_the_phase_dates_does_not_count(cast, org):
    campaign = data.make_campaign(org.committee)
    analysis = data.phase(campaign, Phase.Key.ANALYSIS)
    before = analysis.starts_on - datetime.timedelta(days=1)
    data.meeting(campaign, org.branch_a1, "mobilisation", day=before)
    data.meeting(campaign, org.branch_a1, "democratic_appraisal", day=analysis.starts_on)
    data.meeting(campaign, org.branch_a1, "grade_rating", day=data.today())

    met, unmet = branch_requirements_met(campaign=campaign, branch=org.branch_a1, phase=analysis)

    assert not met
    assert unmet == ["支部召开支部动员会"]


def test_a_meeting_planned_for_later_is_not_yet_held(cast, org):
    campaign = data.make_campaign(org.committee)
    analysis = data.phase(campaign, Phase.Key.ANALYSIS)
    later = data.today() + datetime.timedelta(days=3)
    for kind in ("mobilisation", "democratic_appraisal", "grade_rating"):
        data.meeting(campaign, org.branch_a1, kind, day=later)

    met, unmet = branch_requirements_met(campaign=campaign, branch=org.branch_a1, phase=analysis)
    assert not met and len(unmet) == 3


def test_another_branchs_meeting_does_not_count(cast, org):
    campaign = data.make_campaign(org.committee)
    analysis = data.phase(campaign, Phase.Key.ANALYSIS)
    for kind in ("mobilisation", "democratic_appraisal", "grade_rating"):
        data.meeting(campaign, org.branch_a2, kind, day=data.today())

    met, _ = branch_requirements_met(campaign=campaign, branch=org.branch_a1, phase=analysis)
    assert not met
    met, _ = branch_requirements_met(campaign=campaign, branch=org.branch_a2, phase=analysis)
    assert met


def test_attendance_counts_only_sessions_attended(cast, org):
    campaign = data.make_campaign(org.committee)
    study = data.phase(campaign, Phase.Key.STUDY)
    from vanguard.campaigns.models import Requirement

    Requirement.objects.filter(phase=study).delete()
    Requirement.objects.create(
        phase=study,
        kind="member_attendance",
        scope="member",
        params={"min": 1},
        label="每名党员参加学习讨论不少于 1 次",
    )
    held = data.session(campaign, org.branch_a1)
    for member in org.branch_a1.members.all():
        data.attend(held, member, "present" if member != cast.colleague_record else "absent")

    met, unmet = branch_requirements_met(campaign=campaign, branch=org.branch_a1, phase=study)
    assert not met and unmet == ["每名党员参加学习讨论不少于 1 次"]

    data.attend(data.session(campaign, org.branch_a1, days_ago=25), cast.colleague_record)
    met, _ = branch_requirements_met(campaign=campaign, branch=org.branch_a1, phase=study)
    assert met


def test_a_kind_registered_later_is_evaluated_without_changing_the_engine(cast, org):
    campaign = data.make_campaign(org.committee)
    study = data.phase(campaign, Phase.Key.STUDY)
    kind = requirements.RequirementKind(
        code="test_self_analysis",
        scope=requirements.MEMBER,
        name="自我剖析",
        params=(),
        describe=lambda params: "每名党员提交自我剖析",
        evaluate=lambda ctx, requirement, params: {cast.member_record.pk: 1},
        target=lambda params: 1,
    )
    requirements.register(kind)
    try:
        from vanguard.campaigns.models import Requirement

        Requirement.objects.filter(phase=study).delete()
        Requirement.objects.create(
            phase=study, kind=kind.code, scope="member", label="每名党员提交自我剖析"
        )
        met, unmet = branch_requirements_met(campaign=campaign, branch=org.branch_a1, phase=study)
        assert not met and unmet == ["每名党员提交自我剖析"]  # only one of three did
    finally:
        del requirements.REGISTRY[kind.code]
