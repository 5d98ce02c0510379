"""A workbook table as an office keeps one: read back with openpyxl."""

from __future__ import annotations

import datetime
import io

import openpyxl

from vanguard.documents import xlsx


def test_a_table_sheet_has_a_frozen_filtered_header_and_safe_text():
    book = xlsx.new_workbook()
    columns = [xlsx.Column("姓名", 10), xlsx.Column("说明", 40, wrap=True), xlsx.Column("日期", 12)]
    rows = [
        ["王小明", "=cmd|' /C calc'!A0", datetime.date(2026, 12, 1)],
        ["@SUM(A1)", "含控制符\x07的文字\n第二行", None],
    ]
    xlsx.table_sheet(book, "名单[1]/2", columns, rows)
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.workbook_bytes(book))).active
    assert sheet.title == "名单-1--2"
    assert [c.value for c in sheet[1]] == ["姓名", "说明", "日期"]
    assert sheet["A1"].font.b
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:C3"
    assert sheet.column_dimensions["B"].width == 40
    assert sheet["B2"].value == "'=cmd|' /C calc'!A0" and sheet["B2"].data_type == "s"
    assert sheet["A3"].value == "'@SUM(A1)"
    assert sheet["B3"].value == "含控制符的文字\n第二行" and sheet["B3"].alignment.wrap_text
    assert sheet["C2"].value == datetime.datetime(2026, 12, 1)
    assert sheet["C2"].number_format == "yyyy-mm-dd" and sheet["C3"].value is None
