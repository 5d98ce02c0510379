"""Officers' "waiting for you" (等待您处理) on the home page: each entry a count and the
link to where the work is done, limited to what the person may see; and the home
page's query count does not grow with the data behind the to-do and the counts."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import make_member, make_user
from vanguard.accounts.models import Role, RoleAssignment
from vanguard.ballots import services as ballots
from vanguard.grading.models import BranchGrading
from vanguard.materials.stage_summary.models import StageSummary
from vanguard.materials.tests import factories_stage_summary as summaries
from vanguard.meetings.tests.factories import education_campaign
from vanguard.opinions.tests import factories_feedback as feedback
from vanguard.organization.models import Member
from vanguard.rectification.tests import factories as rectification
from vanguard.reviews import services as reviews
from vanguard.reviews.tests.factories_member import TEXT
from vanguard.study import services as study
from vanguard.supervision.models import RemediationOrder
from vanguard.supervision.tests import factories_inspection as inspection


@pytest.fixture
def fx(org, cast):
    return SimpleNamespace(org=org, cast=cast, campaign=education_campaign(org.committee))


def waiting(client, user) -> str:
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    start = html.find('id="waiting"')
    return "" if start < 0 else html[start : html.index("</section>", start)]


def entry(section: str, key: str) -> str:
    start = section.find(f'data-waiting="{key}"')
    assert start >= 0, f"no entry {key} in {section}"
    return section[start : section.index("</li>", start)]


def count_of(section: str, key: str) -> int:
    found = entry(section, key)
    start = found.index('class="waiting-count">') + len('class="waiting-count">')
    return int(found[start : found.index("<", start)])


def submitted_document(member: Member, user) -> None:
    document = reviews.document_for_member(member=member)
    document = reviews.draft_save(
        document=document, data=TEXT, base_version=document.draft_version, user=user
    )
    reviews.document_submit(document=document, base_version=document.draft_version, user=user)


def test_secretary_sees_documents_to_review_of_their_branch_only(client, fx):
    submitted_document(fx.cast.member_record, fx.cast.member)
    submitted_document(fx.cast.other_member_record, fx.cast.other_member)  # branch B1
    section = waiting(client, fx.cast.secretary)
    assert count_of(section, "reviews") == 1
    assert reverse("reviews:queue") in entry(section, "reviews")


def test_secretary_is_told_to_propose_grades_after_the_vote_closed(client, fx):
    session = ballots.session_create(campaign=fx.campaign, unit=fx.org.branch_a1)
    ballots.session_open(session=session)
    section = waiting(client, fx.cast.secretary)
    assert count_of(section, "votes-open") == 1
    assert 'data-waiting="grades"' not in section

    ballots.session_close(session=session)
    section = waiting(client, fx.cast.secretary)
    assert count_of(section, "grades") == 1
    assert reverse("grading:branch", args=[fx.campaign.pk, fx.org.branch_a1.pk]) in entry(
        section, "grades"
    )
    BranchGrading.objects.create(
        campaign=fx.campaign, branch=fx.org.branch_a1, status=BranchGrading.Status.SUBMITTED
    )
    assert 'data-waiting="grades"' not in waiting(client, fx.cast.secretary)


def test_committee_sees_every_approval_and_the_general_branch_secretary_their_own(client, fx):
    for branch in (fx.org.branch_a1, fx.org.branch_b1):
        BranchGrading.objects.create(
            campaign=fx.campaign, branch=branch, status=BranchGrading.Status.SUBMITTED
        )
    committee = waiting(client, fx.cast.committee_admin)
    assert count_of(committee, "gradings") == 2
    assert reverse("grading:home") in entry(committee, "gradings")
    general = waiting(client, fx.cast.gb_secretary)
    assert count_of(general, "gradings") == 1


def test_lagging_branches_are_those_in_the_person_s_scope(client, fx):
    # No branch has sent its study plan: each lags behind its phase's requirements.
    committee = waiting(client, fx.cast.committee_admin)
    assert count_of(committee, "lagging") == 3
    general = waiting(client, fx.cast.gb_secretary)
    assert count_of(general, "lagging") == 2
    assert "光学工程教工第一党支部" in entry(general, "lagging")
    assert "信电本科生第四党支部" not in general
    assert reverse("campaigns:dashboard") in entry(general, "lagging")


def test_supervisor_sees_checks_of_their_branches_and_overdue_orders(client, fx):
    f = SimpleNamespace(org=fx.org, cast=fx.cast)
    inspection.a_round(f)  # a check for each of A1, A2, B1
    for branch in (fx.org.branch_a1, fx.org.branch_b1):
        RemediationOrder.objects.create(
            campaign=fx.campaign,
            branch=branch,
            reason="补写读书笔记",
            deadline=timezone.localdate() - datetime.timedelta(days=2),
            responsible=fx.cast.secretary,
            ordered_by=fx.cast.supervisor,
        )
    section = waiting(client, fx.cast.supervisor)
    assert count_of(section, "checks") == 1  # A1's, the one branch they supervise
    check = inspection.a1_check(f)
    assert reverse("supervision:check_detail", args=[check.pk]) in entry(section, "checks")
    assert count_of(section, "orders-overdue") == 1
    assert count_of(waiting(client, fx.cast.committee_admin), "orders-overdue") == 2


def test_a_member_has_no_waiting_section_and_an_idle_officer_is_told_so(client, fx):
    assert waiting(client, fx.cast.member) == ""
    assert waiting(client, fx.cast.observer) == ""
    idle = make_user("idle")
    RoleAssignment.objects.create(user=idle, role=Role.BRANCH_SECRETARY, unit=fx.org.branch_b1)
    assert "目前没有等待您处理的事项" in waiting(client, idle)


# --- Queries -----------------------------------------------------------------------------


def _queries(client, user) -> int:
    client.force_login(user)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    return len(queries)


def _more_of_everything(fx, n: int) -> None:
    """n more members in branch A1, each with notes, an opinion, a submitted document
    and a rectification item; and n more of the member's own things."""
    for i in range(n):
        user = make_user(f"extra{n}-{i}")
        member = make_member(
            name=f"新党员{i}", number=f"E{n}{i:03d}", branch=fx.org.branch_a1, user=user
        )
        study.work_create(
            member=member,
            campaign=fx.campaign,
            kind="reading_note",
            title=f"笔记{i}",
            material="《党章》",
            body="<p>体会</p>",
        )
        feedback.opinion(fx.campaign, member, f"意见{i}")
        feedback.opinion(fx.campaign, fx.cast.member_record, f"给王小明的意见{n}-{i}")
        submitted_document(member, user)
        plan = rectification.member_plan(fx.campaign, member)
        rectification.item(plan)
        study.work_create(
            member=fx.cast.member_record,
            campaign=fx.campaign,
            kind="reflection",
            title=f"心得{n}-{i}",
            material="《党章》",
            body=f"<p>体会{n}-{i}</p>",
        )


