"""How a generated file is named when it is downloaded."""

from __future__ import annotations

from django.utils.http import content_disposition_header


def file_disposition(name: str, fallback: str, *, inline: bool = False) -> str:
    """The Content-Disposition of a file named `name` (Chinese allowed), RFC 6266 by
    Django: a plain ASCII `fallback` (filename="…") for old clients, then the full name
    (filename*=utf-8''…), which every current browser prefers. `inline`: shown in the
    browser (a PDF) rather than saved."""
    plain = content_disposition_header(not inline, fallback) or ""
    full = content_disposition_header(not inline, name) or ""
    chinese = full.partition("; ")[2]
    return f"{plain}; {chinese}" if chinese.startswith("filename*=") else plain
