"""Roster import in a real browser: the branch secretary signs in through the login
form, uploads a roster with three bad rows, sees each of the three rows named with its
column, and nothing is imported. (The default task backend runs the import inline, in
the live server's thread.)"""

from __future__ import annotations

import io

import openpyxl
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from vanguard.audit.models import AuditEntry
from vanguard.organization.models import Member
from vanguard.organization.roster.fileformat import HEADERS, zh

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
A1 = "光学工程教工第一党支部"


def roster_file(rows: list[list]) -> dict:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([zh(header) for header in HEADERS])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return {"name": "一支部名册.xlsx", "mimeType": XLSX, "buffer": buffer.getvalue()}


def log_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{live_server.url}/")


def upload(page: Page, live_server, rows: list[list]) -> None:
    page.goto(f"{live_server.url}/org/roster/")
    expect(page.get_by_role("heading", name="导入党员名册")).to_be_visible()
    expect(page.get_by_label("导入到")).to_have_value(
        str(Member.objects.get(number="T0001").branch_id)
    )
    page.get_by_label("名册文件（.xlsx）").set_input_files(roster_file(rows))
    page.get_by_role("button", name="上传并导入").click()


def test_secretary_uploads_a_roster_with_three_bad_rows_and_nothing_is_imported(
    page: Page, live_server, cast
):
    members_before = Member.objects.count()
    log_in(page, live_server, cast.secretary.username)
    audit_before = AuditEntry.objects.count()  # after the login, which is itself recorded

    upload(
        page,
        live_server,
        [
            ["赵新", "T0100", "教师", "正式党员", "2010-07-01", A1, "", "", "", "是"],
            ["钱多", "T0101", "教授", "正式党员", "2011-07-01", A1, "", "", "", "是"],
            ["孙立", "T0102", "教师", "正式党员", "2012-07-01", "不存在的党支部", "", "", "", "是"],
            ["李四", "T0103", "教师", "正式党员", "2013-07-01", A1, "", "", "li@", "是"],
            ["周五", "T0104", "教师", "预备党员", "2024-07-01", A1, "第一党小组", "", "", "是"],
        ],
    )

    failed = page.locator(".roster-failed")
    expect(failed).to_contain_text("名册没有导入，系统中的数据没有任何改动")
    expect(failed).to_contain_text("3 处错误")
    errors = page.locator("table.roster-errors tbody tr")
    expect(errors).to_have_count(3)
    expect(errors.nth(0)).to_contain_text("第 3 行")
    expect(errors.nth(0)).to_contain_text("人员类别")
    expect(errors.nth(0)).to_contain_text("“教授”不是可选的值")
    expect(errors.nth(1)).to_contain_text("第 4 行")
    expect(errors.nth(1)).to_contain_text("所在支部")
    expect(errors.nth(1)).to_contain_text("找不到支部“不存在的党支部”")
    expect(errors.nth(2)).to_contain_text("第 5 行")
    expect(errors.nth(2)).to_contain_text("电子邮箱")
    assert Member.objects.count() == members_before
    assert not Member.objects.filter(number__in=["T0100", "T0104"]).exists()
    assert AuditEntry.objects.count() == audit_before


def test_secretary_fixes_the_roster_and_it_imports(page: Page, live_server, cast):
    log_in(page, live_server, cast.secretary.username)

    upload(
        page,
        live_server,
        [
            ["赵新", "T0100", "教师", "正式党员", "2010-07-01", A1, "", "", "", "是"],
            ["周五", "T0104", "教师", "预备党员", "2024-07-01", A1, "第一党小组", "", "", "是"],
        ],
    )

    expect(page.locator(".roster-result")).to_contain_text("名册已导入，共 2 行")
    expect(page.locator('[data-count="created"]')).to_have_text("2")
    assert Member.objects.filter(number__in=["T0100", "T0104"]).count() == 2
