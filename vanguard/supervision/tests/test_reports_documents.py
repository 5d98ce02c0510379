"""A round's inspection report (检查情况通报) per unit as PDF and Word, read back: what was
checked, each branch's findings with their notes, the make-up orders with their status,
the figures; only the unit's branches; long notes run across pages; never the watch
list."""

from __future__ import annotations

import io
import re
from types import SimpleNamespace

import docx
import pypdf
import pytest
from django.urls import reverse

from vanguard.supervision.models import CheckItem, RemediationOrder
from vanguard.supervision.tests.factories_reports import (
    a_round,
    assess,
    campaign,
    do_check,
    make_group,
    make_order,
    make_sample,
    watch_person,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def f(org, cast):
    return SimpleNamespace(org=org, cast=cast)


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return _flat("".join(page.extract_text() for page in reader.pages))


def docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return _flat("\n".join(parts))


@pytest.fixture
def inspected(f):
    """The round with A1 and B1 checked (A1 by a group, with an order), A2 not yet."""
    c = campaign(f)
    round_ = a_round(f)
    group = make_group(c, "第一督查组", leader=f.cast.supervisor, branches=[f.org.branch_a1])
    check = do_check(
        round_,
        f.org.branch_a1,
        {
            CheckItem.STUDY_PLAN: ("good", "计划具体，分工明确"),
            CheckItem.NOTES: ("needs_work", "三名党员的笔记只有摘抄，没有联系实际"),
        },
        by=f.cast.supervisor,
        group=group,
        summary="学习记录完整，讨论深入",
    )
    do_check(round_, f.org.branch_b1, {CheckItem.STUDY_RECORDS: ("missing", "未见第二次学习记录")})
    make_order(
        c,
        f.org.branch_a1,
        member=f.cast.colleague_record,
        check=check,
        reason="补写读书笔记，联系教学科研实际",
        responsible=f.cast.secretary,
        status=RemediationOrder.Status.REPORTED,
    )
    drawn = make_sample(c, [f.cast.colleague_record], round_=round_)
    assess(c, f.cast.colleague_record, sampled=drawn[0])
    watch_person(c, f.cast.colleague_record)
    return round_


def _get(client, user, round_, unit, fmt):
    client.force_login(user)
    response = client.get(reverse("supervision:round_report", args=[round_.pk, unit.pk, fmt]))
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_the_college_report_holds_every_branch_its_findings_notes_and_orders(
    f, client, inspected, fmt
):
    response = _get(client, f.cast.committee_admin, inspected, f.org.committee, fmt)
    read = pdf_text if fmt == "pdf" else docx_text
    content = read(response.content)
    assert "检查情况通报：学习阶段中期检查（信息学院党委）" in content
    for expected in (
        "学习计划、学习记录、读书笔记",  # what was checked
        "第一督查组",
        "光学工程教工第一党支部",
        "光电博士生党支部（尚未检查）",
        "信电本科生第四党支部",
        "计划具体，分工明确",
        "需改进",
        "三名党员的笔记只有摘抄，没有联系实际",
        "未见第二次学习记录",
        "学习记录完整，讨论深入",
        "补写读书笔记，联系教学科研实际",
        "张丽",
        "已报完成",
        "已检查支部2/3个",
    ):
        assert expected in content, expected
    # The watch list is never in a report, even the committee's.
    assert "认识上疑虑较重" not in content and "重点人" not in content
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    assert f"round-{inspected.pk}-unit-{f.org.committee.pk}.{fmt}" in disposition
    assert "filename*=utf-8''" in disposition
    assert response["Cache-Control"] == "private, no-store"


def test_a_general_branch_report_holds_only_its_branches(f, client, inspected):
    response = _get(client, f.cast.gb_secretary, inspected, f.org.gb_a, "pdf")
    content = pdf_text(response.content)
    assert "光学工程教工第一党支部" in content and "光电博士生党支部" in content
    assert "信电本科生第四党支部" not in content and "未见第二次学习记录" not in content
    assert "已检查支部1/2个" in content


def test_a_branchs_supervisor_downloads_their_branchs_report_in_word(f, client, inspected):
    response = _get(client, f.cast.supervisor, inspected, f.org.branch_a1, "docx")
    content = docx_text(response.content)
    assert "光学工程教工第一党支部" in content and "光电博士生党支部" not in content
    assert "认识上疑虑较重" not in content
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )


def test_long_notes_run_across_pages(f, client):
    round_ = a_round(f)
    note = "联系实际不够。" * 1500 + "全文完"
    do_check(round_, f.org.branch_a1, {CheckItem.NOTES: ("needs_work", note)})
    response = _get(client, f.cast.committee_admin, round_, f.org.committee, "pdf")
    assert len(pypdf.PdfReader(io.BytesIO(response.content)).pages) >= 3
    assert "全文完" in pdf_text(response.content)
    response = _get(client, f.cast.committee_admin, round_, f.org.committee, "docx")
    assert "全文完" in docx_text(response.content)


def test_text_prints_as_written(f, client):
    round_ = a_round(f)
    do_check(round_, f.org.branch_a1, {CheckItem.NOTES: ("good", "<b>好</b> & 认真\x07")})
    for fmt, read in (("pdf", pdf_text), ("docx", docx_text)):
        response = _get(client, f.cast.committee_admin, round_, f.org.committee, fmt)
        assert "<b>好</b>&认真" in read(response.content)
