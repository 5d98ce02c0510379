"""A member's plan exported for the annual assessment and post appointment (PDF and
Excel), read back as a person would read the file, and the plan's few lines on the
member's appraisal registration form (党员评议登记表)."""

from __future__ import annotations

import datetime
import io
import re
from urllib.parse import quote

import docx
import openpyxl
import pypdf
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import make_member
from vanguard.grading.registration_form import registration_form_docx, registration_form_pdf
from vanguard.grading.selectors_registration import branch_registrations, registration_data
from vanguard.meetings.tests.factories import education_campaign
from vanguard.organization.models import Member
from vanguard.rectification.exports import document, selectors
from vanguard.rectification.models import Item, ItemLink, Plan, Update
from vanguard.rectification.tests import factories
from vanguard.rectification.tests import factories_plans as fp
from vanguard.reviews import services as reviews

pytestmark = pytest.mark.django_db

SOURCE = "张三（学生）"
CONTACT = "13800000000"
FORMULA = "=cmd|' /C calc'!A0"
MARKUP = "<script>alert('x')</script> & <b>加粗</b>"


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages]


def _pdf_text(content: bytes) -> str:
    return "".join(_pdf_pages(content))


def _docx_text(content: bytes) -> str:
    document_ = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document_.paragraphs]
    for table in document_.tables:
        for row in table.rows:
            for cell in row.cells:
                parts.extend(p.text for p in cell.paragraphs)
    return "\n".join(parts)


def _submit_summary(f, campaign, text: str) -> None:
    """The member's personal summary (个人总结) submitted, as the form prints it."""
    member, user = f.cast.member_record, f.cast.member
    draft = reviews.document_for_member(member=member, campaign=campaign)
    assert draft is not None
    fields = {"problems": "问题", "roots": "根源", "direction": "方向", "summary": text}
    draft = reviews.draft_save(
        document=draft, data=fields, base_version=draft.draft_version, user=user
    )
    reviews.document_submit(document=draft, base_version=draft.draft_version, user=user)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def f(org, cast):
    class F:
        pass

    found = F()
    found.org, found.cast = org, cast  # type: ignore[attr-defined]
    return found


@pytest.fixture
def plan(f):
    """王小明's approved plan: an item answering an opinion (with a source) tagged for
    the annual assessment and post appointment, verified with a progress note; a
    second one overdue; a third with text that looks like a formula and like markup."""
    found = factories.member_plan(
        fp.campaign(f),
        f.cast.member_record,
        summary="对照群众意见，重点解决联系学生不够的问题。",
        status=Plan.Status.APPROVED,
        submitted_at=timezone.now(),
        approved_at=timezone.now(),
    )
    first = factories.item(
        found,
        problem="联系学生不够",
        measure="每月与两名学生谈心",
        standard="谈心记录六次",
        responsible=f.cast.member_record,
        deadline=fp.in_days(-5),
        tags=["annual_assessment", "post_appointment"],
        order=1,
    )
    ItemLink.objects.create(
        item=first, target=ItemLink.Target.OPINION, opinion=fp.member_opinion(f, source=SOURCE)
    )
    Update.objects.create(item=first, on=fp.in_days(-10), text="已与三名学生谈心")
    Update.objects.create(item=first, on=fp.in_days(-6), text="六次谈心记录已整理成册")
    first.status, first.done_at = Item.Status.VERIFIED, timezone.now()
    first.verified_at, first.verified_by = timezone.now(), f.cast.secretary
    first.verify_note = "记录齐全，同意验收"
    first.save()
    factories.item(
        found,
        problem="理论学习不够系统",
        measure="每周精读一章并写心得",
        standard="读完全书",
        deadline=fp.in_days(-1),
        tags=["teaching"],
        order=2,
    )
    factories.item(
        found,
        problem=FORMULA,
        measure=MARKUP,
        standard="+SUM(1,2)",
        deadline=fp.in_days(30),
        order=3,
    )
    return found


