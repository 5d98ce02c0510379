"""A corpus of roster files as offices really send them (名册文件样本), each built here
(openpyxl for workbooks, zipfile and a small OLE writer for the hostile containers),
imported through the real import service, and its outcome asserted: imported with the
normalised values read back from the database, or refused with a message naming the
cell (or the file) and nothing written.

The organisation (conftest.py): the secretary of 光学工程教工第一党支部 (A1, with
第一党小组) imports into A1, which holds T0001 李书记, T0002 王小明 (第一党小组) and
T0003 张丽.
"""

from __future__ import annotations

import datetime
import io
import re
import struct
import tracemalloc
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import Cast, Org, fresh_copy
from vanguard.audit.models import AuditEntry
from vanguard.organization.models import ImportJob, Member, MemberTransfer
from vanguard.organization.roster import fileformat, jobs, reading

HEADERS = [fileformat.zh(header) for header in fileformat.HEADERS]
BRANCH = "光学工程教工第一党支部"
JULY_1 = datetime.date(2015, 7, 1)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def _org_and_cast(org_and_cast_of_the_module, db) -> tuple[Org, Cast]:
    """The organisation and cast, built once for the module (conftest) instead of for
    each of its many short tests, where building them was a third of a test's time;
    each test gets its own copies, and what it writes is rolled back after it."""
    return fresh_copy(org_and_cast_of_the_module)


@pytest.fixture
def org(_org_and_cast) -> Org:
    return _org_and_cast[0]


@pytest.fixture
def cast(_org_and_cast) -> Cast:
    return _org_and_cast[1]


# --- Building files -------------------------------------------------------------------


def person(
    name: Any = "赵新",
    number: Any = "T0100",
    *,
    category: str = "教师",
    standing: Any = "正式党员",
    joined: Any = "2010-07-01",
    branch: str = BRANCH,
    group: str = "",
    phone: Any = "",
    email: str = "",
    active: str = "是",
) -> list[Any]:
    return [name, number, category, standing, joined, branch, group, phone, email, active]


