"""Comparing two versions of a self-analysis, section by section (its `SECTIONS`).

The comparing itself — a Chinese-aware token diff, small unchanged islands folded
into the change, two escaped HTML columns — is `vanguard.lib.textdiff`, shared with
rectification plans; this module only knows which texts a self-analysis has.

`version_diff(old, new)` returns, per section, a list of `(op, text)` chunks with
op one of "equal", "delete", "insert"; `side_by_side(old, new)` renders them as
two HTML columns with `<del>` and `<ins>` marks (`templates/lib/_textdiff.html`).
"""

from __future__ import annotations

from typing import Any

from vanguard.lib.textdiff import Chunk, TextDiff, compare, diff_text
from vanguard.reviews.models import SECTIONS


def _values(version: Any) -> dict[str, str]:
    if isinstance(version, dict):
        return {name: str(version.get(name) or "") for name, _label in SECTIONS}
    return {name: str(getattr(version, name, "") or "") for name, _label in SECTIONS}


def version_diff(old: Any, new: Any) -> dict[str, list[Chunk]]:
    """Per section name, the chunks from `old` to `new` (versions, documents or dicts)."""
    before, after = _values(old), _values(new)
    return {name: diff_text(before[name], after[name]) for name, _label in SECTIONS}


def side_by_side(old: Any, new: Any) -> list[TextDiff]:
    """Each section of `old` and `new` compared, in the document's order."""
    before, after = _values(old), _values(new)
    return [compare(str(label), before[name], after[name], name=name) for name, label in SECTIONS]
