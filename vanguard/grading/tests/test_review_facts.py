"""Review rounds 2 and 3 read the appraisal facts from the system (grading registers
them into reviews.grade_facts): the review page shows the vote's counts once it has
closed and the proposed and approved grade, read-only, and no form asks for them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.urls import reverse

from vanguard.ballots import services as ballots
from vanguard.grading import services
from vanguard.grading.tests.factories import held_vote
from vanguard.grading.tests.test_grading import propose_all
from vanguard.reviews import services as reviews
from vanguard.reviews.tests import factories_member as fm

pytestmark = pytest.mark.django_db


def _round_two(org, cast):
    fx = SimpleNamespace(org=org, cast=cast)
    doc = fm.with_committee(fx)
    reviews.committee_respond(document=doc, text="第一轮指导意见", user=cast.committee_admin)
    doc, _version = fm.submitted(fx)
    assert doc.current_round == 2
    return doc


def _page(client, user, doc) -> str:
    client.force_login(user)
    response = client.get(reverse("reviews:review", args=[doc.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_round_two_shows_the_closed_votes_tally_and_the_proposal_without_asking(
    org, cast, grading, branch, campaign, client
):
    doc = _round_two(org, cast)
    # While the vote is open: only that it is open, no figure.
    session = ballots.session_create(campaign=campaign, unit=branch)
    ballots.session_open(session=session)
    page = _page(client, cast.secretary, doc)
    assert "投票进行中，结束后显示结果" in page
    assert "优秀 0 票" not in page
    ballots.session_close(session=session)  # nobody voted: withheld, no counts
    page = _page(client, cast.secretary, doc)
    assert "结果不公布" in page

    held_vote(branch, [{cast.member_record.pk: "excellent"}] * 2 + [{}])
    propose_all(grading, cast.secretary, 王小明="excellent")
    page = _page(client, cast.secretary, doc)
    assert "优秀 2 票 · 合格 1 票 · 基本合格 0 票 · 不合格 0 票" in page
    assert "拟定中" in page  # the proposal, still a draft
    # No field asks for the votes or the grade: the only one is the optional note.
    assert 'name="grade_fact"' not in page and 'name="note"' in page

    services.grading_submit(grading=grading, explanation="", user=cast.secretary)
    version = doc.versions.order_by("-number").first()
    reviews.branch_review(
        document=doc, version=version, reviewer=cast.secretary, criteria=fm.ALL_OK, verdict="pass"
    )
    page = _page(client, cast.committee_admin, doc)
    assert "已报党委" in page
    assert "民主评议：优秀 2 票，合格 1 票，基本合格 0 票，不合格 0 票；支部初评：优秀" in page


def test_the_facts_name_no_voter_and_only_a_published_tally(org, cast, grading, branch):
    from vanguard.grading.review_facts import appraisal_facts

    held_vote(branch, [{cast.member_record.pk: "excellent"}] * 3)
    facts = appraisal_facts(member=cast.member_record, campaign=grading.campaign)
    assert facts.vote == "published"
    assert dict(facts.counts) == {"优秀": 3, "合格": 0, "基本合格": 0, "不合格": 0}
    assert facts.proposed_grade == "" and facts.approved_grade == ""
