"""Roster import and export (名册导入、导出) as Excel workbooks (.xlsx).

Import validates everything, then saves once (habit 5):

1. the file itself — not an .xlsx, over the size limit, no data rows, wrong headers —
   is refused with a message that names the file or the header;
2. every row is checked and every fault is collected with its row number and column
   header; numbers repeated inside the file, branches the scope does not hold and
   numbers that belong to a member the importer may not manage are faults too;
3. only when no row is at fault, one transaction creates, updates and moves members
   with bulk writes, builds the transfer history with `services.transfer_for`, and
   records every change in the audit trail with `audit_record_many` (bulk writes fire
   no signals). Re-importing the same file finds nothing to change and writes nothing.
   Members missing from the file are left as they are.

The column headers and the value labels in a file are always Chinese, whatever the
page language: the workbook is a file format shared with college offices, so the
headers below are marked for translation (`gettext_noop`) but written as they are.
An export uses the template's headers, so an exported file re-imports unchanged.

Imports run as a background task (`tasks.roster_import`) that calls `import_job_run`;
with no worker configured the task runs inline.
"""

from __future__ import annotations

import datetime
import io
import logging
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import openpyxl
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import connection, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from vanguard.audit.context import acting_as
from vanguard.audit.models import AuditEntry
from vanguard.audit.services import audit_record_many, snapshot
from vanguard.organization import access
from vanguard.organization.models import ImportJob, Member, MemberTransfer, Unit
from vanguard.organization.services import MEMBER_EDITABLE_FIELDS, transfer_for

logger = logging.getLogger(__name__)

# --- The file format ----------------------------------------------------------

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

# Beyond these, a file is refused rather than read: a roster of a whole university is
# about 30,000 rows. Errors past MAX_ERRORS are counted, not listed.
MAX_ROWS = 100_000
MAX_ERRORS = 500
PROGRESS_EVERY = 500
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"

# A cell starting with one of these is a formula (or becomes one) in a spreadsheet:
# exports prefix it with an apostrophe. The apostrophe itself is included so that the
# prefix can be removed again on import without ambiguity (an export re-imports as is).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "'")

DATE_PATTERN = re.compile(r"^(\d{4})\D(\d{1,2})\D(\d{1,2})\D?$")
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ()\-]{2,31}$")
EARLIEST_JOINED_ON = datetime.date(1921, 7, 1)
# What a roster row can change: the details a person can edit, and the branch (a move).
MEMBER_FIELDS = (*MEMBER_EDITABLE_FIELDS, "branch")


def zh(text: Any) -> str:
    """A label as written in files: Chinese, whatever the page language."""
    with translation.override("zh-hans"):
        return str(text)


