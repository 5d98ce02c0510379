"""Comparing two versions of a self-analysis, section by section.

Chinese has no spaces between words, so a word diff does not work and a plain
character diff is noisy (a rewritten sentence shows up as a confetti of single
shared characters such as 的 and 了). We diff on tokens — one token per Chinese
character, per run of Latin letters/digits, per punctuation mark or whitespace
run — and then fold tiny unchanged islands (up to two characters) lying between
two changes into the change, so that a rewritten phrase reads as one deletion and
one insertion.

`version_diff(old, new)` returns, per section, a list of `(op, text)` chunks with
op one of "equal", "delete", "insert"; `side_by_side(old, new)` renders them as
two HTML columns with `<del>` and `<ins>` marks.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from vanguard.reviews.models import SECTIONS

EQUAL, DELETE, INSERT = "equal", "delete", "insert"
# Latin words and numbers stay whole; everything else (each 汉字, each mark) is one token.
_TOKEN = re.compile(r"[A-Za-z0-9_]+|\s+|.", re.DOTALL)
_ISLAND = 2  # unchanged runs this short, between two changes, are folded in

Chunk = tuple[str, str]


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text or "")


def _raw_chunks(old: str, new: str) -> list[Chunk]:
    a, b = _tokens(old), _tokens(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    chunks: list[Chunk] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            chunks.append((EQUAL, "".join(a[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            chunks.append((DELETE, "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            chunks.append((INSERT, "".join(b[j1:j2])))
    return chunks


def _merge(chunks: list[Chunk]) -> list[Chunk]:
    """Join neighbours of the same op; within each change, deletions before insertions."""
    out: list[Chunk] = []
    for op, text in chunks:
        if not text:
            continue
        if out and out[-1][0] == op:
            out[-1] = (op, out[-1][1] + text)
        elif op == DELETE and out and out[-1][0] == INSERT:
            # keep "delete, insert" order: put the deletion before the insertion run
            if len(out) > 1 and out[-2][0] == DELETE:
                out[-2] = (DELETE, out[-2][1] + text)
            else:
                out.insert(len(out) - 1, (DELETE, text))
        else:
            out.append((op, text))
    return out


def _fold_islands(chunks: list[Chunk]) -> list[Chunk]:
    """An unchanged run of at most `_ISLAND` characters between two changes becomes
    part of both the deletion and the insertion."""
    result = list(chunks)
    changed = True
    while changed:
        changed = False
        for index in range(1, len(result) - 1):
            op, text = result[index]
            if op != EQUAL or len(text) > _ISLAND or "\n" in text:
                continue
            if result[index - 1][0] == EQUAL or result[index + 1][0] == EQUAL:
                continue
            result[index : index + 1] = [(DELETE, text), (INSERT, text)]
            result = _merge(result)
            changed = True
            break
    return result


def diff_text(old: str, new: str) -> list[Chunk]:
    """The changes from `old` to `new` as (op, text) chunks; joining the equal and
    delete chunks gives `old`, joining the equal and insert chunks gives `new`."""
    if old == new:
        return [(EQUAL, old)] if old else []
    return _fold_islands(_merge(_raw_chunks(old, new)))


def _values(version: Any) -> dict[str, str]:
    if isinstance(version, dict):
        return {name: str(version.get(name) or "") for name, _label in SECTIONS}
    return {name: str(getattr(version, name, "") or "") for name, _label in SECTIONS}


def version_diff(old: Any, new: Any) -> dict[str, list[Chunk]]:
    """Per section name, the chunks from `old` to `new` (versions, documents or dicts)."""
    before, after = _values(old), _values(new)
    return {name: diff_text(before[name], after[name]) for name, _label in SECTIONS}


def render_side(chunks: list[Chunk], side: str) -> SafeString:
    """One column: side "old" shows deletions as <del>, "new" insertions as <ins>."""
    parts: list[str] = []
    for op, text in chunks:
        if op == EQUAL:
            parts.append(escape(text))
        elif op == DELETE and side == "old":
            parts.append(f"<del>{escape(text)}</del>")
        elif op == INSERT and side == "new":
            parts.append(f"<ins>{escape(text)}</ins>")
    return mark_safe("".join(parts))  # noqa: S308 — every piece is escaped above


@dataclass(frozen=True)
class SectionDiff:
    name: str
    label: str
    changed: bool
    old_html: SafeString
    new_html: SafeString
    deleted: int  # characters removed
    inserted: int  # characters added


def side_by_side(old: Any, new: Any) -> list[SectionDiff]:
    diffs = version_diff(old, new)
    sections = []
    for name, label in SECTIONS:
        chunks = diffs[name]
        sections.append(
            SectionDiff(
                name=name,
                label=str(label),
                changed=any(op != EQUAL for op, _text in chunks),
                old_html=render_side(chunks, "old"),
                new_html=render_side(chunks, "new"),
                deleted=sum(len(text) for op, text in chunks if op == DELETE),
                inserted=sum(len(text) for op, text in chunks if op == INSERT),
            )
        )
    return sections
