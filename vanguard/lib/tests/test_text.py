"""Shared text normalisation: what people type, made comparable and safe to store."""

from __future__ import annotations

import pytest

from vanguard.lib.text import (
    PHONE_PATTERN,
    clean_name,
    fold_width,
    is_formula_like,
    neutralise_formula,
    phone_digits,
    strip_invisible,
    unneutralise_formula,
)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("１２３４５６７８", "12345678"),
        ("Ｔ０１００", "T0100"),
        ("ｚｈａｏ＠ｅｘａｍｐｌｅ．ｃｎ", "zhao@example.cn"),
        ("\u3000T0100\u3000", "T0100"),  # ideographic spaces at the ends
        ("T01\u200b00", "T0100"),
        ("\ufeffT0100", "T0100"),
        ("２０１５年７月１日", "2015年7月1日"),
    ],
)
def test_full_width_text_folds_to_ascii(typed, stored):
    assert fold_width(typed) == stored


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("\u200b王\u200c小\u200d明\u2060\ufeff", "王小明"),
        ("\ufeff李书记", "李书记"),
        ("买买提•艾力", "买买提·艾力"),
        ("买买提．艾力", "买买提·艾力"),
        ("买买提・艾力", "买买提·艾力"),
        ("买买提‧艾力", "买买提·艾力"),
        ("买买提･艾力", "买买提·艾力"),
        ("买买提∙艾力", "买买提·艾力"),
        ("买买提.艾力", "买买提·艾力"),
        ("买买提 · 艾力", "买买提·艾力"),
        ("买买提 ·· 艾力", "买买提·艾力"),
        ("王\u3000芳", "王芳"),
        ("李  娜", "李娜"),
        (" 欧阳 娜娜 ", "欧阳娜娜"),
        ("John  Smith", "John Smith"),
        ("Anna 李", "Anna 李"),
        ("", ""),
        ("\u200b", ""),
    ],
)
def test_names_lose_invisible_characters_padding_and_odd_dots(typed, stored):
    assert clean_name(typed) == stored


def test_strip_invisible_keeps_everything_else():
    assert strip_invisible("a\u200bb c\ufeff") == "ab c"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("138-0013-8000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("(010) 6275-1234", "01062751234"),
        ("（０１０）６２７５１２３４", "01062751234"),
        ("+86 138 0013 8000", "+8613800138000"),
        ("＋８６　１３８００１３８０００", "+8613800138000"),
        ("138—0013—8000", "13800138000"),
    ],
)
def test_phones_are_kept_as_digits_with_a_leading_plus(typed, stored):
    assert phone_digits(typed) == stored
    assert PHONE_PATTERN.match(stored)


@pytest.mark.parametrize("typed", ["办公室", "138 0013 8000 转 12", "1+2", "12"])
def test_what_is_not_a_phone_number_does_not_match(typed):
    assert not PHONE_PATTERN.match(phone_digits(typed))


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+86", "-5", "@SUM(A1)", "  =HYPERLINK(1)", "\t=1", " \t@x", "\tplain", "\rplain"],
)
def test_formula_like_text_is_neutralised_and_restored(text):
    assert is_formula_like(text)
    safe = neutralise_formula(text)
    assert safe == "'" + text
    assert unneutralise_formula(safe) == text


@pytest.mark.parametrize("text", ["王小明", "a=b", "13800138000", "T-01", " plain"])
def test_plain_text_is_left_alone(text):
    assert neutralise_formula(text) == text
    assert unneutralise_formula(text) == text


def test_an_apostrophe_already_there_survives_a_round_trip():
    assert neutralise_formula("'quoted") == "''quoted"
    assert unneutralise_formula("''quoted") == "'quoted"
    assert unneutralise_formula("'quoted") == "'quoted"
