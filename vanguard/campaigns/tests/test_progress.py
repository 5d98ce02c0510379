"""The progress engine: per member, per branch, rolled up the tree, with the blind
spots and the lagging branches, in a number of queries that does not grow."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.campaigns.models import Phase
from vanguard.campaigns.progress import (
    campaign_progress,
    campaign_progress_by_phase,
    lead_phase,
    member_progress,
)
from vanguard.campaigns.tests import progress_data as data


@pytest.fixture
def campaign(org):
    return data.make_campaign(org.committee)


def test_branch_share_is_the_mean_of_its_requirements(cast, org, campaign):
    # branch_a1 has 3 active members (secretary, member, colleague).
    data.plan(campaign, org.branch_a1)
    data.work(campaign, cast.member_record)
    data.work(campaign, cast.member_record)

    progress = campaign_progress(campaign=campaign, roots=[org.branch_a1])
    branch = progress.units[org.branch_a1.pk]

    shares = {result.label: (result.done, result.total) for result in branch.results}
    assert shares == {
        "每名党员提交读书笔记不少于 2 篇": (1, 3),
        "每名党员提交学习心得不少于 1 篇": (0, 3),
        "支部提交学习讨论计划": (1, 1),
        "支部组织学习讨论不少于 1 次": (0, 1),
    }
    assert branch.percent == round((1 / 3 + 0 + 1 + 0) / 4 * 100)
    assert not branch.met
    assert branch.phase.key == Phase.Key.STUDY


def test_each_member_sees_what_they_still_need(cast, org, campaign):
    data.work(campaign, cast.member_record)
    data.work(campaign, cast.member_record, "reflection")

    _branch, mine = member_progress(campaign=campaign, member=cast.member_record)

    assert [(item.label, item.value, item.target) for item in mine.missing] == [
        ("每名党员提交读书笔记不少于 2 篇", 1, 2)
    ]
    assert mine.submitted == 2
    assert not mine.complete


def test_progress_rolls_up_to_general_branches_and_the_college(cast, org, campaign):
    data.complete_study(campaign, org.branch_a1)  # 100 %
    data.plan(campaign, org.branch_a2)  # 2 of 4 requirements (no members: theirs are met)

    progress = campaign_progress(campaign=campaign, roots=[org.committee])
    a1, a2, b1 = (progress.units[b.pk] for b in (org.branch_a1, org.branch_a2, org.branch_b1))
    gb_a, gb_b, college = (progress.units[u.pk] for u in (org.gb_a, org.gb_b, org.committee))

    assert (a1.percent, a2.percent, b1.percent) == (100, 75, 0)
    assert gb_a.percent == round((1 + 0.75) / 2 * 100)
    assert (gb_a.branches_met, gb_a.branch_count) == (1, 2)
    assert gb_b.percent == 0
    assert college.percent == round((1 + 0.75 + 0) / 3 * 100)
    assert (college.members_complete, college.members_total) == (3, 4)
    assert [child.id for child in college.children] == [org.gb_a.pk, org.gb_b.pk]
    assert college.phase_summary[0][1] == 3  # all three branches in the study phase


def test_blind_spots_name_silent_members_and_branches_without_plan_or_meeting(cast, org, campaign):
    data.work(campaign, cast.member_record)
    data.plan(campaign, org.branch_a2)
    data.meeting(campaign, org.branch_b1, "all_member", day=data.today())

    progress = campaign_progress(campaign=campaign, roots=[org.committee])

    assert {m.name for m in progress.blind_spot_members} == {"李书记", "张丽", "陈刚"}
    assert [b.name for b in progress.branches_without_plan] == [
        org.branch_a1.name,
        org.branch_b1.name,
    ]
    assert [b.name for b in progress.branches_without_meeting] == [
        org.branch_a1.name,
        org.branch_a2.name,
    ]
    assert [(b.name, n) for b, n in progress.blind_spot_branches] == [
        (org.branch_a1.name, 2),
        (org.branch_b1.name, 1),
    ]


def test_a_member_who_left_is_no_blind_spot(cast, org, campaign):
    cast.colleague_record.is_active = False
    cast.colleague_record.save()

    progress = campaign_progress(campaign=campaign, roots=[org.branch_a1])
    assert "张丽" not in {m.name for m in progress.blind_spot_members}
    assert progress.units[org.branch_a1.pk].members_total == 2


def test_lagging_branches_are_sorted_by_how_far_behind(cast, org, campaign):
    # a1 completed the study phase and moved on, but has held no meeting yet;
    # a2 is still in the study phase with its plan; b1 has done nothing.
    data.complete_study(campaign, org.branch_a1)
    data.move_on(campaign, org.branch_a1)
    data.plan(campaign, org.branch_a2)

    progress = campaign_progress(campaign=campaign, roots=[org.committee])

    assert progress.lead_phase.key == Phase.Key.ANALYSIS
    assert [b.name for b in progress.lagging] == [
        org.branch_b1.name,  # a phase behind, nothing done
        org.branch_a2.name,  # a phase behind, three of four done (it has no members)
        org.branch_a1.name,  # in the current phase, nothing of it done yet
    ]
    a1 = progress.units[org.branch_a1.pk]
    assert a1.phase.key == Phase.Key.ANALYSIS
    assert a1.unmet_labels == ["支部召开支部动员会", "支部召开民主评议会", "支部召开等级评定会"]


def test_a_branch_that_met_everything_is_not_lagging(cast, org, campaign):
    data.complete_study(campaign, org.branch_a1)
    progress = campaign_progress(campaign=campaign, roots=[org.gb_a])
    assert org.branch_a1.pk not in {b.id for b in progress.lagging}


def test_lead_phase_is_the_latest_open_one(campaign):
    phases = list(campaign.phases.order_by("order"))
    assert lead_phase(phases).key == Phase.Key.ANALYSIS
    for phase in phases:
        phase.status = Phase.Status.PENDING
    assert lead_phase(phases, today=phases[2].starts_on).key == Phase.Key.RECTIFICATION


def test_submissions_by_week(cast, org, campaign):
    data.work(campaign, cast.member_record)
    data.work(campaign, cast.member_record, "reflection")
    progress = campaign_progress(campaign=campaign, roots=[org.committee], weekly=True)

    today = data.today()
    monday = today - datetime.timedelta(days=today.weekday())
    weeks = {row["week"] for row in progress.weekly}
    assert min(weeks) <= data.phase(campaign, Phase.Key.STUDY).starts_on and max(weeks) == monday
    assert sorted((r["kind"], r["week"]) for r in progress.weekly if r["count"]) == [
        ("reading_note", monday),
        ("reflection", monday),
    ]


def _queries(campaign, roots) -> int:
    with CaptureQueriesContext(connection) as queries:
        campaign_progress(campaign=campaign, roots=roots, weekly=True)
    return len(queries)


def test_query_count_does_not_grow_with_branches_or_members(cast, org, campaign):
    data.complete_study(campaign, org.branch_a1)
    data.move_on(campaign, org.branch_a1)
    small_college = _queries(campaign, [org.committee])
    small_branch = _queries(campaign, [org.branch_a1])

    for branch in data.grow_org(org.gb_b, branches=12, members=9, prefix="B"):
        data.complete_study(campaign, branch)
        data.meeting(campaign, branch, "mobilisation", day=data.today())
    data.move_on(campaign, branch)

    assert _queries(campaign, [org.committee]) == small_college
    assert _queries(campaign, [org.branch_a1]) == small_branch


def test_a_phase_without_individual_requirements_counts_nobody_as_done(cast, org, campaign):
    """Issue 16: the college page said "687/687 completed their individual requirements"
    beside members who had submitted nothing: a phase that asks nothing of a member had
    counted every member as done."""
    data.move_on(campaign, org.branch_a1)  # the test campaign's analysis phase: meetings only

    progress = campaign_progress(campaign=campaign, roots=[org.committee])
    a1, a2 = progress.units[org.branch_a1.pk], progress.units[org.branch_a2.pk]
    college = progress.units[org.committee.pk]

    assert (a1.members_complete, a1.members_required, a1.members_total) == (0, 0, 3)
    assert a1.silent_members == 3
    assert not any(member.counts_complete for member in a1.members)
    # Branches still in the study phase are judged by its individual requirements.
    assert (a2.members_required, college.members_required) == (a2.members_total, 1)
    # Nobody is both: done with their part, and without a single thing submitted.
    assert college.members_complete + college.silent_members <= college.members_total


def test_a_member_who_submitted_nothing_is_never_counted_done(cast, org, campaign):
    data.complete_study(campaign, org.branch_a1)
    progress = campaign_progress(campaign=campaign, roots=[org.committee])
    for branch in progress.branches:
        for member in branch.members:
            assert not (member.is_blind_spot and member.counts_complete), member.name


def test_study_works_are_the_study_pages_count_not_every_submission(cast, org, campaign):
    """Issue 16: a member's page counted 6 "study materials" where the study page listed
    4 — the self-analysis versions were counted in. Study works are the study page's."""
    from vanguard.reviews.models import SelfAnalysis, SubmittedVersion  # noqa: PLC0415

    data.work(campaign, cast.member_record)
    data.work(campaign, cast.member_record, "reflection")
    text = {"problems": "问题", "roots": "根源", "direction": "方向", "summary": "总结"}
    document = SelfAnalysis.objects.create(
        campaign=campaign, member=cast.member_record, current_round=1, **text
    )
    SubmittedVersion.objects.create(document=document, number=1, round=1, **text)

    _branch, mine = member_progress(campaign=campaign, member=cast.member_record)

    assert mine.study_works == 2
    assert mine.submitted == 3  # still "has submitted something", for the blind spots


