"""Sections a higher app adds to the registration form (`registration_sections`): what a
reader of the PDF and the Word file finds, and that a source is asked once for a whole
branch."""

from __future__ import annotations

import io
import re

import docx
import pypdf
import pytest

from vanguard.grading import registration_sections
from vanguard.grading.registration_form import (
    registration_form_docx,
    registration_form_pdf,
    registration_forms_pdf,
)
from vanguard.grading.registration_sections import FormSection
from vanguard.grading.selectors_registration import branch_registrations, registration_data

pytestmark = pytest.mark.django_db


def _pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def _docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    return "\n".join(
        p.text for row in document.tables[0].rows for cell in row.cells for p in cell.paragraphs
    )


@pytest.fixture
def calls(monkeypatch, cast):
    """A source that answers for the cast's member alone, counting how it is asked."""
    asked: list[list[int]] = []

    def source(*, member_ids, campaign):
        asked.append(list(member_ids))
        me = cast.member_record.pk
        return (
            {me: FormSection("测试栏目", ("第一行：<b>原样</b>", "第二行"))}
            if me in member_ids
            else {}
        )

    # Only this source: the apps' own registrations are tested with their apps.
    monkeypatch.setattr(registration_sections, "REGISTRY", {})
    registration_sections.register("test", source)
    return asked


def test_a_registered_section_is_on_the_pdf_and_the_word_form(cast, campaign, calls):
    data = registration_data(cast.member_record, campaign)
    assert data.extra == [FormSection("测试栏目", ("第一行：<b>原样</b>", "第二行"))]
    text = _pdf_text(registration_form_pdf(data))
    assert "测试栏目第一行：<b>原样</b>第二行" in text
    assert text.index("党委审批意见") < text.index("测试栏目")
    words = _docx_text(registration_form_docx(data))
    assert "测试栏目" in words and "第一行：<b>原样</b>" in words


def test_a_member_the_source_says_nothing_about_has_the_form_unchanged(
    cast, campaign, calls, monkeypatch
):
    colleague = cast.colleague_record
    with_source = registration_data(colleague, campaign)
    monkeypatch.setattr(registration_sections, "REGISTRY", {})
    without = registration_data(colleague, campaign)
    assert with_source.extra == [] == without.extra
    assert _pdf_text(registration_form_pdf(with_source)) == _pdf_text(
        registration_form_pdf(without)
    )


def test_the_branch_bundle_asks_each_source_once(cast, branch, campaign, calls):
    forms = branch_registrations(branch, campaign)
    assert len(calls) == 1 and sorted(calls[0]) == sorted(form.member_id for form in forms)
    assert [form.name for form in forms if form.extra] == ["王小明"]
    text = _pdf_text(registration_forms_pdf(forms))
    assert text.count("测试栏目") == 1


def test_registering_a_key_again_replaces_its_source(cast, campaign, calls):
    registration_sections.register(
        "test", lambda *, member_ids, campaign: {cast.member_record.pk: FormSection("新栏目", ())}
    )
    assert [s.label for s in registration_data(cast.member_record, campaign).extra] == ["新栏目"]
    assert calls == []