# --- The PDF ------------------------------------------------------------------------


def test_the_pdf_shows_the_member_the_plan_and_each_items_state(f, plan):
    response = _client(f.cast.member).get(reverse("rectification:plan_export_pdf", args=[plan.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline")
    assert quote("党员整改计划及落实情况-王小明.pdf", safe="") in disposition
    text = _flat(_pdf_text(response.content))
    for expected in (
        "党员整改计划及落实情况",
        "王小明",
        "光学工程教工第一党支部",
        fp.campaign(f).name,
        "已审核通过",
        "对照群众意见，重点解决联系学生不够的问题。",
        "问题措施责任人完成标准时限状态",
        "每月与两名学生谈心",
        "【关联】年度考核、聘岗",
        "【关联】教学",
        "年度考核1项",
        fp.OPINION_TEXT,  # what the item answers, as the member's sheet shows it
        "已验收",
        "已逾期",
        "六次谈心记录已整理成册",  # the latest update, not the first
        "记录齐全，同意验收",
        "本人（签字）",
        "支部书记（签字）",
    ):
        assert _flat(expected) in text, expected
    assert "已与三名学生谈心" not in text
    assert SOURCE not in text and CONTACT not in text and "张三" not in text


def test_text_in_the_pdf_prints_as_written(f, plan):
    content = document.plan_pdf(selectors.plan_export(plan))
    text = _pdf_text(content)
    assert FORMULA in text.replace("\n", "")
    assert _flat(MARKUP) in _flat(text)


def test_a_normal_plan_fits_on_one_page_and_a_long_one_runs_on(f, plan):
    assert len(_pdf_pages(document.plan_pdf(selectors.plan_export(plan)))) == 1
    for n in range(12):
        factories.item(plan, problem="问题" * 80, measure="措施" * 120, order=10 + n)
    plan.summary = "整改思路。" * 400 + "全文完"
    plan.save()
    pages = _pdf_pages(document.plan_pdf(selectors.plan_export(plan)))
    assert len(pages) > 2
    assert "全文完" in _flat("".join(pages))
    assert "本人（签字）" in _flat(pages[-1])


def test_a_plan_with_no_items_yet_still_exports(f):
    found = factories.member_plan(fp.campaign(f), f.cast.member_record)
    text = _flat(_pdf_text(document.plan_pdf(selectors.plan_export(found))))
    assert "撰写中" in text and "还没有整改事项" in text and "（未填写）" in text
    book = openpyxl.load_workbook(io.BytesIO(document.plan_xlsx(selectors.plan_export(found))))
    assert book["整改事项"].max_row == 1  # the header alone


# --- The workbook -------------------------------------------------------------------


def test_the_workbook_has_one_row_per_item_and_a_sheet_of_updates(f, plan):
    response = _client(f.cast.secretary).get(
        reverse("rectification:plan_export_xlsx", args=[plan.pk])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert quote("党员整改计划及落实情况-王小明.xlsx", safe="") in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["整改事项", "进展记录", "计划概况"]
    items = book["整改事项"]
    header = [c.value for c in items[1]]
    assert header[:11] == [
        "序号",
        "姓名",
        "工号或学号",
        "所在支部",
        "存在问题",
        "整改依据",
        "整改措施",
        "责任人",
        "完成标准",
        "完成时限",
        "状态",
    ]
    assert items.freeze_panes == "A2"
    assert items.auto_filter.ref == f"A1:S{items.max_row}"
    assert items.column_dimensions["E"].width >= 30
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in items.iter_rows(2)]
    assert [r["序号"] for r in rows] == [1, 2, 3]
    first, second, third = rows
    assert first["姓名"] == "王小明" and first["存在问题"] == "联系学生不够"
    assert fp.OPINION_TEXT in first["整改依据"]
    assert first["状态"] == "已验收" and first["关联"] == "年度考核、聘岗"
    assert first["验收意见"] == "记录齐全，同意验收"
    assert first["最新进展"] == "六次谈心记录已整理成册"
    assert isinstance(first["完成时限"], datetime.datetime)  # a date cell, not text
    assert first["完成时限"].date() == fp.in_days(-5)
    assert second["是否逾期"] == "是" and first["是否逾期"] == "否"
    # Formula-looking text is kept as text, neutralised, never a formula.
    for cell in items[4]:
        assert cell.data_type != "f"
    assert third["存在问题"] == "'" + FORMULA and third["完成标准"] == "'+SUM(1,2)"
    assert third["整改措施"] == MARKUP

    updates = book["进展记录"]
    assert [c.value for c in updates[1]] == ["事项序号", "日期", "进展情况", "佐证"]
    assert updates.freeze_panes == "A2" and updates.auto_filter.ref == "A1:D3"
    assert [(r[0].value, r[2].value) for r in updates.iter_rows(2)] == [
        (1, "已与三名学生谈心"),
        (1, "六次谈心记录已整理成册"),
    ]
    facts = dict(book["计划概况"].iter_rows(2, values_only=True))
    assert facts["姓名"] == "王小明" and facts["整改思路"] == plan.summary
    every = " ".join(
        str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row if v
    )
    assert SOURCE not in every and CONTACT not in every and "张三" not in every


def test_an_evidence_file_is_named_in_the_updates(f):
    update = fp.evidence_update(f)
    export = selectors.plan_export(update.item.plan)
    book = openpyxl.load_workbook(io.BytesIO(document.plan_xlsx(export)))
    assert book["进展记录"]["D2"].value == "佐证材料：读书照片.png"
    assert "佐证材料：读书照片.png" in _flat(_pdf_text(document.plan_pdf(export)))


# --- Who may download, and where the links are --------------------------------------


def test_a_branch_or_committee_plan_has_no_member_export(f):
    unit = fp.branch_plan(f)
    client = _client(f.cast.committee_admin)
    assert client.get(reverse("rectification:plan_detail", args=[unit.pk])).status_code == 200
    assert client.get(reverse("rectification:plan_export_pdf", args=[unit.pk])).status_code == 404


def test_the_plan_pages_link_to_the_exports(f, plan):
    pdf_url = reverse("rectification:plan_export_pdf", args=[plan.pk])
    xlsx_url = reverse("rectification:plan_export_xlsx", args=[plan.pk])
    own = _client(f.cast.member).get("/rectification/plans/mine/").content.decode()
    assert f'href="{pdf_url}"' in own and f'href="{xlsx_url}"' in own
    detail = reverse("rectification:plan_detail", args=[plan.pk])
    page = _client(f.cast.secretary).get(detail).content.decode()
    assert f'href="{pdf_url}"' in page and f'href="{xlsx_url}"' in page
    # A member with no plan yet has nothing to export.
    other = _client(f.cast.other_member).get("/rectification/plans/mine/").content.decode()
    assert "/export/" not in other


# --- The registration form ------------------------------------------------------------


def test_the_registration_form_carries_the_plan_in_a_few_lines(f, plan):
    data = registration_data(f.cast.member_record, plan.campaign)
    text = _flat(_pdf_text(registration_form_pdf(data)))
    assert "整改计划" in text
    assert "已审核通过" in text and "共3项，已验收1项" in text
    assert "整改思路：对照群众意见" in text
    assert "1.每月与两名学生谈心（已验收）" in text
    assert "2.每周精读一章并写心得（计划中）" in text
    assert "等" not in text.split("整改计划")[-1]  # three items: all listed
    assert SOURCE not in text
    words = _docx_text(registration_form_docx(data))
    assert "整改思路：对照群众意见" in words and "1. 每月与两名学生谈心（已验收）" in words


def test_a_long_plan_is_cut_to_its_first_items_and_says_so(f, plan):
    for n in range(4):
        factories.item(plan, measure=f"第{n + 4}条措施" + "很长的措施说明" * 20, order=10 + n)
    plan.summary = "整改思路很长。" * 100
    plan.save()
    me = f.cast.member_record
    _submit_summary(f, plan.campaign, "本年度认真学习。" * 30)  # of a normal length

    data = registration_data(me, plan.campaign)
    section = data.extra[0]
    assert section.label == "整改计划"
    # Five lines at most: status, summary, the first two items, "等N项".
    assert len(section.lines) == 5
    assert [line[:3] for line in section.lines[2:4]] == ["1. ", "2. "]
    assert all(len(line) <= 40 for line in section.lines[:-1])
    assert section.lines[-1].startswith("……等 7 项")
    assert "党员整改计划及落实情况" in section.lines[-1]
    content = registration_form_pdf(data)
    assert len(_pdf_pages(content)) == 1  # still one page
    text = _flat(_pdf_text(content))
    assert "……等7项" in text and "第4条措施" not in text
    assert "等 7 项" in _docx_text(registration_form_docx(data))


def test_a_draft_plan_is_not_on_the_form_and_a_member_without_a_plan_sees_no_change(f):
    campaign = fp.campaign(f)
    me = f.cast.member_record
    before_pdf = _pdf_text(registration_form_pdf(registration_data(me, campaign)))
    before_docx = _docx_text(registration_form_docx(registration_data(me, campaign)))
    draft = factories.member_plan(campaign, me, summary="尚未提交的思路")
    factories.item(draft)
    data = registration_data(me, campaign)
    assert data.extra == []
    assert _pdf_text(registration_form_pdf(data)) == before_pdf
    assert _docx_text(registration_form_docx(data)) == before_docx
    assert "整改计划" not in before_pdf
    draft.status, draft.submitted_at = Plan.Status.SUBMITTED, timezone.now()
    draft.save()
    text = _flat(_pdf_text(registration_form_pdf(registration_data(me, campaign))))
    assert "已提交，待审阅；共1项" in text


def test_the_branch_bundle_reads_every_plan_in_a_fixed_number_of_queries(
    f, django_assert_max_num_queries
):
    campaign = education_campaign(f.org.committee)
    branch = f.org.branch_a1

    def submitted(member: Member) -> None:
        found = factories.member_plan(
            campaign, member, status=Plan.Status.SUBMITTED, submitted_at=timezone.now()
        )
        factories.item(found, measure=f"{member.name}的措施")
        factories.item(found, measure="第二条")

    submitted(f.cast.member_record)
    with django_assert_max_num_queries(100) as captured:
        branch_registrations(branch, campaign)
    few = len(captured.captured_queries)
    for n in range(6):
        submitted(make_member(name=f"新党员{n}", number=f"T09{n:02d}", branch=branch))
    with django_assert_max_num_queries(few):
        forms = branch_registrations(branch, campaign)
    lines = {form.name: form.extra[0].lines for form in forms if form.extra}
    assert len(lines) == 7
    assert "1. 新党员3的措施（计划中）" in lines["新党员3"]
    assert "1. 王小明的措施（计划中）" in lines["王小明"]
    assert not any(form.extra for form in forms if form.name in ("李书记", "张丽"))


def test_the_export_reads_a_fixed_number_of_queries_whatever_the_plan_holds(
    f, plan, django_assert_max_num_queries
):
    client = _client(f.cast.secretary)
    url = reverse("rectification:plan_export_xlsx", args=[plan.pk])
    with django_assert_max_num_queries(100) as captured:
        assert client.get(url).status_code == 200
    few = len(captured.captured_queries)
    for n in range(8):
        found = factories.item(plan, responsible=f.cast.colleague_record, order=20 + n)
        Update.objects.create(item=found, on=fp.in_days(-1), text=f"进展{n}")
    with django_assert_max_num_queries(few):
        assert client.get(url).status_code == 200