def test_a_party_groups_meeting_is_its_branchs_as_the_workbook_counts_it(cast, org, campaign):
    """The dashboard's "no meeting" and the workbook's meetings of a branch read one
    definition: a meeting of one of the branch's party groups is a meeting of the branch."""
    from vanguard.materials.figures import count_figures  # noqa: PLC0415

    data.meeting(campaign, org.group_a1, "all_member", day=data.today())

    progress = campaign_progress(campaign=campaign, roots=[org.committee])
    figures = count_figures(campaign=campaign, roots=[org.committee], user=None)

    a1 = progress.units[org.branch_a1.pk]
    assert a1.has_meeting
    assert org.branch_a1.pk not in {b.id for b in progress.branches_without_meeting}
    assert progress.units[org.committee.pk].without_meeting == 2
    for branch in progress.branches:
        assert branch.has_meeting == bool(figures.meetings_held.get(branch.id)), branch.name


def _figures(progress) -> list[tuple]:
    """Every figure a run shows of its units and branches (not the member lines)."""
    return [
        (
            unit.id,
            unit.phase.pk if unit.phase else None,
            [(r.requirement.pk, r.target, r.done, r.total, r.value) for r in unit.results],
            unit.has_plan,
            unit.has_meeting,
            unit.behind,
            unit.branch_shares,
            unit.branches_met,
            unit.members_total,
            unit.members_required,
            unit.members_complete,
            unit.silent_members,
            unit.without_plan,
            unit.without_meeting,
            sorted((phase.pk, n) for phase, n in unit.phase_counts.items()),
            [child.id for child in unit.children],
        )
        for unit in progress.units.values()
    ] + [
        ("lagging", [branch.id for branch in progress.lagging]),
        ("silent", progress.silent_members, [(b.id, n) for b, n in progress.blind_spot_branches]),
    ]