def neutralise(value: str) -> str:
    """Keep a spreadsheet from running a cell as a formula (CSV/formula injection)."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def _unneutralise(value: str) -> str:
    if len(value) > 1 and value[0] == "'" and value[1] in "".join(FORMULA_PREFIXES):
        return value[1:]
    return value


def error_text(error: dict[str, Any]) -> str:
    """One fault as a sentence: 第 5 行「所在支部」：找不到支部“…”."""
    if error.get("row") and error.get("column"):
        return _("第 %(row)s 行「%(column)s」：%(message)s") % error
    if error.get("row"):
        return _("第 %(row)s 行：%(message)s") % error
    return str(error["message"])


def _labels(choices: type[Any]) -> dict[str, str]:
    """Every way a file may spell a choice: its code and its label in each language."""
    found: dict[str, str] = {}
    for value, label in choices.choices:
        found[value.lower()] = value
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                found[str(label).strip().lower()] = value
    return found


def _choice_list(choices: type[Any]) -> str:
    """The labels of a choice, as a file writes them, listed in the current language."""
    return _("、").join(zh(label) for _value, label in choices.choices)


# --- Template -----------------------------------------------------------------

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
                text = _("可选：") + _choice_list(Member.Category)
        elif column.key == "standing":
            with translation.override("zh-hans"):
                text = _("可选：") + _choice_list(Member.Standing)
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


# --- Export -------------------------------------------------------------------


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


# --- Reading and checking a file ------------------------------------------------


class ImportFailed(Exception):
    """The file or its rows are at fault; nothing was written."""

    def __init__(self, errors: list[dict[str, Any]], *, error_count: int | None = None) -> None:
        self.errors = errors
        self.error_count = error_count if error_count is not None else len(errors)
        super().__init__(f"{self.error_count} error(s)")


def _error(row: int | None, column: str, message: str) -> dict[str, Any]:
    return {"row": row, "column": zh(column) if column else "", "message": str(message)}


class ErrorList:
    """Collects faults; keeps the first MAX_ERRORS, counts them all."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.count = 0

    def add(self, row: int | None, column: str, message: str) -> None:
        self.count += 1
        if len(self.items) < MAX_ERRORS:
            self.items.append(_error(row, column, message))

    def __bool__(self) -> bool:
        return self.count > 0

    def fail(self) -> ImportFailed:
        items = list(self.items)
        if self.count > len(items):
            items.append(
                _error(
                    None,
                    "",
                    _("另有 %(count)s 处错误未列出，请先改正以上错误。")
                    % {"count": self.count - len(items)},
                )
            )
        return ImportFailed(items, error_count=self.count)


def check_upload(upload: UploadedFile) -> None:
    """The checks made before a file is even stored: its size and its first bytes."""
    name = upload.name or ""
    limit = settings.ROSTER_MAX_UPLOAD_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("文件“%(name)s”有 %(size)s，超过了上限 %(limit)s。请分成几份名册分别导入。")
            % {"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_big",
        )
    if not upload.size:
        raise ValidationError(_("文件“%(name)s”是空的。") % {"name": name}, code="empty")
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    if head == XLS_MAGIC:
        raise ValidationError(
            _("文件“%(name)s”是旧版 Excel（.xls）格式。请在 Excel 中“另存为” .xlsx 后再上传。")
            % {"name": name},
            code="xls",
        )
    if head != XLSX_MAGIC:
        raise ValidationError(_not_xlsx(name), code="not_xlsx")


def _not_xlsx(name: str) -> str:
    return _(
        "文件“%(name)s”不是 Excel 工作簿（.xlsx）。请用名册模板填写后保存为 .xlsx 再上传。"
    ) % {
        "name": name,
    }


@dataclass(slots=True)
class Row:
    """One checked row, ready to write."""

    row: int
    name: str
    number: str
    category: str
    standing: str
    joined_on: datetime.date | None
    branch: Unit
    party_group: Unit | None
    phone: str
    email: str
    is_active: bool

    def values(self) -> tuple[Any, ...]:
        return (
            self.name,
            self.category,
            self.standing,
            self.joined_on,
            self.phone,
            self.email,
            self.is_active,
            self.branch.pk,
            self.party_group.pk if self.party_group else None,
        )


