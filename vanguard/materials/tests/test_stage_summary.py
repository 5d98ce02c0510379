"""The branch's stage summary (支部阶段工作小结): drafted from the data with the right
figures, edited (a stale save refused), redrafted without losing the officers' edits,
submitted, returned, resubmitted (the reviewer sees what changed), passed up and
accepted, with the notifications of each step; exported as PDF and Word and read back."""

from __future__ import annotations

import io
import re

import docx
import pypdf
import pytest
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from vanguard.accounts.models import Role, RoleAssignment
from vanguard.ballots.models import AppraisalSession, Ballot, RollEntry
from vanguard.campaigns.models import Phase
from vanguard.grading.models import GradeProposal
from vanguard.materials.stage_summary import document, figures, selectors, services
from vanguard.materials.stage_summary.models import SECTION_NAMES, StageSummary
from vanguard.materials.tests import factories_stage_summary as build
from vanguard.meetings.models import Meeting
from vanguard.meetings.tests.factories import meeting
from vanguard.notices.models import Notification
from vanguard.opinions.models import Opinion
from vanguard.organization.models import Member, Unit
from vanguard.rectification.models import Item, Plan
from vanguard.rectification.tests import factories as rectification_factories
from vanguard.reviews.models import SelfAnalysis
from vanguard.study.models import Attendance, StudySession, StudyWork

pytestmark = pytest.mark.django_db

State = StageSummary.State


@pytest.fixture
def f(org, cast):
    class F:
        pass

    found = F()
    found.org, found.cast = org, cast  # type: ignore[attr-defined]
    return found


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def numbers_in(text: str, label: str) -> int:
    """The number written right after `label` in a drafted line ("召开会议 3 次" → 3)."""
    found = re.search(re.escape(label) + r"\s*(\d+)", text)
    assert found, f"{label!r} not in {text!r}"
    return int(found.group(1))


# --- Drafting from the data ----------------------------------------------------------------


def test_study_phase_draft_counts_sessions_attendance_works_and_meetings(f):
    build.study_data(f)
    campaign, branch = build.campaign(f), f.org.branch_a1
    study = build.phase(f, Phase.Key.STUDY)
    summary = build.summary(f, Phase.Key.STUDY)

    sessions = StudySession.objects.filter(campaign=campaign, unit=branch).count()
    present = Attendance.objects.filter(session__unit=branch, status="present").count()
    works = StudyWork.objects.filter(campaign=campaign, member__branch=branch)
    writers = works.values("member").distinct().count()
    held = Meeting.objects.filter(
        unit=branch, held_at__date__range=(study.starts_on, study.ends_on)
    ).count()
    active = Member.objects.filter(branch=branch, is_active=True).count()

    text = summary.figures
    assert numbers_in(text, "学习讨论") == sessions == 2
    assert numbers_in(text, "参加学习") == present == 5
    assert numbers_in(text, "提交学习材料") == works.count() == 4
    assert numbers_in(text, "读书笔记") == works.filter(kind="reading_note").count() == 3
    assert numbers_in(text, "学习心得") == works.filter(kind="reflection").count() == 1
    assert numbers_in(text, "提交人数") == writers == 2
    assert f"占党员总数的 {round(writers * 100 / active)}%" in text
    assert numbers_in(text, "召开会议") == held == 1
    assert numbers_in(text, "支部党员") == active == 3
    assert "支部制定并提交了学习讨论计划" in summary.work_done
    assert "3月5日召开全体党员大会" in summary.work_done
    assert "还有 1 名党员没有提交学习材料" in summary.problems
    assert summary.data_draft == {name: getattr(summary, name) for name in SECTION_NAMES}


