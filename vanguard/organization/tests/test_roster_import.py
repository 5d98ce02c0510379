"""Roster import (名册导入): real .xlsx files built with openpyxl, imported as a person
would, through the service the page and the API call.

The organisation (conftest.py): 信息学院党委 → 光电系党总支 (光学工程教工第一党支部 A1
with 第一党小组, 光电博士生党支部 A2) and 信电系党总支 (信电本科生第四党支部 B1).
A1 holds T0001 李书记, T0002 王小明 (第一党小组), T0003 张丽; B1 holds S0001 陈刚."""

from __future__ import annotations

import datetime
import io
import zipfile
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from vanguard.audit.models import AuditEntry
from vanguard.organization.models import ImportJob, Member, MemberTransfer, Unit
from vanguard.organization.roster import fileformat, jobs, reading, writing

HEADERS = [fileformat.zh(header) for header in fileformat.HEADERS]


def xlsx(rows: list[list[Any]], headers: list[str] | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADERS if headers is None else headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def person(
    name: str = "赵新",
    number: str = "T0100",
    branch: str = "光学工程教工第一党支部",
    *,
    category: str = "教师",
    standing: str = "正式党员",
    joined: Any = "2010-07-01",
    group: str = "",
    phone: Any = "",
    email: str = "",
    active: str = "是",
) -> list[Any]:
    return [name, number, category, standing, joined, branch, group, phone, email, active]


def run_import(user, unit: Unit, content: bytes, name: str = "名册.xlsx") -> ImportJob:
    upload = SimpleUploadedFile(name, content)
    return jobs.import_job_submit(user=user, unit=unit, upload=upload)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


class Unchanged:
    """Asserts that neither the members nor the audit trail changed."""

    def __init__(self) -> None:
        self.members = list(Member.objects.order_by("pk").values())
        self.audit = AuditEntry.objects.count()
        self.transfers = MemberTransfer.objects.count()

    def check(self) -> None:
        assert list(Member.objects.order_by("pk").values()) == self.members
        assert AuditEntry.objects.count() == self.audit
        assert MemberTransfer.objects.count() == self.transfers


def texts(job: ImportJob) -> list[str]:
    return [reading.error_text(error) for error in job.errors]


# --- The template ---------------------------------------------------------------


def test_template_has_the_chinese_headers_and_a_guide_to_allowed_values(client, cast):
    client.force_login(cast.secretary)
    response = client.get(reverse("organization:roster_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    assert [cell.value for cell in sheet[1]] == [
        "姓名",
        "工号/学号",
        "人员类别",
        "党员类型",
        "入党时间",
        "所在支部",
        "党小组",
        "手机",
        "电子邮箱",
        "在册",
    ]
    assert sheet.max_row == 1  # no sample row that would be imported by mistake
    guide = "\n".join(
        str(cell.value) for row in workbook["填写说明"].iter_rows() for cell in row if cell.value
    )
    for label in ("教师", "本科生", "博士研究生", "退休人员", "正式党员", "预备党员"):
        assert label in guide


def test_filled_in_template_imports_as_new_members(cast, org):
    template = openpyxl.load_workbook(io.BytesIO(fileformat.template_workbook()))
    sheet = template.worksheets[0]
    sheet.append(
        person(
            "赵新",
            "T0100",
            group="第一党小组",
            phone=13800001111,
            email="zhao@example.edu.cn",
            joined=datetime.datetime(2010, 7, 1),
        )
    )
    sheet.append(
        person(
            "钱多",
            "T0101",
            category="博士研究生",
            standing="预备党员",
            branch="光电博士生党支部",
            joined="2024/6/30",
            active="",
        )
    )
    buffer = io.BytesIO()
    template.save(buffer)

    job = run_import(cast.gb_secretary, org.gb_a, buffer.getvalue())

    assert job.status == ImportJob.Status.DONE, texts(job)
    assert job.summary["created"] == 2
    zhao = Member.objects.get(number="T0100")
    assert (zhao.name, zhao.branch, zhao.party_group, zhao.category, zhao.standing) == (
        "赵新",
        org.branch_a1,
        org.group_a1,
        Member.Category.FACULTY,
        Member.Standing.FORMAL,
    )
    assert (zhao.phone, zhao.email, zhao.joined_on) == (
        "13800001111",
        "zhao@example.edu.cn",
        datetime.date(2010, 7, 1),
    )
    qian = Member.objects.get(number="T0101")
    assert (qian.branch, qian.category, qian.standing, qian.is_active, qian.joined_on) == (
        org.branch_a2,
        Member.Category.DOCTORAL,
        Member.Standing.PROBATIONARY,
        True,
        datetime.date(2024, 6, 30),
    )
    created = AuditEntry.objects.filter(object_type="organization.member", action="create")
    assert {entry.object_id for entry in created} == {str(zhao.pk), str(qian.pk)}
    assert all(entry.actor_id == cast.gb_secretary.pk for entry in created)
    # The stored upload is removed once the job is finished; the job keeps the outcome.
    assert not job.file


def test_english_codes_are_accepted_as_well_as_chinese_labels(cast, org):
    job = run_import(
        cast.secretary,
        org.branch_a1,
        xlsx(
            [
                person(number="T0100", category="faculty", standing="probationary", active="no"),
            ]
        ),
    )
    assert job.status == ImportJob.Status.DONE, texts(job)
    member = Member.objects.get(number="T0100")
    assert (member.category, member.standing, member.is_active) == (
        "faculty",
        "probationary",
        False,
    )


# --- Re-import, update, move ----------------------------------------------------------


def test_reimporting_the_same_file_changes_nothing(cast, org):
    content = xlsx([person("赵新", "T0100"), person("钱多", "T0101", group="第一党小组")])
    first = run_import(cast.secretary, org.branch_a1, content)
    assert first.summary["created"] == 2
    before = Unchanged()

    again = run_import(cast.secretary, org.branch_a1, content)

    assert again.status == ImportJob.Status.DONE
    assert {k: again.summary[k] for k in ("created", "updated", "moved", "unchanged")} == {
        "created": 0,
        "updated": 0,
        "moved": 0,
        "unchanged": 2,
    }
    before.check()


def test_a_changed_row_updates_the_member_found_by_number(cast, org):
    colleague = cast.colleague_record  # 张丽, T0003
    before = AuditEntry.objects.count()

    job = run_import(
        cast.secretary,
        org.branch_a1,
        xlsx(
            [
                person(
                    "张丽", "T0003", joined="2001-07-01", phone="13900002222", standing="预备党员"
                ),
            ]
        ),
    )

    assert job.summary["updated"] == 1 and job.summary["created"] == 0
    colleague.refresh_from_db()
    assert colleague.phone == "13900002222"
    assert colleague.standing == Member.Standing.PROBATIONARY
    assert Member.objects.filter(number="T0003").count() == 1
    entry = AuditEntry.objects.get(object_type="organization.member", object_id=str(colleague.pk))
    assert entry.action == "update" and entry.actor_id == cast.secretary.pk
    assert entry.before["phone"] == "" and entry.after["phone"] == "13900002222"
    assert AuditEntry.objects.count() == before + 1


def test_a_member_named_in_another_branch_is_moved_with_transfer_history(cast, org):
    colleague = cast.colleague_record  # in A1

    job = run_import(
        cast.gb_secretary,
        org.gb_a,
        xlsx(
            [
                person("张丽", "T0003", branch="光电博士生党支部", joined="2001-07-01"),
            ]
        ),
    )

    assert job.summary["moved"] == 1, texts(job)
    colleague.refresh_from_db()
    assert colleague.branch == org.branch_a2
    transfer = MemberTransfer.objects.get(member=colleague)
    assert (transfer.from_branch, transfer.to_branch, transfer.moved_by) == (
        org.branch_a1,
        org.branch_a2,
        cast.gb_secretary,
    )
    assert AuditEntry.objects.filter(
        object_type="organization.membertransfer", object_id=str(transfer.pk)
    ).exists()
    entry = AuditEntry.objects.get(object_type="organization.member", object_id=str(colleague.pk))
    assert entry.before["branch_id"] == org.branch_a1.pk
    assert entry.after["branch_id"] == org.branch_a2.pk


def test_members_missing_from_the_file_are_left_alone(cast, org):
    job = run_import(cast.secretary, org.branch_a1, xlsx([person("赵新", "T0100")]))
    assert job.status == ImportJob.Status.DONE
    assert set(Member.objects.filter(branch=org.branch_a1).values_list("number", "is_active")) == {
        ("T0001", True),
        ("T0002", True),
        ("T0003", True),
        ("T0100", True),
    }


def test_a_branch_name_shared_by_two_general_branches_is_written_with_its_parent(cast, org):
    Unit.objects.create(name="光电博士生党支部", kind=Unit.Kind.BRANCH, parent=org.gb_b)
    before = Unchanged()
    ambiguous = run_import(
        cast.committee_admin,
        org.committee,
        xlsx(
            [
                person(number="T0100", branch="光电博士生党支部"),
            ]
        ),
    )
    assert ambiguous.status == ImportJob.Status.FAILED
    assert ambiguous.errors[0]["row"] == 2 and ambiguous.errors[0]["column"] == "所在支部"
    assert "光电系党总支/光电博士生党支部" in ambiguous.errors[0]["message"]
    before.check()

    job = run_import(
        cast.committee_admin,
        org.committee,
        xlsx(
            [
                person(number="T0100", branch="光电系党总支/光电博士生党支部"),
            ]
        ),
    )
    assert job.status == ImportJob.Status.DONE, texts(job)
    assert Member.objects.get(number="T0100").branch == org.branch_a2


# --- Bad files: a clear message, nothing changed -----------------------------------------


def test_a_file_that_is_not_an_xlsx_is_refused_by_content_not_by_name(client, cast, org):
    client.force_login(cast.secretary)  # a login is itself audited
    before = Unchanged()
    response = client.post(
        reverse("organization:roster_import"),
        {
            "unit": org.branch_a1.pk,
            "file": SimpleUploadedFile("名册.xlsx", "姓名,工号\n赵新,T0100\n".encode()),
        },
    )
    assert response.status_code == 200
    assert (
        "文件“名册.xlsx”是文本文件（如 CSV），只是扩展名改成了 .xlsx" in response.content.decode()
    )
    assert not ImportJob.objects.exists()
    before.check()


def test_an_old_xls_file_is_told_to_be_saved_as_xlsx(cast, org):
    with pytest.raises(reading.ValidationError) as refused:
        run_import(cast.secretary, org.branch_a1, b"\xd0\xcf\x11\xe0" + b"\0" * 100, "名册.xls")
    assert "名册.xls" in refused.value.messages[0] and ".xlsx" in refused.value.messages[0]


def test_a_zip_that_is_not_a_workbook_fails_and_names_the_file(cast, org):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    before = Unchanged()
    with pytest.raises(reading.ValidationError) as refused:
        run_import(cast.secretary, org.branch_a1, buffer.getvalue(), "总结.docx")
    assert "文件“总结.docx”不是 Excel 工作簿" in refused.value.messages[0]
    assert not ImportJob.objects.exists()  # refused on upload, before it is stored
    before.check()


def test_a_roster_with_headers_and_no_rows_is_refused(cast, org):
    before = Unchanged()
    job = run_import(cast.secretary, org.branch_a1, xlsx([[], []]), "空名册.xlsx")
    assert job.status == ImportJob.Status.FAILED
    assert texts(job) == ["文件“空名册.xlsx”没有数据行：第 1 行是表头，从下一行起每行一名党员。"]
    before.check()


def test_an_empty_sheet_is_refused(cast, org):
    job = run_import(cast.secretary, org.branch_a1, xlsx([], headers=[]), "空白.xlsx")
    assert job.status == ImportJob.Status.FAILED
    assert "文件“空白.xlsx”的工作表是空的" in texts(job)[0]


def test_wrong_and_missing_headers_are_each_named(cast, org):
    headers = [h for h in HEADERS if h != "所在支部"]
    headers[1] = "学号"  # another name offices use for the column: accepted
    headers[2] = "姓名"  # twice
    before = Unchanged()
    job = run_import(cast.secretary, org.branch_a1, xlsx([person()], headers=headers))
    assert job.status == ImportJob.Status.FAILED
    faults = {(e["row"], e["column"]) for e in job.errors}
    assert faults == {(1, "姓名"), (1, "人员类别"), (1, "所在支部")}
    assert "第 1 行「所在支部」：缺少这一列（表头在第 1 行）" in texts(job)
    assert "第 1 行「姓名」（Sheet!C1）：这一列出现了两次" in texts(job)
    before.check()


def test_a_number_repeated_in_the_file_names_both_rows(cast, org):
    before = Unchanged()
    job = run_import(
        cast.secretary,
        org.branch_a1,
        xlsx(
            [
                person("赵新", "T0100"),
                person("钱多", "T0101"),
                person("孙立", "T0100"),
            ]
        ),
    )
    assert job.status == ImportJob.Status.FAILED
    assert texts(job) == ["第 4 行「工号/学号」（Sheet!B4）：工号/学号“T0100”与第 2 行重复"]
    before.check()


def test_an_unknown_branch_is_named_with_its_row(cast, org):
    before = Unchanged()
    job = run_import(
        cast.secretary,
        org.branch_a1,
        xlsx(
            [
                person(number="T0100"),
                person(number="T0101", branch="信电本科生第四党支部"),
            ]
        ),
    )
    assert job.status == ImportJob.Status.FAILED
    assert texts(job) == [
        "第 3 行「所在支部」（Sheet!F3）："
        "在“光学工程教工第一党支部”中找不到支部“信电本科生第四党支部”"
    ]
    before.check()


def test_a_party_group_must_belong_to_the_rows_branch(cast, org):
    job = run_import(
        cast.gb_secretary,
        org.gb_a,
        xlsx(
            [
                person(number="T0100", branch="光电博士生党支部", group="第一党小组"),
            ]
        ),
    )
    assert texts(job) == [
        "第 2 行「党小组」（Sheet!G2）：“光电博士生党支部”没有名为“第一党小组”的党小组"
    ]


def test_a_file_over_the_size_limit_is_refused_and_named(client, cast, org, settings):
    settings.ROSTER_MAX_UPLOAD_BYTES = 1000
    client.force_login(cast.secretary)  # a login is itself audited
    before = Unchanged()
    response = client.post(
        reverse("organization:roster_import"),
        {
            "unit": org.branch_a1.pk,
            "file": SimpleUploadedFile("全校名册.xlsx", xlsx([person()] * 50)),
        },
    )
    page = response.content.decode()
    assert "文件“全校名册.xlsx”有" in page and "超过了上限 1000" in page
    assert not ImportJob.objects.exists()
    before.check()


def test_every_bad_cell_is_reported_by_row_and_column_and_nothing_is_written(cast, org):
    before = Unchanged()
    job = run_import(
        cast.secretary,
        org.branch_a1,
        xlsx(
            [
                person("赵新", "T0100"),  # good, but not written either
                person("钱多", "T0101", joined="2001-13-45"),
                person("孙立", "T0102", category="教授"),
                person("李四", "T0103", standing="群众"),
                person("周五", "T0104", email="zhou@"),
                person("吴六", "T0105", active="也许"),
                person("", "T0106", phone="电话"),
                person("郑八", "", joined="2999-01-01"),
            ]
        ),
    )
    assert job.status == ImportJob.Status.FAILED
    assert {(e["row"], e["column"]) for e in job.errors} == {
        (3, "入党时间"),
        (4, "人员类别"),
        (5, "党员类型"),
        (6, "电子邮箱"),
        (7, "在册"),
        (8, "姓名"),
        (8, "手机"),
        (9, "工号/学号"),
        (9, "入党时间"),
    }
    messages = texts(job)
    assert (
        "第 3 行「入党时间」（Sheet!E3）：“2001-13-45”不是有效的日期，应写成如 2001-07-01"
        in messages
    )
    assert any(
        m.startswith("第 4 行「人员类别」（Sheet!C4）：“教授”不是可选的值，可选：教师、")
        for m in messages
    )
    assert "第 6 行「电子邮箱」（Sheet!I6）：“zhou@”不是有效的电子邮箱地址" in messages
    assert job.summary["error_count"] == 9
    assert not Member.objects.filter(number="T0100").exists()
    before.check()


def test_a_number_held_outside_the_importers_roster_is_refused_without_saying_whose(cast, org):
    # 陈刚 (S0001) is in branch B1, which the secretary of A1 does not keep.
    before = Unchanged()
    job = run_import(cast.secretary, org.branch_a1, xlsx([person("冒名", "S0001")]))
    assert job.status == ImportJob.Status.FAILED
    assert texts(job) == [
        "第 2 行「工号/学号」（Sheet!B2）：工号/学号“S0001”已属于您无权管理的党员，不能导入或修改"
    ]
    assert "陈刚" not in texts(job)[0] and "信电" not in texts(job)[0]
    before.check()


def test_the_committee_admin_may_move_a_member_between_general_branches(cast, org):
    job = run_import(
        cast.committee_admin,
        org.gb_a,
        xlsx(
            [
                person("陈刚", "S0001", category="本科生", joined="2001-07-01"),
            ]
        ),
    )
    assert job.summary["moved"] == 1, texts(job)
    assert Member.objects.get(number="S0001").branch == org.branch_a1


def test_the_import_is_refused_if_the_roster_right_was_lost_before_it_ran(cast, org):
    job = jobs.import_job_create(
        user=cast.secretary,
        unit=org.branch_a1,
        upload=SimpleUploadedFile("名册.xlsx", xlsx([person()])),
    )
    cast.secretary.role_assignments.all().delete()
    before = Unchanged()
    jobs.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "无权导入" in texts(job)[0]
    before.check()


# --- Pages --------------------------------------------------------------------------------


def test_import_page_offers_only_the_units_whose_roster_the_user_keeps(client, cast, org):
    client.force_login(cast.gb_secretary)
    page = client.get(reverse("organization:roster_import")).content.decode()
    assert org.gb_a.name in page and org.branch_a2.name in page
    assert org.gb_b.name not in page and org.branch_b1.name not in page
    assert reverse("organization:roster_template") in page


def test_a_secretary_cannot_import_into_a_unit_above_their_branch(client, cast, org):
    client.force_login(cast.secretary)
    response = client.post(
        reverse("organization:roster_import"),
        {
            "unit": org.gb_a.pk,
            "file": SimpleUploadedFile("名册.xlsx", xlsx([person()])),
        },
    )
    assert response.status_code == 200  # the choice is not offered: the form says so
    assert not ImportJob.objects.exists()


def test_uploading_on_the_page_shows_the_job_with_its_errors(client, cast, org):
    client.force_login(cast.secretary)
    response = client.post(
        reverse("organization:roster_import"),
        {
            "unit": org.branch_a1.pk,
            "file": SimpleUploadedFile(
                "名册.xlsx", xlsx([person(number="T0100", category="教授")])
            ),
        },
        follow=True,
    )
    page = response.content.decode()
    job = ImportJob.objects.get()
    assert response.redirect_chain[-1][0] == reverse("organization:roster_job", args=[job.pk])
    assert "名册没有导入，系统中的数据没有任何改动" in page
    assert "第 2 行" in page and "人员类别" in page and "“教授”不是可选的值" in page
    assert 'hx-trigger="every 1s"' not in page  # finished: no more polling


def test_a_pending_job_polls_for_progress_and_shows_a_progress_bar(client, cast, org):
    job = ImportJob.objects.create(
        created_by=cast.secretary,
        unit=org.branch_a1,
        original_name="名册.xlsx",
        status=ImportJob.Status.VALIDATING,
        total_rows=30000,
        processed_rows=1500,
    )
    client.force_login(cast.secretary)
    partial = client.get(reverse("organization:roster_job_progress", args=[job.pk]))
    html = partial.content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert f'hx-get="{reverse("organization:roster_job_progress", args=[job.pk])}"' in html
    assert '<progress value="1500" max="30000"' in html
    assert "已检查 1500 / 30000 行" in html


def test_a_finished_job_shows_its_counts(client, cast, org):
    client.force_login(cast.secretary)
    client.post(
        reverse("organization:roster_import"),
        {
            "unit": org.branch_a1.pk,
            "file": SimpleUploadedFile("名册.xlsx", xlsx([person()])),
        },
    )
    job = ImportJob.objects.get()
    html = client.get(reverse("organization:roster_job", args=[job.pk])).content.decode()
    assert "名册已导入，共 1 行" in html
    assert '<span class="num" data-count="created">1</span>' in html


def test_a_failure_while_writing_rolls_back_every_row(cast, org, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    # Members are already inserted when the audit trail is written: all of it must go.
    monkeypatch.setattr(writing, "audit_record_many", broken)
    before = Unchanged()
    job = run_import(cast.secretary, org.branch_a1, xlsx([person("赵新", "T0100")]))
    assert job.status == ImportJob.Status.FAILED
    assert texts(job) == ["导入时发生系统错误，名册没有任何改动。请稍后再试，或联系管理员。"]
    before.check()


def test_progress_is_recorded_while_rows_are_checked(cast, org, monkeypatch):
    monkeypatch.setattr(reading, "PROGRESS_EVERY", 2)
    seen: list[tuple[int, int]] = []
    original = jobs._job_update

    def spy(job, **fields):
        if "processed_rows" in fields and "status" not in fields:
            seen.append((fields["processed_rows"], fields["total_rows"]))
        original(job, **fields)

    monkeypatch.setattr(jobs, "_job_update", spy)
    rows = [person(f"党员{i}", f"T{100 + i}") for i in range(5)]
    job = run_import(cast.secretary, org.branch_a1, xlsx(rows))
    assert job.status == ImportJob.Status.DONE
    assert seen == [(2, 5), (4, 5), (5, 5)]


def test_a_very_bad_file_lists_the_first_faults_and_counts_the_rest(cast, org, monkeypatch):
    monkeypatch.setattr(reading, "MAX_ERRORS", 3)
    job = run_import(
        cast.secretary,
        org.branch_a1,
        xlsx([person(number=f"T{100 + i}", category="教授") for i in range(5)]),
    )
    assert job.summary["error_count"] == 5
    assert [e["row"] for e in job.errors] == [2, 3, 4, None]
    assert texts(job)[-1] == "另有 2 处错误未列出，请先改正以上错误。"