def _member_values(member: Member) -> tuple[Any, ...]:
    return (
        member.name,
        member.category,
        member.standing,
        member.joined_on,
        member.phone,
        member.email,
        member.is_active,
        member.branch_id,
        member.party_group_id,
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return zh(YES) if value else zh(NO)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date() if value.time() == datetime.time() else value
    if isinstance(value, datetime.date):
        return value.isoformat()
    return _unneutralise(str(value)).strip()


class Scope:
    """The branches and party groups of the unit imported into, looked up by name."""

    def __init__(self, unit: Unit) -> None:
        self.unit = unit
        branches = list(
            Unit.objects.filter(
                path__startswith=unit.path, kind=Unit.Kind.BRANCH, is_active=True
            ).select_related("parent")
        )
        self.by_name: dict[str, list[Unit]] = defaultdict(list)
        for branch in branches:
            self.by_name[branch.name].append(branch)
            if branch.parent is not None:
                self.by_name[f"{branch.parent.name}/{branch.name}"].append(branch)
        self.groups: dict[tuple[int | None, str], Unit] = {
            (group.parent_id, group.name): group
            for group in Unit.objects.filter(
                path__startswith=unit.path, kind=Unit.Kind.PARTY_GROUP, is_active=True
            )
        }
        self.branches_by_id = {branch.pk: branch for branch in branches}


class RowReader:
    """Checks the cells of one row; knows the choices and the scope."""

    def __init__(self, scope: Scope, errors: ErrorList) -> None:
        self.scope = scope
        self.errors = errors
        # (row, number) of every row whose number is well formed, faulty rows included:
        # duplicates and numbers held outside the importer's roster are checked on these.
        self.numbers: list[tuple[int, str]] = []
        self.categories = _labels(Member.Category)
        self.standings = _labels(Member.Standing)
        self.yes = {"yes", "y", "true", "1"}
        self.no = {"no", "n", "false", "0"}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                self.yes.add(_(YES).lower())
                self.no.add(_(NO).lower())
        self.today = timezone.localdate()

    def fault(self, row: int, key: str, message: str) -> None:
        self.errors.add(row, COLUMN_BY_KEY[key].header, message)

    def read(self, row: int, cells: dict[str, Any]) -> Row | None:
        count = self.errors.count
        name = _text(cells["name"])
        if not name:
            self.fault(row, "name", _("不能为空"))
        elif len(name) > 50:
            self.fault(row, "name", _("不能超过 50 个字"))

        number = _text(cells["number"])
        if not number:
            self.fault(row, "number", _("不能为空"))
        elif len(number) > 32:
            self.fault(row, "number", _("不能超过 32 个字符"))
        elif any(char.isspace() for char in number):
            self.fault(row, "number", _("“%(value)s”中间不能有空格") % {"value": number})
        else:
            self.numbers.append((row, number))

        category = self._choice(
            row, "category", cells["category"], self.categories, Member.Category
        )
        standing = self._choice(row, "standing", cells["standing"], self.standings, Member.Standing)
        joined_on = self._date(row, cells["joined_on"])
        branch = self._branch(row, cells["branch"])
        group = None
        group_name = _text(cells["party_group"])
        if group_name and branch is not None:
            group = self.scope.groups.get((branch.pk, group_name))
            if group is None:
                self.fault(
                    row,
                    "party_group",
                    _("“%(branch)s”没有名为“%(group)s”的党小组")
                    % {"branch": branch.name, "group": group_name},
                )

        phone = _text(cells["phone"])
        if phone and not PHONE_PATTERN.match(phone):
            self.fault(row, "phone", _("“%(value)s”不是有效的电话号码") % {"value": phone})

        email = _text(cells["email"])
        if email:
            try:
                validate_email(email)
            except ValidationError:
                self.fault(row, "email", _("“%(value)s”不是有效的电子邮箱地址") % {"value": email})

        active_text = _text(cells["is_active"]).lower()
        is_active = True
        if active_text in self.no:
            is_active = False
        elif active_text and active_text not in self.yes:
            self.fault(
                row, "is_active", _("应填“是”或“否”，而不是“%(value)s”") % {"value": active_text}
            )

        if self.errors.count != count:
            return None
        return Row(
            row=row,
            name=name,
            number=number,
            category=category or "",
            standing=standing or "",
            joined_on=joined_on,
            branch=branch,  # type: ignore[arg-type]
            party_group=group,
            phone=phone,
            email=email,
            is_active=is_active,
        )

    def _choice(
        self, row: int, key: str, value: Any, allowed: dict[str, str], choices: type[Any]
    ) -> str | None:
        text = _text(value)
        if not text:
            self.fault(
                row, key, _("不能为空，可选：%(choices)s") % {"choices": _choice_list(choices)}
            )
            return None
        found = allowed.get(text.lower())
        if found is None:
            self.fault(
                row,
                key,
                _("“%(value)s”不是可选的值，可选：%(choices)s")
                % {"value": text, "choices": _choice_list(choices)},
            )
        return found

    def _date(self, row: int, value: Any) -> datetime.date | None:
        if value is None or value == "":
            return None
        found: datetime.date | None = None
        if isinstance(value, datetime.datetime):
            found = value.date()
        elif isinstance(value, datetime.date):
            found = value
        else:
            text = _text(value)
            if not text:
                return None
            match = DATE_PATTERN.match(text)
            if match:
                try:
                    found = datetime.date(*(int(part) for part in match.groups()))
                except ValueError:
                    found = None
            if found is None:
                self.fault(
                    row,
                    "joined_on",
                    _("“%(value)s”不是有效的日期，应写成如 2001-07-01") % {"value": text},
                )
                return None
        if found > self.today:
            self.fault(row, "joined_on", _("%(date)s 晚于今天") % {"date": found.isoformat()})
            return None
        if found < EARLIEST_JOINED_ON:
            self.fault(
                row, "joined_on", _("%(date)s 早于 1921 年 7 月 1 日") % {"date": found.isoformat()}
            )
            return None
        return found

    def _branch(self, row: int, value: Any) -> Unit | None:
        name = _text(value)
        if not name:
            self.fault(row, "branch", _("不能为空"))
            return None
        name = "/".join(part.strip() for part in name.split("/"))
        found = self.scope.by_name.get(name, [])
        if len(found) == 1:
            return found[0]
        if not found:
            self.fault(
                row,
                "branch",
                _("在“%(scope)s”中找不到支部“%(name)s”")
                % {"scope": self.scope.unit.name, "name": name},
            )
        else:
            example = found[0]
            self.fault(
                row,
                "branch",
                _(
                    "“%(scope)s”中有 %(count)s 个支部都叫“%(name)s”，"
                    "请写成“上级组织/支部名称”，如“%(example)s”"
                )
                % {
                    "scope": self.scope.unit.name,
                    "count": len(found),
                    "name": name,
                    "example": f"{example.parent.name}/{example.name}" if example.parent else name,
                },
            )
        return None


def _open_sheet(handle: IO[bytes], name: str) -> tuple[Any, Any]:
    """The workbook (to close) and its roster sheet; refuses what is not an .xlsx."""
    handle.seek(0)
    if handle.read(4) != XLSX_MAGIC:
        raise ImportFailed([_error(None, "", _not_xlsx(name))])
    handle.seek(0)
    try:
        workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a zip that is not a workbook
        raise ImportFailed([_error(None, "", _not_xlsx(name))]) from None
    roster_name = zh(ROSTER_SHEET)
    sheet = workbook[roster_name] if roster_name in workbook.sheetnames else workbook.worksheets[0]
    return workbook, sheet


def _header_map(header: tuple[Any, ...], errors: ErrorList) -> dict[str, int]:
    """Column key → index, from the first row; every missing or unknown header is a fault."""
    expected = {zh(column.header): column.key for column in COLUMNS}
    found: dict[str, int] = {}
    for index, value in enumerate(header):
        text = _text(value)
        if not text:
            continue
        key = expected.get(text)
        if key is None:
            errors.add(
                1,
                text,
                _("不是名册的列。请使用名册模板的表头：%(headers)s")
                % {"headers": _("、").join(zh(h) for h in HEADERS)},
            )
        elif key in found:
            errors.add(1, text, _("这一列出现了两次"))
        else:
            found[key] = index
    for column in COLUMNS:
        if column.key not in found:
            errors.add(1, column.header, _("缺少这一列（第 1 行应是表头）"))
    return found


def read_rows(
    handle: IO[bytes],
    *,
    name: str,
    scope: Scope,
    actor: Any,
    progress: Callable[[int, int], None] | None = None,
) -> list[Row]:
    """Every row checked; raises ImportFailed with every fault if any row is at fault."""
    workbook, sheet = _open_sheet(handle, name)
    try:
        rows_iter: Iterator[tuple[Any, ...]] = sheet.iter_rows(values_only=True)
        errors = ErrorList()
        header = next(rows_iter, None)
        if header is None or not any(_text(v) for v in header):
            raise ImportFailed(
                [
                    _error(
                        None,
                        "",
                        _(
                            "文件“%(name)s”的第一个工作表是空的："
                            "第 1 行应是表头，从第 2 行起每行一名党员。"
                        )
                        % {"name": name},
                    )
                ]
            )
        columns = _header_map(header, errors)
        if errors:
            raise errors.fail()
        estimate = max((sheet.max_row or 0) - 1, 0)
        reader = RowReader(scope, errors)
        keys = [column.key for column in COLUMNS]
        indexes = [columns[key] for key in keys]
        rows: list[Row] = []
        seen = 0
        for row_number, values in enumerate(rows_iter, start=2):
            width = len(values)
            cells = {
                key: (values[index] if index < width else None)
                for key, index in zip(keys, indexes, strict=True)
            }
            if all(value is None or _text(value) == "" for value in cells.values()):
                continue
            seen += 1
            if seen > MAX_ROWS:
                raise ImportFailed(
                    [
                        _error(
                            None,
                            "",
                            _("文件“%(name)s”超过 %(max)s 行。请分成几份名册分别导入。")
                            % {"name": name, "max": MAX_ROWS},
                        )
                    ]
                )
            checked = reader.read(row_number, cells)
            if checked is not None:
                rows.append(checked)
            if progress is not None and seen % PROGRESS_EVERY == 0:
                progress(seen, max(estimate, seen))
    finally:
        workbook.close()
    if not seen:
        raise ImportFailed(
            [
                _error(
                    None,
                    "",
                    _("文件“%(name)s”没有数据行：第 1 行是表头，从第 2 行起每行一名党员。")
                    % {"name": name},
                )
            ]
        )
    if progress is not None:
        progress(seen, seen)
    _check_duplicates(reader.numbers, errors)
    existing = _existing_members([number for _row, number in reader.numbers])
    _refuse_unmanaged(reader.numbers, existing, actor, errors)
    if errors:
        raise errors.fail()
    return rows


def _check_duplicates(numbers: list[tuple[int, str]], errors: ErrorList) -> None:
    first: dict[str, int] = {}
    for row, number in numbers:
        earlier = first.setdefault(number, row)
        if earlier != row:
            errors.add(
                row,
                COLUMN_BY_KEY["number"].header,
                _("工号/学号“%(number)s”与第 %(earlier)s 行重复")
                % {"number": number, "earlier": earlier},
            )


def _in_chunks(items: list[Any]) -> Iterator[list[Any]]:
    """Chunks small enough for the database's limit on query parameters."""
    size = min((connection.features.max_query_params or 10_000) - 10, 10_000)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing_members(numbers: list[str]) -> dict[str, Member]:
    found: dict[str, Member] = {}
    for chunk in _in_chunks(numbers):
        for member in Member.objects.filter(number__in=chunk).order_by():
            found[member.number] = member
    return found


def _refuse_unmanaged(
    numbers: list[tuple[int, str]], existing: dict[str, Member], actor: Any, errors: ErrorList
) -> None:
    """A number that already belongs to a member the importer may not manage is a fault:
    the import would move or overwrite someone outside their roster. The message says no
    more than that (not who, nor where)."""
    branch_ids = {member.branch_id for member in existing.values()}
    managed = {
        unit.pk
        for unit in Unit.objects.filter(pk__in=branch_ids)
        if access.can_manage_roster(actor, unit)
    }
    for row, number in numbers:
        member = existing.get(number)
        if member is not None and member.branch_id not in managed:
            errors.add(
                row,
                COLUMN_BY_KEY["number"].header,
                _("工号/学号“%(number)s”已属于您无权管理的党员，不能导入或修改")
                % {"number": number},
            )


# --- Writing ------------------------------------------------------------------


def write_rows(*, rows: list[Row], actor: Any, note: str) -> dict[str, int]:
    """The second pass: one transaction, bulk writes, the audit trail, transfer history."""
    reason = _("名册导入")
    counts = {"created": 0, "updated": 0, "moved": 0, "unchanged": 0}
    with transaction.atomic():
        # Looked up again inside the transaction: what was checked is what is written.
        existing = _existing_members([row.number for row in rows])
        errors = ErrorList()
        _refuse_unmanaged([(row.row, row.number) for row in rows], existing, actor, errors)
        if errors:
            raise errors.fail()
        now = timezone.now()
        created: list[Member] = []
        changed: list[tuple[Member, dict[str, Any]]] = []
        transfers: list[MemberTransfer] = []
        for row in rows:
            member = existing.get(row.number)
            if member is None:
                created.append(
                    Member(
                        name=row.name,
                        number=row.number,
                        category=row.category,
                        standing=row.standing,
                        joined_on=row.joined_on,
                        phone=row.phone,
                        email=row.email,
                        is_active=row.is_active,
                        branch=row.branch,
                        party_group=row.party_group,
                    )
                )
                continue
            if _member_values(member) == row.values():
                counts["unchanged"] += 1
                continue
            before = snapshot(member)
            if member.branch_id != row.branch.pk:
                transfers.append(
                    transfer_for(member=member, to_branch=row.branch, reason=reason, actor=actor)
                )
                counts["moved"] += 1
            else:
                counts["updated"] += 1
            member.name, member.category, member.standing = row.name, row.category, row.standing
            member.joined_on, member.phone, member.email = row.joined_on, row.phone, row.email
            member.is_active, member.branch, member.party_group = (
                row.is_active,
                row.branch,
                row.party_group,
            )
            member.updated_at = now  # bulk_update does not touch auto_now fields
            changed.append((member, before))
        counts["created"] = len(created)
        Member.objects.bulk_create(created, batch_size=1000)
        _update_members([member for member, _before in changed], [*MEMBER_FIELDS, "updated_at"])
        MemberTransfer.objects.bulk_create(transfers, batch_size=1000)
        audit_record_many(
            action=AuditEntry.Action.CREATE,
            actor=actor,
            note=note,
            changes=((member, None, snapshot(member)) for member in created),
        )
        audit_record_many(
            action=AuditEntry.Action.UPDATE,
            actor=actor,
            note=note,
            changes=((member, before, snapshot(member)) for member, before in changed),
        )
        audit_record_many(
            action=AuditEntry.Action.CREATE,
            actor=actor,
            note=note,
            changes=((transfer, None, snapshot(transfer)) for transfer in transfers),
        )
    return counts


def _update_members(members: list[Member], fields: list[str]) -> None:
    """Save the given fields of many members: one parameterised UPDATE, run for each.

    Django's `bulk_update` builds a CASE expression per field per row, which costs
    about 2 s per thousand rows here; `executemany` of one plain statement is ~50×
    faster on SQLite and PostgreSQL alike. Values go through each field's own
    conversion, as `save()` would send them."""
    if not members:
        return
    meta = Member._meta
    concrete: list[Any] = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    pk_column: str = meta.pk.column  # type: ignore[union-attr, assignment]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in concrete)
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {assignments} "  # noqa: S608 - names from the model
        f"WHERE {quote(pk_column)} = %s"
    )
    params = [
        [field.get_db_prep_save(getattr(member, field.attname), connection) for field in concrete]
        + [member.pk]
        for member in members
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(params), 1000):
            cursor.executemany(sql, params[start : start + 1000])


