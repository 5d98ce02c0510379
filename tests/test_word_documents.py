"""Every Word document the app builds opens cleanly in a strict reader (issue 15, point
8: "Word documents open without a repair prompt"). Each is built from the demo college,
then LibreOffice converts them all to PDF in ONE headless run (a start of soffice costs
seconds; one per file would cost minutes) and each PDF's text must hold what the
document is about. A file LibreOffice cannot read yields no PDF, and the test names it.

`WORD_DOCUMENTS` is the one list of the app's Word builders: a new `*_docx` builder
fails `test_every_word_builder_is_listed` until it is added here with its sample.
LibreOffice comes from the Makefile (`make system-test-deps`: libreoffice-writer-nogui).
"""

from __future__ import annotations

import ast
import io
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from pypdf import PdfReader

import vanguard
from vanguard.demo.tests.kept_demo import kept_demo

pytestmark = pytest.mark.django_db

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
# One conversion of every document (about ten) took 6 s here; a hung soffice must not
# hang CI.
CONVERT_TIMEOUT_SECONDS = 240


@dataclass(frozen=True)
class WordDocument:
    name: str  # the file's name in the conversion folder
    covers: tuple[str, ...]  # the dotted names of the builders it exercises
    build: Callable[[Any], tuple[bytes, list[str]]]  # demo → (docx, texts the PDF must hold)


def _demo_campaign_and_branch(demo: Any) -> tuple[Any, Any]:
    from vanguard.campaigns.selectors import active_campaign_for_unit
    from vanguard.organization.models import Member

    member = Member.objects.select_related("branch").get(user__username="secretary")
    return active_campaign_for_unit(member.branch.path), member.branch


def _registration_form(demo: Any) -> tuple[bytes, list[str]]:
    from vanguard.grading import registration_form, selectors_registration
    from vanguard.organization.models import Member

    campaign, _branch = _demo_campaign_and_branch(demo)
    member = Member.objects.get(user__username="member")
    data = selectors_registration.registration_data(member, campaign)
    return registration_form.registration_form_docx(data), ["党员评议登记表", member.name]


def _registration_forms(demo: Any) -> tuple[bytes, list[str]]:
    from vanguard.grading import registration_form, selectors_registration

    campaign, branch = _demo_campaign_and_branch(demo)
    forms = selectors_registration.branch_registrations(branch, campaign)
    last = forms[-1]
    # The last member's: written from a refilled document, not the first.
    *_earlier, content = registration_form.registration_forms_docx(forms)
    return content, ["党员评议登记表", last.name]


def _round_report(demo: Any) -> tuple[bytes, list[str]]:
    from vanguard.supervision.models import Round
    from vanguard.supervision.reports import document, selectors

    campaign, _branch = _demo_campaign_and_branch(demo)
    found = Round.objects.filter(campaign=campaign).order_by("pk").first()
    assert found is not None, "the demo has no inspection round"
    report = selectors.round_report(found, campaign.unit)
    return document.round_report_docx(report), ["检查情况通报", found.title]


def _campaign_report(demo: Any) -> tuple[bytes, list[str]]:
    from vanguard.accounts.models import User
    from vanguard.materials.report import document, selectors

    campaign, _branch = _demo_campaign_and_branch(demo)
    committee = User.objects.get(username="committee")
    data = selectors.report_data(committee, campaign)
    drafted = document.Drafted(examples=data.chosen, today=document.today())
    return document.report_docx(data.figures, drafted), [document.report_title(data.figures)]


def _meeting_book(demo: Any) -> tuple[bytes, list[str]]:
    from vanguard.materials.meeting_book import document

    campaign, branch = _demo_campaign_and_branch(demo)
    return document.meeting_book_docx(campaign=campaign, branch=branch), [
        document.title(),
        branch.name,
    ]


def _stage_summary(demo: Any) -> tuple[bytes, list[str]]:
    from vanguard.campaigns.models import Phase
    from vanguard.materials.stage_summary import document, services

    campaign, branch = _demo_campaign_and_branch(demo)
    phase = campaign.phases.get(key=Phase.Key.STUDY)
    summary = services.stage_summary_draft(campaign=campaign, branch=branch, phase=phase)
    return document.stage_summary_docx(summary=summary), [branch.name, "阶段工作小结"]


def _survey_form(demo: Any) -> tuple[bytes, list[str]]:
    from vanguard.materials.paper import documents, selectors
    from vanguard.opinions.intake import services
    from vanguard.opinions.models import Survey

    _campaign, branch = _demo_campaign_and_branch(demo)
    survey = Survey.objects.filter(branch=branch).first() or services.survey_create(
        branch=branch, title="书面调查"
    )
    sheet = selectors.survey_sheet(survey)
    return documents.survey_form_docx(sheet), ["征求意见表", sheet.aspects[0], sheet.members[0]]


