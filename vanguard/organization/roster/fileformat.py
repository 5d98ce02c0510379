"""The roster file format: its columns, their headers and guide, how a file spells a
choice, and the empty template (名册模板).

The column headers and the value labels in a file are always Chinese, whatever the
page language: the workbook is a file format shared with college offices, so the
headers below are marked for translation (`gettext_noop`) but written as they are.
An export uses the template's headers, so an exported file re-imports unchanged.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import openpyxl
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from vanguard.lib.text import neutralise_formula, unneutralise_formula
from vanguard.organization.models import Member

ROSTER_SHEET = gettext_noop("名册")
GUIDE_SHEET = gettext_noop("填写说明")
YES = gettext_noop("是")
NO = gettext_noop("否")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    width: int
    guide: str  # what the guide sheet says about the column


COLUMNS: tuple[Column, ...] = (
    Column("name", gettext_noop("姓名"), True, 12, gettext_noop("不超过 50 个字。")),
    Column(
        "number",
        gettext_noop("工号/学号"),
        True,
        14,
        gettext_noop("每人唯一，用来识别党员：号码已在系统中的，按本行修改该党员的信息。"),
    ),
    Column("category", gettext_noop("人员类别"), True, 12, ""),  # the guide lists the labels
    Column("standing", gettext_noop("党员类型"), True, 10, ""),
    Column(
        "joined_on",
        gettext_noop("入党时间"),
        False,
        12,
        gettext_noop("日期，如 2001-07-01 或 2001/7/1；可留空。"),
    ),
    Column(
        "branch",
        gettext_noop("所在支部"),
        True,
        24,
        gettext_noop(
            "导入范围内党支部的名称；范围内有同名支部时写成“上级组织/支部名称”。"
            "与系统中不同的，该党员转入此支部并记录组织关系转接。"
        ),
    ),
    Column(
        "party_group",
        gettext_noop("党小组"),
        False,
        12,
        gettext_noop("本支部党小组的名称；可留空。"),
    ),
    Column("phone", gettext_noop("手机"), False, 14, gettext_noop("可留空。")),
    Column("email", gettext_noop("电子邮箱"), False, 22, gettext_noop("可留空。")),
    Column(
        "is_active",
        gettext_noop("在册"),
        False,
        6,
        gettext_noop("“是”或“否”；留空视为“是”。名册中没有的党员不会被删除或改为不在册。"),
    ),
)
HEADERS = tuple(column.header for column in COLUMNS)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}

# Beyond this, a file is refused rather than read: a roster of a whole university is
# about 30,000 rows. The template's drop-down lists reach this far.
MAX_ROWS = 100_000
# The first bytes of an .xlsx (a zip) and of the old binary .xls.
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"

# Other headers offices write for a column (a header is compared after folding
# full-width characters and dropping spaces, asterisks and "(必填)").
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "name": (gettext_noop("党员姓名"),),
    "number": (gettext_noop("工号"), gettext_noop("学号"), gettext_noop("学工号")),
    "standing": (gettext_noop("党员身份"), gettext_noop("党员类别")),
    "joined_on": (gettext_noop("入党日期"),),
    "branch": (gettext_noop("支部"), gettext_noop("所在党支部"), gettext_noop("党支部")),
    "phone": (gettext_noop("手机号"), gettext_noop("手机号码"), gettext_noop("联系电话")),
    "email": (gettext_noop("邮箱"), gettext_noop("电子邮件"), "email", "e-mail"),
}
# The words offices use for a member's standing, besides the labels themselves.
STANDING_WORDS: dict[str, str] = {
    gettext_noop("预备"): Member.Standing.PROBATIONARY,
    gettext_noop("预备期"): Member.Standing.PROBATIONARY,
    gettext_noop("预备期党员"): Member.Standing.PROBATIONARY,
    gettext_noop("中共预备党员"): Member.Standing.PROBATIONARY,
    gettext_noop("正式"): Member.Standing.FORMAL,
    gettext_noop("中共党员"): Member.Standing.FORMAL,
    gettext_noop("中共正式党员"): Member.Standing.FORMAL,
}


def zh(text: Any) -> str:
    """A label as written in files: Chinese, whatever the page language."""
    with translation.override("zh-hans"):
        return str(text)


def neutralise(value: str) -> str:
    """Keep a spreadsheet from running a cell as a formula (CSV/formula injection)."""
    return neutralise_formula(value)


def unneutralise(value: str) -> str:
    return unneutralise_formula(value)


def choice_labels(choices: type[Any]) -> dict[str, str]:
    """Every way a file may spell a choice: its code and its label in each language."""
    found: dict[str, str] = {}
    for value, label in choices.choices:
        found[value.lower()] = value
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                found[str(label).strip().lower()] = value
    return found


def choice_list(choices: type[Any]) -> str:
    """The labels of a choice, as a file writes them, listed in the current language."""
    return _("、").join(zh(label) for _value, label in choices.choices)


# --- The template --------------------------------------------------------------

HEADER_FONT = Font(bold=True)
REQUIRED_FILL = PatternFill("solid", fgColor="FDE9E7")


def template_workbook() -> bytes:
    """The empty roster with its headers, drop-down lists and a guide sheet."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = zh(ROSTER_SHEET)
    sheet.append([zh(header) for header in HEADERS])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = HEADER_FONT
        if column.required:
            cell.fill = REQUIRED_FILL
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = column.width + 4
        if column.key in {"number", "phone"}:
            # Text, so that leading zeros and long numbers survive Excel.
            sheet.column_dimensions[letter].number_format = "@"
        choices = {
            "category": Member.Category,
            "standing": Member.Standing,
        }.get(column.key)
        values = None
        if choices is not None:
            values = ",".join(zh(label) for _value, label in choices.choices)
        elif column.key == "is_active":
            values = f"{zh(YES)},{zh(NO)}"
        if values:
            validation = DataValidation(type="list", formula1=f'"{values}"', allow_blank=True)
            validation.add(f"{letter}2:{letter}{MAX_ROWS}")
            sheet.add_data_validation(validation)

    guide = workbook.create_sheet(zh(GUIDE_SHEET))
    guide.append(
        [zh(gettext_noop("列")), zh(gettext_noop("必填")), zh(gettext_noop("说明与可选值"))]
    )
    for cell in guide[1]:
        cell.font = HEADER_FONT
    for column in COLUMNS:
        text = zh(column.guide) if column.guide else ""
        if column.key == "category":
            with translation.override("zh-hans"):
                text = _("可选：") + choice_list(Member.Category)
        elif column.key == "standing":
            with translation.override("zh-hans"):
                text = _("可选：") + choice_list(Member.Standing)
        guide.append([zh(column.header), zh(YES) if column.required else "", text])
    guide.append([])
    for line in (
        gettext_noop("第 1 行是表头，请勿修改；从第 2 行起每行一名党员。"),
        gettext_noop(
            "导入前先检查每一行：只要有一行有误，整份名册都不会导入，并列出每个错误所在的行和列。"
        ),
        gettext_noop("同一份名册再次导入不会产生任何改动；导出的名册可以修改后直接导入。"),
    ):
        guide.append([zh(line)])
    guide.column_dimensions["A"].width = 14
    guide.column_dimensions["B"].width = 6
    guide.column_dimensions["C"].width = 90
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
