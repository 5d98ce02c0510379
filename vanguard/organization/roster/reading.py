"""Reading a roster file and checking it: the upload itself (size, container), then
the header and every row, each fault collected with its sheet, row, column header and
cell reference. Nothing is written here: `read_rows` returns checked rows or raises
`ImportFailed` with every fault found.

What offices really send is read as the office sees it (see `tests/test_roster_corpus.py`
for one file of each kind):

- title rows above the header (the header row is found by its column names), columns
  the template does not have (ignored, with a note), optional columns left out (the
  members keep what they have), headers typed in full-width or with a required mark;
- numbers Excel has already turned into numbers: the cell's number format gives back
  the leading zeros the office sees (`00000000` on 123457 → `00123457`); a number that
  has lost digits (over 15 significant digits, or only its scientific rendering, even as
  text) is refused, naming the cell, never stored as a float rendering;
- full-width digits, letters and punctuation folded in numbers, phones and e-mail
  addresses (`vanguard.lib.text`), names cleaned of invisible characters, padding and
  odd middle dots, phones kept as digits;
- standings and dates as offices write them (预备期, 中共党员; Excel dates, serials,
  20150701, 2015年7月1日, 2015.07.01);
- merged cells, formulas with no computed value, hidden sheets and sheets of a million
  formatted blank rows are named or bounded rather than misread.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import connection
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from lxml import etree  # installed with python-docx
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.xml.constants import SHARED_STRINGS

from vanguard.accounts.access import Person
from vanguard.lib.text import PHONE_PATTERN, clean_name, fold_width, phone_digits
from vanguard.organization import access
from vanguard.organization.models import Member, Unit
from vanguard.organization.roster.container import (
    ContainerInfo,
    ContainerRefused,
    bomb_message,
    check_container,
    inspect_container,
)
from vanguard.organization.roster.fileformat import (
    COLUMN_BY_KEY,
    COLUMNS,
    HEADER_ALIASES,
    HEADERS,
    MAX_ROWS,
    NO,
    ROSTER_SHEET,
    STANDING_WORDS,
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
# The header is looked for in the first rows (title rows above it are skipped).
HEADER_SEARCH_ROWS = 30
# Reading stops after this many blank rows in a row: a sheet of a million formatted
# blank rows is not walked to its end.
BLANK_RUN_LIMIT = 2_000

# 2015-07-01, 2015/7/1, 2015.07.01, 2015年7月1日 (年月日 written as escapes: no Chinese
# literals outside translation calls), a midnight time part allowed.
DATE_PATTERN = re.compile(
    r"^(\d{4})\s*[-/.\u5e74]\s*(\d{1,2})\s*[-/.\u6708]\s*(\d{1,2})\s*\u65e5?"
    r"(?:[ T]0{1,2}:0{1,2}(?::0{1,2})?)?$"
)
# A header may carry a required mark: 姓名（必填）.
REQUIRED_WORD = gettext_noop("必填")
EIGHT_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
# What Excel shows for a long number (and what a CSV round trip leaves): 1.10101E+17.
SCIENTIFIC = re.compile(r"^[+-]?\d+(?:\.\d*)?[eE][+-]?\d+$")
ZERO_FORMAT = re.compile(r"^0+$")
EARLIEST_JOINED_ON = datetime.date(1921, 7, 1)
# No roster has more distinct texts or cells than this (MAX_ROWS rows of a few dozen
# columns); Excel has no more than 16,384 columns.
MAX_SHARED_STRINGS = 1_000_000
MAX_CELLS = 3_000_000
MAX_COLUMNS = 16_384
# Excel keeps 15 significant digits; a number beyond that has lost its last ones.
EXACT_DIGITS = 15


class ImportFailed(Exception):
    """The file or its rows are at fault; nothing was written."""

    def __init__(self, errors: list[dict[str, Any]], *, error_count: int | None = None) -> None:
        self.errors = errors
        self.error_count = error_count if error_count is not None else len(errors)
        super().__init__(f"{self.error_count} error(s)")


def error_entry(
    row: int | None, column: str, message: str, *, cell: str = "", sheet: str = ""
) -> dict[str, Any]:
    """One fault as a job keeps it: its row (None: the file), its column header, the cell
    (e.g. C7, or a range) and its sheet, what is wrong."""
    entry = {"row": row, "column": zh(column) if column else "", "message": str(message)}
    if cell:
        entry["cell"] = cell
        entry["sheet"] = sheet
    return entry


def error_text(error: dict[str, Any]) -> str:
    """One fault as a sentence: 第 5 行「所在支部」（名册!F5）：找不到支部“…”."""
    if error.get("row") and error.get("column") and error.get("cell"):
        return _("第 %(row)s 行「%(column)s」（%(where)s）：%(message)s") % {
            **error,
            "where": cell_label(error),
        }
    if error.get("row") and error.get("column"):
        return _("第 %(row)s 行「%(column)s」：%(message)s") % error
    if error.get("row"):
        return _("第 %(row)s 行：%(message)s") % error
    return str(error["message"])


def cell_label(error: dict[str, Any]) -> str:
    """Where a fault is, as Excel names it: 名册!C7 (a sheet name with spaces quoted)."""
    cell = error.get("cell", "")
    sheet = error.get("sheet", "")
    if not sheet:
        return cell
    if re.search(r"[\s!'\-]", sheet):
        sheet = "'" + sheet.replace("'", "''") + "'"
    return f"{sheet}!{cell}"


class ErrorList:
    """Collects faults; keeps the first MAX_ERRORS, counts them all."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self.count = 0

    def add(
        self, row: int | None, column: str, message: str, *, cell: str = "", sheet: str = ""
    ) -> None:
        self.count += 1
        if len(self.items) < MAX_ERRORS:
            self.items.append(error_entry(row, column, message, cell=cell, sheet=sheet))

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


