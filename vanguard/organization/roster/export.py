"""A unit's roster written as an .xlsx in the template's layout (名册导出), so that an
exported file, changed or not, imports again."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable
from typing import Any

import openpyxl
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell

from vanguard.organization.models import Member, Unit
from vanguard.organization.roster.fileformat import (
    COLUMNS,
    HEADER_FONT,
    HEADERS,
    NO,
    ROSTER_SHEET,
    YES,
    neutralise,
    zh,
)


def export_filename(unit: Unit) -> str:
    return _("%(unit)s名册-%(date)s.xlsx") % {
        "unit": unit.name,
        "date": timezone.localdate().isoformat(),
    }


def _branch_labels(units: Iterable[Unit]) -> dict[int, str]:
    """How each branch is named in a file: its name, or "上级/名称" where the name is shared."""
    units = list(units)
    counts = Counter(unit.name for unit in units)
    return {
        unit.pk: (
            unit.name
            if counts[unit.name] == 1 or unit.parent is None
            else f"{unit.parent.name}/{unit.name}"
        )
        for unit in units
    }


def roster_export(*, unit: Unit) -> bytes:
    """The roster of `unit` and everything below it, in the template's layout.

    Members no longer on the roster (在册 = 否) are included, so that the file is the
    whole record and re-imports unchanged. Text cells are neutralised."""
    if unit.kind == Unit.Kind.PARTY_GROUP:
        members = Member.objects.filter(party_group=unit)
        branch_units = Unit.objects.filter(pk=unit.parent_id or 0)
    else:
        members = Member.objects.filter(branch__path__startswith=unit.path)
        branch_units = Unit.objects.filter(path__startswith=unit.path, kind=Unit.Kind.BRANCH)
    labels = _branch_labels(branch_units.select_related("parent"))
    # Party groups sit below their branch, so the subtree holds every group named.
    group_names = dict(
        Unit.objects.filter(path__startswith=unit.path, kind=Unit.Kind.PARTY_GROUP).values_list(
            "pk", "name"
        )
    )
    with translation.override("zh-hans"):
        categories = {value: str(label) for value, label in Member.Category.choices}
        standings = {value: str(label) for value, label in Member.Standing.choices}
        yes, no = _(YES), _(NO)

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(zh(ROSTER_SHEET))
    for index, column in enumerate(COLUMNS):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index + 1)].width = (
            column.width + 4
        )
    header = []
    for text in HEADERS:
        cell = WriteOnlyCell(sheet, value=zh(text))
        cell.font = HEADER_FONT
        header.append(cell)
    sheet.append(header)
    rows = (
        members.order_by("branch__path", "number")
        .values_list(
            "name",
            "number",
            "category",
            "standing",
            "joined_on",
            "branch_id",
            "party_group_id",
            "phone",
            "email",
            "is_active",
        )
        .iterator(chunk_size=2000)
    )
    for (
        name,
        number,
        category,
        standing,
        joined_on,
        branch_id,
        group_id,
        phone,
        email,
        active,
    ) in rows:
        joined_cell: Any = ""
        if joined_on is not None:
            joined_cell = WriteOnlyCell(sheet, value=joined_on)
            joined_cell.number_format = "yyyy-mm-dd"
        sheet.append(
            [
                neutralise(name),
                neutralise(number),
                categories.get(category, category),
                standings.get(standing, standing),
                joined_cell,
                neutralise(labels.get(branch_id, "")),
                neutralise(group_names.get(group_id, "")) if group_id else "",
                neutralise(phone),
                neutralise(email),
                yes if active else no,
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