def _some_work(cast, org, campaign) -> None:
    data.complete_study(campaign, org.branch_a1)
    data.move_on(campaign, org.branch_a1)
    data.plan(campaign, org.branch_a2)
    data.work(campaign, cast.member_record)
    data.meeting(campaign, org.branch_b1, "all_member", day=data.today())


def test_counting_members_without_listing_them_changes_no_figure(cast, org, campaign):
    """The pages above a branch (and the workbook) ask for counts only: the same counts."""
    _some_work(cast, org, campaign)
    for phase in [None, *campaign.phases.order_by("order")]:
        listed = campaign_progress(campaign=campaign, roots=[org.committee], phase=phase)
        counted = campaign_progress(
            campaign=campaign, roots=[org.committee], phase=phase, members=False
        )
        assert _figures(counted) == _figures(listed)
        assert counted.silent_members == len(listed.blind_spot_members) > 0
        assert not counted.members() and listed.members()


def test_phases_judged_on_one_read_are_each_phases_own_run(cast, org, campaign):
    """The workbook judges every branch by each phase: one read of the scope for all of
    them, with the figures and the queries of one call per phase."""
    _some_work(cast, org, campaign)
    phases = [None, *campaign.phases.order_by("order")]
    with CaptureQueriesContext(connection) as one_read:
        runs = campaign_progress_by_phase(campaign=campaign, roots=[org.committee], phases=phases)
    with CaptureQueriesContext(connection) as one_call:
        campaign_progress(campaign=campaign, roots=[org.committee], phase=phases[-1])

    for phase, run in zip(phases, runs, strict=True):
        alone = campaign_progress(campaign=campaign, roots=[org.committee], phase=phase)
        assert run.judged_phase == phase
        assert _figures(run) == _figures(alone)
        assert [(m.id, [(i.label, i.value) for i in m.items]) for m in run.members()] == [
            (m.id, [(i.label, i.value) for i in m.items]) for m in alone.members()
        ]
    assert len(one_read) == len(one_call)
