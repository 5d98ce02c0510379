"""Comparing two versions of a text, readably for Chinese, side by side.

Chinese has no spaces between words, so a word diff does not work and a plain
character diff is noisy (a rewritten sentence shows up as a confetti of single
shared characters such as 的 and 了). We diff on tokens — one token per Chinese
character, per run of Latin letters/digits, per punctuation mark or whitespace
run — and then fold tiny unchanged islands (up to two characters) lying between
two changes into the change, so that a rewritten phrase reads as one deletion and
one insertion.

`diff_text(old, new)` returns `(op, text)` chunks with op one of "equal", "delete",
"insert"; `compare(label, old, new)` renders them as two HTML columns with `<del>`
and `<ins>` marks and counts the characters changed; `side_by_side` does it for a
list of (label, old, new) texts. Used by the self-analysis review loop
(`reviews/diff.py`) and by rectification plans (`rectification/plans/versions.py`);
the markup they share is `templates/lib/_textdiff.html`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

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
class TextDiff:
    """One text compared: its label, both columns as escaped HTML, and how much changed."""

    label: str
    changed: bool
    old_html: SafeString
    new_html: SafeString
    deleted: int  # characters removed
    inserted: int  # characters added
    name: str = ""  # a stable key for the page (an anchor, a test id)


def compare(label: str, old: str, new: str, *, name: str = "") -> TextDiff:
    chunks = diff_text(old or "", new or "")
    return TextDiff(
        label=str(label),
        changed=any(op != EQUAL for op, _text in chunks),
        old_html=render_side(chunks, "old"),
        new_html=render_side(chunks, "new"),
        deleted=sum(len(text) for op, text in chunks if op == DELETE),
        inserted=sum(len(text) for op, text in chunks if op == INSERT),
        name=name,
    )


def side_by_side(texts: Iterable[tuple[str, str, str]]) -> list[TextDiff]:
    """Each (label, old, new) compared, in order."""
    return [compare(label, old, new) for label, old, new in texts]