# --- Import jobs ----------------------------------------------------------------


def import_scopes(user: Any) -> Any:
    """The units a person may import into: those whose roster they keep (not party groups)."""
    return access.roster_units(user).exclude(kind=Unit.Kind.PARTY_GROUP).order_by("path")


def import_job_create(*, user: Any, unit: Unit, upload: UploadedFile) -> ImportJob:
    """Store an uploaded roster as a pending job. The cheap checks (size, file type) are
    made here, so a bad file is refused before anything is stored."""
    if not access.can_manage_roster(user, unit) or unit.kind == Unit.Kind.PARTY_GROUP:
        raise PermissionDenied
    check_upload(upload)
    original_name = (upload.name or "roster.xlsx")[:255]
    upload.name = "roster.xlsx"  # stored under a generated name; the original is kept apart
    # The job row is itself the record of the import (who, when, which file, what came of
    # it) and is not audited: re-importing an unchanged file must leave the trail as it was.
    with acting_as(None):
        return ImportJob.objects.create(
            created_by=user,
            unit=unit,
            file=upload,
            original_name=original_name,
        )


def import_job_submit(*, user: Any, unit: Unit, upload: UploadedFile) -> ImportJob:
    """Create the job and hand it to the background task (inline without a worker)."""
    from vanguard.organization.tasks import roster_import

    job = import_job_create(user=user, unit=unit, upload=upload)
    # No transaction is open here (views run in autocommit), so a worker finds the row.
    roster_import.enqueue(job.pk)
    job.refresh_from_db()
    return job