def test_analysis_phase_draft_counts_opinions_reviews_vote_and_grades(f):
    build.analysis_data(f)
    campaign, branch = build.campaign(f), f.org.branch_a1
    summary = build.summary(f)
    text = summary.figures

    received = Opinion.objects.filter(campaign=campaign, branch=branch).exclude(status="merged")
    by_channel = dict(received.values_list("channel").annotate(n=Count("pk")))
    assert numbers_in(text, "征求意见") == received.count() == 5
    assert numbers_in(text, "意见箱") == by_channel["suggestion_box"] == 3
    assert numbers_in(text, "电子信箱") == by_channel["email"] == 2
    assert "个人交谈" not in text  # the merged opinion is a duplicate, not counted
    assert numbers_in(text, "已梳理") == received.filter(status="sorted").count() == 4
    assert numbers_in(text, "肯定表扬") == 2

    documents = SelfAnalysis.objects.filter(campaign=campaign, member__branch=branch)
    assert numbers_in(text, "党性分析材料") == documents.count() == 3
    assert "第一轮：征求意见与自我总结：撰写中 1 份、已提交，待支部审阅 1 份" in text
    assert "第二轮：民主评议与等级初评：支部已通过，待党委意见 1 份" in text

    session = AppraisalSession.objects.get(unit=branch)
    ballots = Ballot.objects.filter(session=session).count()
    roll = RollEntry.objects.filter(session=session).count()
    assert numbers_in(text, "名册") == roll
    assert numbers_in(text, "收回选票") == ballots == 3
    assert f"参评率 {round(ballots * 100 / roll)}%" in text
    approved = GradeProposal.objects.filter(grading__branch=branch)
    assert numbers_in(text, "党委审批") == approved.count() == 3
    assert numbers_in(text, "优秀") == approved.filter(grade="excellent").count() == 1
    assert numbers_in(text, "合格") == approved.filter(grade="qualified").count() == 2
    # The required meetings: two of the three held, the third named as not yet.
    assert "按要求应召开的会议 3 次，已召开 2 次，尚未完成：召开等级评定会" in text
    assert "尚未完成“召开等级评定会”" in summary.problems
    assert "还有 1 条意见尚未梳理" in summary.problems
    # Counts only: no opinion's text, source or contact; no candidate's votes.
    whole = "".join(getattr(summary, name) for name in SECTION_NAMES)
    for secret in ("张三", "13800000000", "联系群众不够", "王小明", "张丽"):
        assert secret not in whole


def test_grades_are_not_counted_by_grade_below_the_secrecy_minimum(f):
    build.analysis_data(f)
    campaign = build.campaign(f)
    campaign.ballot_secrecy_minimum = 4
    campaign.save()
    found = figures.phase_figures(campaign=campaign, branch=f.org.branch_a1, phase=build.phase(f))
    assert found.graded == 3 and found.grades is None
    text = services.drafted_from_data(
        campaign=campaign, branch=f.org.branch_a1, phase=build.phase(f)
    )["figures"]
    assert "党委审批 3 名（人数较少，不分等次列出）" in text
    assert "优秀" not in text
    # The vote of 3 ballots is now below the minimum: that it was held and why no figure
    # is given — not even its ballots, as the statistics workbook counts a withheld vote
    # (the strictest of the three documents' rules).
    assert "少于保密所需的最少 4 张或未超过规定的参加人数，不公布结果，不列人数和票数" in text
    assert "收回选票" not in text and "名册" not in text and "参评率" not in text


def test_opinions_about_a_reader_of_the_summary_are_not_counted(f):
    """The secretary drafts and reads the summary; the opinions dashboard never counts
    the opinions about them for them, so the summary leaves them out too (else the two
    side by side would tell them by which channel the opinions about them came)."""
    build.analysis_data(f)
    campaign, branch = build.campaign(f), f.org.branch_a1
    secretary = Member.objects.get(user=f.cast.secretary)
    assert secretary.branch_id == branch.pk
    for channel in (Opinion.Channel.EMAIL, Opinion.Channel.TALK):
        rectification_factories.opinion(
            campaign,
            branch,
            channel=channel,
            status=Opinion.Status.SORTED,
            kind=Opinion.Kind.CRITICISM,
            about=secretary,
        )
    text = services.drafted_from_data(campaign=campaign, branch=branch, phase=build.phase(f))[
        "figures"
    ]
    assert numbers_in(text, "征求意见") == 5  # as before the two about the secretary
    assert "个人交谈" not in text
    dashboard = signed_in(f.cast.secretary).get(
        reverse("opinions:dashboard"), {"campaign": campaign.pk}
    )
    assert dict(dashboard.context["by_channel"]) == {"意见箱": 3, "电子信箱": 2}


