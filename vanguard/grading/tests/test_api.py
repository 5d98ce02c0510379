"""The grading API: a member's approved grades (nothing before approval, only their
own), one branch's grading for those who read it — proposals beside tally counts, never
a ballot — with a query count that does not grow with the branch, and token access."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import make_member, make_user
from vanguard.accounts import services as accounts
from vanguard.accounts.models import Role, RoleAssignment
from vanguard.grading import selectors, services
from vanguard.grading.tests.factories import case_ready_for_the_committee, held_vote
from vanguard.meetings.tests.factories import education_campaign

pytestmark = pytest.mark.django_db
API = "/api/v1/grading"
TODAY = datetime.date.today()
ROW_KEYS = {
    "member_id",
    "member_name",
    "member_number",
    "tally",
    "tally_withheld",
    "tally_withheld_display",
    "proposal",
    "next_step",
    "next_step_display",
}


def _propose(grading, user, **grades):
    """Every formal member qualified, except those named (by name) with another grade."""
    entries = {
        m.pk: (grades.get(m.name, "qualified"), f"{m.name}的评定理由")
        for m in selectors.formal_members(grading.branch)
    }
    services.proposals_save(grading=grading, entries=entries, user=user)


def _as(client, user):
    client.force_login(user)
    return client


def _branch_url(campaign, branch):
    return f"{API}/campaigns/{campaign.pk}/branches/{branch.pk}"


def _secretary_of(branch, username):
    user = make_user(username)
    RoleAssignment.objects.create(user=user, role=Role.BRANCH_SECRETARY, unit=branch)
    return user


# --- /mine ----------------------------------------------------------------------------


def test_the_member_sees_their_grade_only_once_the_committee_approved_it(
    client, org, cast, grading, campaign
):
    held_vote(org.branch_a1, [{}] * 3)
    _propose(grading, cast.secretary, 王小明="basically_qualified", 张丽="excellent")
    _as(client, cast.member)
    assert client.get(f"{API}/mine").json() == []  # proposed: not yet theirs
    services.grading_submit(grading=grading, explanation="", user=cast.secretary)
    assert client.get(f"{API}/mine").json() == []  # submitted: still not
    services.grading_decide(grading=grading, approve=True, reason="", user=cast.committee_admin)

    response = client.get(f"{API}/mine")
    assert response.status_code == 200
    (grade,) = response.json()
    assert grade["campaign_id"] == campaign.pk and grade["campaign_name"] == campaign.name
    assert (grade["grade"], grade["grade_display"]) == ("basically_qualified", "基本合格")
    assert grade["decided_at"] is not None
    assert grade["outcome"] is None and grade["outcome_display"] is None
    # Only their own: the colleague's excellent is nowhere in the answer.
    assert "excellent" not in response.content.decode()


def test_an_unqualified_grade_shows_the_outcome_once_recorded(client, org, cast, grading):
    held_vote(org.branch_a1, [{cast.member_record.pk: "unqualified"}] * 3)
    _propose(grading, cast.secretary, 王小明="unqualified")
    case = grading.proposals.get(member=cast.member_record).unqualified_case
    case_ready_for_the_committee(case, cast)
    services.grading_submit(grading=grading, explanation="", user=cast.secretary)
    services.grading_decide(grading=grading, approve=True, reason="", user=cast.committee_admin)
    _as(client, cast.member)
    (grade,) = client.get(f"{API}/mine").json()
    assert grade["grade_display"] == "不合格" and grade["outcome"] is None

    case.refresh_from_db()
    services.case_record_outcome(
        case=case, outcome="rectify", on=TODAY, note="限期六个月改正", user=cast.committee_admin
    )
    (grade,) = client.get(f"{API}/mine").json()
    assert (grade["outcome"], grade["outcome_display"]) == ("rectify", "限期改正")


def test_mine_is_404_for_someone_without_a_member_record(client, cast):
    response = _as(client, cast.committee_admin).get(f"{API}/mine")
    assert response.status_code == 404
    assert response.json()["detail"] == "未找到"


# --- one branch -----------------------------------------------------------------------


def test_before_anything_happened_the_branch_is_not_started(client, org, cast, campaign):
    body = _as(client, cast.secretary).get(_branch_url(campaign, org.branch_a1)).json()
    assert (body["status"], body["status_display"]) == ("not_started", "未开始")
    assert body["excellent"] == {"count": 0, "cap": 1, "label": "1/3", "exceeded": False}
    assert body["submitted_at"] is None and body["decided_at"] is None
    assert [m["member_name"] for m in body["members"]] == ["李书记", "王小明", "张丽"]
    assert all(m["tally"] is None and m["proposal"] is None for m in body["members"])


def test_the_secretary_sees_the_proposals_beside_the_tally(client, org, cast, grading, campaign):
    held_vote(
        org.branch_a1,
        [
            {cast.member_record.pk: "excellent", cast.colleague_record.pk: "unqualified"},
            {cast.member_record.pk: "excellent", cast.colleague_record.pk: "unqualified"},
            {cast.colleague_record.pk: "basically_qualified"},
        ],
    )
    _propose(grading, cast.secretary, 李书记="excellent", 王小明="excellent", 张丽="unqualified")
    response = _as(client, cast.secretary).get(_branch_url(campaign, org.branch_a1))
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["status_display"]) == ("draft", "拟定中")
    # 3 formal members, cap 1/3 → 1; two proposed excellent.
    assert body["excellent"] == {"count": 2, "cap": 1, "label": "1/3", "exceeded": True}
    rows = {m["member_name"]: m for m in body["members"]}
    assert list(rows) == ["李书记", "王小明", "张丽"]
    wang, zhang = rows["王小明"], rows["张丽"]
    assert wang["member_id"] == cast.member_record.pk and wang["member_number"] == "T0002"
    assert wang["tally"] == {
        "excellent": 2,
        "qualified": 1,
        "basically_qualified": 0,
        "unqualified": 0,
    }
    assert wang["proposal"] == {
        "grade": "excellent",
        "grade_display": "优秀",
        "rationale": "王小明的评定理由",
    }
    assert wang["next_step"] is None
    assert zhang["tally"]["unqualified"] == 2 and zhang["tally"]["basically_qualified"] == 1
    assert (zhang["next_step"], zhang["next_step_display"]) == ("talk", "与本人谈话")
    # Counts only: nothing in a row could tell how one voter graded.
    assert all(set(m) == ROW_KEYS for m in body["members"])


def test_the_api_shows_the_submission_and_the_return(client, org, cast, grading, campaign):
    held_vote(org.branch_a1, [{}] * 3)
    _propose(grading, cast.secretary, 李书记="excellent", 王小明="excellent")
    services.grading_submit(grading=grading, explanation="两人均获全票优秀。", user=cast.secretary)
    services.grading_decide(
        grading=grading, approve=False, reason="理由过于简单", user=cast.committee_admin
    )
    body = _as(client, cast.committee_admin).get(_branch_url(campaign, org.branch_a1)).json()
    assert (body["status"], body["status_display"]) == ("returned", "党委退回")
    assert body["return_reason"] == "理由过于简单"
    assert body["excellent_explanation"] == "两人均获全票优秀。"
    assert body["submitted_at"] is not None and body["decided_at"] is not None


def test_another_branchs_secretary_is_told_it_does_not_exist(client, org, cast, campaign):
    stranger = _secretary_of(org.branch_b1, "b1secretary")
    response = _as(client, stranger).get(_branch_url(campaign, org.branch_a1))
    assert response.status_code == 404
    assert response.json()["detail"] == "未找到"
    # Their own branch answers.
    assert client.get(_branch_url(campaign, org.branch_b1)).status_code == 200


def test_a_campaign_that_does_not_cover_the_branch_is_404(client, org, cast):
    elsewhere = education_campaign(org.gb_b)
    response = _as(client, cast.committee_admin).get(_branch_url(elsewhere, org.branch_a1))
    assert response.status_code == 404
    assert client.get(f"{API}/campaigns/999999/branches/{org.branch_a1.pk}").status_code == 404


def test_the_query_count_does_not_grow_with_the_members(client, org, cast, grading, campaign):
    """branch_a1 has 3 formal members, branch_a2 10; both voted and proposed, one
    unqualified each."""
    a2_secretary = _secretary_of(org.branch_a2, "a2secretary")
    for n in range(10):
        make_member(name=f"成员{n}", number=f"D{n:04d}", branch=org.branch_a2)
    held_vote(org.branch_a1, [{}] * 3)
    held_vote(org.branch_a2, [{}] * 6)  # quorum: more than 5 of 10
    _propose(grading, cast.secretary, 张丽="unqualified")
    a2 = services.grading_start(campaign=campaign, branch=org.branch_a2)
    _propose(a2, a2_secretary, 成员0="unqualified", 成员1="excellent")

    _as(client, cast.committee_admin)
    counted = {}
    for branch in (org.branch_a1, org.branch_a2):
        with CaptureQueriesContext(connection) as queries:
            body = client.get(_branch_url(campaign, branch)).json()
        counted[len(body["members"])] = len(queries)
        assert all(m["tally"] is not None and m["proposal"] for m in body["members"])
    assert counted[10] <= counted[3], counted


# --- tokens ---------------------------------------------------------------------------


def test_a_bearer_token_works_like_the_session(client, org, cast, campaign):
    token, raw = accounts.token_create(user=cast.secretary, name="script")
    url = _branch_url(campaign, org.branch_a1)
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200 and len(response.json()["members"]) == 3
    _t, member_key = accounts.token_create(user=cast.member, name="phone")
    assert client.get(f"{API}/mine", HTTP_AUTHORIZATION=f"Bearer {member_key}").json() == []
    # The member's token does not open the branch's grading.
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {member_key}").status_code == 404
    accounts.token_revoke(user=cast.secretary, token=token)
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert client.get(url).status_code == 401


def test_the_schema_lists_the_grading_endpoints(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/grading/mine" in paths
    assert "/api/v1/grading/campaigns/{campaign_id}/branches/{branch_id}" in paths
