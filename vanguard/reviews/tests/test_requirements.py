"""The self-analysis's requirement kinds: a phase can ask every member to have sent
their material up in a round, or to have the committee's word on it; both are read
from the data in one query, and submissions count for the blind spots."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from vanguard.campaigns import requirements
from vanguard.campaigns.models import Phase, Requirement
from vanguard.campaigns.progress import branch_requirements_met
from vanguard.campaigns.tests import progress_data as data
from vanguard.organization.models import Member
from vanguard.reviews.models import (
    CommitteeResponse,
    ReviewRound,
    SelfAnalysis,
    SubmittedVersion,
)

SUBMITTED = "member_self_analysis_submitted"
APPROVED = "member_self_analysis_approved"
TEXT = {"problems": "问题", "roots": "根源", "direction": "方向", "summary": "总结"}


def _document(campaign, member: Member, *, versions=(), answered=()) -> SelfAnalysis:
    """A document whose versions were sent up in the given rounds, and whose given
    rounds the committee answered (rows written directly: only the readings matter)."""
    current = max([1, *versions, *(n + 1 for n in answered if n < 3)])
    document = SelfAnalysis.objects.create(
        campaign=campaign, member=member, current_round=current, **TEXT
    )
    rounds = {
        n: ReviewRound.objects.create(document=document, number=n) for n in range(1, current + 1)
    }
    for number, round_number in enumerate(versions, start=1):
        SubmittedVersion.objects.create(
            document=document, number=number, round=round_number, **TEXT
        )
    for round_number in answered:
        CommitteeResponse.objects.create(round=rounds[round_number], text="同意。")
    return document


def _values(campaign, org, kind: str, params: dict) -> dict[int, int]:
    ctx = requirements.Context(campaign=campaign, paths=[org.committee.path])
    spec = requirements.get_kind(kind)
    return dict(spec.evaluate(ctx, None, requirements.validate_params(kind, params)))


def test_both_kinds_are_registered_for_every_member_with_a_round():
    assert requirements.scope_of(SUBMITTED) == "member"
    assert requirements.scope_of(APPROVED) == "member"
    assert requirements.validate_params(SUBMITTED, {}) == {"round": 1}
    assert requirements.validate_params(APPROVED, {}) == {"round": 3}
    assert dict(requirements.kind_choices())[SUBMITTED] == "党员提交党性分析材料和个人总结"


def test_default_labels_read_as_sentences():
    assert (
        requirements.default_label(SUBMITTED, {"round": 2})
        == "每名党员第 2 轮提交党性分析材料和个人总结"
    )
    assert requirements.default_label(APPROVED, {}) == "每名党员的党性分析材料和个人总结经党委审批"
    assert (
        requirements.default_label(APPROVED, {"round": 1})
        == "每名党员的个人总结第 1 轮已有党委意见"
    )


@pytest.mark.parametrize("params", [{"round": 4}, {"round": 0}, {"round": "二"}])
def test_a_round_outside_one_to_three_is_refused_naming_the_parameter(params):
    with pytest.raises(ValidationError) as caught:
        requirements.validate_params(SUBMITTED, params)
    assert any("参数“轮次”" in message for message in caught.value.messages)


@pytest.mark.django_db
def test_a_submission_counts_for_its_round_and_the_rounds_before(cast, org):
    campaign = data.make_campaign(org.committee)
    _document(campaign, cast.member_record, versions=[1])
    _document(campaign, cast.colleague_record, versions=[1, 1, 2])
    # A draft that was never sent up counts for nothing.
    _document(campaign, cast.other_member_record)

    round_one = _values(campaign, org, SUBMITTED, {"round": 1})
    round_two = _values(campaign, org, SUBMITTED, {"round": 2})

    assert round_one == {cast.member_record.pk: 1, cast.colleague_record.pk: 1}
    assert round_two == {cast.colleague_record.pk: 1}


@pytest.mark.django_db
def test_the_committees_word_counts_for_its_round_and_approval_is_round_three(cast, org):
    campaign = data.make_campaign(org.committee)
    _document(campaign, cast.member_record, versions=[1], answered=[1])
    _document(campaign, cast.colleague_record, versions=[1, 2, 3], answered=[1, 2, 3])
    _document(campaign, cast.other_member_record, versions=[1])  # waiting for the branch

    assert _values(campaign, org, APPROVED, {"round": 1}) == {
        cast.member_record.pk: 1,
        cast.colleague_record.pk: 1,
    }
    assert _values(campaign, org, APPROVED, {}) == {cast.colleague_record.pk: 1}


@pytest.mark.django_db
def test_other_campaigns_and_inactive_members_do_not_count(cast, org):
    campaign = data.make_campaign(org.committee)
    other = data.make_campaign(org.committee)
    _document(other, cast.member_record, versions=[1])
    _document(campaign, cast.colleague_record, versions=[1])
    Member.objects.filter(pk=cast.colleague_record.pk).update(is_active=False)

    assert _values(campaign, org, SUBMITTED, {"round": 1}) == {}


@pytest.mark.django_db
def test_each_kind_is_read_in_one_query_whatever_the_number_of_members(
    cast, org, django_assert_num_queries
):
    campaign = data.make_campaign(org.committee)
    for branch in data.grow_org(org.gb_a, branches=3, members=4, prefix="R"):
        for member in branch.members.all():
            _document(campaign, member, versions=[1, 2], answered=[1])
    for kind in (SUBMITTED, APPROVED):
        with django_assert_num_queries(1):
            values = _values(campaign, org, kind, {"round": 1})
        assert len(values) == 12


@pytest.mark.django_db
def test_the_branch_meets_the_requirement_once_every_member_has_sent_it_up(cast, org):
    campaign = data.make_campaign(org.committee)
    analysis = data.phase(campaign, Phase.Key.ANALYSIS)
    label = requirements.default_label(SUBMITTED, {"round": 1})
    Requirement.objects.create(
        phase=analysis, kind=SUBMITTED, scope="member", params={"round": 1}, label=label
    )
    data.move_on(campaign, org.branch_a1)
    members = Member.objects.filter(branch=org.branch_a1, is_active=True)
    for member in members[1:]:
        _document(campaign, member, versions=[1])

    _met, unmet = branch_requirements_met(campaign=campaign, branch=org.branch_a1, phase=analysis)
    assert label in unmet

    _document(campaign, members[0], versions=[1])
    _met, unmet = branch_requirements_met(campaign=campaign, branch=org.branch_a1, phase=analysis)
    assert label not in unmet


@pytest.mark.django_db
def test_submitted_versions_count_as_something_submitted_for_the_blind_spots(cast, org):
    from vanguard.reviews.requirements import submitted_versions

    campaign = data.make_campaign(org.committee)
    _document(campaign, cast.member_record, versions=[1, 1])
    ctx = requirements.Context(campaign=campaign, paths=[org.committee.path])

    assert submitted_versions in requirements.SUBMISSION_READINGS
    assert submitted_versions(ctx) == {cast.member_record.pk: 2}