def test_rectification_phase_draft_counts_plans_and_items_by_status(f):
    build.rectification_data(f)
    campaign, branch = build.campaign(f), f.org.branch_a1
    text = build.summary(f, Phase.Key.RECTIFICATION).figures
    items = Item.objects.filter(
        plan__campaign=campaign, plan__member__branch=branch
    ) | Item.objects.filter(plan__campaign=campaign, plan__unit=branch)
    member_plans = Plan.objects.filter(campaign=campaign, member__branch=branch)
    assert numbers_in(text, "已制订") == member_plans.count() == 2
    assert numbers_in(text, "审核通过") == member_plans.filter(status="approved").count() == 1
    assert numbers_in(text, "整改事项") == items.count() == 4
    assert numbers_in(text, "未开始") == items.filter(status="planned").count() == 1
    assert numbers_in(text, "进行中") == items.filter(status="in_progress").count() == 1
    assert numbers_in(text, "已完成") == items.filter(status="done").count() == 1
    assert numbers_in(text, "已验收") == items.filter(status="verified").count() == 1
    assert numbers_in(text, "逾期未完成") == 1


# --- Editing ----------------------------------------------------------------------------------


def test_secretary_drafts_edits_and_a_stale_save_is_refused_keeping_both_texts(f):
    build.analysis_data(f)
    campaign, branch, phase = build.campaign(f), f.org.branch_a1, build.phase(f)
    secretary = signed_in(f.cast.secretary)
    response = secretary.post(
        "/materials/stage-summary/start/",
        {"campaign": campaign.pk, "branch": branch.pk, "phase": phase.pk},
    )
    summary = StageSummary.objects.get(campaign=campaign, branch=branch, phase=phase)
    assert response.status_code == 302 and response["Location"].endswith(f"/{summary.pk}/")
    page = secretary.get(f"/materials/stage-summary/{summary.pk}/")
    assert page.status_code == 200
    assert "征求意见 5 条" in page.content.decode()

    base = summary.version
    data = {name: getattr(summary, name) for name in SECTION_NAMES}
    mine = {**data, "good_practice": "支部委员分头与党员谈心。", "base_version": base}
    committee = signed_in(f.cast.branch_committee)
    theirs = {**data, "good_practice": "组织了两次座谈会。", "base_version": base}
    assert committee.post(f"/materials/stage-summary/{summary.pk}/", theirs).status_code == 302

    stale = secretary.post(f"/materials/stage-summary/{summary.pk}/", mine)
    assert stale.status_code == 409
    body = stale.content.decode()
    assert "已被他人（或另一个窗口）保存过" in body
    assert "支部委员分头与党员谈心。" in body  # the editor still holds what they typed
    assert "组织了两次座谈会" in body  # and the conflict shows what was saved
    summary.refresh_from_db()
    assert summary.good_practice == "组织了两次座谈会。"
    # Saving again from the page (its new base version) replaces the other text.
    again = {**mine, "base_version": summary.version}
    assert secretary.post(f"/materials/stage-summary/{summary.pk}/", again).status_code == 302
    summary.refresh_from_db()
    assert summary.good_practice == "支部委员分头与党员谈心。"
    assert summary.saved_by == f.cast.secretary


def test_redraft_updates_unedited_sections_and_keeps_edited_ones_unless_asked(f):
    build.analysis_data(f)
    summary = build.summary(f)
    services.stage_summary_save(
        summary=summary,
        data={**{n: getattr(summary, n) for n in SECTION_NAMES}, "figures": "我们改写的数据。"},
        base_version=summary.version,
        actor=f.cast.secretary,
    )
    meeting(f.org.branch_a1, kind="grade_rating", title="等级评定会", day=build.phase(f).starts_on)
    client = signed_in(f.cast.secretary)
    preview = client.get(f"/materials/stage-summary/{summary.pk}/redraft/").content.decode()
    assert 'data-testid="diff-figures"' in preview
    assert 'name="replace" value="figures"' in preview  # edited: offered, not forced
    assert 'name="replace" value="work_done"' not in preview

    response = client.post(
        f"/materials/stage-summary/{summary.pk}/redraft/", {"base_version": summary.version}
    )
    assert response.status_code == 302
    summary.refresh_from_db()
    assert summary.figures == "我们改写的数据。"
    assert "共召开会议 3 次" in summary.work_done
    assert "等级评定会" in summary.work_done

    client.post(
        f"/materials/stage-summary/{summary.pk}/redraft/",
        {"base_version": summary.version, "replace": ["figures"]},
    )
    summary.refresh_from_db()
    assert "按要求应召开的会议 3 次，已召开 3 次" in summary.figures


# --- Review ------------------------------------------------------------------------------------


