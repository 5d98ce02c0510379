"""Grading: proposals beside the tally, the cap on excellent, submission, the
committee's decision, the handling of a member proposed unqualified, and what the
member and the review rounds see."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from vanguard.audit.models import AuditEntry
from vanguard.campaigns import access as campaigns_access
from vanguard.grading import access, selectors, services
from vanguard.grading.forms import RuleForm
from vanguard.grading.models import BranchGrading, GradeProposal, UnqualifiedCase
from vanguard.grading.tests.factories import held_vote

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def members(branch):
    return list(selectors.formal_members(branch))


def propose_all(grading, user, grade="qualified", **overrides):
    entries = {
        m.pk: (overrides.get(m.name, grade), f"{m.name}的评定理由") for m in members(grading.branch)
    }
    return services.proposals_save(grading=grading, entries=entries, user=user)


def test_a_grade_without_a_rationale_is_refused_naming_the_member(grading, cast):
    first, second = members(grading.branch)[:2]
    with pytest.raises(ValidationError) as error:
        services.proposals_save(
            grading=grading,
            entries={first.pk: ("qualified", "表现良好"), second.pk: ("excellent", " ")},
            user=cast.secretary,
        )
    assert f"{second.name}：请写明评定理由。" in error.value.messages
    assert not GradeProposal.objects.exists()  # all or nothing


def test_only_the_branch_officers_propose(grading, cast):
    branch = grading.branch
    for user in (cast.committee_admin, cast.supervisor):  # they read it: 403
        with pytest.raises(PermissionDenied):
            access.get_grading_branch_for_user(user, branch.pk, need=access.can_propose_grades)
    for user in (cast.member, cast.other_member):  # they do not see it: 404
        with pytest.raises(Http404):
            access.get_grading_branch_for_user(user, branch.pk, need=access.can_propose_grades)
    assert propose_all(grading, cast.branch_committee) == 3


def test_submission_needs_a_held_vote_for_every_member(grading, cast):
    propose_all(grading, cast.secretary)
    with pytest.raises(ValidationError) as error:
        services.grading_submit(grading=grading, explanation="", user=cast.secretary)
    text = " ".join(error.value.messages)
    assert "尚未经过民主评议投票" in text and "王小明" in text
    grading.refresh_from_db()
    assert grading.status == BranchGrading.Status.DRAFT


def test_excellent_over_the_cap_needs_an_explanation(grading, cast, branch):
    held_vote(branch, [{}, {}, {}])
    # 3 formal members, cap 1/3 → 1; two proposed excellent.
    propose_all(grading, cast.secretary, 李书记="excellent", 王小明="excellent")
    with pytest.raises(ValidationError) as error:
        services.grading_submit(grading=grading, explanation="", user=cast.secretary)
    assert "拟评优秀 2 名，超过上限 1 名（正式党员 3 名的 1/3）" in " ".join(error.value.messages)
    services.grading_submit(grading=grading, explanation="两人均获全票优秀。", user=cast.secretary)
    grading.refresh_from_db()
    assert grading.status == BranchGrading.Status.SUBMITTED
    assert grading.excellent_explanation == "两人均获全票优秀。"


def test_the_campaign_cap_is_configurable(grading, cast, branch, campaign):
    held_vote(branch, [{}] * 3)
    services.rule_set(campaign=campaign, numerator=2, denominator=3, user=cast.committee_admin)
    propose_all(grading, cast.secretary, 李书记="excellent", 王小明="excellent")
    services.grading_submit(grading=grading, explanation="", user=cast.secretary)  # 2 ≤ 2
    assert not campaigns_access.can_manage_campaign(cast.secretary, campaign)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1/3", (1, 3)),
        ("30%", (3, 10)),
        ("0.25", (1, 4)),
        ("１／２", (1, 2)),  # typed with a Chinese input method
        ("三分之一", None),
    ],
)
def test_the_cap_is_typed_as_a_fraction_a_percentage_or_a_decimal(typed, expected):
    form = RuleForm({"cap": typed})
    if expected is None:
        assert not form.is_valid() and "1/3" in form.errors["cap"][0]
    else:
        assert form.is_valid(), form.errors
        value = form.cleaned_data["cap"]
        assert (value.numerator, value.denominator) == expected


def test_a_cap_above_one_is_refused():
    form = RuleForm({"cap": "3/2"})
    assert not form.is_valid()
    assert "0 到 1" in form.errors["cap"][0]


def test_the_committee_approves_and_only_then_the_member_sees_the_grade(
    grading, cast, branch, campaign
):
    held_vote(branch, [{cast.member_record.pk: "excellent"}] * 3)
    propose_all(grading, cast.secretary, 王小明="excellent")
    services.grading_submit(grading=grading, explanation="", user=cast.secretary)
    assert selectors.member_grades(cast.member_record) == []
    with pytest.raises(PermissionDenied):
        access.get_grading_branch_for_user(
            cast.gb_secretary, grading.branch.pk, need=access.can_decide_grades
        )
    services.grading_decide(grading=grading, approve=True, reason="", user=cast.committee_admin)
    (grade,) = selectors.member_grades(cast.member_record)
    assert grade.get_grade_display() == "优秀"
    assert selectors.approved_proposal(cast.member_record, campaign).grade == "excellent"


def test_a_return_needs_a_reason_and_reopens_the_proposals(grading, cast, branch):
    held_vote(branch, [{}] * 3)
    propose_all(grading, cast.secretary)
    services.grading_submit(grading=grading, explanation="", user=cast.secretary)
    with pytest.raises(ValidationError):
        propose_all(grading, cast.secretary, 张丽="excellent")  # submitted: locked
    with pytest.raises(ValidationError) as error:
        services.grading_decide(
            grading=grading, approve=False, reason=" ", user=cast.committee_admin
        )
    assert "退回时必须写明理由" in " ".join(error.value.messages)
    services.grading_decide(
        grading=grading, approve=False, reason="理由过于简单", user=cast.committee_admin
    )
    grading.refresh_from_db()
    assert grading.status == BranchGrading.Status.RETURNED
    assert propose_all(grading, cast.secretary, 张丽="excellent") == 1


def _unqualified(grading, cast):
    propose_all(grading, cast.secretary, 张丽="unqualified")
    return UnqualifiedCase.objects.get(proposal__member=cast.colleague_record)


def test_unqualified_opens_the_procedure_and_blocks_submission_until_its_steps(
    grading, cast, branch
):
    held_vote(branch, [{cast.colleague_record.pk: "unqualified"}] * 3)
    case = _unqualified(grading, cast)
    assert case.next_step == "talk"
    with pytest.raises(ValidationError) as error:
        services.grading_submit(grading=grading, explanation="", user=cast.secretary)
    assert "张丽 拟评为不合格：须先完成谈话、上级预审和支部表决。" in error.value.messages

    # Out of order: refused, nothing recorded.
    with pytest.raises(ValidationError) as error:
        services.case_record_prereview(
            case=case, on=TODAY, agrees=True, note="同意", user=cast.gb_secretary
        )
    assert "下一步是：与本人谈话" in error.value.messages[0]
    services.case_record_talk(case=case, on=TODAY, note="已谈话，本人有抵触", user=cast.secretary)
    # The branch cannot pre-review its own proposal: the level above does.
    with pytest.raises(PermissionDenied):
        access.get_unqualified_case_for_user(cast.secretary, case.proposal_id, step="prereview")
    services.case_record_prereview(
        case=case, on=TODAY, agrees=True, note="同意", user=cast.gb_secretary
    )
    with pytest.raises(ValidationError) as error:
        services.case_record_vote(
            case=case,
            on=TODAY,
            votes_for=9,
            votes_against=0,
            votes_abstain=0,
            proposed_outcome="rectify",
            user=cast.secretary,
        )
    assert "超过了支部党员人数" in " ".join(error.value.messages)
    services.case_record_vote(
        case=case,
        on=TODAY,
        votes_for=2,
        votes_against=0,
        votes_abstain=1,
        proposed_outcome="rectify",
        user=cast.secretary,
    )
    # The outcome comes only after the committee's approval.
    with pytest.raises(ValidationError):
        services.case_record_outcome(
            case=case, outcome="rectify", on=TODAY, note="", user=cast.committee_admin
        )
    services.grading_submit(grading=grading, explanation="", user=cast.secretary)
    services.grading_decide(grading=grading, approve=True, reason="", user=cast.committee_admin)
    case.refresh_from_db()
    assert case.committee_on == TODAY and case.committee_by == cast.committee_admin
    with pytest.raises(PermissionDenied):
        access.get_unqualified_case_for_user(cast.secretary, case.proposal_id, step="outcome")
    services.case_record_outcome(
        case=case, outcome="rectify", on=TODAY, note="限期六个月改正", user=cast.committee_admin
    )
    case.refresh_from_db()
    assert case.get_outcome_display() == "限期改正" and case.next_step == ""
    steps = AuditEntry.objects.filter(object_type="grading.unqualifiedcase")
    assert steps.count() >= 5  # created, talk, prereview, vote, committee, outcome


def test_changing_an_unqualified_proposal_withdraws_the_case_and_keeps_its_steps(grading, cast):
    case = _unqualified(grading, cast)
    services.case_record_talk(case=case, on=TODAY, note="谈话记录", user=cast.secretary)
    propose_all(grading, cast.secretary, 张丽="basically_qualified")
    case.refresh_from_db()
    assert case.withdrawn and case.talk_note == "谈话记录"
    propose_all(grading, cast.secretary, 张丽="unqualified")
    case.refresh_from_db()
    assert not case.withdrawn and case.next_step == "prereview"


def test_a_future_date_is_refused(grading, cast):
    case = _unqualified(grading, cast)
    with pytest.raises(ValidationError) as error:
        services.case_record_talk(
            case=case, on=TODAY + datetime.timedelta(days=3), note="x", user=cast.secretary
        )
    assert "日期不能晚于今天" in " ".join(error.value.messages)


def test_proposals_are_in_the_audit_trail_with_their_author(grading, cast):
    propose_all(grading, cast.secretary)
    entries = AuditEntry.objects.filter(object_type="grading.gradeproposal")
    assert entries.count() == 3
    assert {e.actor_id for e in entries} == {cast.secretary.pk}


def test_review_rounds_two_and_three_take_their_facts_from_the_appraisal(
    grading, cast, branch, campaign
):
    from vanguard.reviews.models import SelfAnalysis

    document = SelfAnalysis.objects.create(campaign=campaign, member=cast.member_record)
    held_vote(branch, [{cast.member_record.pk: "excellent"}] * 2 + [{}])
    propose_all(grading, cast.secretary, 王小明="excellent")
    assert services_fact(document, 2) == ""  # not reported until the branch submits
    services.grading_submit(grading=grading, explanation="", user=cast.secretary)
    assert services_fact(document, 2) == (
        "民主评议：优秀 2 票，合格 1 票，基本合格 0 票，不合格 0 票；支部初评：优秀"
    )
    assert services_fact(document, 3) == ""
    services.grading_decide(grading=grading, approve=True, reason="", user=cast.committee_admin)
    assert services_fact(document, 3) == "党委审批等级：优秀"


def services_fact(document, number):
    from vanguard.reviews.services import appraisal_grade_fact

    return appraisal_grade_fact(document, number)


# --- pages ---------------------------------------------------------------------------


def test_the_secretary_proposes_on_the_page_beside_the_tally(client, cast, branch, campaign):
    held_vote(branch, [{cast.member_record.pk: "excellent"}] * 3)
    client.force_login(cast.secretary)
    url = reverse("grading:branch", args=[campaign.pk, branch.pk])
    page = client.get(url).content.decode()
    assert "王小明" in page and "张丽" in page
    assert 'id="excellent-cap"' in page
    data = {}
    for m in members(branch):
        data[f"grade_{m.pk}"] = "qualified"
        data[f"rationale_{m.pk}"] = "认真履职"
    # 张丽's ballots all said 合格: proposing 优秀 departs from them and needs a reason.
    data[f"grade_{cast.colleague_record.pk}"] = "excellent"
    data[f"rationale_{cast.colleague_record.pk}"] = ""
    response = client.post(url, data)
    assert response.status_code == 400
    assert "张丽：拟评等次与民主评议得票最多的“合格”不同，请写明评定理由。" in (
        response.content.decode()
    )
    assert not GradeProposal.objects.exists()
    # The page comes back as it was sent: 张丽's 优秀 and the others' rationales.
    page = response.content.decode()
    zhang = page[page.index(f'id="member-{cast.colleague_record.pk}"') :]
    assert re.search(r'value="excellent" checked', zhang[: zhang.index("</article>")])
    assert page.count(">认真履职</textarea>") == 2
    data[f"rationale_{cast.colleague_record.pk}"] = "工作踏实，成绩突出"
    response = client.post(url, data, follow=True)
    assert "已保存 3 条等级初评。" in response.content.decode()


def test_the_page_preselects_each_members_plurality_and_saves_it_without_a_rationale(
    client, cast, branch, campaign
):
    # 王小明: 优秀 2, 合格 1 → 优秀; everyone else 合格 on every ballot.
    held_vote(branch, [{cast.member_record.pk: "excellent"}] * 2 + [{}])
    client.force_login(cast.secretary)
    url = reverse("grading:branch", args=[campaign.pk, branch.pk])
    page = client.get(url).content.decode()
    wang = page[page.index(f'id="member-{cast.member_record.pk}"') :]
    wang = wang[: wang.index("</article>")]
    assert re.search(r'value="excellent" checked', wang)
    assert not re.search(r'value="qualified" checked', wang)
    # The secretary saves the page as preselected: one tap, no rationale typed.
    data = {
        f"grade_{m.pk}": ("excellent" if m.pk == cast.member_record.pk else "qualified")
        for m in members(branch)
    }
    response = client.post(url, data, follow=True)
    assert "已保存 3 条等级初评。" in response.content.decode()
    saved = dict(GradeProposal.objects.values_list("member_id", "grade"))
    assert saved[cast.member_record.pk] == "excellent"
    assert set(GradeProposal.objects.values_list("rationale", flat=True)) == {""}


def test_a_rationale_is_required_where_the_vote_is_tied_or_withheld(cast, branch, grading):
    wang = cast.member_record.pk
    # 王小明: 优秀 1, 合格 1, 基本合格 1 → a tie names no grade to follow.
    held_vote(branch, [{wang: "excellent"}, {}, {wang: "basically_qualified"}])
    for grade in ("excellent", "qualified"):
        with pytest.raises(ValidationError) as raised:
            services.proposals_save(
                grading=grading, entries={wang: (grade, "")}, user=cast.secretary
            )
        assert "王小明：请写明评定理由。" in raised.value.messages
    # 张丽's three 合格 are her plurality: no rationale needed.
    services.proposals_save(
        grading=grading,
        entries={cast.colleague_record.pk: ("qualified", "")},
        user=cast.secretary,
    )
    assert GradeProposal.objects.get().member_id == cast.colleague_record.pk


def test_a_withheld_vote_gives_no_plurality_to_follow(cast, branch, grading):
    held_vote(branch, [{}, {}])  # two ballots: below the secrecy minimum, withheld
    with pytest.raises(ValidationError) as raised:
        services.proposals_save(
            grading=grading,
            entries={cast.colleague_record.pk: ("qualified", "")},
            user=cast.secretary,
        )
    assert "张丽：请写明评定理由。" in raised.value.messages


def test_plurality_is_the_single_top_grade():
    from types import SimpleNamespace

    def tally(**counts):
        base = dict.fromkeys(("excellent", "qualified", "basically_qualified", "unqualified"), 0)
        return SimpleNamespace(counts={**base, **counts})

    assert services.plurality(tally(qualified=15, excellent=5)) == "qualified"
    assert services.plurality(tally(excellent=3, qualified=3)) == ""
    assert services.plurality(tally()) == ""
    assert services.plurality(None) == ""


def test_the_member_sees_the_grade_on_the_page_only_after_approval(client, cast, branch, grading):
    held_vote(branch, [{}] * 3)
    propose_all(grading, cast.secretary, 王小明="basically_qualified")
    services.grading_submit(grading=grading, explanation="", user=cast.secretary)
    client.force_login(cast.member)
    assert "基本合格" not in client.get(reverse("grading:home")).content.decode()
    services.grading_decide(grading=grading, approve=True, reason="", user=cast.committee_admin)
    page = client.get(reverse("grading:home")).content.decode()
    assert "基本合格" in page
    # …and only their own: a colleague's grade is not on the member's page.
    assert "张丽" not in page


def test_the_committee_is_told_of_a_submission_and_members_of_the_approval(grading, cast, branch):
    from vanguard.notices.models import Notification

    held_vote(branch, [{}] * 3)
    propose_all(grading, cast.secretary)
    services.grading_submit(grading=grading, explanation="", user=cast.secretary)
    (told,) = Notification.objects.filter(user=cast.committee_admin)
    assert "等级初评已报党委" in told.text
    services.grading_decide(
        grading=grading, approve=False, reason="请补充理由", user=cast.committee_admin
    )
    assert "请补充理由" in Notification.objects.get(user=cast.secretary).text
    services.grading_submit(grading=grading, explanation="", user=cast.secretary)
    services.grading_decide(grading=grading, approve=True, reason="", user=cast.committee_admin)
    assert (
        Notification.objects.filter(user=cast.member, text__contains="评议等级已经党委审批").count()
        == 1
    )
    assert Notification.objects.filter(user=cast.committee_admin).count() == 2  # two submissions


def test_a_round_two_pass_without_typed_facts_records_the_appraisal_facts(
    org, cast, grading, branch, client
):
    """The branch passes a member's round-2 summary: the grade facts come from the vote
    and the submitted proposal, and the review page offers them before that."""
    from types import SimpleNamespace

    from vanguard.reviews import services as reviews
    from vanguard.reviews.tests import factories_member as fm

    fx = SimpleNamespace(org=org, cast=cast)
    doc = fm.with_committee(fx)
    reviews.committee_respond(document=doc, text="第一轮指导意见", user=cast.committee_admin)
    doc, _version = fm.submitted(fx)
    assert doc.current_round == 2 and doc.state == "submitted"
    held_vote(branch, [{cast.member_record.pk: "excellent"}] * 3)
    propose_all(grading, cast.secretary, 王小明="excellent")
    services.grading_submit(grading=grading, explanation="", user=cast.secretary)

    client.force_login(cast.secretary)
    page = client.get(reverse("reviews:review", args=[doc.pk])).content.decode()
    assert "民主评议：优秀 3 票，合格 0 票" in page  # offered in the grade-facts form

    version = doc.versions.order_by("-number").first()
    reviews.branch_review(
        document=doc, version=version, reviewer=cast.secretary, criteria=fm.ALL_OK, verdict="pass"
    )
    round_two = doc.rounds.get(number=2)
    assert round_two.grade_fact == (
        "民主评议：优秀 3 票，合格 0 票，基本合格 0 票，不合格 0 票；支部初评：优秀"
    )


def test_the_cap_warning_asks_for_an_explanation_only_while_the_branch_can_give_one(
    client, cast, branch, campaign, grading
):
    held_vote(branch, [{}] * 3)
    propose_all(grading, cast.secretary, 李书记="excellent", 王小明="excellent")
    url = reverse("grading:branch", args=[campaign.pk, branch.pk])
    client.force_login(cast.secretary)
    assert "上报时须写明理由" in client.get(url).content.decode()
    services.grading_submit(grading=grading, explanation="两人均获全票优秀。", user=cast.secretary)
    page = client.get(url).content.decode()
    assert "已超出比例。" in page and "上报时须写明理由" not in page
    assert "两人均获全票优秀。" in page
