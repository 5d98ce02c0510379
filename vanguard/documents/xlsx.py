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
from openpyxl.styles.cell_style import StyleArray
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
    # One pass over the rows written, bounded: `sheet[n]` works out the sheet's width
    # from every cell each time, which made a long table quadratic.
    # Each cell's alignment is set by its index in the workbook's list of alignments,
    # looked up once per column: `cell.alignment = …` hashes the style again for every
    # cell (openpyxl's StyleDescriptor does exactly this assignment).
    alignments = [
        workbook._alignments.add(WRAPPED if column.wrap else TOP)  # type: ignore[attr-defined]
        for column in columns
    ]
    body = sheet.iter_rows(min_row=2, max_row=count, max_col=max(len(columns), 1))
    for cells in body:
        for cell, alignment in zip(cells, alignments, strict=False):
            if not cell._style:
                cell._style = StyleArray()
            cell._style.alignmentId = alignment
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
