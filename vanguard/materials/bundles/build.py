"""What goes into a bundle (材料包) and how it is written: a branch's three materials
(三份材料) in a folder of its own — the meeting record book (支部大会记录本), the stage
summaries (支部阶段工作小结), every member's registration form (党员评议登记表) — with a
README.txt saying what the folder holds and what is still missing; a college's bundle
is the folders of all its branches, one per general branch and branch.

Each document comes from the workflow that owns it (`meeting_book`, `stage_summary`,
grading's `registration_form`, called through `parts`); this module only gathers them
and says in the README what the data lacks (a required meeting not held, a summary not
drafted or not handed in, a branch without members).

A branch's registration forms are the bundle's bulk (a college's 700 forms): the
branch's forms are read in one selector call, printed in one PDF, and written as Word
files from one refilled document (`registration_forms_docx`).
"""

from __future__ import annotations

import datetime
import re
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from vanguard.campaigns.models import Campaign
from vanguard.grading import registration_form, selectors_registration
from vanguard.materials.bundles import parts
from vanguard.organization.models import Unit

# progress(done, total) within the branch being built.
Progress = Callable[[int, int], None]


class PartFailed(Exception):
    """A part of a branch's bundle could not be made; says which, for the person."""

    def __init__(self, branch: Unit, part: str) -> None:
        self.branch = branch
        self.part = part
        super().__init__(f"{branch.name}: {part}")

    @property
    def message(self) -> str:
        text = _("生成“%(branch)s”的%(part)s时出错，材料包没有生成。请稍后再试，或联系管理员。")
        return text % {"branch": self.branch.name, "part": self.part}


def safe_name(text: str) -> str:
    """A name usable as a folder or file name in a zip opened on any system."""
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "-", text).strip(" .")
    return cleaned[:120] or "-"


@dataclass
class BranchContents:
    """What a branch's folder holds (paths inside the folder) and lacks."""

    branch: Unit
    held: list[str] = field(default_factory=list)  # README lines: what is in the folder
    missing: list[str] = field(default_factory=list)  # README lines: what is not (yet)
    forms: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # wall-clock, by part
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # CPU, by part


class Writer:
    """The zip being written: documents stored as they are (PDF and Word are already
    compressed), the README compressed."""

    def __init__(self, fileobj: IO[bytes]) -> None:
        self.zip = zipfile.ZipFile(fileobj, "w", zipfile.ZIP_STORED)
        self.stamp = timezone.localtime().timetuple()[:6]

    def add(self, path: str, content: bytes | str) -> None:
        info = zipfile.ZipInfo(path, date_time=self.stamp)  # type: ignore[arg-type]
        info.external_attr = 0o644 << 16
        if isinstance(content, str):
            info.compress_type = zipfile.ZIP_DEFLATED
            content = content.replace("\n", "\r\n").encode("utf-8-sig")  # Notepad reads it
        self.zip.writestr(info, content)

    def close(self) -> None:
        self.zip.close()


def branch_build(
    writer: Writer,
    folder: str,
    *,
    campaign: Campaign,
    branch: Unit,
    progress: Progress | None = None,
) -> BranchContents:
    """Write the branch's three materials and its README.txt under `folder/` in the zip.
    Raises PartFailed when one of them cannot be made."""
    contents = BranchContents(branch=branch)
    started = _clock()
    forms = _registrations(campaign, branch)
    _timed(contents, "registration_select", started)
    total = len(forms) + 3
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    _meeting_book(writer, folder, contents, campaign=campaign, branch=branch)
    step()
    _stage_summaries(writer, folder, contents, campaign=campaign, branch=branch)
    step()
    _registration_forms(writer, folder, contents, forms, step=step)
    writer.add(f"{folder}/README.txt", branch_readme(contents, campaign=campaign))
    return contents


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _timed(contents: BranchContents, key: str, started: tuple[float, float]) -> None:
    """Add the wall-clock and the CPU time since `started` to `key`: on a shared machine
    the CPU time says what the work costs, the wall-clock what the person waited."""
    wall, cpu = _clock()
    contents.seconds[key] = contents.seconds.get(key, 0.0) + wall - started[0]
    contents.cpu_seconds[key] = contents.cpu_seconds.get(key, 0.0) + cpu - started[1]


