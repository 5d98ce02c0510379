"""Reading a roster file and checking it: the upload itself (size, file type), then
the header and every row, each fault collected with its row number and column header.
Nothing is written here: `read_rows` returns checked rows or raises `ImportFailed`
with every fault found."""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import connection
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vanguard.accounts.access import Person
from vanguard.organization import access
from vanguard.organization.models import Member, Unit
from vanguard.organization.roster.fileformat import (
    COLUMN_BY_KEY,
    COLUMNS,
    HEADERS,
    MAX_ROWS,
    NO,
    ROSTER_SHEET,
    XLS_MAGIC,
    XLSX_MAGIC,
    YES,
    choice_labels,
    choice_list,
    unneutralise,
    zh,
)

# Errors past MAX_ERRORS are counted, not listed; progress is reported every
# PROGRESS_EVERY rows read.
MAX_ERRORS = 500
PROGRESS_EVERY = 500

DATE_PATTERN = re.compile(r"^(\d{4})\D(\d{1,2})\D(\d{1,2})\D?$")
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ()\-]{2,31}$")
EARLIEST_JOINED_ON = datetime.date(1921, 7, 1)


class ImportFailed(Exception):
    """The file or its rows are at fault; nothing was written."""

    def __init__(self, errors: list[dict[str, Any]], *, error_count: int | None = None) -> None:
        self.errors = errors
        self.error_count = error_count if error_count is not None else len(errors)
        super().__init__(f"{self.error_count} error(s)")


def error_entry(row: int | None, column: str, message: str) -> dict[str, Any]:
    """One fault as a job keeps it: its row (None: the file), its column header, what is wrong."""
    return {"row": row, "column": zh(column) if column else "", "message": str(message)}


def error_text(error: dict[str, Any]) -> str:
    """One fault as a sentence: 第 5 行「所在支部」：找不到支部“…”."""
    if error.get("row") and error.get("column"):
        return _("第 %(row)s 行「%(column)s」：%(message)s") % error
    if error.get("row"):
        return _("第 %(row)s 行：%(message)s") % error
    return str(error["message"])


class ErrorList:
    """Collects faults; keeps the first MAX_ERRORS, counts them all."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.count = 0

    def add(self, row: int | None, column: str, message: str) -> None:
        self.count += 1
        if len(self.items) < MAX_ERRORS:
            self.items.append(error_entry(row, column, message))

    def __bool__(self) -> bool:
        return self.count > 0

    def fail(self) -> ImportFailed:
        items = list(self.items)
        if self.count > len(items):
            items.append(
                error_entry(
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
    return unneutralise(str(value)).strip()


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
        self.categories = choice_labels(Member.Category)
        self.standings = choice_labels(Member.Standing)
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
                row, key, _("不能为空，可选：%(choices)s") % {"choices": choice_list(choices)}
            )
            return None
        found = allowed.get(text.lower())
        if found is None:
            self.fault(
                row,
                key,
                _("“%(value)s”不是可选的值，可选：%(choices)s")
                % {"value": text, "choices": choice_list(choices)},
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
        raise ImportFailed([error_entry(None, "", _not_xlsx(name))])
    handle.seek(0)
    try:
        workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a zip that is not a workbook
        raise ImportFailed([error_entry(None, "", _not_xlsx(name))]) from None
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
    actor: Person,
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
                    error_entry(
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
                        error_entry(
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
                error_entry(
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
    existing = existing_members([number for _row, number in reader.numbers])
    refuse_unmanaged(reader.numbers, existing, actor, errors)
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


def existing_members(numbers: list[str]) -> dict[str, Member]:
    found: dict[str, Member] = {}
    for chunk in _in_chunks(numbers):
        for member in Member.objects.filter(number__in=chunk).order_by():
            found[member.number] = member
    return found


def refuse_unmanaged(
    numbers: list[tuple[int, str]], existing: dict[str, Member], actor: Person, errors: ErrorList
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
