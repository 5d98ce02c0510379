"""Text as people type it, made comparable: full-width folding, personal names, phone
numbers, and formula-like text kept from running in a spreadsheet.

Chinese input methods produce full-width digits and letters (`１２３`, `ａｂｃ＠ｘ．ｃｎ`)
and offices pad and decorate names in spreadsheets. These helpers take one string and
return one string; they know no model and no form, so any input (a roster, a form, an
e-mail address) can use them.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Zero-width space / non-joiner / joiner, word joiner, byte-order mark (zero-width
# no-break space); also the soft hyphen, which is invisible in a cell as well.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_INVISIBLE_TABLE = {ord(char): None for char in INVISIBLE}

MIDDLE_DOT = "\u00b7"
# What offices type between the parts of a minority or foreign name (e.g. 买买提·艾力):
# bullet, full-width full stop, katakana middle dot, hyphenation point, half-width
# katakana middle dot, bullet operator, full stop, dot operator, one-dot leader, small
# full stop, Greek ano teleia — stored as the one middle dot U+00B7.
NAME_SEPARATORS = "\u2022\uff0e\u30fb\u2027\uff65\u2219.\u22c5\u2024\ufe52\u0387\u00b7"
_SEPARATOR_RUN = re.compile(r"\s*[" + re.escape(NAME_SEPARATORS) + r"]+\s*")
_SPACES = re.compile(r"\s+")


def _is_han(char: str) -> bool:
    """A CJK ideograph (the basic block and extension A, and compatibility ideographs)."""
    code = ord(char)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0xF900 <= code <= 0xFAFF
        or 0x20000 <= code <= 0x3134F
        or code == 0x3007  # 〇, used in names
    )


def strip_invisible(text: str) -> str:
    """Remove zero-width characters and byte-order marks."""
    return text.translate(_INVISIBLE_TABLE)


def fold_width(text: str) -> str:
    """Full-width digits, letters and punctuation folded to ASCII (NFKC), invisible
    characters removed and the ends trimmed: for numbers, phones and e-mail addresses,
    where `１２３` and `123` must be the same thing. Not for names (NFKC would also
    rewrite some ideographs)."""
    return unicodedata.normalize("NFKC", strip_invisible(text)).strip()


def clean_name(text: str) -> str:
    """A personal name as it should be stored.

    Invisible characters go; the separators of a minority name (and any spaces around
    them) become one middle dot; spaces between two Chinese characters go (offices pad
    `王　芳` to line up with three-character names); other runs of spaces (a name in
    Latin letters) become one space."""
    text = strip_invisible(text).strip()
    if not text:
        return ""
    text = _SEPARATOR_RUN.sub(MIDDLE_DOT, text)
    parts = _SPACES.split(text)
    if len(parts) == 1:
        return text
    joined = parts[0]
    for part in parts[1:]:
        if joined and part and _is_han(joined[-1]) and _is_han(part[0]):
            joined += part
        else:
            joined += " " + part
    return joined


# Spaces, dashes and brackets people put in phone numbers: 138-0013-8000, (010) 6275 1234,
# +86 138 0013 8000. Folded to ASCII first, so full-width forms are covered.
_PHONE_PUNCTUATION = re.compile(r"[\s\-\u2010-\u2015\u2212()\[\]]")
PHONE_PATTERN = re.compile(r"^\+?[0-9]{3,20}$")


def phone_digits(text: str) -> str:
    """A phone number as digits, with a leading + kept for an international number.

    Returns the folded text with only spaces, dashes and brackets removed: whether what
    is left is a phone number (`PHONE_PATTERN`) is for the caller to check, so that a
    message can quote what was typed."""
    return _PHONE_PUNCTUATION.sub("", fold_width(text))


# A spreadsheet treats a cell starting with one of these as a formula (or turns it into
# one), also after leading spaces, tabs or line breaks.
FORMULA_STARTS = ("=", "+", "-", "@")
_LEADING_BLANKS = " \t\r\n"


def is_formula_like(text: str) -> bool:
    return text.lstrip(_LEADING_BLANKS).startswith(FORMULA_STARTS) or (text[:1] in ("\t", "\r"))


def neutralise_formula(text: str) -> str:
    """Prefix formula-like text (and text already starting with an apostrophe, so that
    the prefix can be taken off again without ambiguity) with an apostrophe, so that a
    spreadsheet shows it as text instead of running it (CSV/formula injection)."""
    if is_formula_like(text) or text.startswith("'"):
        return "'" + text
    return text


def unneutralise_formula(text: str) -> str:
    """The text `neutralise_formula` was given."""
    if len(text) > 1 and text[0] == "'":
        rest = text[1:]
        if is_formula_like(rest) or rest.startswith("'"):
            return rest
    return text


def checked_text(value: str | None, field: str, label: Any, *, required: bool, limit: int) -> str:
    """A text a person typed, stripped: refused naming its `label` (on `field`) when it
    is required and empty, or longer than `limit` characters."""
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
    if len(value) > limit:
        raise ValidationError(
            {field: _("%(label)s不能超过 %(n)d 个字。") % {"label": label, "n": limit}}
        )
    return value