def _job_update(job: ImportJob, **fields: Any) -> None:
    # UPDATE, not save(): progress is bookkeeping, not an audited change.
    ImportJob.objects.filter(pk=job.pk).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)


def import_job_run(*, job_id: int) -> ImportJob:
    """Check and write one stored roster. Every outcome ends the job as done or failed."""
    job = ImportJob.objects.select_related("unit", "created_by").get(pk=job_id)
    if job.status != ImportJob.Status.PENDING:
        return job  # already run (a retried task)
    _job_update(job, status=ImportJob.Status.VALIDATING)
    actor = job.created_by
    timings: dict[str, float] = {}
    try:
        if actor is None or not actor.is_active or not access.can_manage_roster(actor, job.unit):
            raise ImportFailed(
                [_error(None, "", _("您已无权导入“%(unit)s”的名册。") % {"unit": job.unit.name})]
            )
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            _job_update(job, processed_rows=done, total_rows=total)

        with job.file.open("rb") as handle:
            rows = read_rows(
                handle,
                name=job.original_name,
                scope=Scope(job.unit),
                actor=actor,
                progress=progress,
            )
        timings["validate"] = round(time.perf_counter() - started, 3)
        _job_update(job, status=ImportJob.Status.WRITING)
        started = time.perf_counter()
        note = _("名册导入 #%(job)s：%(name)s") % {"job": job.pk, "name": job.original_name}
        counts = write_rows(rows=rows, actor=actor, note=note)
        timings["write"] = round(time.perf_counter() - started, 3)
    except ImportFailed as failure:
        _finish(
            job,
            ImportJob.Status.FAILED,
            errors=failure.errors,
            summary={"error_count": failure.error_count},
        )
        return job
    except Exception:
        logger.exception("Roster import job %s failed", job.pk)
        _finish(
            job,
            ImportJob.Status.FAILED,
            errors=[
                _error(
                    None, "", _("导入时发生系统错误，名册没有任何改动。请稍后再试，或联系管理员。")
                )
            ],
            summary={},
        )
        raise
    _finish(
        job,
        ImportJob.Status.DONE,
        errors=[],
        summary={
            **counts,
            "rows": len(rows),
            "seconds": timings,
        },
    )
    return job


def _finish(job: ImportJob, status: str, *, errors: list[dict[str, Any]], summary: dict) -> None:
    name = job.file.name
    _job_update(
        job,
        status=status,
        errors=errors,
        summary=summary,
        finished_at=timezone.now(),
        file="",
    )
    # The uploaded file holds personal data and is no longer needed: the job keeps the
    # outcome, the members the data.
    if name:
        job.file.storage.delete(name)


def recent_jobs(user: Any, limit: int = 10) -> Any:
    return ImportJob.objects.filter(created_by=user).select_related("unit")[:limit]
