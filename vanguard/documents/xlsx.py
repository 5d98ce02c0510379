"""Reusable plumbing for Excel workbooks (openpyxl): a sheet that is one table, as an
office keeps a list — a bold header row that stays in view (frozen) with a filter on
it, column widths, long text wrapped, dates as dates.

Every text cell is plain text: characters a workbook cannot hold are dropped, and text
a spreadsheet would run as a formula (`=cmd|…`, `+`, `-`, `@`) is neutralised as the
roster export does (`lib.text.neutralise_formula`), so it shows as written.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from vanguard.documents.text import xml_safe
from vanguard.lib.text import neutralise_formula

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="EEEEEE")
WRAPPED = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
DATE_FORMAT = "yyyy-mm-dd"
# A sheet's title: at most 31 characters, none of these.
_NOT_IN_TITLE = str.maketrans({c: "-" for c in "[]:*?/\\"})


@dataclass(frozen=True)
class Column:
    header: str
    width: float  # in characters (a Chinese character counts about two)
    wrap: bool = False  # long text: wrapped in the cell


def cell_value(value: Any) -> Any:
    """What a cell holds for `value`: text made safe (see the module), dates and numbers
    as themselves, None as empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | datetime.date):
        return value
    return neutralise_formula(xml_safe(value))


def new_workbook() -> Workbook:
    """An empty workbook: `table_sheet` adds the sheets, in order."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


def table_sheet(
    workbook: Workbook, title: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]]
) -> Worksheet:
    """A sheet holding one table: the header row, then one row per entry of `rows`."""
    sheet = workbook.create_sheet(xml_safe(title).translate(_NOT_IN_TITLE)[:31] or "-")
    sheet.append([column.header for column in columns])
    for cell in sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = TOP
    count = 1
    for row in rows:
        sheet.append([cell_value(value) for value in row])
        count += 1
        for cell, column in zip(sheet[count], columns, strict=False):
            cell.alignment = WRAPPED if column.wrap else TOP
            if isinstance(cell.value, datetime.date):
                cell.number_format = DATE_FORMAT
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    last = get_column_letter(max(len(columns), 1))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{last}{count}"
    return sheet


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
