"""A member's to-do on the home page (我的待办): in each phase of the education campaign
it lists what the branch still expects of the member, and an item moves to the folded
"已完成" list once the member does it through the real pages."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from vanguard.ballots import services as ballots
from vanguard.campaigns import services as campaigns
from vanguard.campaigns.models import Campaign, Phase
from vanguard.grading.models import BranchGrading, GradeProposal
from vanguard.opinions.tests import factories_feedback as feedback
from vanguard.rectification.models import Item, Plan
from vanguard.rectification.tests import factories as rectification
from vanguard.reviews import services as reviews
from vanguard.reviews.tests.factories_member import ALL_OK, TEXT
from vanguard.study import tokens
from vanguard.study.models import StudySession


@pytest.fixture
def fx(org, cast):
    campaign = campaigns.campaign_create_from_blueprint(
        kind=Campaign.Kind.EDUCATION,
        name="先进性教育活动",
        year=2026,
        unit=org.committee,
        start_on=timezone.localdate() - datetime.timedelta(days=10),
    )
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.ACTIVE)
    campaign.phases.filter(order=1).update(status=Phase.Status.OPEN)
    campaign.refresh_from_db()
    return SimpleNamespace(org=org, cast=cast, campaign=campaign)


def move_to(fx, key: str, branch=None) -> None:
    """Walk the branch (by default the member's) on to the phase `key` (转段), as the
    committee does when it overrides unmet requirements."""
    branch = branch or fx.org.branch_a1
    phases = list(fx.campaign.phases.order_by("order"))
    for phase in phases:
        if phase.key == key:
            return
        campaigns.phase_transition_approve(
            campaign=fx.campaign,
            branch=branch,
            from_phase=phase,
            reason="测试转段",
            actor=fx.cast.committee_admin,
            override=True,
        )


def home(client, user) -> SimpleNamespace:
    """The home page split into the to-do's open list and its folded done list."""
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    start = html.find('id="my-todo"')
    if start < 0:
        return SimpleNamespace(html=html, todo="", open="", done="")
    todo = html[start : html.index("</section>", start)]
    fold = todo.find('<details class="todo-done">')
    return SimpleNamespace(
        html=html,
        todo=todo,
        open=todo if fold < 0 else todo[:fold],
        done="" if fold < 0 else todo[fold:],
    )


def item(part: str, key: str) -> str:
    """One item's markup, from its data-todo attribute to the end of its <li>."""
    start = part.find(f'data-todo="{key}"')
    assert start >= 0, f"no item {key}"
    return part[start : part.index("</li>", start)]


def req_key(fx, code: str, **params) -> str:
    from vanguard.campaigns.models import Requirement

    found = [
        r
        for r in Requirement.objects.filter(phase__campaign=fx.campaign, kind=code)
        if all(r.params.get(k) == v for k, v in params.items())
    ]
    assert len(found) == 1
    return f"req-{found[0].pk}"


# --- Study phase ---------------------------------------------------------------------


def test_study_phase_lists_the_notes_and_reflection_due_and_a_note_moves_to_done(client, fx):
    notes = req_key(fx, "member_study_works", kind="reading_note")
    reflection = req_key(fx, "member_study_works", kind="reflection")
    page = home(client, fx.cast.member)
    assert "还差 2 篇读书笔记" in item(page.open, notes)
    assert "每名党员提交读书笔记不少于 2 篇" in item(page.open, notes)
    assert "还差 1 篇学习心得" in item(page.open, reflection)
    assert reverse("study:work_create") + "?kind=reading_note" in item(page.open, notes)
    assert page.done == ""

    for title in ("读《党章》第一章", "读《党章》第二章"):
        response = client.post(
            reverse("study:work_create"),
            {
                "kind": "reading_note",
                "title": title,
                "material": "《党章》",
                "body": "<p>学习体会</p>",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]

    page = home(client, fx.cast.member)
    assert f'data-todo="{notes}"' not in page.open
    assert "已提交 2 篇" in item(page.done, notes)
    assert "已完成 (1)" in page.done
    assert "还差 1 篇学习心得" in item(page.open, reflection)


def test_a_member_of_another_branch_sees_only_their_own_branch_s_things(client, fx):
    ballots.session_open(
        session=ballots.session_create(campaign=fx.campaign, unit=fx.org.branch_a1)
    )
    page = home(client, fx.cast.other_member)
    assert 'data-todo="vote"' not in page.todo
    assert "还差 2 篇读书笔记" in page.open  # their own branch's study phase


# --- Analysis phase: feedback, the self-analysis, the vote, the grade -----------------------


def test_feedback_to_read_moves_to_done_when_the_member_confirms_reading(client, fx):
    move_to(fx, Phase.Key.ANALYSIS)
    feedback.opinion(fx.campaign, fx.cast.member_record, "希望多联系学生")
    feedback.opinion(fx.campaign, fx.cast.member_record, "备课很认真", kind="praise")
    page = home(client, fx.cast.member)
    assert "2 条意见待阅读确认" in item(page.open, "feedback")
    assert reverse("opinions:feedback") in item(page.open, "feedback")
    assert feedback.SENDER not in page.html and feedback.CONTACT not in page.html

    response = client.post(
        reverse("opinions:feedback_acknowledge"),
        {"campaign": fx.campaign.pk, "response": "认真改进"},
    )
    assert response.status_code == 302
    page = home(client, fx.cast.member)
    assert 'data-todo="feedback"' not in page.open
    assert "已阅读并确认" in item(page.done, "feedback")


def test_self_analysis_is_due_then_done_when_submitted_then_due_again_when_returned(client, fx):
    move_to(fx, Phase.Key.ANALYSIS)
    key = req_key(fx, "member_self_analysis_submitted")
    page = home(client, fx.cast.member)
    assert reverse("reviews:mine") in item(page.open, key)
    assert 'data-todo="req-' not in page.open.replace(f'data-todo="{key}"', "")

    client.get(reverse("reviews:mine"))  # the member opens the editor: a draft exists
    response = client.post(reverse("reviews:mine"), {**TEXT, "base_version": 0, "action": "submit"})
    assert response.status_code in (200, 302), response.content.decode()[:2000]
    page = home(client, fx.cast.member)
    assert f'data-todo="{key}"' not in page.open
    assert "已提交，等待支部审阅" in item(page.done, key)

    document = reviews.document_for_member(member=fx.cast.member_record)
    reviews.branch_review(
        document=document,
        version=document.versions.order_by("-number").first(),
        reviewer=fx.cast.secretary,
        criteria=ALL_OK,
        verdict="return",
        reasons="问题找得不准",
    )
    page = home(client, fx.cast.member)
    # The requirement (submitted in round 1) stays met, as progress counts it; the
    # return is an item of its own, to do again.
    assert key in page.done
    assert "已退回：请修改后再次提交" in item(page.open, "self-analysis")
    assert reverse("reviews:mine") in item(page.open, "self-analysis")


def test_an_open_vote_shows_where_to_vote_and_nothing_about_how_once_closed(client, fx):
    move_to(fx, Phase.Key.ANALYSIS)
    session = ballots.session_create(campaign=fx.campaign, unit=fx.org.branch_a1)
    page = home(client, fx.cast.member)
    assert 'data-todo="vote"' not in page.todo  # a draft vote is not open yet

    ballots.session_open(session=session)
    ballots.session_set_login_voting(session=session, allow=True)
    page = home(client, fx.cast.member)
    vote = item(page.open, "vote")
    assert "投票进行中" in vote
    assert reverse("ballots:detail", args=[session.pk]) in vote

    session.refresh_from_db()
    grades = {str(pk): "qualified" for pk in ballots._candidate_ids(session)}
    ballots.vote_logged_in(session=session, user=fx.cast.member, grades=grades)
    page = home(client, fx.cast.member)
    # Still "in progress": whether the member voted is not the to-do's to say.
    assert "投票进行中" in item(page.open, "vote")

    ballots.session_close(session=session)
    page = home(client, fx.cast.member)
    assert 'data-todo="vote"' not in page.open
    assert "投票已结束" in item(page.done, "vote")
    for word in ("合格", "优秀", "qualified", "已投票"):
        assert word not in item(page.done, "vote")


def test_the_grade_shows_once_the_committee_approved_it(client, fx):
    move_to(fx, Phase.Key.ANALYSIS)
    grading = BranchGrading.objects.create(
        campaign=fx.campaign, branch=fx.org.branch_a1, status=BranchGrading.Status.SUBMITTED
    )
    GradeProposal.objects.create(
        grading=grading, member=fx.cast.member_record, grade="excellent", rationale="表现突出"
    )
    page = home(client, fx.cast.member)
    assert 'data-todo="grade"' not in page.todo  # proposed, not approved: not shown

    BranchGrading.objects.filter(pk=grading.pk).update(status=BranchGrading.Status.APPROVED)
    page = home(client, fx.cast.member)
    assert "党委已审批：优秀" in item(page.open, "grade")
    assert reverse("grading:home") in item(page.open, "grade")


# --- Rectification phase -----------------------------------------------------------------


def test_rectification_plan_is_due_then_done_when_submitted_and_its_items_show(client, fx):
    move_to(fx, Phase.Key.RECTIFICATION)
    key = req_key(fx, "member_rectification_plan")
    page = home(client, fx.cast.member)
    plan_url = reverse("rectification:my_plan") + f"?campaign={fx.campaign.pk}"
    assert plan_url in item(page.open, key)

    plan = rectification.member_plan(fx.campaign, fx.cast.member_record)
    rectification.item(plan, deadline=timezone.localdate() - datetime.timedelta(days=3))
    rectification.item(plan, deadline=timezone.localdate() + datetime.timedelta(days=30))
    Plan.objects.filter(pk=plan.pk).update(
        status=Plan.Status.SUBMITTED, submitted_at=timezone.now()
    )
    page = home(client, fx.cast.member)
    assert f'data-todo="{key}"' not in page.open
    assert key in page.done

    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.APPROVED, approved_at=timezone.now())
    page = home(client, fx.cast.member)
    assert "2 项未完成，其中 1 项已逾期" in item(page.open, "plan-items")

    for found in Item.objects.filter(plan=plan):
        rectification.done(found)
    page = home(client, fx.cast.member)
    assert "2 项全部完成" in item(page.done, "plan-items")


def test_a_returned_plan_is_due_again(client, fx):
    move_to(fx, Phase.Key.RECTIFICATION)
    key = req_key(fx, "member_rectification_plan")
    plan = rectification.member_plan(fx.campaign, fx.cast.member_record)
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.RETURNED, return_reason="不具体")
    page = home(client, fx.cast.member)
    # A returned plan was submitted once: the requirement counts it met, as progress
    # does; the return is an item of its own, to do again.
    assert key in page.done
    assert "已退回：请修改" in item(page.open, "plan")


