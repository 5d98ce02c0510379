"""The member appraisal registration form (党员评议登记表): what a reader of the PDF or the
Word file finds on it at each stage, who may download it, and the branch bundle."""

from __future__ import annotations

import datetime
import io
import re
from urllib.parse import quote

import docx
import pypdf
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_member
from vanguard.grading import selectors, services
from vanguard.grading.models import UnqualifiedCase
from vanguard.grading.registration_form import registration_form_pdf
from vanguard.grading.selectors_registration import registration_data
from vanguard.grading.tests.factories import case_ready_for_the_committee, held_vote
from vanguard.meetings.tests.factories import education_campaign
from vanguard.organization.models import Member
from vanguard.reviews import services as reviews

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def _propose(grading, user, **grades):
    """Every formal member qualified unless named; the rationale names the member."""
    entries = {
        m.pk: (grades.get(m.name, "qualified"), f"{m.name}：认真履职，群众认可")
        for m in selectors.formal_members(grading.branch)
    }
    services.proposals_save(grading=grading, entries=entries, user=user)


def _approved(grading, cast, **grades):
    _propose(grading, cast.secretary, **grades)
    services.grading_submit(grading=grading, explanation="", user=cast.secretary)
    services.grading_decide(grading=grading, approve=True, reason="", user=cast.committee_admin)


def _submit_summary(member, user, campaign, summary):
    document = reviews.document_for_member(member=member, campaign=campaign)
    sections = {"problems": "问题", "roots": "根源", "direction": "方向", "summary": summary}
    document = reviews.draft_save(
        document=document, data=sections, base_version=document.draft_version, user=user
    )
    reviews.document_submit(document=document, base_version=document.draft_version, user=user)
    return document


def _pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "".join(page.extract_text() for page in reader.pages)


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]

    def walk(table):
        for row in table.rows:
            for cell in row.cells:
                parts.extend(p.text for p in cell.paragraphs)
                for inner in cell.tables:
                    walk(inner)

    for table in document.tables:
        walk(table)
    return "\n".join(parts)


def _docx_votes(content: bytes) -> dict[str, str]:
    """The vote grid nested in the 民主评议情况 row: grade label → votes."""
    document = docx.Document(io.BytesIO(content))
    for row in document.tables[0].rows:
        for cell in row.cells:
            for inner in cell.tables:
                header, values = ([c.text for c in r.cells] for r in inner.rows)
                return dict(zip(header, values, strict=True))
    raise AssertionError("no vote grid in the Word file")


def _get(client, user, name, campaign, member):
    client.force_login(user)
    return client.get(reverse(name, args=[campaign.pk, member.pk]))


def _pdf_as(client, user, campaign, member) -> str:
    """The member's form as `user` downloads it, as PDF text without white space."""
    return _flat(
        _pdf_text(_get(client, user, "grading:registration_pdf", campaign, member).content)
    )


def test_the_approved_form_carries_name_votes_grades_and_summary(
    client, cast, branch, campaign, grading
):
    me = cast.member_record
    _submit_summary(me, cast.member, campaign, "本年度认真学习，积极参加组织生活。")
    held_vote(branch, [{me.pk: "excellent"}, {me.pk: "excellent"}, {me.pk: "qualified"}])
    _approved(grading, cast, 王小明="excellent")

    response = _get(client, cast.member, "grading:registration_pdf", campaign, me)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    expected = quote("党员评议登记表-王小明.pdf", safe="")
    assert f"filename*=utf-8''{expected}" in response["Content-Disposition"]
    assert 'filename="registration-form-T0002.pdf"' in response["Content-Disposition"]
    text = _flat(_pdf_text(response.content))
    assert "党员评议登记表" in text and "王小明" in text and "T0002" in text
    assert "光学工程教工第一党支部" in text and "第一党小组" in text
    assert "本年度认真学习，积极参加组织生活。" in text
    # The vote grid: 优秀 2, 合格 1, 基本合格 0, 不合格 0, of 3 ballots.
    assert "优秀合格基本合格不合格有效票21003" in text
    assert "初评等次：优秀" in text and "王小明：认真履职，群众认可" in text
    assert "审批等次：优秀" in text

    response = _get(client, cast.member, "grading:registration_docx", campaign, me)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert quote("党员评议登记表-王小明.docx", safe="") in response["Content-Disposition"]
    words = _docx_text(response.content)
    assert "王小明" in words and "T0002" in words
    assert "本年度认真学习，积极参加组织生活。" in words
    assert "审批等次：优秀" in words and "初评等次：优秀" in words
    assert _docx_votes(response.content) == {
        "优秀": "2",
        "合格": "1",
        "基本合格": "0",
        "不合格": "0",
        "有效票": "3",
    }


