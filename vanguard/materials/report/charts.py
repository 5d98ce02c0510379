"""The report's charts as PNG pictures (matplotlib, drawn off-screen), in the CJK font
the PDFs embed (`documents.pdf.WQY_PATH`, VANGUARD_PDF_FONT): without it Chinese labels
print as empty boxes. Each function takes plain labels and counts and returns the PNG
bytes, or None when there is nothing to draw."""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from vanguard.documents.pdf import WQY_PATH

DPI = 150
WIDTH_IN = 6.2  # fits the A4 page's text width at 100 %
BAR_COLOUR = "#b22222"  # the red of the site's charts
SERIES_COLOURS = ("#b22222", "#1f5f9e", "#d4a017", "#2e8b57", "#6a5acd")


@lru_cache(maxsize=1)
def _font_family() -> list[str]:
    """The families matplotlib draws text in: the CJK font when it is installed."""
    from matplotlib import font_manager

    if os.path.exists(WQY_PATH):
        font_manager.fontManager.addfont(WQY_PATH)
        name = font_manager.FontProperties(fname=WQY_PATH).get_name()
        return [name, "DejaVu Sans"]
    return ["DejaVu Sans"]


def _figure(height_in: float) -> Any:
    # The Figure class alone (no pyplot): no global state, safe in a web process.
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI)
    return figure


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight", facecolor="white")
    return buffer.getvalue()


def _style(axes: Any, title: str) -> None:
    family = _font_family()
    axes.set_title(title, fontfamily=family, fontsize=12)
    for label in (*axes.get_xticklabels(), *axes.get_yticklabels()):
        label.set_fontfamily(family)
    axes.spines["top"].set_visible(False)
    axes.spines["right"].set_visible(False)


def bar_chart(title: str, labels: Sequence[str], values: Sequence[int]) -> bytes | None:
    """Horizontal bars, one per label, the count written at each bar's end."""
    if not labels or not any(values):
        return None
    figure = _figure(max(1.8, 0.45 * len(labels) + 0.9))
    axes = figure.add_subplot()
    positions = list(range(len(labels)))
    bars = axes.barh(positions, list(values), color=BAR_COLOUR, height=0.6)
    axes.set_yticks(positions, list(labels))
    axes.invert_yaxis()  # the first label on top, as the table reads
    axes.bar_label(bars, padding=3, fontsize=9)
    axes.set_xlim(0, max(values) * 1.15 or 1)
    axes.xaxis.set_visible(False)
    axes.spines["bottom"].set_visible(False)
    _style(axes, title)
    return _png(figure)


def line_chart(
    title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]]
) -> bytes | None:
    """One line per series over the labels (weeks), with a legend."""
    if not labels or not any(any(values) for _name, values in series):
        return None
    figure = _figure(2.8)
    axes = figure.add_subplot()
    positions = list(range(len(labels)))
    for index, (name, values) in enumerate(series):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        axes.plot(positions, list(values), marker="o", markersize=3, label=name, color=colour)
    step = max(1, -(-len(labels) // 6))  # at most six dates under the axis
    axes.set_xticks(positions[::step], list(labels)[::step])
    axes.set_ylim(bottom=0)
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    legend = axes.legend(frameon=False, fontsize=9, loc="upper right")
    for text in legend.get_texts():
        text.set_fontfamily(_font_family())
    _style(axes, title)
    return _png(figure)