def _post_editor(client: Client, summary: StageSummary, action: str, **changes: str):
    summary.refresh_from_db()
    data = {name: getattr(summary, name) for name in SECTION_NAMES}
    data.update(changes)
    return client.post(
        f"/materials/stage-summary/{summary.pk}/",
        {**data, "base_version": summary.version, "action": action},
    )


def _decide(client: Client, summary: StageSummary, verdict: str, reason: str = ""):
    latest = summary.versions.order_by("-number").first()
    assert latest is not None
    number = latest.number
    return client.post(
        f"/materials/stage-summary/{summary.pk}/review/",
        {"version_number": number, "verdict": verdict, "reason": reason},
    )


def _told(user, fragment: str) -> bool:
    return Notification.objects.filter(user=user, text__contains=fragment).exists()


def test_the_full_loop_submit_return_resubmit_with_diff_pass_and_accept(f):
    build.analysis_data(f)
    summary = build.summary(f)
    secretary, cast = signed_in(f.cast.secretary), f.cast

    refused = _post_editor(secretary, summary, "submit")
    assert refused.status_code == 400
    assert "“好的做法”中还有待补充的提示" in refused.content.decode()
    summary.refresh_from_db()
    assert summary.state == State.DRAFT and not summary.versions.exists()

    written = {name: "本支部按要求完成了各项工作。" for name in SECTION_NAMES}
    assert _post_editor(secretary, summary, "submit", **written).status_code == 302
    summary.refresh_from_db()
    assert summary.state == State.SUBMITTED and summary.versions.count() == 1
    assert _told(cast.gb_secretary, "已提交，请审阅")
    assert not _told(cast.committee_admin, "请审阅")
    assert (
        secretary.get(f"/materials/stage-summary/{summary.pk}/").content.decode().count("<textarea")
        == 0
    )  # no editing while it is read

    gb = signed_in(cast.gb_secretary)
    queue = gb.get("/materials/stage-summary/").content.decode()
    assert f"/materials/stage-summary/{summary.pk}/" in queue and "待我审阅" in queue
    no_reason = _decide(gb, summary, "return")
    assert no_reason.status_code == 400 and "请填写退回理由" in no_reason.content.decode()
    assert _decide(gb, summary, "return", "存在问题写得太笼统，请具体到人和事。").status_code == 302
    summary.refresh_from_db()
    assert summary.state == State.RETURNED
    assert summary.return_reason == "存在问题写得太笼统，请具体到人和事。"
    assert _told(cast.secretary, "退回修改：存在问题写得太笼统")
    assert _told(cast.branch_committee, "退回修改")
    page = secretary.get(f"/materials/stage-summary/{summary.pk}/").content.decode()
    assert "存在问题写得太笼统" in page and "<textarea" in page

    assert (
        _post_editor(
            secretary, summary, "submit", problems="两名党员的学习笔记流于形式，已个别谈话。"
        ).status_code
        == 302
    )
    summary.refresh_from_db()
    assert summary.state == State.SUBMITTED and summary.versions.count() == 2
    assert _told(cast.gb_secretary, "已按退回意见修改并重新提交")
    review = gb.get(f"/materials/stage-summary/{summary.pk}/").content.decode()
    assert 'data-testid="changes-since-return"' in review
    assert "<ins>" in review and "两名党员的学习笔记流于形式" in review
    assert 'data-testid="diff-problems"' in review
    assert 'data-testid="diff-work_done"' not in review  # unchanged sections not repeated

    assert _decide(gb, summary, "accept").status_code == 400  # not the general branch's word
    assert _decide(gb, summary, "pass", "同意。").status_code == 302
    summary.refresh_from_db()
    assert summary.state == State.WITH_COMMITTEE
    assert _told(cast.committee_admin, "请党委审阅")
    assert _told(cast.secretary, "已经党总支审阅同意")
    # The general branch has had its say: it no longer decides.
    assert _decide(gb, summary, "pass").status_code == 403

    committee = signed_in(cast.committee_admin)
    assert _decide(committee, summary, "accept", "审定。").status_code == 302
    summary.refresh_from_db()
    assert summary.state == State.ACCEPTED and summary.accepted_at is not None
    assert _told(cast.secretary, "已经党委审定通过")
    assert _post_editor(secretary, summary, "save").status_code == 409  # accepted: final
    history = [d.verdict for d in selectors.decisions(summary)]
    assert history == ["return", "pass", "accept"]