@pytest.mark.parametrize("role", ["member", "secretary"])
def test_home_queries_do_not_grow_with_the_data(client, fx, role, django_assert_max_num_queries):
    user = getattr(fx.cast, role)
    session = ballots.session_create(campaign=fx.campaign, unit=fx.org.branch_a1)
    ballots.session_open(session=session)
    _more_of_everything(fx, 2)
    small = _queries(client, user)
    _more_of_everything(fx, 12)
    client.force_login(user)
    with django_assert_max_num_queries(small):
        page = client.get(reverse("home")).content.decode()
    assert 'id="my-todo"' in page


def test_stage_summaries_wait_for_the_general_branch_and_come_back_to_the_branch(client, fx):
    f = SimpleNamespace(org=fx.org, cast=fx.cast)
    found = summaries.in_state(f, StageSummary.State.SUBMITTED)
    general = waiting(client, fx.cast.gb_secretary)
    assert count_of(general, "summaries") == 1
    assert reverse("materials:stage_summary_index") in entry(general, "summaries")
    assert 'data-waiting="summaries"' not in waiting(client, fx.cast.committee_admin)

    StageSummary.objects.filter(pk=found.pk).update(state=StageSummary.State.RETURNED)
    assert count_of(waiting(client, fx.cast.secretary), "summaries-returned") == 1
    assert 'data-waiting="summaries"' not in waiting(client, fx.cast.gb_secretary)