def test_no_active_campaign_no_todo(client, org, cast):
    page = home(client, cast.member)
    assert page.todo == ""


def test_todays_study_session_asks_for_a_sign_in_until_the_member_signs_in(client, fx):
    session = StudySession.objects.create(
        campaign=fx.campaign,
        unit=fx.org.branch_a1,
        topic="学习党章",
        starts_at=timezone.localtime().replace(hour=23, minute=0, second=0, microsecond=0),
    )
    key = f"session-{session.pk}"
    page = home(client, fx.cast.member)
    assert "今天 23:00，到场后扫码签到" in item(page.open, key)
    assert "学习讨论：学习党章" in item(page.open, key)
    assert reverse("study:session_detail", args=[session.pk]) in item(page.open, key)
    assert f'data-todo="{key}"' not in home(client, fx.cast.other_member).todo  # branch B1

    client.force_login(fx.cast.member)
    signed = client.get(
        reverse("study:session_sign_in", args=[session.pk, tokens.make_token(session.pk)])
    )
    assert signed.status_code == 200
    page = home(client, fx.cast.member)
    assert f'data-todo="{key}"' not in page.open
    assert "已签到" in item(page.done, key)


def test_a_session_later_this_week_is_announced(client, fx):
    later = timezone.localtime() + datetime.timedelta(days=3)
    StudySession.objects.create(
        campaign=fx.campaign, unit=fx.org.branch_a1, topic="学习讲话", starts_at=later
    )
    page = home(client, fx.cast.member)
    assert f"{later.month}月{later.day}日 {later:%H:%M}" in page.open