def test_no_grade_is_on_the_form_before_the_branch_reports_it(
    client, cast, branch, campaign, grading
):
    me = cast.member_record
    held_vote(branch, [{me.pk: "excellent"}] * 3)
    _propose(grading, cast.secretary, 王小明="basically_qualified")  # still a draft

    for name, read in (
        ("grading:registration_pdf", lambda c: _flat(_pdf_text(c))),
        ("grading:registration_docx", _docx_text),
    ):
        text = read(_get(client, cast.secretary, name, campaign, me).content)
        assert "王小明" in text and "初评等次：" in text
        assert "等次：基本合格" not in text and "认真履职" not in text


def test_the_branch_sees_its_initial_grade_once_reported_the_member_only_after_approval(
    client, cast, branch, campaign, grading
):
    me = cast.member_record
    held_vote(branch, [{me.pk: "excellent"}] * 3)
    _propose(grading, cast.secretary, 王小明="basically_qualified")
    services.grading_submit(grading=grading, explanation="", user=cast.secretary)

    officer = _pdf_as(client, cast.secretary, campaign, me)
    assert "初评等次：基本合格" in officer and "王小明：认真履职，群众认可" in officer
    assert "审批等次：基本合格" not in officer  # not approved yet
    assert "有效票30003" in officer  # the officers read the votes

    own = _get(client, cast.member, "grading:registration_pdf", campaign, me)
    assert own.status_code == 200
    own_text = _flat(_pdf_text(own.content))
    assert "初评等次：基本合格" not in own_text and "认真履职" not in own_text
    assert "有效票30003" not in own_text  # no votes for the member before approval
    own_docx = _docx_text(
        _get(client, cast.member, "grading:registration_docx", campaign, me).content
    )
    assert "等次：基本合格" not in own_docx and "认真履职" not in own_docx

    services.grading_decide(grading=grading, approve=True, reason="", user=cast.committee_admin)
    own_text = _pdf_as(client, cast.member, campaign, me)
    assert "初评等次：基本合格" in own_text and "审批等次：基本合格" in own_text
    assert "有效票30003" in own_text


def test_the_summary_is_the_latest_submitted_version_never_the_unsaved_draft(
    cast, campaign, branch
):
    me = cast.member_record
    document = _submit_summary(me, cast.member, campaign, "第一版：提交给支部的总结")
    document.refresh_from_db()
    document.state = document.State.RETURNED  # returned for revision: the member edits again
    document.save()
    reviews.draft_save(
        document=document,
        data={"summary": "第二版：尚未提交的草稿"},
        base_version=document.draft_version,
        user=cast.member,
    )
    data = registration_data(me, campaign)
    assert data.summary == "第一版：提交给支部的总结"
    text = _flat(_pdf_text(registration_form_pdf(data)))
    assert "第一版：提交给支部的总结" in text and "尚未提交的草稿" not in text


def test_a_member_cannot_download_a_colleagues_form(client, cast, campaign):
    for name in ("grading:registration_pdf", "grading:registration_docx"):
        assert _get(client, cast.member, name, campaign, cast.colleague_record).status_code == 404
        assert _get(client, cast.other_member, name, campaign, cast.member_record).status_code == (
            404
        )
    client.force_login(cast.member)
    bundle = reverse(
        "grading:registration_branch_pdf", args=[campaign.pk, cast.member.member.branch_id]
    )
    assert client.get(bundle).status_code == 404


def test_a_campaign_of_another_unit_is_not_found(client, cast, org):
    other = education_campaign(org.gb_b)  # 信电系: not over branch_a1
    response = _get(
        client, cast.committee_admin, "grading:registration_pdf", other, cast.member_record
    )
    assert response.status_code == 404


def test_the_branch_bundle_has_a_page_for_each_member(client, cast, branch, campaign, grading):
    make_member(name="赵预备", number="T0009", branch=branch, standing=Member.Standing.PROBATIONARY)
    held_vote(branch, [{}] * 3)
    _approved(grading, cast, 张丽="excellent")
    client.force_login(cast.secretary)
    response = client.get(reverse("grading:registration_branch_pdf", args=[campaign.pk, branch.pk]))
    assert response.status_code == 200
    expected = quote("党员评议登记表-光学工程教工第一党支部.pdf", safe="")
    assert expected in response["Content-Disposition"]
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    pages = [_flat(page.extract_text()) for page in reader.pages]
    formal = [m.name for m in selectors.formal_members(branch)]
    assert len(pages) >= len(formal) == 3
    # One member per page, formal members first in roster order, then the probationary.
    for page, name in zip(pages, [*formal, "赵预备"], strict=True):
        assert name in page
        others = {*formal, "赵预备"} - {name}
        assert not any(f"姓名{other}" in page for other in others)
    assert "审批等次：优秀" in pages[formal.index("张丽")]
    assert "不定等次" in pages[3] and "审批等次：优秀" not in pages[3]