WORD_DOCUMENTS = [
    WordDocument(
        "registration_form.docx",
        ("vanguard.grading.registration_form.registration_form_docx",),
        _registration_form,
    ),
    WordDocument(
        "registration_forms_last.docx",
        ("vanguard.grading.registration_form.registration_forms_docx",),
        _registration_forms,
    ),
    WordDocument(
        "round_report.docx",
        ("vanguard.supervision.reports.document.round_report_docx",),
        _round_report,
    ),
    WordDocument(
        "campaign_report.docx",
        ("vanguard.materials.report.document.report_docx",),
        _campaign_report,
    ),
    WordDocument(
        "meeting_book.docx",
        (
            "vanguard.materials.meeting_book.document.meeting_book_docx",
            "vanguard.materials.meeting_book.document.book_docx",
        ),
        _meeting_book,
    ),
    WordDocument(
        "stage_summary.docx",
        ("vanguard.materials.stage_summary.document.stage_summary_docx",),
        _stage_summary,
    ),
    WordDocument(
        "survey_form.docx",
        ("vanguard.materials.paper.documents.survey_form_docx",),
        _survey_form,
    ),
]


def _word_builders() -> set[str]:
    """Every public function named *_docx in the app's code, outside views (which serve
    a builder's file) and tests."""
    root = Path(vanguard.__file__).parent
    found: set[str] = set()
    for path in root.rglob("*.py"):
        relative = path.relative_to(root.parent)
        if "tests" in relative.parts or path.name.startswith("views"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module = ".".join(relative.with_suffix("").parts)
        for node in tree.body:
            if (
                isinstance(node, ast.FunctionDef)
                and node.name.endswith("_docx")
                and not node.name.startswith("_")
            ):
                found.add(f"{module}.{node.name}")
    return found


def test_every_word_builder_is_listed():
    listed = {name for document in WORD_DOCUMENTS for name in document.covers}
    missing = sorted(_word_builders() - listed)
    assert not missing, "Word builders not in WORD_DOCUMENTS (tests/test_word_documents.py): " + (
        ", ".join(missing)
    )
    stale = sorted(listed - _word_builders())
    assert not stale, "WORD_DOCUMENTS names builders that no longer exist: " + ", ".join(stale)


@pytest.fixture(scope="module")
def demo_of_the_module(django_db_setup, django_db_blocker):
    with kept_demo(django_db_blocker) as result:
        yield result


@pytest.fixture
def demo(demo_of_the_module, db):
    return demo_of_the_module


def _text(pdf: Path) -> str:
    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def test_every_word_document_converts_in_libreoffice_with_its_content(demo, tmp_path):
    assert SOFFICE, (
        "LibreOffice (soffice) is not installed: run `make system-test-deps` "
        "(or apt-get install libreoffice-writer-nogui)"
    )
    source = tmp_path / "docx"
    source.mkdir()
    expected: dict[str, list[str]] = {}
    for document in WORD_DOCUMENTS:
        content, texts = document.build(demo)
        Document(io.BytesIO(content))  # python-docx reads it back first
        (source / document.name).write_bytes(content)
        expected[document.name] = texts
    out = tmp_path / "pdf"
    started = time.perf_counter()
    run = subprocess.run(  # noqa: S603 - fixed arguments, our own files
        [
            SOFFICE,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *sorted(str(p) for p in source.iterdir()),
        ],
        capture_output=True,
        text=True,
        timeout=CONVERT_TIMEOUT_SECONDS,
        check=False,
    )
    seconds = time.perf_counter() - started
    print(f"soffice converted {len(WORD_DOCUMENTS)} Word documents in {seconds:.1f} s")
    assert run.returncode == 0, run.stderr
    assert "Error" not in run.stderr and "error" not in run.stdout.lower(), run.stdout + run.stderr
    keep = os.environ.get("VANGUARD_KEEP_WORD_PDFS")  # a folder: to look at them
    if keep:
        shutil.copytree(out, keep, dirs_exist_ok=True)
    for name, texts in expected.items():
        pdf = out / (Path(name).stem + ".pdf")
        assert pdf.exists(), f"LibreOffice could not read {name}: {run.stdout} {run.stderr}"
        text = _text(pdf)
        for wanted in texts:
            assert re.sub(r"\s+", "", wanted) in text, (name, wanted)