def _file_fault(message: str) -> ImportFailed:
    return ImportFailed([error_entry(None, "", message)])


def check_upload(upload: UploadedFile) -> None:
    """The checks made before a file is even stored: its size, its first bytes and the
    zip's central directory (`container.check_container`)."""
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
    try:
        check_container(upload, name)  # type: ignore[arg-type]
    except ContainerRefused as refused:
        raise ValidationError(refused.message, code=refused.code) from None
    finally:
        upload.seek(0)


# Every column of the template: a row from a file that has them all.
FULL = frozenset(column.key for column in COLUMNS)


@dataclass(slots=True)
class Row:
    """One checked row, ready to write. `present` names the columns the file has: a
    member keeps what the file does not say (an optional column left out)."""

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
    present: frozenset[str] = FULL

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
    if isinstance(value, Formula):
        return str(value)
    return unneutralise(str(value)).strip()


class Formula(str):
    """A formula cell with no computed value in the file (written by a program, never
    opened in Excel): its text, e.g. "=SUM(A1:A3)"."""


class CellFault(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _VALUE, _FORMULA = f"{_NS}row", f"{_NS}c", f"{_NS}v", f"{_NS}f"
_INLINE, _TEXT, _RUN, _SI = f"{_NS}is", f"{_NS}t", f"{_NS}r", f"{_NS}si"


def _string_item(element: Any) -> str:
    """The text of a shared or inline string: its plain text or its runs, phonetic
    guides (rPh) left out, as openpyxl reads it."""
    parts = []
    for child in element:
        if child.tag == _TEXT:
            parts.append(child.text or "")
        elif child.tag == _RUN:
            text = child.find(_TEXT)
            if text is not None:
                parts.append(text.text or "")
    return "".join(parts).replace("x005F_", "")


def _iterparse(source: IO[bytes], tag: str | tuple[str, ...]) -> Any:
    # lxml parses in C (openpyxl's parser builds every element in Python: most of the
    # time of a large roster). No entities are expanded, no DTD or network is read.
    return etree.iterparse(
        source,
        events=("end",),
        tag=tag,
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
    )


class Oversized(Exception):
    """More strings or cells than any roster holds: refused before memory or time runs out."""


_UNIQUE_COUNT = re.compile(rb"<(?:\w+:)?sst\b[^>]*?\suniqueCount=\"(\d+)\"")


def _read_shared_strings(archive: Any, path: str) -> list[str]:
    """The shared strings; a table declaring (or holding) more than any roster has is
    refused at once rather than read into memory."""
    with archive.open(path) as source:
        declared = _UNIQUE_COUNT.search(source.read(2048))
    if declared and int(declared.group(1)) > MAX_SHARED_STRINGS:
        raise Oversized
    strings: list[str] = []
    with archive.open(path) as source:
        for _event, element in _iterparse(source, _SI):
            strings.append(_string_item(element))
            if len(strings) > MAX_SHARED_STRINGS:
                raise Oversized
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]
    return strings


_COLUMNS: dict[str, int] = {}


def _column_index(reference: str) -> int:
    letters = reference.rstrip("0123456789")
    index = _COLUMNS.get(letters)
    if index is None:
        index = _COLUMNS[letters] = column_index_from_string(letters)
    return index


