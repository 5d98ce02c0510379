"""Roster export (名册导出): the template's layout, the whole subtree, cells that a
spreadsheet would run as formulas neutralised, and a file that re-imports unchanged."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from conftest import make_member
from vanguard.organization.models import ImportJob, Member, Unit
from vanguard.organization.tests.test_roster_import import HEADERS, Unchanged, run_import


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def export(client, user, unit: Unit) -> bytes:
    client.force_login(user)
    response = client.get(reverse("organization:roster_export", args=[unit.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    return response.content


def rows_of(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_export_has_the_templates_headers_and_everything_under_the_unit(client, cast, org):
    rows = rows_of(export(client, cast.gb_secretary, org.gb_a))
    assert rows[0] == HEADERS
    by_number = {row[1]: row for row in rows[1:]}
    assert set(by_number) == {"T0001", "T0002", "T0003"}  # 陈刚 of B1 is not under A
    assert by_number["T0002"][:4] == ["王小明", "T0002", "教师", "正式党员"]
    assert by_number["T0002"][5:7] == ["光学工程教工第一党支部", "第一党小组"]
    assert by_number["T0002"][9] == "是"
    assert by_number["T0002"][4].date().isoformat() == "2001-07-01"


def test_cells_that_would_run_as_formulas_are_neutralised(client, cast, org):
    make_member(
        name='=HYPERLINK("http://evil.example","点我")', number="T0100", branch=org.branch_a1
    )
    Member.objects.filter(number="T0100").update(phone="+86 138 0000 1111", email="@evil")
    Member.objects.filter(number="T0003").update(name="-2+3")
    rows = rows_of(export(client, cast.secretary, org.branch_a1))
    by_number = {row[1]: row for row in rows[1:]}
    evil = by_number["T0100"]
    assert evil[0] == '\'=HYPERLINK("http://evil.example","点我")'
    assert evil[7] == "'+86 138 0000 1111"
    assert evil[8] == "'@evil"
    assert by_number["T0003"][0] == "'-2+3"
    # No cell of the file is a formula.
    sheet = openpyxl.load_workbook(io.BytesIO(export(client, cast.secretary, org.branch_a1)))
    assert not any(cell.data_type == "f" for row in sheet.worksheets[0].iter_rows() for cell in row)


def test_an_exported_roster_reimports_unchanged(client, cast, org):
    make_member(name="=1+1", number="T0100", branch=org.branch_a1)
    Member.objects.filter(number="T0100").update(
        phone="+8613800001111",  # phones are stored as digits
        email="a@example.edu.cn",
        is_active=False,
        joined_on=None,
    )
    Unit.objects.create(name="第一党小组", kind=Unit.Kind.PARTY_GROUP, parent=org.branch_a2)
    content = export(client, cast.gb_secretary, org.gb_a)
    before = Unchanged()

    job = run_import(cast.gb_secretary, org.gb_a, content, "光电系党总支名册.xlsx")

    assert job.status == ImportJob.Status.DONE, job.errors
    assert (job.summary["unchanged"], job.summary["created"], job.summary["updated"]) == (4, 0, 0)
    before.check()


def test_an_edited_export_updates_and_moves_members(client, cast, org):
    workbook = openpyxl.load_workbook(io.BytesIO(export(client, cast.gb_secretary, org.gb_a)))
    sheet = workbook.worksheets[0]
    for row in sheet.iter_rows(min_row=2):
        if row[1].value == "T0003":
            row[5].value = "光电博士生党支部"
        if row[1].value == "T0001":
            row[7].value = "13911112222"
    buffer = io.BytesIO()
    workbook.save(buffer)

    job = run_import(cast.gb_secretary, org.gb_a, buffer.getvalue())

    assert (job.summary["moved"], job.summary["updated"], job.summary["unchanged"]) == (1, 1, 1)
    assert Member.objects.get(number="T0003").branch == org.branch_a2
    assert Member.objects.get(number="T0001").phone == "13911112222"


def test_branch_names_shared_in_the_exported_unit_are_written_with_their_parent(client, cast, org):
    twin = Unit.objects.create(name="光电博士生党支部", kind=Unit.Kind.BRANCH, parent=org.gb_b)
    make_member(name="孙立", number="S0100", branch=twin)
    make_member(name="钱多", number="T0100", branch=org.branch_a2)
    content = export(client, cast.committee_admin, org.committee)
    by_number = {row[1]: row for row in rows_of(content)[1:]}
    assert by_number["S0100"][5] == "信电系党总支/光电博士生党支部"
    assert by_number["T0100"][5] == "光电系党总支/光电博士生党支部"
    assert by_number["T0001"][5] == "光学工程教工第一党支部"
    job = run_import(cast.committee_admin, org.committee, content)
    assert job.status == ImportJob.Status.DONE and job.summary["unchanged"] == 6, job.errors


def test_those_who_see_a_branch_but_do_not_keep_its_roster_may_not_export_it(client, cast, org):
    for user in (cast.supervisor, cast.observer, cast.branch_committee, cast.member):
        client.force_login(user)
        response = client.get(reverse("organization:roster_export", args=[org.branch_a1.pk]))
        assert response.status_code == 403, user
