"""A generated file's download name: Chinese for current browsers, ASCII for old ones."""

from __future__ import annotations

from urllib.parse import quote

from vanguard.lib.downloads import file_disposition


def test_a_chinese_name_comes_with_an_ascii_fallback():
    value = file_disposition("党员整改计划-王小明.pdf", "plan-T0002.pdf", inline=True)
    assert value.startswith('inline; filename="plan-T0002.pdf"; ')
    assert f"filename*=utf-8''{quote('党员整改计划-王小明.pdf', safe='')}" in value


def test_an_ascii_name_is_given_once_as_an_attachment():
    assert file_disposition("plan.xlsx", "plan.xlsx") == 'attachment; filename="plan.xlsx"'


def test_quotes_and_line_breaks_in_a_name_cannot_break_the_header():
    value = file_disposition('王"\r\nSet-Cookie: x=1.pdf', "x.pdf")
    assert "\r" not in value and "\n" not in value
    assert 'filename="x.pdf"' in value