def test_a_branch_without_a_general_branch_goes_straight_to_the_committee(f):
    campaign = build.campaign(f)
    lone = Unit.objects.create(name="机关党支部", kind=Unit.Kind.BRANCH, parent=f.org.committee)
    RoleAssignment.objects.create(user=f.cast.secretary, role=Role.BRANCH_SECRETARY, unit=lone)
    summary = services.stage_summary_draft(campaign=campaign, branch=lone, phase=build.phase(f))
    build.finished(summary)
    services.stage_summary_submit(
        summary=summary, base_version=summary.version, actor=f.cast.secretary
    )
    assert summary.state == State.WITH_COMMITTEE
    assert _told(f.cast.committee_admin, "已提交，请审阅")
    assert not _told(f.cast.gb_secretary, "机关党支部")


def test_committee_returns_and_a_stale_decision_is_refused(f):
    summary = build.in_state(f, State.WITH_COMMITTEE)
    with pytest.raises(services.ValidationError) as refused:
        services.stage_summary_decide(
            summary=summary,
            version_number=99,
            verdict="accept",
            reason="",
            actor=f.cast.committee_admin,
        )
    assert "version_number" in refused.value.message_dict
    services.stage_summary_decide(
        summary=summary,
        version_number=1,
        verdict="return",
        reason="请补充数据。",
        actor=f.cast.committee_admin,
    )
    assert summary.state == State.RETURNED
    assert _told(f.cast.secretary, "被党委退回修改")


# --- Export and the bundle's selector ----------------------------------------------------------


def test_pdf_and_word_read_back_with_the_title_branch_and_sections(f):
    build.analysis_data(f)
    summary = build.summary(f)
    summary.problems = "一条<script>alert(1)</script>&问题"
    summary.save()
    title = "光学工程教工第一党支部分析评议阶段工作小结"
    assert document.title(summary) == title

    reader = pypdf.PdfReader(io.BytesIO(document.stage_summary_pdf(summary=summary)))
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    assert title in text
    for heading in (
        "一、工作开展情况",
        "二、主要数据",
        "三、好的做法",
        "四、存在问题",
        "五、下一步打算",
    ):
        assert heading in text
    assert "党支部：光学工程教工第一党支部" in text
    assert "征求意见 5 条" in text
    assert "<script>alert(1)</script>&问题" in text
    assert "非党委审定稿" in text
    assert reader.metadata.title == title

    word = docx.Document(io.BytesIO(document.stage_summary_docx(summary=summary)))
    paragraphs = [p.text for p in word.paragraphs]
    assert paragraphs[0] == title
    assert "五、下一步打算" in paragraphs
    assert any("征求意见 5 条" in p for p in paragraphs)
    assert "一条<script>alert(1)</script>&问题" in paragraphs
    section = word.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


def test_downloads_name_the_file_and_need_sight_of_the_summary(f):
    summary = build.summary(f)
    response = signed_in(f.cast.gb_secretary).get(f"/materials/stage-summary/{summary.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert (
        signed_in(f.cast.member).get(f"/materials/stage-summary/{summary.pk}/docx/").status_code
        == 404
    )


def test_latest_summaries_gives_one_per_phase_in_order(f):
    rectify = build.summary(f, Phase.Key.RECTIFICATION)
    study = build.summary(f, Phase.Key.STUDY)
    accepted = build.in_state(f, State.ACCEPTED)
    found = selectors.latest_summaries(campaign=build.campaign(f), branch=f.org.branch_a1)
    assert [s.pk for s in found] == [study.pk, accepted.pk, rectify.pk]
    assert found[1].state == State.ACCEPTED
    assert selectors.latest_summaries(campaign=build.campaign(f), branch=f.org.branch_b1) == []


def test_a_browsers_crlf_line_breaks_do_not_count_as_edits(f):
    build.analysis_data(f)
    summary = build.summary(f)
    client = signed_in(f.cast.secretary)
    data = {name: getattr(summary, name).replace("\n", "\r\n") for name in SECTION_NAMES}
    data["good_practice"] = "支部委员分头谈心。"
    response = client.post(
        f"/materials/stage-summary/{summary.pk}/",
        {**data, "base_version": summary.version, "action": "save"},
    )
    assert response.status_code == 302
    summary.refresh_from_db()
    assert "\r" not in summary.figures
    assert services.edited_sections(summary) == {"good_practice"}
