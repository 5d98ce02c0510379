"""Raw e-mail messages for the e-mail channel's tests, written byte by byte the way
Chinese mail clients send them (GBK bodies, encoded and raw 8-bit headers)."""

from __future__ import annotations

import base64
import datetime

import pytest

from vanguard.campaigns.models import Campaign

# A one-page PDF exactly as the upload check (lib.uploads) rewrites it, so the stored
# copy is these same bytes.
PDF_BYTES = (
    b"%PDF-1.3\n%\xe2\xe3\xcf\xd3\n2 0 obj\n<<\n/Type /Pages\n/Count 1\n/Kids [ 4 0 R ]\n>>\n"
    b"endobj\n3 0 obj\n<<\n/Type /Catalog\n/Pages 2 0 R\n>>\nendobj\n4 0 obj\n<<\n"
    b"/Type /Page\n/Resources <<\n>>\n/MediaBox [ 0.0 0.0 72 72 ]\n/Parent 2 0 R\n>>\n"
    b"endobj\nxref\n0 5\n0000000001 65535 f \n0000000000 00001 f \n0000000015 00000 n \n"
    b"0000000074 00000 n \n0000000123 00000 n \ntrailer\n<<\n/Size 5\n/Root 3 0 R\n>>\n"
    b"startxref\n215\n%%EOF\n"
)
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def encoded_word(text: str, charset: str) -> str:
    return f"=?{charset}?B?{b64(text.encode(charset))}?="


def message(
    *,
    body: str = "",
    charset: str = "utf-8",
    subject: str | bytes = "意见",
    sender: str | bytes = "zhang@example.cn",
    message_id: str | None = "<m1@example.cn>",
    date: str = "Tue, 12 May 2026 09:30:00 +0800",
    content_type: str = "text/plain",
    attachments: list[tuple[str, str, bytes]] | None = None,
    extra_body_bytes: bytes = b"",
) -> bytes:
    """One message. `subject` and `sender` given as bytes go in raw (8-bit headers);
    as str they go in as they are (so pass encoded words for RFC 2047)."""

    def header(name: str, value: str | bytes) -> bytes:
        return name.encode() + b": " + (value if isinstance(value, bytes) else value.encode())

    lines = [
        header("From", sender),
        b"To: yijian@example.edu.cn",
        header("Subject", subject),
        b"Date: " + date.encode(),
        b"MIME-Version: 1.0",
    ]
    if message_id is not None:
        lines.append(b"Message-ID: " + message_id.encode())
    text_part = [
        f"Content-Type: {content_type}; charset={charset}".encode(),
        b"Content-Transfer-Encoding: base64",
        b"",
        b64(body.encode(charset) + extra_body_bytes).encode(),
    ]
    if not attachments:
        return b"\r\n".join(lines + text_part) + b"\r\n"
    boundary = b"==vanguard-boundary=="
    lines.append(b'Content-Type: multipart/mixed; boundary="' + boundary + b'"')
    lines += [b"", b"--" + boundary, *text_part]
    for name, content_type_, data in attachments:
        lines += [
            b"--" + boundary,
            f"Content-Type: {content_type_}".encode(),
            b"Content-Transfer-Encoding: base64",
            b'Content-Disposition: attachment; filename="' + name.encode() + b'"',
            b"",
            *(b64(data)[i : i + 76].encode() for i in range(0, len(b64(data)), 76)),
        ]
    lines.append(b"--" + boundary + b"--")
    return b"\r\n".join(lines) + b"\r\n"


@pytest.fixture
def campaign(org) -> Campaign:
    return Campaign.objects.create(
        name="先进性教育活动",
        kind=Campaign.Kind.EDUCATION,
        unit=org.committee,
        year=datetime.date.today().year,
        status=Campaign.Status.ACTIVE,
    )