def _registrations(
    campaign: Campaign, branch: Unit
) -> list[selectors_registration.RegistrationData]:
    try:
        return selectors_registration.branch_registrations(branch, campaign)
    except Exception as error:
        raise PartFailed(branch, _("党员评议登记表")) from error


def _meeting_book(
    writer: Writer, folder: str, contents: BranchContents, *, campaign: Campaign, branch: Unit
) -> None:
    label = _("支部大会记录本")
    started = _clock()
    try:
        book = parts.meeting_book(campaign=campaign, branch=branch)
    except Exception as error:
        raise PartFailed(branch, label) from error
    writer.add(f"{folder}/{label}.pdf", book.pdf)
    writer.add(f"{folder}/{label}.docx", book.docx)
    contents.held.append(
        _("%(label)s：%(label)s.pdf、%(label)s.docx（记载会议 %(count)d 次）")
        % {"label": label, "count": book.meetings}
    )
    for meeting in book.not_held:
        contents.missing.append(_("支部大会记录本：尚未召开%(meeting)s。") % {"meeting": meeting})
    _timed(contents, "meeting_book", started)


def _stage_summaries(
    writer: Writer, folder: str, contents: BranchContents, *, campaign: Campaign, branch: Unit
) -> None:
    label = _("支部阶段工作小结")
    started = _clock()
    try:
        summaries = parts.stage_summaries(campaign=campaign, branch=branch)
    except Exception as error:
        raise PartFailed(branch, label) from error
    if not summaries:
        contents.missing.append(_("支部阶段工作小结：尚未起草。"))
    for summary in summaries:
        stem = safe_name(summary.stem)
        writer.add(f"{folder}/{label}/{stem}.pdf", summary.pdf)
        writer.add(f"{folder}/{label}/{stem}.docx", summary.docx)
        contents.held.append(
            _("%(label)s：%(label)s/%(stem)s.pdf、.docx（%(state)s）")
            % {"label": label, "stem": stem, "state": summary.state_label}
        )
        if not summary.submitted:
            contents.missing.append(
                _("支部阶段工作小结：“%(stem)s”尚未提交（%(state)s），所附为草稿。")
                % {"stem": stem, "state": summary.state_label}
            )
    _timed(contents, "stage_summary", started)


def registration_file_name(data: selectors_registration.RegistrationData) -> str:
    """党员评议登记表/T0002-王小明.docx: the number keeps two members of one name apart."""
    return safe_name(f"{data.number}-{data.name}" if data.number else data.name)


def _registration_forms(
    writer: Writer,
    folder: str,
    contents: BranchContents,
    forms: list[selectors_registration.RegistrationData],
    *,
    step: Callable[[], None],
) -> None:
    title = registration_form.title()
    branch = contents.branch
    started = _clock()
    try:
        whole = registration_form.registration_forms_pdf(forms)
    except Exception as error:
        raise PartFailed(branch, title) from error
    whole_name = _("%(title)s（全支部）") % {"title": title}
    writer.add(f"{folder}/{title}/{whole_name}.pdf", whole)
    _timed(contents, "registration_pdf", started)
    step()
    started = _clock()
    used: set[str] = set()
    documents = registration_form.registration_forms_docx(forms)
    for data in forms:
        try:
            content = next(documents)
        except Exception as error:
            raise PartFailed(branch, title) from error
        name = registration_file_name(data)
        while name in used:  # the same number and name twice: keep both
            name += "_"
        used.add(name)
        writer.add(f"{folder}/{title}/{name}.docx", content)
        step()
    _timed(contents, "registration_docx", started)
    contents.forms = len(forms)
    if forms:
        contents.held.append(
            _(
                "%(title)s：全支部 %(count)d 人，%(title)s/%(title)s（全支部）.pdf 一份"
                "（每人一页起），Word 每人一份（%(title)s/工号或学号-姓名.docx）"
            )
            % {"title": title, "count": len(forms)}
        )
    else:
        contents.missing.append(_("党员评议登记表：本支部没有在册党员。"))


