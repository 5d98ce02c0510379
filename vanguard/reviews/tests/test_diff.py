"""Comparing versions: Chinese text diffs into readable phrases, and the marks are
escaped HTML."""

from __future__ import annotations

from vanguard.reviews.diff import DELETE, EQUAL, INSERT, diff_text, side_by_side, version_diff


def _rebuild(chunks, keep):
    return "".join(text for op, text in chunks if op in (EQUAL, keep))


def test_a_rewritten_phrase_is_one_deletion_and_one_insertion():
    chunks = diff_text(
        "我对理论学习不够重视，学习时间不足。", "我对理论学习重视不够，系统学习的时间明显不足。"
    )
    assert chunks[0] == (EQUAL, "我对理论学习")
    assert chunks[-1] == (EQUAL, "不足。")
    assert [op for op, _t in chunks] == [EQUAL, DELETE, INSERT, EQUAL]


def test_both_texts_can_be_rebuilt_from_the_chunks():
    old = "工作作风不够扎实。\n服务意识不强，abc 123。"
    new = "工作作风不够扎实，深入群众少。\n服务意识不强，abd 123 与 456。"
    chunks = diff_text(old, new)
    assert _rebuild(chunks, DELETE) == old
    assert _rebuild(chunks, INSERT) == new


def test_an_added_sentence_is_only_an_insertion():
    assert diff_text("一。", "一。二。") == [(EQUAL, "一。"), (INSERT, "二。")]


def test_unchanged_and_empty_sections():
    assert diff_text("", "") == []
    assert diff_text("同", "同") == [(EQUAL, "同")]
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