def test_a_summary_with_markup_prints_literally(client, cast, campaign):
    me = cast.member_record
    _submit_summary(me, cast.member, campaign, "<script>alert('x')</script> & <b>加粗</b>")
    pdf_text = _pdf_text(
        _get(client, cast.member, "grading:registration_pdf", campaign, me).content
    )
    assert "<script>alert('x')</script>" in pdf_text and "& <b>加粗</b>" in pdf_text
    words = _docx_text(_get(client, cast.member, "grading:registration_docx", campaign, me).content)
    assert "<script>alert('x')</script> & <b>加粗</b>" in words


def test_a_long_summary_runs_on_to_a_second_page(cast, campaign):
    me = cast.member_record
    long_text = "\n".join(
        f"第{i}段：" + "深入查找在理想信念、宗旨意识方面的差距。" * 6 for i in range(40)
    )
    _submit_summary(me, cast.member, campaign, long_text + "\n全文完")
    content = registration_form_pdf(registration_data(me, campaign))
    assert len(pypdf.PdfReader(io.BytesIO(content)).pages) >= 2
    assert "全文完" in _flat(_pdf_text(content))


def test_a_short_form_fits_on_one_page(cast, campaign):
    content = registration_form_pdf(registration_data(cast.member_record, campaign))
    assert len(pypdf.PdfReader(io.BytesIO(content)).pages) == 1


def test_an_unqualified_members_form_records_the_outcome(client, cast, branch, campaign, grading):
    colleague = cast.colleague_record
    held_vote(branch, [{colleague.pk: "unqualified"}] * 3)
    _propose(grading, cast.secretary, 张丽="unqualified")
    case = UnqualifiedCase.objects.get(proposal__member=colleague)
    case_ready_for_the_committee(case, cast)
    services.grading_submit(grading=grading, explanation="", user=cast.secretary)
    services.grading_decide(grading=grading, approve=True, reason="", user=cast.committee_admin)
    before = _pdf_as(client, cast.secretary, campaign, colleague)
    assert "审批等次：不合格" in before and "处置结果" not in before
    services.case_record_outcome(
        case=case, outcome="rectify", on=TODAY, note="限期六个月改正", user=cast.committee_admin
    )
    after = _pdf_as(client, cast.secretary, campaign, colleague)
    assert "处置结果" in after and "限期改正" in after and "限期六个月改正" in after


def test_the_form_is_read_in_a_fixed_number_of_queries(cast, branch, campaign, grading, org):
    me = cast.member_record
    _submit_summary(me, cast.member, campaign, "总结")
    held_vote(branch, [{}] * 3)
    _approved(grading, cast)

    def count():
        with CaptureQueriesContext(connection) as queries:
            registration_data(Member.objects.get(pk=me.pk), campaign)
        return len(queries)

    first = count()
    for i in range(5):
        make_member(
            name=f"新党员{i}", number=f"T01{i:02d}", branch=branch, party_group=org.group_a1
        )
    held_vote(org.group_a1, [{}] * 4)  # a later vote of the member's party group (6)
    assert count() == first


def test_the_pages_link_to_the_forms(client, cast, branch, campaign, grading):
    held_vote(branch, [{}] * 3)
    _approved(grading, cast)
    me = cast.member_record
    client.force_login(cast.member)
    home = client.get(reverse("grading:home")).content.decode()
    own = reverse("grading:registration_pdf", args=[campaign.pk, me.pk])
    assert f'href="{own}"' in home
    assert client.get(own).status_code == 200
    assert reverse("grading:registration_docx", args=[campaign.pk, me.pk]) in home
    client.force_login(cast.secretary)
    page = client.get(reverse("grading:branch", args=[campaign.pk, branch.pk])).content.decode()
    bundle = reverse("grading:registration_branch_pdf", args=[campaign.pk, branch.pk])
    assert f'href="{bundle}"' in page
    colleague = reverse("grading:registration_docx", args=[campaign.pk, cast.colleague_record.pk])
    assert f'href="{colleague}"' in page
