"""Reading e-mail whatever its encoding, and importing it once (电子信箱)."""

from __future__ import annotations

import pytest

from vanguard.audit.models import AuditEntry
from vanguard.opinions.email import services as services_email
from vanguard.opinions.email.mime import EmailParseError, decode_header, email_parse
from vanguard.opinions.models import EmailAttachment, EmailMessage, Opinion
from vanguard.opinions.tests.email_samples import (
    EXE_BYTES,
    PDF_BYTES,
    b64,
    campaign,  # noqa: F401
    encoded_word,
    message,
)

OPINION = "王小明同志工作认真，但开会常迟到。"


def test_gbk_body_and_encoded_gbk_headers_are_read_as_chinese():
    parsed = email_parse(
        message(
            body=OPINION,
            charset="GBK",
            subject=encoded_word("关于王小明同志的意见", "GBK"),
            sender=encoded_word("张三", "GB2312") + " <zhang@example.cn>",
        )
    )
    assert parsed.body == OPINION
    assert parsed.subject == "关于王小明同志的意见"
    assert parsed.sender == "张三 <zhang@example.cn>"
    assert parsed.sender_address == "zhang@example.cn"


@pytest.mark.parametrize("charset", ["gb2312", "gb18030", "utf-8", "big5"])
def test_bodies_in_each_chinese_encoding_are_decoded(charset):
    text = "支部同志意見：學習認真" if charset == "big5" else "支部同志意见：学习认真"
    assert email_parse(message(body=text, charset=charset)).body == text


def test_raw_gbk_bytes_in_a_header_are_recovered():
    parsed = email_parse(message(subject="意见：作风问题".encode("gbk")))
    assert parsed.subject == "意见：作风问题"


def test_a_gbk_header_declared_as_utf8_is_still_read():
    assert decode_header(f"=?UTF-8?B?{b64('作风问题'.encode('gbk'))}?=") == "作风问题"


def test_a_gbk_header_declared_as_latin1_is_still_read():
    assert decode_header(f"=?iso-8859-1?B?{b64('作风问题'.encode('gbk'))}?=") == "作风问题"


def test_a_header_with_bad_bytes_is_decoded_with_replacement_not_an_error():
    broken = "意见：作风问题".encode("gbk") + b"\xff"
    parsed = email_parse(message(subject=broken, sender=b"\xd5\xc5\xff <zhang@example.cn>"))
    assert parsed.subject.startswith("意见：作风问题")
    assert parsed.sender_address == "zhang@example.cn"


def test_an_undecodable_encoded_word_is_shown_as_it_came():
    assert decode_header("=?gbk?B?###?=") == "=?gbk?B?###?="
    assert decode_header("=?no-such-charset?Q?=D7=F7=B7=E7?=") == "作风"


def test_a_gbk_character_split_across_two_encoded_words_is_joined():
    data = "作风问题".encode("gbk")
    header = f"=?GBK?B?{b64(data[:3])}?= =?GBK?B?{b64(data[3:])}?="
    assert decode_header(header) == "作风问题"


def test_a_body_with_bad_bytes_keeps_what_can_be_read():
    parsed = email_parse(message(body=OPINION, charset="gbk", extra_body_bytes=b"\xff\xfe"))
    assert parsed.body.startswith(OPINION)


def test_an_html_only_message_becomes_plain_text_without_scripts():
    html = (
        "<html><head><style>p{}</style></head><body><p>意见一</p>"
        "<script>alert(1)</script><p>意见&amp;二</p></body></html>"
    )
    body = email_parse(message(body=html, content_type="text/html")).body
    assert body == "意见一\n\n意见&二"


def test_the_signature_below_the_delimiter_is_left_out():
    parsed = email_parse(message(body=OPINION + "\n\n-- \n张三 13800000000\n"))
    assert parsed.body == OPINION
    assert "13800000000" not in parsed.opinion_text


def test_pdf_is_kept_and_executables_are_refused_with_a_note():
    parsed = email_parse(
        message(
            body=OPINION,
            attachments=[
                ("材料.pdf", "application/pdf", PDF_BYTES),
                ("setup.exe", "application/octet-stream", EXE_BYTES),
                ("说明.pdf", "application/pdf", EXE_BYTES),  # an executable in disguise
                ("run.bat", "text/plain", b"echo hi"),
            ],
        )
    )
    assert [(a.name, a.content_type) for a in parsed.attachments] == [
        ("材料.pdf", "application/pdf")
    ]
    # The notes are for the sorters: never in the text fed back to the member.
    assert parsed.notes == [
        "附件 setup.exe 未保存：这是可执行程序，不是文档或照片。",
        "附件 说明.pdf 未保存：这是可执行程序，不是文档或照片。",
        "附件 run.bat 未保存：这是可执行文件或脚本，不接受。",
    ]
    assert "未保存" not in parsed.opinion_text and "setup.exe" not in parsed.opinion_text


