"""The campaign's archive for the records office (归档): one zip holding the data as
CSV (UTF-8 with a byte-order mark, so Excel opens the Chinese as written), each
branch's three materials as the bundles lay them out (PDF and Word), a folder per
member whose materials go into their personal file (档案), a README.txt saying what is
where and why, and MANIFEST.csv listing every other file with its size and SHA-256,
which `archive_verify` (and `manage.py archive_verify`) checks.

Written entry by entry into a file (a college of 700 members is tens of megabytes):
nothing is held in memory but the entry being written. The manifest is made from the
finished zip read back, so it lists what the file really holds."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.campaigns.models import Campaign
from vanguard.documents.xlsx import cell_value
from vanguard.grading import registration_form, selectors_registration
from vanguard.materials.archive import rules, selectors
from vanguard.materials.bundles import build as bundle_build
from vanguard.rectification.exports import document as plan_document
from vanguard.rectification.exports import selectors as plan_selectors

MANIFEST = "MANIFEST.csv"
README = "README.txt"
MANIFEST_HEADERS = ["path", "bytes", "sha256"]

# progress(done, total, what is being written)
Progress = Callable[[int, int, str], None]

safe_name = bundle_build.safe_name


def _no_progress(done: int, total: int, label: str) -> None:
    return None


def csv_bytes(headers: list[str], rows: Iterable[list[Any]]) -> bytes:
    """A CSV Excel opens as written: UTF-8 with a BOM, CRLF lines, every text cell
    neutralised as the workbooks' are (a cell starting with = + - @ is not a formula)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else cell_value(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


@dataclass
class ArchiveSummary:
    files: int = 0
    bytes: int = 0
    branches: int = 0
    personal_files: int = 0


def readme_text(campaign: Campaign, summary: ArchiveSummary, made_at: Any) -> str:
    lines = [
        _("%(campaign)s（%(year)s 年度）归档材料")
        % {"campaign": campaign.name, "year": campaign.year},
        _("组织：%(unit)s") % {"unit": campaign.unit.name},
        _("生成时间：%(at)s") % {"at": made_at.strftime("%Y-%m-%d %H:%M")},
        "",
        _("目录"),
        _("data/        数据表（CSV，UTF-8 带 BOM，Excel 可直接打开）："),
        _("  branches.csv             党支部及在册、正式、预备党员人数"),
        _("  meetings.csv             会议：类型、时间、地点、主持人、记录人、出席和缺席人数"),
        _("  study.csv                各支部学习计划、学习活动次数、读书笔记、心得、论文篇数"),
        _("  opinions.csv             各单位按渠道征求到的意见条数（只有条数）"),
        _("  reviews.csv              各支部个人总结“三上三下”的状态人数"),
        _("  grades.csv               党委审批的等次，不合格党员的处置结果"),
        _("  rectification_plans.csv  整改计划及事项完成、验收数"),
        _("  rectification_items.csv  整改事项：问题、措施、责任人、时限、状态"),
        _(
            "documents/   各支部的三份材料（支部大会记录本、支部阶段工作小结、党员评议登记表，"
            "PDF 和 Word），按党总支、支部分文件夹，各支部的 README.txt 写明尚缺的材料"
        ),
        _("personal_files/  归入本人档案的材料，每人一个文件夹（见下）"),
        _("MANIFEST.csv 包中其他每个文件的路径、字节数和 SHA-256 校验值"),
        "",
        _("归入个人档案的材料"),
        rules.personal_file_rule(),
        "",
        _("不归档的内容"),
        rules.never_archived(),
        "",
        _("校验"),
        _(
            "MANIFEST.csv 列出每个文件的 SHA-256，可用 sha256sum 逐一核对，"
            "或运行 manage.py archive_verify <本压缩包>。"
        ),
        "",
        _("共 %(branches)d 个支部的材料，%(people)d 人的个人档案材料。")
        % {"branches": summary.branches, "people": summary.personal_files},
    ]
    return "\n".join(lines) + "\n"


