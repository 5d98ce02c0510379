"""Rich text written in the browser, made safe to show: a small set of tags is kept,
everything else (scripts, styles, event-handler attributes, images, `javascript:`
links) is removed. What is stored is already clean; templates may then mark it safe.
"""

from __future__ import annotations

import html

import nh3

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "ul",
        "ol",
        "li",
        "h2",
        "h3",
        "h4",
        "blockquote",
        "a",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})


def clean_html(value: str) -> str:
    """Sanitised HTML; `<script>` and `<style>` go with their content."""
    return nh3.clean(
        value or "",
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


def text_to_html(value: str) -> str:
    """Plain text (typed without the editor) as paragraphs; any markup in it stays text."""
    paragraphs = [part.strip() for part in (value or "").replace("\r\n", "\n").split("\n\n")]
    return "".join(
        "<p>" + html.escape(part).replace("\n", "<br>") + "</p>" for part in paragraphs if part
    )


def is_blank(value: str) -> bool:
    """True when sanitised HTML holds no visible text."""
    return not nh3.clean(value or "", tags=set()).strip()