def _made_on() -> str:
    return date_format(timezone.localtime(), "DATETIME_FORMAT")


def _listed(lines: list[str], none: str) -> list[str]:
    return [f"- {line}" for line in lines] if lines else [f"- {none}"]


def branch_readme(contents: BranchContents, *, campaign: Campaign) -> str:
    lines = [
        _("%(branch)s 三份材料") % {"branch": contents.branch.name},
        _("活动：%(campaign)s") % {"campaign": campaign.name},
        _("生成时间：%(when)s") % {"when": _made_on()},
        "",
        _("本文件夹包含："),
        *_listed(contents.held, _("（无）")),
        "",
        _("尚缺或待办："),
        *_listed(contents.missing, _("无，三份材料齐全。")),
    ]
    return "\n".join(lines) + "\n"


def college_readme(
    unit: Unit,
    *,
    campaign: Campaign,
    branches: list[tuple[str, BranchContents]],
) -> str:
    forms = sum(contents.forms for _folder, contents in branches)
    lines = [
        _("%(unit)s 各支部三份材料") % {"unit": unit.name},
        _("活动：%(campaign)s") % {"campaign": campaign.name},
        _("生成时间：%(when)s") % {"when": _made_on()},
        _(
            "共 %(branches)d 个支部、%(forms)d 份党员评议登记表；"
            "每个支部一个文件夹，内有该支部的 README.txt。"
        )
        % {"branches": len(branches), "forms": forms},
        "",
        _("各支部尚缺或待办："),
    ]
    complete = True
    for _folder, contents in branches:
        for line in contents.missing:
            complete = False
            lines.append(
                "- " + _("%(branch)s：%(line)s") % {"branch": contents.branch.name, "line": line}
            )
    if complete:
        lines.append(_("- 无，各支部三份材料齐全。"))
    if not branches:
        lines.append(_("- 这个范围内没有党支部。"))
    return "\n".join(lines) + "\n"


def branch_folders(unit: Unit, branches: list[Unit]) -> list[tuple[str, Unit]]:
    """Each branch's folder in a college's bundle: the scope's name, then the general
    branch (and any unit between), then the branch —
    信息学院党委/光电系党总支/光电系本科生党支部."""
    by_path = {
        u.path: u
        for u in Unit.objects.filter(
            path__in={p for b in branches for p in _ancestor_paths(b.path, unit.path)}
        )
    }
    result = []
    for branch in branches:
        names = [safe_name(unit.name)]
        names += [
            safe_name(by_path[p].name)
            for p in _ancestor_paths(branch.path, unit.path)
            if p in by_path and p != branch.path
        ]
        names.append(safe_name(branch.name))
        result.append(("/".join(names), branch))
    return result


def _ancestor_paths(path: str, below: str) -> list[str]:
    """The paths strictly between `below` and `path` and `path` itself, top down (unit
    paths are their ancestors' paths with a segment added)."""
    found = []
    prefix = below
    rest = path[len(below) :]
    for segment in [s for s in rest.split("/") if s]:
        prefix = f"{prefix}{segment}/"
        found.append(prefix)
    return found


def zip_name(
    job_kind: str, unit: Unit, campaign: Campaign, day: datetime.date | None = None
) -> str:
    day = day or timezone.localdate()
    values: dict[str, Any] = {
        "unit": safe_name(unit.name),
        "campaign": safe_name(campaign.name),
        "date": day.strftime("%Y%m%d"),
    }
    if job_kind == "branch":
        return _("%(unit)s-三份材料-%(campaign)s-%(date)s.zip") % values
    return _("%(unit)s-各支部三份材料-%(campaign)s-%(date)s.zip") % values
