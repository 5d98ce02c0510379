"""Comparing versions of a self-analysis section by section (the diff itself is
`vanguard.lib.textdiff`, tested in vanguard/lib/tests/test_textdiff.py)."""

from __future__ import annotations

from vanguard.reviews.diff import side_by_side, version_diff
from vanguard.reviews.models import SECTIONS

DELETE, EQUAL, INSERT = "delete", "equal", "insert"


def test_unchanged_and_empty_sections():
    result = version_diff({"problems": "甲"}, {"problems": "乙", "roots": "新"})
    assert result["problems"] == [(DELETE, "甲"), (INSERT, "乙")]
    assert result["roots"] == [(INSERT, "新")]
    assert result["summary"] == []


def test_side_by_side_marks_and_escapes():
    sections = side_by_side({"problems": "<b>旧</b>文字"}, {"problems": "<b>新</b>文字"})
    problems = sections[0]
    assert problems.changed and problems.deleted == 1 and problems.inserted == 1
    assert "<del>旧</del>" in problems.old_html and "&lt;b&gt;" in problems.old_html
    assert "<ins>新</ins>" in problems.new_html and "<b>" not in problems.new_html
    assert not sections[1].changed


def test_every_section_in_the_documents_order_with_its_name_and_label():
    sections = side_by_side({}, {})
    assert [(s.name, s.label) for s in sections] == [(n, str(label)) for n, label in SECTIONS]