def saved(workbook: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def book(
    rows: list[list[Any]],
    *,
    headers: list[str] | None = None,
    above: list[list[Any]] | None = None,
    setup: Callable[[Any], None] | None = None,
) -> Callable[[], bytes]:
    """A builder of a one-sheet workbook: rows above the header, the header, the rows;
    `setup` changes the sheet (formats, merges) before it is saved."""

    def build() -> bytes:
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = "名册"
        for row in above or []:
            sheet.append(row)
        sheet.append(HEADERS if headers is None else headers)
        for row in rows:
            sheet.append(row)
        if setup is not None:
            setup(sheet)
        return saved(workbook)

    return build


def number_format(cells: str, fmt: str) -> Callable[[Any], None]:
    def setup(sheet: Any) -> None:
        for ref in cells.split(","):
            sheet[ref].number_format = fmt

    return setup


def rezip(content: bytes, change: Callable[[str, bytes], bytes | None], extra=()) -> bytes:
    """The same zip with parts changed (None drops a part) and extra parts added."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = change(info.filename, source.read(info))
            if data is not None:
                target.writestr(info.filename, data)
        for name, data in extra:
            target.writestr(name, data)
    return buffer.getvalue()


def plain() -> bytes:
    return book([person("赵新", "T0100")])()


def with_cached_formula() -> bytes:
    """A formula whose computed value Excel saved: read as its value."""
    content = book([person("赵新", '=CONCAT("T","0100")')])()

    def change(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            data = data.replace(
                b'<c r="B2"><f>CONCAT("T","0100")</f><v></v></c>',
                b'<c r="B2" t="str"><f>CONCAT("T","0100")</f><v>T0100</v></c>',
            )
            assert b"<v>T0100</v>" in data
        return data

    return rezip(content, change)


def with_content_type(old: bytes, new: bytes) -> Callable[[], bytes]:
    def build() -> bytes:
        def change(name: str, data: bytes) -> bytes:
            return data.replace(old, new) if name == "[Content_Types].xml" else data

        return rezip(plain(), change)

    return build


def with_vba_part() -> bytes:
    return rezip(plain(), lambda name, data: data, extra=[("xl/vbaProject.bin", b"\xcc" * 64)])


def without_workbook_parts() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="xml" '
            'ContentType="application/xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def without_sheets() -> bytes:
    def change(name: str, data: bytes) -> bytes | None:
        if name == "xl/workbook.xml":
            start = data.index(b"<sheets>")
            end = data.index(b"</sheets>") + len(b"</sheets>")
            return data[:start] + b"<sheets/>" + data[end:]
        if name.startswith("xl/worksheets/"):
            return None
        return data

    return rezip(plain(), change)


def bomb(size: int, part: str = "xl/worksheets/sheet1.xml") -> Callable[[], bytes]:
    """A workbook whose part inflates to `size` bytes of one repeated byte (deflate's
    best ratio, about 1,000:1)."""

    def build() -> bytes:
        buffer = io.BytesIO()
        source = zipfile.ZipFile(io.BytesIO(plain()))
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                if info.filename != part:
                    target.writestr(info.filename, source.read(info))
            with target.open(part, "w", force_zip64=True) as handle:
                block = b" " * (1024 * 1024)
                for _ in range(size // len(block)):
                    handle.write(block)
        return buffer.getvalue()

    return build


def lying_sizes() -> bytes:
    """An honest part whose headers (local and central) declare far less than it holds:
    refused when reading passes the declared size, not after inflating it all."""
    content = bytearray(bomb(8 * 1024 * 1024, "xl/sharedStrings.xml")())
    archive = zipfile.ZipFile(io.BytesIO(bytes(content)))
    info = archive.getinfo("xl/sharedStrings.xml")
    declared = 1000
    # The central directory entry ("PK\1\2") holds the uncompressed size at offset 24.
    position = 0
    while True:
        position = bytes(content).index(b"PK\x01\x02", position)
        name_length = struct.unpack_from("<H", content, position + 28)[0]
        name = bytes(content[position + 46 : position + 46 + name_length])
        if name == b"xl/sharedStrings.xml":
            break
        position += 46
    if struct.unpack_from("<I", content, position + 24)[0] == 0xFFFFFFFF:
        # zip64: the sizes are in the extra field (uncompressed first).
        extra = position + 46 + name_length
        struct.pack_into("<Q", content, extra + 4, declared)
    else:
        struct.pack_into("<I", content, position + 24, declared)
    assert zipfile.ZipFile(io.BytesIO(bytes(content))).getinfo(info.filename).file_size == declared
    return bytes(content)


def ole(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE compound file (CFB v3, 512-byte sectors) holding the given streams,
    each padded to 4,096 bytes so that it lives in regular sectors."""
    free, end, fat_marker = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    data_sectors: list[bytes] = []
    entries: list[tuple[str, int, int]] = []  # name, first sector, size
    next_sector = 2  # 0: FAT, 1: directory
    fat = [fat_marker, end]
    for name, payload in streams.items():
        payload = payload.ljust(4096, b"\0")
        count = len(payload) // 512
        entries.append((name, next_sector, len(payload)))
        for index in range(count):
            data_sectors.append(payload[index * 512 : (index + 1) * 512])
            fat.append(next_sector + index + 1 if index < count - 1 else end)
        next_sector += count
    assert len(fat) <= 128
    fat += [free] * (128 - len(fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", free, right, child)
            + b"\0" * 16
            + struct.pack("<IQQIQ", 0, 0, 0, start, size)
        )

    directory = entry("Root Entry", 5, 1 if entries else free, free, end, 0)
    for index, (name, start, size) in enumerate(entries, start=1):
        right = index + 1 if index < len(entries) else free
        directory += entry(name, 2, free, right, start, size)
    directory = directory.ljust(512, b"\0")
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", free) * 108
    )
    assert len(header) == 512
    return header + struct.pack("<128I", *fat) + directory + b"".join(data_sectors)


def million_blank_rows() -> bytes:
    """Two members, then formatted blank rows to the sheet's last row (1,048,576)."""
    content = book([person("赵新", "T0100"), person("钱多", "T0101")])()

    def change(name: str, data: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return data
        blank = b"".join(
            b'<row r="%d" s="0" customFormat="1" ht="15"/>' % row for row in range(4, 1_048_577)
        )
        data = data.replace(b"</sheetData>", blank + b"</sheetData>")
        return data.replace(b'<dimension ref="A1:J3"/>', b'<dimension ref="A1:J1048576"/>')

    return rezip(content, change)


def row_wider_than_excel() -> bytes:
    """A row of 16,385 cells (Excel stops at 16,384 columns): refused while reading,
    before a row of millions of cells could fill the memory."""
    content = book([person("赵新", "T0100")])()

    def change(name: str, data: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return data
        cells = b"".join(b'<c r="%s3" t="n"><v>1</v></c>' % letters for letters in _letters(16_385))
        return data.replace(b"</sheetData>", b'<row r="3">' + cells + b"</row></sheetData>")

    return rezip(content, change)


_INLINE = re.compile(rb'<c r="([A-Z]+\d+)"([^>]*) t="inlineStr"><is>(.*?)</is></c>')


def excel_style(content: bytes, *, unique_count: int | None = None) -> bytes:
    """The workbook as Excel saves it: texts in a shared-strings table (openpyxl writes
    them inline). A text `RICH` becomes 赵新 in two runs with a phonetic guide."""
    strings: list[bytes] = []

    def shared(match: re.Match[bytes]) -> bytes:
        item = match.group(3)
        if item == b"<t>RICH</t>":
            item = (
                "<r><t>赵</t></r><r><rPr><b/></rPr><t>新</t></r>".encode()
                + b'<rPh sb="0" eb="1"><t>zhao xin</t></rPh>'
            )
        strings.append(item)
        return b'<c r="%s"%s t="s"><v>%d</v></c>' % (
            match.group(1),
            match.group(2),
            len(strings) - 1,
        )

    def change(name: str, data: bytes) -> bytes:
        if name.startswith("xl/worksheets/sheet"):
            return _INLINE.sub(shared, data)
        if name == "[Content_Types].xml":
            return data.replace(
                b"</Types>",
                b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
            )
        if name == "xl/_rels/workbook.xml.rels":
            return data.replace(
                b"</Relationships>",
                b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                b'relationships/sharedStrings" Target="sharedStrings.xml" Id="rIdS"/>'
                b"</Relationships>",
            )
        return data

    source = zipfile.ZipFile(io.BytesIO(content))
    changed = {
        info.filename: change(info.filename, source.read(info)) for info in source.infolist()
    }
    count = len(strings) if unique_count is None else unique_count
    table = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.'
        b'openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">'
        % (count, count)
        + b"".join(b"<si>%s</si>" % item for item in strings)
        + b"</sst>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in changed.items():
            target.writestr(name, data)
        target.writestr("xl/sharedStrings.xml", table)
    return buffer.getvalue()


def declaring_two_million_strings() -> bytes:
    """A shared-strings table that says it holds 2,000,000 texts: refused before any is
    read (one that holds over a million without saying so is refused at the millionth)."""
    return excel_style(plain(), unique_count=2_000_000)


def _letters(count: int) -> list[bytes]:
    from openpyxl.utils import get_column_letter

    return [get_column_letter(index).encode() for index in range(1, count + 1)]


def hidden_sheets(*, roster_hidden: bool) -> Callable[[], bytes]:
    def build() -> bytes:
        workbook = openpyxl.Workbook()
        lists = workbook.active
        lists.title = "下拉选项"
        lists.append(["教师", "正式党员"])
        lists.sheet_state = "hidden"
        sheet = workbook.create_sheet("名册")
        sheet.append(HEADERS)
        sheet.append(person("赵新", "T0100"))
        if roster_hidden:
            sheet.sheet_state = "hidden"
            workbook.create_sheet("说明").append(["请按名册填写"])
        return saved(workbook)

    return build


def guide_sheet_first() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.title = "说明"
    workbook.active.append(["本表由组织部下发，请勿改动表头"])
    sheet = workbook.create_sheet("Sheet2")
    sheet.append(HEADERS)
    sheet.append(person("赵新", "T0100"))
    return saved(workbook)


def formula_without_value(column: str) -> Callable[[], bytes]:
    def build() -> bytes:
        row = person("赵新", "T0100")
        row["AB".index(column)] = '=A1&"x"' if column == "A" else '=CONCAT("T","0100")'
        return book([row])()

    return build


# --- The corpus ---------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One file: imported (`members`: number → fields read back) or refused (`refused`:
    text each found in a message; `on_upload`: refused before the file is stored)."""

    name: str
    build: Callable[[], bytes]
    filename: str = "名册.xlsx"
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    refused: tuple[str, ...] = ()
    on_upload: bool = False
    notes: tuple[str, ...] = ()


def imported(name: str, build: Callable[[], bytes], members: dict[str, dict[str, Any]], **kw):
    return Case(name, build, members=members, **kw)


def refused(name: str, build: Callable[[], bytes], *texts: str, **kw) -> Case:
    return Case(name, build, refused=texts, **kw)


LOST = "已被 Excel 当作数字保存"
SEP = "\u00b7"

CORPUS: list[Case] = [
    # Numbers Excel has already turned into numbers.
    imported(
        "number_with_00000000_format_keeps_leading_zeros",
        book([person("赵新", 123457)], setup=number_format("B2", "00000000")),
        {"00123457": {"name": "赵新"}},
    ),
    imported(
        "single_digit_number_with_0000_format",
        book([person("赵新", 8)], setup=number_format("B2", "0000")),
        {"0008": {"name": "赵新"}},
    ),
    imported(
        "number_typed_as_a_number_without_format",
        book([person("赵新", 20230001)]),
        {"20230001": {"name": "赵新"}},
    ),
    imported(
        "eighteen_digit_id_kept_as_text",
        book([person("赵新", "110101199001011008")]),
        {"110101199001011008": {"name": "赵新"}},
    ),
    refused(
        "eighteen_digit_id_stored_as_a_number",
        book([person("赵新", 110101199001011008)]),
        "第 2 行「工号/学号」（名册!B2）",
        LOST,
    ),
    refused(
        "sixteen_digit_number_stored_as_a_number",
        book([person("赵新", 1234567890123456)]),
        "（名册!B2）",
        LOST,
    ),
    refused(
        "scientific_rendering_as_text_3_19010E09",
        book([person("赵新", "T0099"), person("钱多", "3.19010E+09")]),
        "第 3 行「工号/学号」（名册!B3）：“3.19010E+09”",
    ),
    refused(
        "scientific_rendering_as_text_1_10101E17",
        book([person("赵新", "1.10101E+17")]),
        "“1.10101E+17”" + LOST,
    ),
    refused(
        "number_with_decimals",
        book([person("赵新", 123.5)]),
        "（名册!B2）",
        LOST,
    ),
    imported(
        "phone_typed_as_a_number",
        book([person("赵新", "T0100", phone=13800138000)]),
        {"T0100": {"phone": "13800138000"}},
    ),
    refused(
        "phone_as_scientific_text",
        book([person("赵新", "T0100", phone="1.38001E+10")]),
        "第 2 行「手机」（名册!H2）",
        LOST,
    ),
    refused(
        "full_width_scientific_text",
        book([person("赵新", "１．１０１０１Ｅ＋１７")]),
        "（名册!B2）",
        LOST,
    ),
    # Full-width characters typed with a Chinese input method.
    imported(
        "full_width_number",
        book([person("赵新", "Ｔ０１００")]),
        {"T0100": {"name": "赵新"}},
    ),
    imported(
        "full_width_phone",
        book([person("赵新", "T0100", phone="１３８００１３８０００")]),
        {"T0100": {"phone": "13800138000"}},
    ),
    imported(
        "full_width_email",
        book([person("赵新", "T0100", email="ｚｈａｏ＠ｅｘａｍｐｌｅ．ｅｄｕ．ｃｎ")]),
        {"T0100": {"email": "zhao@example.edu.cn"}},
    ),
    refused(
        "full_width_copy_of_a_number_in_the_same_file",
        book([person("赵新", "T0100"), person("钱多", "Ｔ０１００")]),
        "第 3 行「工号/学号」（名册!B3）：工号/学号“T0100”与第 2 行重复",
    ),
    imported(
        "full_width_copy_of_a_number_in_the_database",
        book([person("王小明", "Ｔ０００２", group="第一党小组", phone="13911112222")]),
        {"T0002": {"name": "王小明", "phone": "13911112222"}},
    ),
    imported(
        "full_width_date_and_standing",
        book([person("赵新", "T0100", joined="２０１５年７月１日", standing="正式党员")]),
        {"T0100": {"joined_on": JULY_1}},
    ),
    # Names.
    imported(
        "zero_width_characters_in_a_name",
        book([person("\u200b赵\u200d新\u2060", "T0100"), person("钱\u200c多", "T0101")]),
        {"T0100": {"name": "赵新"}, "T0101": {"name": "钱多"}},
    ),
    imported(
        "byte_order_mark_in_a_name",
        book([person("\ufeff孙立", "T0100")]),
        {"T0100": {"name": "孙立"}},
    ),
    imported(
        "minority_name_with_bullet_and_full_width_stop",
        book([person("买买提•艾力", "T0100"), person("阿依古丽．吐尔逊", "T0101")]),
        {"T0100": {"name": f"买买提{SEP}艾力"}, "T0101": {"name": f"阿依古丽{SEP}吐尔逊"}},
    ),
    imported(
        "minority_name_with_katakana_dots",
        book([person("热依拉・买买提", "T0100"), person("古丽･米娜", "T0101")]),
        {"T0100": {"name": f"热依拉{SEP}买买提"}, "T0101": {"name": f"古丽{SEP}米娜"}},
    ),
    imported(
        "minority_name_with_hyphenation_point_bullet_operator_and_full_stop",
        book(
            [
                person("迪丽‧热巴", "T0100"),
                person("努尔∙艾力", "T0101"),
                person("帕提古丽.买买提", "T0102"),
            ]
        ),
        {
            "T0100": {"name": f"迪丽{SEP}热巴"},
            "T0101": {"name": f"努尔{SEP}艾力"},
            "T0102": {"name": f"帕提古丽{SEP}买买提"},
        },
    ),
    imported(
        "minority_name_with_spaced_middle_dot",
        book([person("艾力 · 买买提", "T0100"), person("阿力木 ·  吐尔逊", "T0101")]),
        {"T0100": {"name": f"艾力{SEP}买买提"}, "T0101": {"name": f"阿力木{SEP}吐尔逊"}},
    ),
    imported(
        "two_character_names_padded_to_line_up",
        book(
            [person("王\u3000芳", "T0100"), person("李  娜", "T0101"), person(" 周 五 ", "T0102")]
        ),
        {"T0100": {"name": "王芳"}, "T0101": {"name": "李娜"}, "T0102": {"name": "周五"}},
    ),
    imported(
        "phones_with_spaces_dashes_brackets_and_country_code",
        book(
            [
                person("赵新", "T0100", phone="138-0013-8000"),
                person("钱多", "T0101", phone="(010) 6275 1234"),
                person("孙立", "T0102", phone="+86 138 0013 8000"),
                person("李四", "T0103", phone="（０１０）－６２７５１２３４"),
            ]
        ),
        {
            "T0100": {"phone": "13800138000"},
            "T0101": {"phone": "01062751234"},
            "T0102": {"phone": "+8613800138000"},
            "T0103": {"phone": "01062751234"},
        },
    ),
    refused(
        "phone_that_is_not_a_number",
        book([person("赵新", "T0100", phone="办公室")]),
        "第 2 行「手机」（名册!H2）：“办公室”不是有效的电话号码",
    ),
    # Layouts offices use.
    imported(
        "one_merged_title_row_above_the_header",
        book(
            [person("赵新", "T0100")],
            above=[["信息学院党员名册"]],
            setup=lambda sheet: sheet.merge_cells("A1:J1"),
        ),
        {"T0100": {"name": "赵新"}},
    ),
    refused(
        "two_title_rows_and_a_blank_row_errors_name_the_real_row",
        book(
            [person("赵新", "T0100"), person("钱多", "T0101", category="教授")],
            above=[["信息学院党员名册"], ["填报单位：光电系", None, "日期：2026-12-01"], []],
        ),
        "第 6 行「人员类别」（名册!C6）：“教授”不是可选的值",
    ),
    imported(
        "extra_columns_are_ignored_with_a_note",
        book(
            [[*person("赵新", "T0100"), "男", "已转正"]],
            headers=[*HEADERS, "性别", "备注"],
        ),
        {"T0100": {"name": "赵新"}},
        notes=("性别（K 列）", "备注（L 列）", "已忽略"),
    ),
    imported(
        "optional_columns_left_out_keep_what_members_have",
        book(
            [["王小明", "T0002", "教师", "正式党员", "2010-07-01", BRANCH, "13911112222"]],
            headers=["姓名", "工号/学号", "人员类别", "党员类型", "入党时间", "所在支部", "手机"],
        ),
        {"T0002": {"phone": "13911112222", "party_group__name": "第一党小组", "is_active": True}},
        notes=("党小组", "在册"),
    ),
    imported(
        "only_the_required_columns",
        book(
            [["赵新", "T0100", "教师", "预备党员", BRANCH]],
            headers=["姓名", "工号/学号", "人员类别", "党员类型", "所在支部"],
        ),
        {"T0100": {"standing": "probationary", "party_group": None, "is_active": True}},
    ),
    imported(
        "columns_in_another_order_with_marks_and_full_width_headers",
        book(
            [[BRANCH, "教师", "T0100", "赵新", "正式党员"]],
            headers=["所在支部*", "人员类别（必填）", "工号／学号", "姓 名", "党员类型"],
        ),
        {"T0100": {"name": "赵新"}},
    ),
    imported(
        "headers_offices_write_for_the_template_columns",
        book(
            [["赵新", "T0100", "教师", "正式党员", "2015/7/1", BRANCH, "13800138000", "a@b.cn"]],
            headers=[
                "姓名",
                "学号",
                "人员类别",
                "党员身份",
                "入党日期",
                "所在党支部",
                "手机号码",
                "邮箱",
            ],
        ),
        {"T0100": {"joined_on": JULY_1, "phone": "13800138000", "email": "a@b.cn"}},
    ),
    refused(
        "branch_merged_over_several_rows",
        book(
            [person("赵新", "T0100"), person("钱多", "T0101", branch=""), person("孙立", "T0102")],
            setup=lambda sheet: sheet.merge_cells("F2:F4"),
        ),
        "（名册!F2:F4）：F2:F4 是合并单元格",
    ),
    refused(
        "a_required_column_missing",
        book(
            [["赵新", "T0100", "教师", "正式党员"]],
            headers=["姓名", "工号/学号", "人员类别", "党员类型"],
        ),
        "第 1 行「所在支部」：缺少这一列（表头在第 1 行）",
    ),
    refused(
        "no_header_anywhere",
        book([["赵新", "T0100"]], headers=["名单", "号码"]),
        "找不到名册的表头",
    ),
    refused(
        "roster_on_a_hidden_sheet",
        hidden_sheets(roster_hidden=True),
        "隐藏的工作表“名册”",
    ),
    imported(
        "hidden_list_sheet_before_the_roster",
        hidden_sheets(roster_hidden=False),
        {"T0100": {"name": "赵新"}},
    ),
    imported(
        "guide_sheet_before_a_roster_sheet_named_otherwise",
        guide_sheet_first,
        {"T0100": {"name": "赵新"}},
    ),
    # The words offices use for standing, and their dates.
    imported(
        "probationary_in_four_spellings",
        book(
            [
                person("赵新", "T0100", standing="预备"),
                person("钱多", "T0101", standing="预备期"),
                person("孙立", "T0102", standing="预备期党员"),
                person("李四", "T0103", standing="中共预备党员"),
            ]
        ),
        {f"T010{n}": {"standing": "probationary"} for n in range(4)},
    ),
    imported(
        "full_member_in_three_spellings",
        book(
            [
                person("赵新", "T0100", standing="正式"),
                person("钱多", "T0101", standing="正式党员"),
                person("孙立", "T0102", standing="中共党员"),
            ]
        ),
        {f"T010{n}": {"standing": "formal"} for n in range(3)},
    ),
    refused(
        "a_standing_that_is_not_one",
        book([person("赵新", "T0100", standing="群众")]),
        "第 2 行「党员类型」（名册!D2）：“群众”不是可选的值",
    ),
    imported(
        "dates_as_excel_dates_serials_and_eight_digit_numbers",
        book(
            [
                person("赵新", "T0100", joined=datetime.datetime(2015, 7, 1)),
                person("钱多", "T0101", joined=42186),
                person("孙立", "T0102", joined=20150701),
            ]
        ),
        {f"T010{n}": {"joined_on": JULY_1} for n in range(3)},
    ),
    imported(
        "dates_as_strings_in_five_forms",
        book(
            [
                person("赵新", "T0100", joined="20150701"),
                person("钱多", "T0101", joined="2015-07-01"),
                person("孙立", "T0102", joined="2015/7/1"),
                person("李四", "T0103", joined="2015年7月1日"),
                person("周五", "T0104", joined="2015.07.01"),
            ]
        ),
        {f"T010{n}": {"joined_on": JULY_1} for n in range(5)},
    ),
    refused(
        "an_impossible_date_string",
        book([person("赵新", "T0100", joined="2015-02-30")]),
        "第 2 行「入党时间」（名册!E2）：“2015-02-30”不是有效的日期",
    ),
    refused(
        "an_impossible_eight_digit_date",
        book([person("赵新", "T0100", joined=20151332)]),
        "（名册!E2）：“20151332”不是有效的日期",
    ),
    # Formulas.
    refused(
        "formula_without_a_computed_value_in_the_number_column",
        formula_without_value("B"),
        "第 2 行「工号/学号」（名册!B2）：是公式",
        "请在 Excel 中打开这个文件并保存",
    ),
    refused(
        "formula_without_a_computed_value_in_the_name_column",
        formula_without_value("A"),
        "（名册!A2）：是公式",
    ),
    imported(
        "formula_with_its_computed_value_saved",
        with_cached_formula,
        {"T0100": {"name": "赵新"}},
    ),
    # Dangerous and broken containers.
    refused(
        "macro_workbook_named_xlsm",
        plain,
        "启用宏",
        filename="名册.xlsm",
        on_upload=True,
    ),
    refused(
        "vba_project_inside_a_file_named_xlsx",
        with_vba_part,
        "启用宏",
        on_upload=True,
    ),
    refused(
        "macro_enabled_content_type_inside_a_file_named_xlsx",
        with_content_type(
            b"spreadsheetml.sheet.main+xml",
            b"../application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        ),
        "启用宏",
        on_upload=True,
    ),
    refused(
        "zip_bomb_declaring_300_mib",
        bomb(300 * 1024 * 1024),
        "压缩炸弹",
        on_upload=True,
    ),
    refused(
        "shared_strings_with_a_bomb_ratio",
        bomb(8 * 1024 * 1024, "xl/sharedStrings.xml"),
        "压缩炸弹",
        on_upload=True,
    ),
    refused(
        "part_inflating_past_its_declared_size",
        lying_sizes,
        "压缩炸弹",
    ),
    refused(
        "password_protected_workbook",
        lambda: ole({"EncryptionInfo": b"\x04\x00\x04\x00", "EncryptedPackage": b"\x01" * 5000}),
        "设置了打开密码",
        on_upload=True,
    ),
    refused(
        "old_binary_xls",
        lambda: ole({"Workbook": b"\x09\x08" * 3000}),
        "旧版 Excel（.xls）",
        filename="名册.xls",
        on_upload=True,
    ),
    refused(
        "old_word_document_renamed",
        lambda: ole({"WordDocument": b"\x00" * 5000}),
        "不是 Excel 工作簿",
        on_upload=True,
    ),
    refused(
        "not_a_zip_at_all",
        lambda: bytes(range(256)) * 8,
        "不是 Excel 工作簿",
        on_upload=True,
    ),
    refused(
        "zip_without_workbook_parts",
        without_workbook_parts,
        "不是 Excel 工作簿",
        on_upload=True,
    ),
    refused(
        "csv_renamed_xlsx",
        lambda: "姓名,工号/学号\n赵新,T0100\n".encode(),
        "文本文件（如 CSV）",
        on_upload=True,
    ),
    refused(
        "csv_in_gbk_renamed_xlsx",
        lambda: "姓名,工号/学号\n赵新,T0100\n".encode("gbk"),
        "文本文件（如 CSV）",
        on_upload=True,
    ),
    refused(
        "html_table_renamed_xlsx",
        lambda: b"<html><table><tr><td>x</td></tr></table></html>",
        "文本文件",
        on_upload=True,
    ),
    refused(
        "csv_with_a_byte_order_mark_renamed_xlsx",
        lambda: "\ufeff姓名,工号/学号\r\n赵新,T0100\r\n".encode(),
        "文本文件（如 CSV）",
        on_upload=True,
    ),
    imported(
        "a_real_workbook_named_xls",
        plain,
        {"T0100": {"name": "赵新"}},
        filename="名册.xls",
    ),
    refused("empty_file", lambda: b"", "是空的", on_upload=True),
    refused("workbook_without_sheets", without_sheets, "没有工作表"),
    refused("empty_sheet", book([], headers=[]), "工作表是空的"),
    refused("header_and_no_rows", book([[], []]), "没有数据行"),
    refused("row_wider_than_excel_allows", row_wider_than_excel, "压缩炸弹"),
    refused(
        "shared_strings_declaring_two_million_texts", declaring_two_million_strings, "压缩炸弹"
    ),
    imported(
        "texts_in_a_shared_strings_table_as_excel_saves_them",
        lambda: excel_style(
            book(
                [
                    person("RICH", "Ｔ０１００", phone="138-0013-8000", joined="2015年7月1日"),
                    person("买买提•艾力", "T0101", standing="预备期", email="ａ@ｂ.cn"),
                ],
                above=[["信息学院党员名册"]],
            )()
        ),
        {
            "T0100": {"name": "赵新", "phone": "13800138000", "joined_on": JULY_1},
            "T0101": {"name": f"买买提{SEP}艾力", "standing": "probationary", "email": "a@b.cn"},
        },
    ),
    refused(
        "shared_strings_table_with_a_bad_row",
        lambda: excel_style(book([person("赵新", "T0100"), person("钱多", "1.10101E+17")])()),
        "第 3 行「工号/学号」（名册!B3）",
    ),
    imported(
        "million_formatted_blank_rows",
        million_blank_rows,
        {"T0100": {"name": "赵新"}, "T0101": {"name": "钱多"}},
        notes=("都是空行",),
    ),
]


def test_the_corpus_has_at_least_fifty_files_with_distinct_names():
    assert len(CORPUS) >= 50
    assert len({case.name for case in CORPUS}) == len(CORPUS)


class Unchanged:
    def __init__(self) -> None:
        self.members = list(Member.objects.order_by("pk").values())
        self.audit = AuditEntry.objects.count()
        self.transfers = MemberTransfer.objects.count()
        self.jobs = ImportJob.objects.count()

    def check(self) -> None:
        assert list(Member.objects.order_by("pk").values()) == self.members
        assert AuditEntry.objects.count() == self.audit
        assert MemberTransfer.objects.count() == self.transfers


def submit(user, unit, case: Case, content: bytes) -> ImportJob:
    return jobs.import_job_submit(
        user=user, unit=unit, upload=SimpleUploadedFile(case.filename, content)
    )


@pytest.mark.parametrize("case", CORPUS, ids=lambda case: case.name)
def test_corpus_file(case: Case, cast, org):
    content = case.build()
    before = Unchanged()
    if case.on_upload:
        tracemalloc.start()
        try:
            with pytest.raises(ValidationError) as refusal:
                submit(cast.secretary, org.branch_a1, case, content)
            _now, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        # Refused from the zip's directory, before anything is inflated or parsed
        # (a bomb declares hundreds of MB); times are measured, not asserted.
        assert peak < 32 * 1024**2
        message = " ".join(refusal.value.messages)
        assert f"“{case.filename}”" in message
        for text in case.refused:
            assert text in message
        assert ImportJob.objects.count() == before.jobs  # not even stored
        before.check()
        return
    job = submit(cast.secretary, org.branch_a1, case, content)
    messages = [reading.error_text(error) for error in job.errors]
    if case.refused:
        assert job.status == ImportJob.Status.FAILED, job.summary
        for text in case.refused:
            assert any(text in message for message in messages), (text, messages)
        before.check()
        return
    assert job.status == ImportJob.Status.DONE, messages
    for number, expected in case.members.items():
        member = Member.objects.filter(number=number).values(*expected).get()
        assert member == expected, number
    notes = " ".join(job.summary.get("notes", []))
    for text in case.notes:
        assert text in notes


def case_named(name: str) -> Case:
    return next(case for case in CORPUS if case.name == name)


@pytest.mark.parametrize(
    "name",
    [
        "number_with_00000000_format_keeps_leading_zeros",
        "extra_columns_are_ignored_with_a_note",
        "eighteen_digit_id_stored_as_a_number",
        "branch_merged_over_several_rows",
        "vba_project_inside_a_file_named_xlsx",
        "password_protected_workbook",
    ],
)
def test_a_sample_of_the_corpus_through_the_upload_page_and_the_job_page(name, client, cast, org):
    case = case_named(name)
    client.force_login(cast.secretary)
    before = Unchanged()
    response = client.post(
        reverse("organization:roster_import"),
        {"unit": org.branch_a1.pk, "file": SimpleUploadedFile(case.filename, case.build())},
    )
    if case.on_upload:
        assert response.status_code == 200
        page = response.content.decode()
        for text in case.refused:
            assert text in page
        assert ImportJob.objects.count() == before.jobs
        return
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    if case.refused:
        assert "名册没有导入" in page
        job = ImportJob.objects.latest("pk")
        assert job.errors
        for error in job.errors:  # each fault with its cell, e.g. 名册!B2
            assert error["message"] in page
            assert reading.cell_label(error) in page
        before.check()
    else:
        assert "名册已导入" in page
        for text in case.notes:
            assert text in page
        for number in case.members:
            assert Member.objects.filter(number=number).exists()


def test_the_api_lists_the_cell_and_the_notes(client, cast, org):
    client.force_login(cast.secretary)
    case = case_named("extra_columns_are_ignored_with_a_note")
    response = client.post(
        "/api/v1/roster/imports",
        {"unit": org.branch_a1.pk, "file": SimpleUploadedFile(case.filename, case.build())},
    )
    assert response.status_code == 201, response.content
    assert any("备注" in note for note in response.json()["summary"]["notes"])
    case = case_named("eighteen_digit_id_stored_as_a_number")
    response = client.post(
        "/api/v1/roster/imports",
        {"unit": org.branch_a1.pk, "file": SimpleUploadedFile(case.filename, case.build())},
    )
    error = response.json()["errors"][0]
    assert (error["row"], error["column"], error["cell"], error["sheet"]) == (
        2,
        "工号/学号",
        "B2",
        "名册",
    )


def test_a_re_export_neutralises_formula_like_text_after_leading_spaces(client, cast, org):
    Member.objects.filter(number="T0003").update(name="  =HYPERLINK(1)", email="@x")
    client.force_login(cast.secretary)
    response = client.get(reverse("organization:roster_export", args=[org.branch_a1.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    row = next(row for row in sheet.iter_rows(values_only=True) if row[1] == "T0003")
    assert row[0] == "'  =HYPERLINK(1)"
    assert row[8] == "'@x"