def _sheet_rows(
    source: IO[bytes],
    shared_strings: list[str],
    *,
    epoch: datetime.datetime,
    date_formats: set[int],
    timedelta_formats: set[int],
) -> Iterator[tuple[int, list[tuple[int, Any, int]]]]:
    """The rows of a sheet part as (row number, [(column, value, style id)]), read as
    openpyxl reads computed values (data_only), except that a formula with no computed
    value is a `Formula` rather than an empty cell.

    Cells are taken one by one and dropped once read, so that memory stays bounded
    whatever a row holds; a row of more cells than Excel allows, or a sheet of more
    cells than any roster, raises `Oversized`."""
    row_number = 0
    cells: list[tuple[int, Any, int]] = []
    column = 0
    total = 0
    for _event, element in _iterparse(source, (_CELL, _ROW)):
        if element.tag == _ROW:
            reference = element.get("r")
            row_number = int(float(reference)) if reference else row_number + 1
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]
            yield row_number, cells
            cells = []
            column = 0
            continue
        reference = element.get("r")
        column = _column_index(reference) if reference else column + 1
        kind = element.get("t", "n")
        style = int(element.get("s") or 0)
        value: Any = None
        if kind == "inlineStr":
            inline = element.find(_INLINE)
            if inline is not None:
                value = _string_item(inline)
        else:
            raw = element.findtext(_VALUE) or None
            if raw is None:
                formula = element.find(_FORMULA)
                if formula is not None:
                    value = Formula("=" + (formula.text or ""))
            elif kind == "n":
                value = float(raw) if ("." in raw or "E" in raw or "e" in raw) else int(raw)
                if style in date_formats:
                    try:
                        value = from_excel(value, epoch, timedelta=style in timedelta_formats)
                    except (OverflowError, ValueError):
                        value = "#VALUE!"
            elif kind == "s":
                value = shared_strings[int(raw)]
            elif kind == "b":
                value = bool(int(raw))
            elif kind == "d":
                value = from_ISO8601(raw)
            else:  # "str" (a formula's text result), "e" (an error such as #N/A)
                value = raw
        cells.append((column, value, style))
        total += 1
        if len(cells) > MAX_COLUMNS or total > MAX_CELLS:
            raise Oversized
        element.clear()
        while element.getprevious() is not None:
            del element.getparent()[0]


def _header_word(value: Any) -> str:
    """A header as compared: full-width folded, spaces, asterisks and 必填 marks dropped."""
    text = fold_width(_text(value))
    text = re.sub(r"\s+|\*|\(" + re.escape(REQUIRED_WORD) + r"\)", "", text)
    return text.lower()