def archive_build(
    *, campaign: Campaign, out: IO[bytes], progress: Progress = _no_progress
) -> ArchiveSummary:
    """Write the campaign's archive into `out`, a file opened for reading and writing
    bytes (a temporary file): the entries, then MANIFEST.csv from the zip read back."""
    branches = list(selectors.branches(campaign))
    people = list(selectors.personal_files(campaign))
    total = len(selectors.TABLES) + len(branches) + len(people) + 1
    done = 0
    summary = ArchiveSummary()
    writer = bundle_build.Writer(out)
    try:
        for make in selectors.TABLES:
            progress(done, total, _("数据表"))
            table = make(campaign)
            writer.add(f"data/{table.name}.csv", csv_bytes(table.headers, table.rows))
            done += 1
        # The branches' documents are the bundles' (`materials.bundles.build`): each
        # branch's three materials, as the branch hands them in.
        for folder, branch in bundle_build.branch_folders(campaign.unit, branches):
            progress(done, total, branch.name)
            bundle_build.branch_build(
                writer, f"documents/{folder}", campaign=campaign, branch=branch
            )
            summary.branches += 1
            done += 1
        for person in people:
            progress(done, total, person.member.name)
            _personal_file(writer, campaign, person)
            summary.personal_files += 1
            done += 1
        progress(done, total, _("清单"))
        writer.add(README, readme_text(campaign, summary, timezone.localtime()))
    finally:
        writer.close()
    out.seek(0)
    listed = manifest_rows(out)
    out.seek(0, io.SEEK_END)
    with zipfile.ZipFile(out, "a") as archive:
        info = zipfile.ZipInfo(MANIFEST, date_time=timezone.localtime().timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        archive.writestr(info, csv_bytes(MANIFEST_HEADERS, [list(row) for row in listed]))
    summary.files = len(listed) + 1
    summary.bytes = sum(size for _path, size, _digest in listed)
    progress(total, total, _("完成"))
    return summary


def manifest_rows(source: IO[bytes]) -> list[tuple[str, int, str]]:
    """(path, bytes, SHA-256) of every file in the zip but the manifest, in zip order."""
    rows = []
    with zipfile.ZipFile(source) as archive:
        for info in archive.infolist():
            if info.is_dir() or info.filename == MANIFEST:
                continue
            digest = hashlib.sha256()
            with archive.open(info) as entry:
                while chunk := entry.read(1 << 20):
                    digest.update(chunk)
            rows.append((info.filename, info.file_size, digest.hexdigest()))
    return rows


def _personal_file(
    writer: bundle_build.Writer, campaign: Campaign, person: selectors.PersonalFile
) -> None:
    member = person.member
    folder = "personal_files/{branch}/{who}".format(
        branch=safe_name(person.branch.name),
        who=safe_name(f"{member.number}-{member.name}（{person.reason}）"),
    )
    data = selectors_registration.registration_data(member, campaign)
    writer.add(
        f"{folder}/{safe_name(registration_form.title())}.pdf",
        registration_form.registration_form_pdf(data),
    )
    if person.plan is not None:
        export = plan_selectors.plan_export(person.plan)
        writer.add(
            f"{folder}/{safe_name(plan_document.title())}.pdf", plan_document.plan_pdf(export)
        )


# --- Verification -----------------------------------------------------------------------------


@dataclass
class Verification:
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def archive_verify(source: str | IO[bytes]) -> Verification:
    """Check an archive against its manifest: every listed file present with its size
    and SHA-256, no file that is not listed (but the manifest), the zip's own CRCs."""
    result = Verification()
    try:
        archive = zipfile.ZipFile(source)
    except (OSError, zipfile.BadZipFile) as error:
        result.problems.append(_("不是有效的压缩包：%(error)s") % {"error": error})
        return result
    with archive:
        names = set(archive.namelist())
        if MANIFEST not in names:
            result.problems.append(_("压缩包中没有 MANIFEST.csv。"))
            return result
        broken = archive.testzip()
        if broken is not None:
            result.problems.append(_("%(path)s：压缩数据损坏。") % {"path": broken})
        text = archive.read(MANIFEST).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        if not rows or rows[0] != MANIFEST_HEADERS:
            result.problems.append(_("MANIFEST.csv 的表头不是 path, bytes, sha256。"))
            return result
        listed: set[str] = set()
        for line, row in enumerate(rows[1:], start=2):
            if len(row) != 3:
                result.problems.append(_("MANIFEST.csv 第 %(line)d 行格式不对。") % {"line": line})
                continue
            path, size, digest = row
            listed.add(path)
            if path not in names:
                result.problems.append(_("%(path)s：清单中有，压缩包中没有。") % {"path": path})
                continue
            content = archive.read(path)
            result.checked += 1
            if str(len(content)) != size:
                result.problems.append(
                    _("%(path)s：大小应为 %(want)s 字节，实为 %(got)d 字节。")
                    % {"path": path, "want": size, "got": len(content)}
                )
            if hashlib.sha256(content).hexdigest() != digest:
                result.problems.append(_("%(path)s：SHA-256 校验值不符。") % {"path": path})
        for extra in sorted(names - listed - {MANIFEST}):
            if not extra.endswith("/"):
                result.problems.append(_("%(path)s：压缩包中有，清单中没有。") % {"path": extra})
    return result