def test_an_attachment_over_the_limit_is_left_out_with_a_note(settings):
    settings.OPINION_ATTACHMENT_MAX_BYTES = 1000
    parsed = email_parse(
        message(
            body=OPINION,
            attachments=[("大图.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"0" * 2000)],
        )
    )
    assert parsed.attachments == []
    assert parsed.notes == [
        "附件 大图.png 未保存：文件有 0.0019 MB（2008 字节），"
        "超过了 0.00095 MB（1000 字节）的上限。"
    ]
    assert "大图.png" not in parsed.opinion_text


def test_an_encoded_attachment_name_is_decoded_and_stripped_of_folders():
    name = encoded_word("..\\..\\报告.pdf", "gbk")
    parsed = email_parse(message(attachments=[(name, "application/pdf", PDF_BYTES)]))
    assert parsed.attachments[0].name == "报告.pdf"


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (b"", "文件是空的"),
        (b"   \r\n", "文件是空的"),
        (PDF_BYTES, "不是电子邮件"),
        ("随便写的一段话".encode(), "不是电子邮件"),
    ],
)
def test_what_is_not_an_email_is_refused_with_a_reason(raw, error):
    with pytest.raises(EmailParseError, match=error):
        email_parse(raw)


def test_a_message_over_the_size_limit_is_refused(settings):
    settings.OPINION_EMAIL_MAX_BYTES = 10_000
    with pytest.raises(EmailParseError, match="大小限制"):
        email_parse(message(body="长" * 10_000))


def test_without_message_id_the_same_content_is_the_same_message():
    first = email_parse(message(body=OPINION, message_id=None))
    again = email_parse(message(body=OPINION, message_id=None))
    other = email_parse(message(body=OPINION + "！", message_id=None))
    assert first.message_id_hash == again.message_id_hash != other.message_id_hash


def test_message_id_decides_sameness_whatever_the_spacing():
    assert (
        email_parse(message(message_id="<a@b>")).message_id_hash
        == email_parse(message(message_id=" <a@b> ", body="改过的正文")).message_id_hash
    )


# --- storing --------------------------------------------------------------------


def test_a_stored_email_is_an_unassigned_opinion_with_its_sender_as_source(org, campaign):  # noqa: F811
    parsed = email_parse(
        message(
            body=OPINION,
            charset="gbk",
            sender=encoded_word("张三", "gbk") + " <zhang@example.cn>",
            subject=encoded_word("意见", "gbk"),
            attachments=[("材料.pdf", "application/pdf", PDF_BYTES)],
        )
    )
    opinion = services_email.email_store(campaign=campaign, branch=org.branch_a1, parsed=parsed)
    assert opinion is not None
    assert opinion.channel == Opinion.Channel.EMAIL
    assert opinion.subject_kind == Opinion.SubjectKind.UNASSIGNED
    assert opinion.branch == org.branch_a1
    assert opinion.text == OPINION
    assert opinion.source == "张三 <zhang@example.cn>"
    assert opinion.contact == "zhang@example.cn"
    assert str(opinion.received_on) == "2026-05-12"
    assert opinion.email.sender == "张三 <zhang@example.cn>"
    attachment = opinion.email.attachments.get()
    assert attachment.name == "材料.pdf"
    assert attachment.file.read() == PDF_BYTES


def test_the_same_message_is_stored_once(org, campaign):  # noqa: F811
    parsed = email_parse(message(body=OPINION))
    assert services_email.email_store(campaign=campaign, branch=org.branch_a1, parsed=parsed)
    assert (
        services_email.email_store(campaign=campaign, branch=org.branch_a1, parsed=parsed) is None
    )
    assert Opinion.objects.count() == EmailMessage.objects.count() == 1


def test_a_failed_store_leaves_no_rows_and_no_files(org, campaign, monkeypatch, settings):  # noqa: F811
    from pathlib import Path

    parsed = email_parse(message(attachments=[("a.pdf", "application/pdf", PDF_BYTES)]))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Opinion.objects, "create", broken)
    with pytest.raises(RuntimeError):
        services_email.email_store(campaign=campaign, branch=org.branch_a1, parsed=parsed)
    assert not EmailMessage.objects.exists()
    assert not EmailAttachment.objects.exists()
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_an_import_by_a_sorter_keeps_the_sender_out_of_the_audit_trail(org, cast, campaign):  # noqa: F811
    from vanguard.audit.context import acting_as

    parsed = email_parse(
        message(body=OPINION, sender=encoded_word("张三", "gbk") + " <zhang@example.cn>")
    )
    with acting_as(cast.secretary):
        services_email.email_store(campaign=campaign, branch=org.branch_a1, parsed=parsed)
    entries = AuditEntry.objects.filter(actor_id=cast.secretary.pk)
    assert {e.object_type for e in entries} >= {"opinions.opinion", "opinions.emailmessage"}
    for entry in entries:
        dump = f"{entry.before} {entry.after} {entry.object_repr} {entry.note}"
        assert "zhang@example.cn" not in dump
        assert "张三" not in dump