def _header_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for column in COLUMNS:
        names[_header_word(zh(column.header))] = column.key
        for alias in HEADER_ALIASES.get(column.key, ()):
            names[_header_word(alias)] = column.key
    return names


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
    """Checks the cells of one row; knows the choices, the scope and the sheet."""

    def __init__(
        self,
        scope: Scope,
        errors: ErrorList,
        *,
        sheet: str = "",
        letters: dict[str, str] | None = None,
        number_format: Callable[[int], str] | None = None,
        epoch: datetime.datetime | None = None,
    ) -> None:
        self.scope = scope
        self.errors = errors
        self.sheet = sheet
        self.letters = letters or {}
        self.number_format = number_format or (lambda style: "General")
        self.epoch = epoch
        # (row, number) of every row whose number is well formed, faulty rows included:
        # duplicates and numbers held outside the importer's roster are checked on these.
        self.numbers: list[tuple[int, str]] = []
        self.categories = {fold_width(k): v for k, v in choice_labels(Member.Category).items()}
        self.standings = {fold_width(k): v for k, v in choice_labels(Member.Standing).items()}
        self.standings.update(STANDING_WORDS)
        self.yes = {"yes", "y", "true", "1", "√", "✓"}
        self.no = {"no", "n", "false", "0", "×"}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                self.yes.add(_(YES).lower())
                self.no.add(_(NO).lower())
        self.today = timezone.localdate()
        # Columns of the current row already at fault for a formula: no second fault.
        self.quiet: set[str] = set()

    def fault(self, row: int, key: str, message: str) -> None:
        if key in self.quiet:
            return
        letter = self.letters.get(key, "")
        self.errors.add(
            row,
            COLUMN_BY_KEY[key].header,
            message,
            cell=f"{letter}{row}" if letter else "",
            sheet=self.sheet,
        )

    def read(self, row: int, cells: dict[str, Any]) -> Row | None:
        """One row; `cells` maps a column key to its value, or to (value, style id)."""
        count = self.errors.count
        values: dict[str, Any] = {}
        styles: dict[str, int] = {}
        for key, cell in cells.items():
            if isinstance(cell, tuple):
                values[key], styles[key] = cell
            else:
                values[key] = cell
        formulas = [key for key, value in values.items() if isinstance(value, Formula)]
        for key in formulas:
            self.fault(
                row,
                key,
                _(
                    "是公式“%(formula)s”，文件中没有它的计算结果（文件不是在 Excel 中保存的）。"
                    "请在 Excel 中打开这个文件并保存后再上传。"
                )
                % {"formula": values[key][:60]},
            )
            values[key] = None
        self.quiet = set(formulas)
        get = values.get

        name = clean_name(_text(get("name")))
        if not name:
            self.fault(row, "name", _("不能为空"))
        elif len(name) > 50:
            self.fault(row, "name", _("不能超过 50 个字"))

        number = self._digits_text(row, "number", get("number"), styles.get("number", 0))
        if number is None or "number" in self.quiet:
            pass
        elif not number:
            self.fault(row, "number", _("不能为空"))
        elif len(number) > 32:
            self.fault(row, "number", _("不能超过 32 个字符"))
        elif any(char.isspace() for char in number):
            self.fault(row, "number", _("“%(value)s”中间不能有空格") % {"value": number})
        else:
            self.numbers.append((row, number))

        category = self._choice(row, "category", get("category"), self.categories, Member.Category)
        standing = self._choice(row, "standing", get("standing"), self.standings, Member.Standing)
        joined_on = self._date(row, get("joined_on"), styles.get("joined_on", 0))
        branch = self._branch(row, get("branch"))
        group = None
        group_name = _text(get("party_group"))
        if group_name and branch is not None:
            group = self.scope.groups.get((branch.pk, group_name))
            if group is None:
                self.fault(
                    row,
                    "party_group",
                    _("“%(branch)s”没有名为“%(group)s”的党小组")
                    % {"branch": branch.name, "group": group_name},
                )

        phone = self._digits_text(row, "phone", get("phone"), styles.get("phone", 0))
        if phone:
            typed = phone
            phone = phone_digits(phone)
            if not PHONE_PATTERN.match(phone):
                self.fault(row, "phone", _("“%(value)s”不是有效的电话号码") % {"value": typed})

        email = fold_width(_text(get("email")))
        if email:
            try:
                validate_email(email)
            except ValidationError:
                self.fault(row, "email", _("“%(value)s”不是有效的电子邮箱地址") % {"value": email})

        active_text = fold_width(_text(get("is_active"))).lower()
        is_active = True
        if active_text in self.no:
            is_active = False
        elif active_text and active_text not in self.yes:
            self.fault(
                row, "is_active", _("应填“是”或“否”，而不是“%(value)s”") % {"value": active_text}
            )

        self.quiet = set()
        if self.errors.count != count:
            return None
        return Row(
            row=row,
            name=name,
            number=number or "",
            category=category or "",
            standing=standing or "",
            joined_on=joined_on,
            branch=branch,  # type: ignore[arg-type]
            party_group=group,
            phone=phone or "",
            email=email,
            is_active=is_active,
        )

    def _digits_text(self, row: int, key: str, value: Any, style: int) -> str | None:
        """A number or phone cell as the office sees it; None (with a fault) when Excel
        has already lost digits. Never a float rendering."""
        if isinstance(value, bool) or value is None:
            return fold_width(_text(value))
        if isinstance(value, (int, float)):
            if isinstance(value, float) and not value.is_integer():
                self.fault(row, key, self._lost_digits(repr(value)))
                return None
            whole = int(value)
            if abs(whole) >= 10**EXACT_DIGITS:
                self.fault(row, key, self._lost_digits(str(whole)))
                return None
            text = str(whole)
            number_format = self.number_format(style).split(";")[0]
            if ZERO_FORMAT.match(number_format):
                text = text.zfill(len(number_format))
            return text
        text = fold_width(_text(value))
        if SCIENTIFIC.match(text):
            self.fault(row, key, self._lost_digits(text))
            return None
        return text

    def _lost_digits(self, shown: str) -> str:
        return _(
            "“%(value)s”已被 Excel 当作数字保存，超过 15 位的数字或科学计数法显示的数字"
            "已经丢失了末尾几位，无法还原。请把这一列设为“文本”格式，重新输入完整的号码后再上传。"
        ) % {"value": shown}

    def _choice(
        self, row: int, key: str, value: Any, allowed: dict[str, str], choices: type[Any]
    ) -> str | None:
        text = fold_width(_text(value))
        if not text:
            self.fault(
                row, key, _("不能为空，可选：%(choices)s") % {"choices": choice_list(choices)}
            )
            return None
        found = allowed.get(text.lower()) or allowed.get(re.sub(r"\s+", "", text).lower())
        if found is None:
            self.fault(
                row,
                key,
                _("“%(value)s”不是可选的值，可选：%(choices)s")
                % {"value": text, "choices": choice_list(choices)},
            )
        return found

    def _date(self, row: int, value: Any, style: int = 0) -> datetime.date | None:
        if value is None or value == "":
            return None
        found: datetime.date | None = None
        shown = ""
        if isinstance(value, datetime.datetime):
            found = value.date()
        elif isinstance(value, datetime.date):
            found = value
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            shown = _text(value)
            match = EIGHT_DIGITS.match(shown)
            if match:
                found = self._ymd(match.groups())
            elif isinstance(value, int) or value.is_integer():
                # An Excel date serial in a cell not formatted as a date.
                try:
                    found = from_excel(value, self.epoch or datetime.datetime(1899, 12, 30)).date()
                except (OverflowError, ValueError, TypeError, AttributeError):
                    found = None
        else:
            shown = fold_width(_text(value))
            if not shown:
                return None
            match = EIGHT_DIGITS.match(shown) or DATE_PATTERN.match(shown)
            if match:
                found = self._ymd(match.groups())
        if found is None:
            self.fault(
                row,
                "joined_on",
                _("“%(value)s”不是有效的日期，应写成如 2001-07-01") % {"value": shown},
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

    @staticmethod
    def _ymd(parts: tuple[str, ...]) -> datetime.date | None:
        try:
            return datetime.date(*(int(part) for part in parts))
        except ValueError:
            return None

    def _branch(self, row: int, value: Any) -> Unit | None:
        name = _text(value)
        if not name:
            self.fault(row, "branch", _("不能为空"))
            return None
        name = "/".join(part.strip() for part in re.split(r"[/／]", name))
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


# --- The workbook -------------------------------------------------------------------


class Sheet:
    """One worksheet read as a stream of (row number, {column: (value, style)}) rows,
    with the header found and the columns mapped."""

    def __init__(self, book: Workbook, entry: SheetEntry) -> None:
        workbook = book.workbook
        self.title = entry.title
        self.path = entry.path
        self.hidden = entry.state != "visible"
        self._source = book.archive.open(entry.path)
        self.dimension_rows = _dimension_rows(self._source.read(4096))
        self._source.close()
        self._source = book.archive.open(entry.path)
        self._rows = _sheet_rows(
            self._source,
            book.shared_strings,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        self.buffered: list[tuple[int, list[tuple[int, Any, int]]]] = []
        self.header_row = 0
        self.columns: dict[int, str] = {}  # column index (1-based) → key
        self.extra: list[tuple[int, str]] = []  # columns not in the template
        self.duplicates: list[tuple[int, str]] = []
        self.missing: list[str] = []
        self.empty = True

    def close(self) -> None:
        self._source.close()

    def find_header(self, names: dict[str, str]) -> bool:
        """Look for the header in the first rows: the first row naming two template
        columns or more. The rows read stay buffered."""
        for index, cells in self._rows:
            self.buffered.append((index, cells))
            if any(_text(value) for _column, value, _style in cells):
                self.empty = False
            found = {
                column: names.get(_header_word(value))
                for column, value, _style in cells
                if value is not None
            }
            if sum(1 for key in found.values() if key) >= 2:
                self.header_row = index
                seen: set[str] = set()
                for column, value, _style in cells:
                    text = _text(value)
                    if not text:
                        continue
                    key = found.get(column)
                    if key is None:
                        self.extra.append((column, text))
                    elif key in seen:
                        self.duplicates.append((column, text))
                    else:
                        seen.add(key)
                        self.columns[column] = key
                self.missing = [column.key for column in COLUMNS if column.key not in seen]
                self.buffered = []
                return True
            if index >= HEADER_SEARCH_ROWS or len(self.buffered) >= HEADER_SEARCH_ROWS:
                return False
        return False

    def data_rows(self) -> Iterator[tuple[int, list[tuple[int, Any, int]]]]:
        yield from self.buffered
        yield from self._rows


def _number_formats(workbook: Any) -> Callable[[int], str]:
    styles = workbook._cell_styles
    custom = workbook._number_formats
    cache: dict[int, str] = {}

    def number_format(style: int) -> str:
        found = cache.get(style)
        if found is None:
            found = "General"
            if 0 <= style < len(styles):
                format_id = styles[style].numFmtId
                if format_id < BUILTIN_FORMATS_MAX_SIZE:
                    found = BUILTIN_FORMATS.get(format_id, "General")
                elif format_id - BUILTIN_FORMATS_MAX_SIZE < len(custom):
                    found = custom[format_id - BUILTIN_FORMATS_MAX_SIZE]
            cache[style] = found
        return found

    return number_format


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"[A-Z]*\d*:?[A-Z]*(\d+)\"")


def _dimension_rows(head: bytes) -> int:
    """The last row the sheet's <dimension> declares, if it comes first (for progress)."""
    match = _DIMENSION.search(head)
    return int(match.group(1)) if match else 0


@dataclass(frozen=True)
class SheetEntry:
    title: str
    state: str
    path: str  # the part in the zip, e.g. xl/worksheets/sheet1.xml


class Workbook:
    """A workbook opened for streaming: its parts, shared strings, styles and sheets.

    openpyxl's `load_workbook(read_only=True)` also measures every sheet on opening, and
    for a sheet without a leading <dimension> element (files written by programs) that
    means parsing the whole sheet once more before it is read: a third of the time of a
    30,000-row roster. The steps of its reader are used here without that one."""

    def __init__(self, handle: IO[bytes]) -> None:
        reader = ExcelReader(handle, read_only=True, data_only=True, keep_links=False)
        reader.read_manifest()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        self.archive = reader.archive
        self.workbook = reader.wb
        part = reader.package.find(SHARED_STRINGS)
        self.shared_strings = (
            _read_shared_strings(reader.archive, part.PartName[1:]) if part is not None else []
        )
        self.sheets = [
            SheetEntry(sheet.name, sheet.state or "visible", rel.target)
            for sheet, rel in reader.parser.find_sheets()
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type
        ]

    def close(self) -> None:
        self.archive.close()


def _open_workbook(handle: IO[bytes], name: str) -> tuple[Workbook, ContainerInfo]:
    """The workbook (to close), after the container's checks; refuses what is not an .xlsx."""
    try:
        info = inspect_container(handle, name)
    except ContainerRefused as refused:
        raise _file_fault(refused.message) from None
    handle.seek(0)
    try:
        workbook = Workbook(handle)
    except Oversized:
        raise _file_fault(bomb_message(name)) from None
    except Exception:  # openpyxl raises many kinds for a zip that is not a workbook
        raise _file_fault(
            _("文件“%(name)s”不是 Excel 工作簿（.xlsx）。请用名册模板填写后保存为 .xlsx 再上传。")
            % {"name": name}
        ) from None
    return workbook, info


def _find_sheet(workbook: Workbook, name: str) -> Sheet:
    """The roster sheet: the visible sheet named 名册, else the first visible sheet with
    a roster header. A roster on a hidden sheet is refused: the office would import
    rows it cannot see."""
    worksheets = workbook.sheets
    if not worksheets:
        raise _file_fault(_("文件“%(name)s”中没有工作表。") % {"name": name})
    roster_name = zh(ROSTER_SHEET)
    ordered = sorted(
        worksheets, key=lambda entry: (entry.state != "visible", entry.title != roster_name)
    )
    names = _header_names()
    first_visible: Sheet | None = None
    for worksheet in ordered:
        sheet = Sheet(workbook, worksheet)
        if sheet.find_header(names):
            if sheet.hidden:
                sheet.close()
                raise _file_fault(
                    _(
                        "文件“%(name)s”中的名册在隐藏的工作表“%(sheet)s”上。"
                        "请在 Excel 中取消隐藏这个工作表、确认内容无误后再上传。"
                    )
                    % {"name": name, "sheet": sheet.title}
                )
            if first_visible is not None:
                first_visible.close()
            return sheet
        if first_visible is None and not sheet.hidden and not sheet.empty:
            first_visible = sheet
        else:
            sheet.close()
    if first_visible is None:
        raise _file_fault(
            _("文件“%(name)s”的工作表是空的：第 1 行应是表头，从第 2 行起每行一名党员。")
            % {"name": name}
        )
    first_visible.close()
    raise _file_fault(
        _(
            "在文件“%(name)s”的工作表“%(sheet)s”的前 %(rows)s 行中找不到名册的表头。"
            "表头应有这些列：%(headers)s"
        )
        % {
            "name": name,
            "sheet": first_visible.title,
            "rows": HEADER_SEARCH_ROWS,
            "headers": _("、").join(zh(h) for h in HEADERS),
        }
    )


def _header_faults(sheet: Sheet, errors: ErrorList, notes: list[str]) -> None:
    row = sheet.header_row
    for column, text in sheet.duplicates:
        errors.add(
            row,
            text,
            _("这一列出现了两次"),
            cell=f"{get_column_letter(column)}{row}",
            sheet=sheet.title,
        )
    for key in sheet.missing:
        template_column = COLUMN_BY_KEY[key]
        if template_column.required:
            errors.add(
                row,
                template_column.header,
                _("缺少这一列（表头在第 %(row)s 行）") % {"row": row},
            )
    if sheet.extra:
        notes.append(
            _("以下列不是名册模板的列，已忽略：%(columns)s")
            % {
                "columns": _("、").join(
                    _("%(header)s（%(letter)s 列）")
                    % {"header": text, "letter": get_column_letter(column)}
                    for column, text in sheet.extra
                )
            }
        )
    missing_optional = [
        zh(COLUMN_BY_KEY[key].header) for key in sheet.missing if not COLUMN_BY_KEY[key].required
    ]
    if missing_optional:
        notes.append(
            _("名册中没有这些列，已有党员的这些信息保持不变：%(columns)s")
            % {"columns": _("、").join(missing_optional)}
        )


def _merged_faults(
    sheet: Sheet, ranges: list[str], last_row: int, errors: ErrorList
) -> set[tuple[int, int]]:
    """Merged ranges over the roster's rows and columns are faults (only the first cell
    of a merged range holds a value); the cells they cover, apart from the first."""
    covered: set[tuple[int, int]] = set()
    for ref in ranges:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except (ValueError, TypeError):
            continue
        if max_row <= sheet.header_row or min_row > last_row:
            continue  # a title above the header, or a note below the roster
        keys = [sheet.columns[c] for c in range(min_col, max_col + 1) if c in sheet.columns]
        if not keys:
            continue
        errors.add(
            max(min_row, sheet.header_row + 1),
            COLUMN_BY_KEY[keys[0]].header,
            _(
                "%(range)s 是合并单元格：合并后只有第一个单元格有值。"
                "请取消合并，并在每一行都填上内容。"
            )
            % {"range": ref},
            cell=ref,
            sheet=sheet.title,
        )
        for row in range(min_row, max_row + 1):
            for column in range(min_col, max_col + 1):
                if (row, column) != (min_row, min_col):
                    covered.add((row, column))
    return covered


def read_rows(
    handle: IO[bytes],
    *,
    name: str,
    scope: Scope,
    actor: Person,
    progress: Callable[[int, int], None] | None = None,
    notes: list[str] | None = None,
) -> list[Row]:
    """Every row checked; raises ImportFailed with every fault if any row is at fault.
    What the office should know but is not a fault (ignored columns …) goes to `notes`."""
    notes = notes if notes is not None else []
    workbook, info = _open_workbook(handle, name)
    try:
        try:
            sheet = _find_sheet(workbook, name)
            try:
                rows, reader, seen, last_row = _read_sheet(
                    sheet, workbook, name=name, scope=scope, progress=progress, notes=notes
                )
            finally:
                sheet.close()
        except Oversized:
            raise _file_fault(bomb_message(name)) from None
        errors = reader.errors
        ranges = info.merged.get(sheet.path.lstrip("/"), [])
        covered = _merged_faults(sheet, ranges, last_row, errors) if ranges else set()
    finally:
        workbook.close()
    if covered:
        # A blank cell under a merged range is the merge's fault, already named.
        letters = {get_column_letter(column): column for column in sheet.columns}
        kept = [error for error in errors.items if not _in_covered(error, letters, covered)]
        errors.count -= len(errors.items) - len(kept)
        errors.items = kept
    if not seen:
        raise _file_fault(
            _("文件“%(name)s”没有数据行：第 %(row)s 行是表头，从下一行起每行一名党员。")
            % {"name": name, "row": sheet.header_row}
        )
    if progress is not None:
        progress(seen, seen)
    where = {"letter": reader.letters.get("number", ""), "sheet": reader.sheet}
    _check_duplicates(reader.numbers, errors, **where)
    existing = existing_branches([number for _row, number in reader.numbers])
    refuse_unmanaged(reader.numbers, existing, actor, errors, **where)
    if errors:
        raise errors.fail()
    return rows


def _in_covered(
    error: dict[str, Any], letters: dict[str, int], covered: set[tuple[int, int]]
) -> bool:
    match = re.match(r"^([A-Z]{1,3})(\d+)$", error.get("cell", ""))
    if not match or match.group(1) not in letters:
        return False
    return (int(match.group(2)), letters[match.group(1)]) in covered


def _read_sheet(
    sheet: Sheet,
    workbook: Workbook,
    *,
    name: str,
    scope: Scope,
    progress: Callable[[int, int], None] | None,
    notes: list[str],
) -> tuple[list[Row], RowReader, int, int]:
    errors = ErrorList()
    _header_faults(sheet, errors, notes)
    if errors:
        raise errors.fail()
    present = frozenset(sheet.columns.values())
    if present == FULL:
        present = FULL
    reader = RowReader(
        scope,
        errors,
        sheet=sheet.title,
        letters={key: get_column_letter(column) for column, key in sheet.columns.items()},
        number_format=_number_formats(workbook.workbook),
        epoch=workbook.workbook.epoch,
    )
    estimate = max(sheet.dimension_rows - sheet.header_row, 0)
    columns = sheet.columns
    rows: list[Row] = []
    seen = 0
    last_row = sheet.header_row
    blank_run = 0
    for row_number, cells in sheet.data_rows():
        values: dict[str, tuple[Any, int]] = {}
        for column, value, style in cells:
            key = columns.get(column)
            if key is None or value is None or (isinstance(value, str) and not value.strip()):
                continue
            values[key] = (value, style)
        if not values:
            blank_run += 1
            if blank_run > BLANK_RUN_LIMIT:
                # Rows present in the file but blank (formatted to the sheet's end, a
                # million of them at worst): not walked to the end.
                notes.append(
                    _(
                        "第 %(first)s 行起连续 %(count)s 行都是空行，之后的行没有读取。"
                        "如果名册在更下面还有内容，请删去中间的空行后重新上传。"
                    )
                    % {"first": row_number - blank_run + 1, "count": BLANK_RUN_LIMIT}
                )
                break
            continue
        blank_run = 0
        last_row = row_number
        seen += 1
        if seen > MAX_ROWS:
            raise _file_fault(
                _("文件“%(name)s”超过 %(max)s 行。请分成几份名册分别导入。")
                % {"name": name, "max": MAX_ROWS}
            )
        checked = reader.read(row_number, values)
        if checked is not None:
            checked.present = present
            rows.append(checked)
        if progress is not None and seen % PROGRESS_EVERY == 0:
            progress(seen, max(estimate, seen))
    return rows, reader, seen, last_row


def _check_duplicates(
    numbers: list[tuple[int, str]], errors: ErrorList, *, letter: str = "", sheet: str = ""
) -> None:
    first: dict[str, int] = {}
    for row, number in numbers:
        earlier = first.setdefault(number, row)
        if earlier != row:
            errors.add(
                row,
                COLUMN_BY_KEY["number"].header,
                _("工号/学号“%(number)s”与第 %(earlier)s 行重复")
                % {"number": number, "earlier": earlier},
                cell=f"{letter}{row}" if letter else "",
                sheet=sheet,
            )


def _in_chunks(items: list[Any]) -> Iterator[list[Any]]:
    """Chunks small enough for the database's limit on query parameters."""
    size = min((connection.features.max_query_params or 10_000) - 10, 10_000)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def existing_members(numbers: list[str], *, with_groups: bool = False) -> dict[str, Member]:
    found: dict[str, Member] = {}
    members = Member.objects.order_by()
    if with_groups:  # a file without the 党小组 column keeps each member's group
        members = members.select_related("party_group")
    for chunk in _in_chunks(numbers):
        for member in members.filter(number__in=chunk):
            found[member.number] = member
    return found


def existing_branches(numbers: list[str]) -> dict[str, int]:
    """Number → branch id of the members the file names that exist already: all the
    check needs (a whole member object each costs a third of a large file's check)."""
    found: dict[str, int] = {}
    for chunk in _in_chunks(numbers):
        found.update(Member.objects.filter(number__in=chunk).values_list("number", "branch_id"))
    return found


def refuse_unmanaged(
    numbers: list[tuple[int, str]],
    existing: dict[str, int],
    actor: Person,
    errors: ErrorList,
    *,
    letter: str = "",
    sheet: str = "",
) -> None:
    """A number that already belongs to a member the importer may not manage is a fault:
    the import would move or overwrite someone outside their roster. The message says no
    more than that (not who, nor where). `existing`: number → branch id."""
    branch_ids = set(existing.values())
    managed = {
        unit.pk
        for unit in Unit.objects.filter(pk__in=branch_ids)
        if access.can_manage_roster(actor, unit)
    }
    for row, number in numbers:
        branch_id = existing.get(number)
        if branch_id is not None and branch_id not in managed:
            errors.add(
                row,
                COLUMN_BY_KEY["number"].header,
                _("工号/学号“%(number)s”已属于您无权管理的党员，不能导入或修改")
                % {"number": number},
                cell=f"{letter}{row}" if letter else "",
                sheet=sheet,
            )
