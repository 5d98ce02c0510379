"""Comparing texts: Chinese text diffs into readable phrases, and the marks are
escaped HTML."""

from __future__ import annotations

from vanguard.lib.textdiff import DELETE, EQUAL, INSERT, compare, diff_text, side_by_side


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


def test_unchanged_and_empty_texts():
    assert diff_text("", "") == []
    assert diff_text("同", "同") == [(EQUAL, "同")]
    assert diff_text("", "新") == [(INSERT, "新")]
    assert diff_text("旧", "") == [(DELETE, "旧")]


def test_side_by_side_marks_and_escapes():
    first, second = side_by_side([("问题", "<b>旧</b>文字", "<b>新</b>文字"), ("措施", "同", "同")])
    assert first.label == "问题"
    assert first.changed and first.deleted == 1 and first.inserted == 1
    assert "<del>旧</del>" in first.old_html and "&lt;b&gt;" in first.old_html
    assert "<ins>新</ins>" in first.new_html and "<b>" not in first.new_html
    assert "<ins>" not in first.old_html and "<del>" not in first.new_html
    assert not second.changed and second.old_html == second.new_html == "同"


def test_compare_names_the_text_and_counts_characters():
    found = compare("整改措施", "每月谈心", "每月与两名学生谈心", name="measure")
    assert found.name == "measure"
    assert (found.deleted, found.inserted) == (0, 5)
    assert found.new_html == "每月<ins>与两名学生</ins>谈心"
