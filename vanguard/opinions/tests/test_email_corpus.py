"""A corpus of the mail an office's opinion mailbox brings (电子信箱), each message
built here (`email.message` / `email.mime`, raw bytes for the broken ones) and read
as the sorter will see it: through the parser, through the intake service into the
database, and a sample through the real IMAP server (dovecot) the poller reads.

Each case names the opinion text the sorter must see, or the reason it is not an
opinion. What a case must never carry into the text (a forwarded message's
addresses and names, a signature) is listed with it.
"""

from __future__ import annotations

import base64
import dataclasses
import email.utils
import io
import quopri
from email import policy
from email.header import Header
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.base import MIMEBase
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from vanguard.opinions.email import polling
from vanguard.opinions.email.mime import EmailNotOpinion, EmailParseError, email_parse
from vanguard.opinions.email.services import eml_upload
from vanguard.opinions.models import EmailMessage as StoredEmail
from vanguard.opinions.models import Opinion
from vanguard.opinions.tests.email_samples import campaign  # noqa: F401
from vanguard.opinions.tests.imap_server import imap_server  # noqa: F401
from vanguard.opinions.tests.test_email_imap import mailbox, server  # noqa: F401

DATE = "Tue, 12 May 2026 09:30:00 +0800"
FORWARDED_DATE = "Mon, 11 May 2026 08:00:00 +0800"
SENDER = "张三 <zhang@example.cn>"
# The people in forwarded messages: none of this may reach an opinion's text.
FORWARDED_PEOPLE = (
    "李四",
    "lisi@example.cn",
    "王五",
    "wangwu@example.cn",
    "赵六",
    "zhao@example.cn",
)
FAMILY = "👨\u200d👩\u200d👧\u200d👦"  # four people held together by three joiners
HEART = "❤\ufe0f"  # a heart drawn as an emoji: the variation selector says so
MARK = "—— 转发的邮件 ——"
LIMIT = 1024 * 1024  # the size limit the corpus runs under


@dataclasses.dataclass(frozen=True)
class Case:
    name: str
    raw: bytes
    text: str = ""  # the opinion's text as the sorter sees it
    skip: str = ""  # or: why it is not imported, as the sorter is told
    # What the upload's refusal must say, when its wording is not the parser's.
    upload_skip: str = ""
    subject: str | None = None
    notes: tuple[str, ...] = ()  # for the sorters, beside the text
    absent: tuple[str, ...] = ()  # never in the text

    def __str__(self) -> str:
        return self.name


def _headers(
    message: EmailMessage | MIMEBase, subject: str, *, sender: str = SENDER, number: int = 0
) -> None:
    if not isinstance(message, EmailMessage):
        # The email.mime classes keep the old policy: their headers go in encoded.
        name, address = email.utils.parseaddr(sender)
        sender = email.utils.formataddr((name, address), charset="utf-8")
        subject = Header(subject, "utf-8").encode()
    message["From"] = sender
    message["To"] = "yijian@example.edu.cn"
    message["Subject"] = subject
    message["Date"] = DATE
    message["Message-ID"] = f"<corpus-{number}-{len(subject)}@example.cn>"


def mail(body: str, *, subject: str = "意见", cte: str | None = None, **kw: str) -> EmailMessage:
    message = EmailMessage()
    _headers(message, subject, number=len(body))
    for name, value in kw.items():
        message[name.replace("_", "-")] = value
    message.set_content(body, cte=cte) if cte else message.set_content(body)
    return message


def forwarded_message(
    body: str = "王小明同志开会常迟到，希望改正。", *, subject: str = "对王小明同志的意见"
) -> EmailMessage:
    inner = EmailMessage()
    inner["From"] = "李四 <lisi@example.cn>"
    inner["To"] = "王五 <wangwu@example.cn>"
    inner["Cc"] = "赵六 <zhao@example.cn>"
    inner["Subject"] = subject
    inner["Date"] = FORWARDED_DATE
    inner.set_content(body + "\n\n-- \n李四 13900000000\n")
    return inner


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "PNG")
    return out.getvalue()


def raw_mail(headers: str, body: bytes, *, newline: bytes = b"\r\n") -> bytes:
    head = f"From: {SENDER}\nTo: yijian@example.edu.cn\nDate: {DATE}\nMIME-Version: 1.0\n" + headers
    return newline.join(line.encode() for line in head.strip("\n").split("\n")) + newline * 2 + body


def b(message: EmailMessage | MIMEBase) -> bytes:
    return message.as_bytes(policy=policy.SMTP)


# --- The three that failed ------------------------------------------------------------


def _bom() -> Case:
    body = "\ufeff支部学习记录请按时上交。\n第二段里有一个\ufeff多余的标记。"
    raw = raw_mail(
        "Subject: =?UTF-8?B?"
        + base64.b64encode("\ufeff关于学习记录的意见".encode()).decode()
        + "?=\n"
        "Message-ID: <bom@example.cn>\nContent-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: base64",
        base64.encodebytes(body.encode()),
    )
    return Case(
        "bom",
        raw,
        text="支部学习记录请按时上交。\n第二段里有一个多余的标记。",
        subject="关于学习记录的意见",
    )


def _emoji() -> Case:
    body = f"为支部点赞{FAMILY}，全家都支持{HEART}。"
    return Case(
        "emoji_joiners", b(mail(body, subject=f"点赞{HEART}")), text=body, subject=f"点赞{HEART}"
    )


FORWARD_TEXT = (
    f"请组织上看看下面这封意见。\n\n{MARK}\n主题：对王小明同志的意见\n日期：2026-05-11\n\n"
    "王小明同志开会常迟到，希望改正。"
)


def _forwarded() -> Case:
    outer = mail("请组织上看看下面这封意见。\n\n-- \n张三 13800000000\n", subject="转发：意见")
    outer.add_attachment(forwarded_message())
    return Case(
        "forwarded_rfc822",
        b(outer),
        text=FORWARD_TEXT,
        absent=(*FORWARDED_PEOPLE, "13900000000", "13800000000", "zhang@example.cn"),
    )


# --- Forwards of every shape --------------------------------------------------------------


def _forwarded_nested_in_mixed() -> Case:
    inner = forwarded_message()
    inner.make_mixed()
    inner.add_attachment(png(), maintype="image", subtype="png", filename="现场.png")
    outer = MIMEMultipart("mixed")
    _headers(outer, "Fwd: 意见", number=2)
    alternative = MIMEMultipart("alternative")
    alternative.attach(MIMEText("请组织上看看下面这封意见。", "plain", "utf-8"))
    alternative.attach(MIMEText("<p>请组织上看看<b>下面</b>这封意见。</p>", "html", "utf-8"))
    outer.attach(alternative)
    holder = MIMEMultipart("mixed")
    holder.attach(MIMEMessage(inner))
    outer.attach(holder)
    return Case("forwarded_nested_in_mixed", b(outer), text=FORWARD_TEXT, absent=FORWARDED_PEOPLE)


def _forwarded_twice() -> Case:
    middle = forwarded_message("我也同意这条意见。", subject="Fwd: 对王小明同志的意见")
    middle.make_mixed()
    middle.add_attachment(forwarded_message())
    outer = mail("再转给组织。", subject="Fwd: Fwd: 对王小明同志的意见")
    outer.add_attachment(middle)
    text = (
        f"再转给组织。\n\n{MARK}\n主题：Fwd: 对王小明同志的意见\n日期：2026-05-11\n\n"
        f"我也同意这条意见。\n\n{MARK}\n主题：对王小明同志的意见\n日期：2026-05-11\n\n"
        "王小明同志开会常迟到，希望改正。"
    )
    return Case("forwarded_twice", b(outer), text=text, absent=FORWARDED_PEOPLE)


def _forwarded_inline_gmail() -> Case:
    body = (
        "请看下面这封。\n\n---------- Forwarded message ---------\n"
        "From: 李四 <lisi@example.cn>\nDate: Mon, 11 May 2026 08:00:00 +0800\n"
        "Subject: 对王小明同志的意见\nTo: 王五 <wangwu@example.cn>, 赵六\n <zhao@example.cn>\n\n"
        "王小明同志开会常迟到，希望改正。\n\n-- \n李四 13900000000\n"
    )
    text = (
        f"请看下面这封。\n\n{MARK}\n主题：对王小明同志的意见\n日期：2026-05-11\n\n"
        "王小明同志开会常迟到，希望改正。"
    )
    return Case(
        "forwarded_inline_gmail",
        b(mail(body, subject="Fwd: 对王小明同志的意见")),
        text=text,
        absent=(*FORWARDED_PEOPLE, "13900000000"),
    )


def _forwarded_inline_outlook() -> Case:
    body = (
        "转给意见箱。\n\n________________________________\n"
        "发件人: 李四 <lisi@example.cn>\n发送时间: 2026年5月11日 8:00\n"
        "收件人: 王五 <wangwu@example.cn>\n抄送: 赵六\n主题: 对王小明同志的意见\n\n"
        "王小明同志开会常迟到，希望改正。\n"
    )
    text = (
        f"转给意见箱。\n\n{MARK}\n主题：对王小明同志的意见\n日期：2026年5月11日 8:00\n\n"
        "王小明同志开会常迟到，希望改正。"
    )
    return Case(
        "forwarded_inline_outlook",
        b(mail(body, subject="FW: 对王小明同志的意见")),
        text=text,
        absent=FORWARDED_PEOPLE,
    )


def _forwarded_inline_thunderbird() -> Case:
    body = (
        "转发一条意见。\n\n-------- 转发的消息 --------\n主题:\t对王小明同志的意见\n"
        "日期:\tMon, 11 May 2026 08:00:00 +0800\n发件人:\t李四 <lisi@example.cn>\n"
        "收件人:\t王五 <wangwu@example.cn>\n\n王小明同志开会常迟到，希望改正。\n"
    )
    return Case(
        "forwarded_inline_thunderbird_chinese",
        b(mail(body, subject="Fwd: 对王小明同志的意见")),
        text=(
            f"转发一条意见。\n\n{MARK}\n主题：对王小明同志的意见\n日期：2026-05-11\n\n"
            "王小明同志开会常迟到，希望改正。"
        ),
        absent=FORWARDED_PEOPLE,
    )


def _forward_below_a_signature() -> Case:
    # Gmail can put the signature above the forwarded message: only the signature goes.
    body = (
        "我的意见在下面。\n\n-- \n张三 13800000000\n\n---------- Forwarded message ---------\n"
        "From: 李四 <lisi@example.cn>\nDate: Mon, 11 May 2026 08:00:00 +0800\n"
        "Subject: 对王小明同志的意见\nTo: <zhang@example.cn>\n\n王小明同志开会常迟到，希望改正。\n"
    )
    return Case(
        "forward_below_a_signature",
        b(mail(body, subject="Fwd: 对王小明同志的意见")),
        text=(
            f"我的意见在下面。\n\n{MARK}\n主题：对王小明同志的意见\n日期：2026-05-11\n\n"
            "王小明同志开会常迟到，希望改正。"
        ),
        absent=(*FORWARDED_PEOPLE, "13800000000", "zhang@example.cn"),
    )


def _forwarded_html_outlook() -> Case:
    html = (
        "<html><body><p>请转意见箱。</p>"
        '<div style="border-top:solid #E1E1E1 1.0pt"><p class="MsoNormal"><b>From:</b> 李四 '
        "&lt;lisi@example.cn&gt;<br><b>Sent:</b> Monday, May 11, 2026 8:00 AM<br>"
        "<b>To:</b> 王五 &lt;wangwu@example.cn&gt;<br><b>Cc:</b> 赵六<br>"
        "<b>Subject:</b> 对王小明同志的意见</p></div>"
        "<p>王小明同志开会常迟到，希望改正。</p></body></html>"
    )
    return Case(
        "forwarded_html_outlook",
        _html_mail(html, subject="FW: 对王小明同志的意见"),
        text=(
            f"请转意见箱。\n\n{MARK}\n主题：对王小明同志的意见\n"
            "日期：2026-05-11\n\n王小明同志开会常迟到，希望改正。"
        ),
        absent=FORWARDED_PEOPLE,
    )


def _header_like_text_is_kept() -> Case:
    body = "时间：每周三下午\n主题：理论学习\n我建议把学习时间固定下来。"
    return Case("header_like_lines_are_the_senders_own", b(mail(body)), text=body)


# --- HTML and alternatives ------------------------------------------------------------------


def _html_only() -> Case:
    html = (
        "<html><head><title>标题不算</title><style>p {color: red}</style></head><body>"
        "<p>第一条意见：学习&amp;工作要结合。</p><script>alert('x')</script>"
        "<div>第二条：会议&nbsp;要准时<br>第三条：少开长会</div>"
        "<p>&lt;附言&gt; 谢谢&#65281;</p></body></html>"
    )
    return Case(
        "html_only",
        _html_mail(html),
        text=(
            "第一条意见：学习&工作要结合。\n\n第二条：会议 要准时\n第三条：少开长会\n\n"
            "<附言> 谢谢！"
        ),
    )


def _html_mail(html: str, *, subject: str = "HTML 意见") -> bytes:
    message = EmailMessage()
    _headers(message, subject, number=3)
    message.set_content(html, subtype="html")
    return b(message)


def _html_from_word() -> Case:
    # Outlook writes HTML as Word does: conditional comments, <o:p>, empty paragraphs.
    html = (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><!--[if gte mso 9]>'
        "<xml><o:OfficeDocumentSettings></o:OfficeDocumentSettings></xml><![endif]-->"
        "<style>p.MsoNormal{margin:0}</style></head><body lang=ZH-CN><div class=WordSection1>"
        "<p class=MsoNormal><span lang=EN-US>各位：<o:p></o:p></span></p>"
        "<p class=MsoNormal><span lang=EN-US><o:p>&nbsp;</o:p></span></p>"
        "<p class=MsoNormal>我对支部工作有三点意见：<o:p></o:p></p>"
        "<ol><li>学习要联系\n实际；</li><li>会议要精简；</li></ol><ul><li>另：少发文件。</li></ul>"
        "<p class=MsoNormal><o:p>&nbsp;</o:p></p></div></body></html>"
    )
    return Case(
        "html_from_word_with_lists",
        _html_mail(html, subject="Word 写的意见"),
        text=(
            "各位：\n\n我对支部工作有三点意见：\n\n1. 学习要联系 实际；\n2. 会议要精简；\n\n"
            "• 另：少发文件。"
        ),
    )


def _alternative_both() -> Case:
    message = mail("纯文本版本的意见。", subject="两种格式")
    message.add_alternative("<p>HTML 版本的意见。</p>", subtype="html")
    return Case("alternative_prefers_plain", b(message), text="纯文本版本的意见。")


def _alternative_empty_plain() -> Case:
    message = mail("  \n\n", subject="纯文本为空")
    message.add_alternative("<div>只有 HTML 里写了意见。</div>", subtype="html")
    return Case("alternative_empty_plain", b(message), text="只有 HTML 里写了意见。")


def _related_html() -> Case:
    outer = MIMEMultipart("related")
    _headers(outer, "带图片的 HTML", number=4)
    outer.attach(MIMEText('<p>见下图。</p><img src="cid:pic1">', "html", "utf-8"))
    image = MIMEBase("image", "png")
    image.set_payload(base64.b64encode(png()).decode())
    image["Content-Transfer-Encoding"] = "base64"
    image["Content-ID"] = "<pic1>"
    outer.attach(image)
    return Case("html_related_with_inline_image", b(outer), text="见下图。")


def _apple_inline_pieces() -> Case:
    outer = MIMEMultipart("mixed")
    _headers(outer, "分段的意见", number=5)
    outer.attach(MIMEText("第一段：照片之前。", "plain", "utf-8"))
    image = MIMEBase("image", "png")
    image.set_payload(base64.b64encode(png()).decode())
    image["Content-Transfer-Encoding"] = "base64"
    image["Content-Disposition"] = "inline"
    outer.attach(image)
    outer.attach(MIMEText("第二段：照片之后。", "plain", "utf-8"))
    return Case(
        "text_around_an_inline_image", b(outer), text="第一段：照片之前。\n\n第二段：照片之后。"
    )


# --- Encodings and charsets ------------------------------------------------------------------


def _quoted_printable_gbk() -> Case:
    body = "建议支部每月开展一次谈心谈话。"
    raw = raw_mail(
        "Subject: =?GBK?Q?"
        + quopri.encodestring("谈心谈话".encode("gbk"), header=True).decode()
        + "?=\n"
        "Message-ID: <qp@example.cn>\nContent-Type: text/plain; charset=GBK\n"
        "Content-Transfer-Encoding: quoted-printable",
        quopri.encodestring(body.encode("gbk")),
    )
    return Case("quoted_printable_gbk", raw, text=body, subject="谈心谈话")


def _base64_gb18030() -> Case:
    body = "㐀䶵 字也要收到：建议加强学习。"  # characters only GB18030 (not GBK) has
    raw = raw_mail(
        "Subject: =?GB18030?B?" + base64.b64encode("学习".encode("gb18030")).decode() + "?=\n"
        "Message-ID: <gb18030@example.cn>\nContent-Type: text/plain; charset=GB18030\n"
        "Content-Transfer-Encoding: base64",
        base64.encodebytes(body.encode("gb18030")),
    )
    return Case("base64_gb18030", raw, text=body, subject="学习")


def _big5() -> Case:
    body = "支部同志學習認真，建議多開座談會。"
    raw = raw_mail(
        "Subject: =?Big5?B?" + base64.b64encode("座談會".encode("big5")).decode() + "?=\n"
        "Message-ID: <big5@example.tw>\nContent-Type: text/plain; charset=big5\n"
        "Content-Transfer-Encoding: 8bit",
        body.encode("big5"),
    )
    return Case("eight_bit_big5", raw, text=body, subject="座談會")


def _format_flowed() -> Case:
    # RFC 3676: a line ending in a space goes on; DelSp=yes (as CJK text needs) drops
    # that space; quoted lines are joined at their own depth.
    wire = (
        "> 通知说要 \r\n> 每周开会。\r\n"
        "这是一段很长的意见，客户端在发送 \r\n时把它折成了几行， \r\n读的人应当看到一整段。\r\n"
        "\r\n第二段 单独一行。\r\n"
    )
    raw = raw_mail(
        "Subject: flowed\nMessage-ID: <flowed@example.cn>\n"
        "Content-Type: text/plain; charset=utf-8; format=flowed; delsp=yes\n"
        "Content-Transfer-Encoding: 8bit",
        wire.encode(),
    )
    return Case(
        "format_flowed_delsp",
        raw,
        text=(
            "> 通知说要每周开会。\n"
            "这是一段很长的意见，客户端在发送时把它折成了几行，读的人应当看到一整段。\n\n"
            "第二段 单独一行。"
        ),
    )


def _format_flowed_words() -> Case:
    wire = "The branch should meet \r\nmore often, and the \r\nminutes be shared.\r\n"
    raw = raw_mail(
        "Subject: flowed words\nMessage-ID: <flowed-words@example.cn>\n"
        "Content-Type: text/plain; charset=us-ascii; format=flowed\n"
        "Content-Transfer-Encoding: 7bit",
        wire.encode(),
    )
    return Case(
        "format_flowed_words",
        raw,
        text="The branch should meet more often, and the minutes be shared.",
    )


def _charset_missing() -> Case:
    body = "没有声明编码的 UTF-8 意见。"
    raw = raw_mail(
        "Subject: no charset\nMessage-ID: <nocharset@example.cn>\nContent-Type: text/plain\n"
        "Content-Transfer-Encoding: 8bit",
        body.encode(),
    )
    return Case("charset_missing_utf8", raw, text=body)


def _charset_missing_gbk() -> Case:
    body = "没有声明编码的 GBK 意见。"
    raw = raw_mail(
        "Subject: no charset gbk\nMessage-ID: <nocharset-gbk@example.cn>\n"
        "Content-Transfer-Encoding: 8bit",
        body.encode("gbk"),
    )
    return Case("charset_missing_gbk", raw, text=body)


def _utf8_labelled_gb2312() -> Case:
    body = "标成 GB2312 的 UTF-8 正文。"
    raw = raw_mail(
        "Subject: =?gb2312?B?" + base64.b64encode("编码标错".encode()).decode() + "?=\n"
        "Message-ID: <wrong-gb2312@example.cn>\nContent-Type: text/plain; charset=gb2312\n"
        "Content-Transfer-Encoding: base64",
        base64.encodebytes(body.encode()),
    )
    return Case("utf8_labelled_gb2312", raw, text=body, subject="编码标错")


def _gbk_that_is_also_valid_utf8() -> Case:
    # "学习通知" in GBK happens to be valid UTF-8 (it would read "ѧϰ֪ͨ"): under a
    # GBK label it stays GBK.
    body = "同志学习通知：本周四下午集中学习。"
    raw = raw_mail(
        "Subject: =?GBK?B?" + base64.b64encode("学习通知".encode("gbk")).decode() + "?=\n"
        "Message-ID: <gbk-valid-utf8@example.cn>\nContent-Type: text/plain; charset=GBK\n"
        "Content-Transfer-Encoding: base64",
        base64.encodebytes(body.encode("gbk")),
    )
    assert "学习通知".encode("gbk").decode("utf-8")  # the trap is real
    return Case("gbk_that_is_also_valid_utf8", raw, text=body, subject="学习通知")


def _gbk_labelled_utf8() -> Case:
    body = "标成 UTF-8 的 GBK 正文。"
    raw = raw_mail(
        "Subject: wrong utf-8\nMessage-ID: <wrong-utf8@example.cn>\n"
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit",
        body.encode("gbk"),
    )
    return Case("gbk_labelled_utf8", raw, text=body)


def _gbk_labelled_latin1_and_unknown_charset() -> Case:
    body = "标成 iso-8859-1 的 GBK 正文。"
    raw = raw_mail(
        "Subject: =?x-no-such-charset?B?" + base64.b64encode("作风".encode("gbk")).decode() + "?=\n"
        "Message-ID: <latin1@example.cn>\nContent-Type: text/plain; charset=iso-8859-1\n"
        "Content-Transfer-Encoding: 8bit",
        body.encode("gbk"),
    )
    return Case("gbk_labelled_latin1", raw, text=body, subject="作风")


def _broken_encoded_word() -> Case:
    raw = raw_mail(
        "Subject: =?gbk?B?###?=\nMessage-ID: <broken-word@example.cn>\n"
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit",
        "正文完好。".encode(),
    )
    return Case("broken_encoded_word", raw, text="正文完好。", subject="=?gbk?B?###?=")


# --- Shapes of text -------------------------------------------------------------------


def _subject_only() -> Case:
    raw = raw_mail(
        "Subject: =?UTF-8?B?" + base64.b64encode("建议周末不开会".encode()).decode() + "?=\n"
        "Message-ID: <subject-only@example.cn>\nContent-Type: text/plain; charset=utf-8",
        b"",
    )
    return Case("subject_only", raw, text="建议周末不开会")


def _attachment_only() -> Case:
    message = EmailMessage()
    message["From"] = SENDER
    message["To"] = "yijian@example.edu.cn"
    message["Date"] = DATE
    message["Message-ID"] = "<attachment-only@example.cn>"
    message.add_attachment(png(), maintype="image", subtype="png", filename="照片.png")
    return Case("attachment_only", b(message), text="（邮件没有正文，见附件）")


def _long_line() -> Case:
    line = "意见" * 6000 + "。结束"  # 12,003 characters on one line
    return Case(
        "very_long_line_quoted_printable",
        b(mail(line, subject="长", cte="quoted-printable")),
        text=line,
    )


def _text_past_the_limit() -> Case:
    # Past 50,000 characters the text is cut, and says so.
    body = ("一条很长的意见。\n" * 6000) + "\n-- \n张三 13800000000\n"
    cut = body[:50_000] + "\n（正文过长，以下从略）"
    return Case(
        "text_past_the_length_limit",
        b(mail(body, subject="很长")),
        text=cut,
        absent=("13800000000",),
    )


def _mixed_line_ends() -> Case:
    raw = raw_mail(
        "Subject: line ends\nMessage-ID: <line-ends@example.cn>\n"
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit",
        "第一行\r\n第二行\n第三行\r\n\r\n\n\n\n第四段\n".encode(),
        newline=b"\n",
    )
    return Case("mixed_crlf_lf", raw, text="第一行\n第二行\n第三行\n\n第四段")


def _signature_only() -> Case:
    return Case(
        "signature_only",
        b(mail("-- \n张三 13800000000\n", subject="签名而已")),
        text="签名而已",
        absent=("13800000000",),
    )


# --- Replies ---------------------------------------------------------------------------------


def _reply_chinese() -> Case:
    body = (
        "同意通知的安排，另建议把学习时间改到周四。\n\n"
        "在 2026年5月11日 周一 08:00，李四 <lisi@example.cn> 写道：\n"
        "> 各位同志：请于本周内提出对党员的意见。\n> \n> 党委办公室\n"
    )
    return Case(
        "reply_chinese_quote",
        b(mail(body, subject="回复：征求意见的通知")),
        text="同意通知的安排，另建议把学习时间改到周四。",
        absent=("李四", "lisi@example.cn", "请于本周内"),
    )


def _reply_gmail_wrapped() -> Case:
    body = (
        "I agree with the plan.\n\nOn Mon, May 11, 2026 at 8:00 AM 李四 <\n"
        "lisi@example.cn> wrote:\n\n> Please send your opinions this week.\n"
    )
    return Case(
        "reply_attribution_wrapped",
        b(mail(body, subject="Re: opinions")),
        text="I agree with the plan.",
        absent=("李四", "lisi@example.cn", "Please send"),
    )


def _reply_interleaved() -> Case:
    body = (
        "李四 于 2026-05-11 写道：\n> 一、学习安排是否合适？\n合适。\n\n> 二、会议时间？\n"
        "建议改到下午。\n"
    )
    return Case(
        "reply_interleaved_quotes_kept",
        b(mail(body, subject="Re: 两个问题")),
        text="> 一、学习安排是否合适？\n合适。\n\n> 二、会议时间？\n建议改到下午。",
        absent=("李四",),
    )


def _reply_outlook() -> Case:
    body = (
        "收到，我的意见是会议太多。\n\n-----原始邮件-----\n发件人: 李四 <lisi@example.cn>\n"
        "发送时间: 2026年5月11日 8:00\n收件人: 张三\n主题: 征求意见\n\n请提意见。\n"
    )
    return Case(
        "reply_outlook_original_block",
        b(mail(body, subject="答复: 征求意见")),
        text="收到，我的意见是会议太多。",
        absent=("李四", "lisi@example.cn", "请提意见"),
    )


def _reply_qq_mail() -> Case:
    body = (
        "我的意见：会议通知应提前三天发。\n\n\n------------------ 原始邮件 ------------------\n"
        '发件人: "李四"<lisi@example.cn>;\n发送时间: 2026年5月11日(星期一) 上午8:00\n'
        '收件人: "张三"<zhang@example.cn>;\n主题: 征求意见\n\n请提意见。\n'
    )
    return Case(
        "reply_qq_mail_original",
        b(mail(body, subject="回复：征求意见")),
        text="我的意见：会议通知应提前三天发。",
        absent=("李四", "lisi@example.cn", "请提意见", "zhang@example.cn"),
    )


def _reply_qq_html() -> Case:
    html = (
        "<div>同意，另建议增加实地参观。</div><div><br></div><div><br></div>"
        "<div>------------------&nbsp;原始邮件&nbsp;------------------</div>"
        '<div style="background:#efefef"><div><b>发件人:</b>&nbsp;"李四"&lt;lisi@example.cn&gt;;'
        "</div><div><b>发送时间:</b>&nbsp;2026年5月11日(星期一) 上午8:00</div>"
        '<div><b>收件人:</b>&nbsp;"张三"&lt;zhang@example.cn&gt;;</div>'
        "<div><b>主题:</b>&nbsp;征求意见</div></div><div><br></div>请大家提意见。"
    )
    return Case(
        "reply_qq_mail_html",
        _html_mail(html, subject="回复：征求意见"),
        text="同意，另建议增加实地参观。",
        absent=("李四", "lisi@example.cn", "请大家", "zhang@example.cn"),
    )


def _reply_html_gmail() -> Case:
    html = (
        '<div dir="ltr">建议多开展志愿服务。</div><br><div class="gmail_quote">'
        '<div dir="ltr" class="gmail_attr">在 2026年5月11日周一 08:00，李四 &lt;'
        '<a href="mailto:lisi@example.cn">lisi@example.cn</a>&gt; 写道：<br></div>'
        "<blockquote>请大家提意见。<br>党委办公室</blockquote></div>"
    )
    return Case(
        "reply_html_blockquote",
        _html_mail(html, subject="回复：征求意见"),
        text="建议多开展志愿服务。",
        absent=("李四", "lisi@example.cn", "请大家"),
    )


# --- What Outlook and signing add -------------------------------------------------------------


def _tnef() -> Case:
    outer = mail("正文在这里；附件是 Outlook 的格式。", subject="Outlook 来信")
    outer.add_attachment(
        b"\x78\x9f\x3e\x22" + b"\x00" * 60, maintype="application", subtype="ms-tnef",
        filename="winmail.dat",
    )  # fmt: skip
    return Case(
        "outlook_winmail_dat",
        b(outer),
        text="正文在这里；附件是 Outlook 的格式。",
        notes=("附件 winmail.dat 是 Outlook 专用格式（TNEF），无法读取，未保存",),
    )


def _smime_signed() -> Case:
    signed = MIMEMultipart("signed", protocol="application/pkcs7-signature", micalg="sha-256")
    _headers(signed, "签名邮件", number=6)
    signed.attach(MIMEText("经过数字签名的意见：建议公开支部经费。", "plain", "utf-8"))
    signature = MIMEApplication(b"0\x82\x01\x00fake-pkcs7", "pkcs7-signature", name="smime.p7s")
    signature["Content-Disposition"] = 'attachment; filename="smime.p7s"'
    signed.attach(signature)
    return Case("smime_signed", b(signed), text="经过数字签名的意见：建议公开支部经费。")


# --- Not opinions ------------------------------------------------------------------------


CALENDAR = (
    "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nSUMMARY:支部会议\r\n"
    "DTSTART:20260520T020000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def _calendar() -> Case:
    message = mail("邀请您参加支部会议。", subject="邀请：支部会议")
    message.add_alternative(CALENDAR, subtype="calendar", params={"method": "REQUEST"})
    return Case("calendar_invitation", b(message), skip="会议邀请或日程答复，不是意见")


def _bounce() -> Case:
    raw = (
        "From: MAILER-DAEMON@example.edu.cn\r\nTo: yijian@example.edu.cn\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nDate: " + DATE + "\r\n"
        "Message-ID: <bounce@example.edu.cn>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n\r\n'
        "--b1\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--b1\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mail.example.edu.cn\r\n\r\n"
        "Final-Recipient: rfc822; x@example.cn\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "--b1--\r\n"
    ).encode()
    return Case("bounce_delivery_status", raw, skip="退信（投递失败或延迟的通知），不是意见")


def _bounce_plain() -> Case:
    message = mail("抱歉，您的邮件无法投递。", subject="退信")
    message.replace_header("From", "Mail Delivery System <MAILER-DAEMON@mail.example.cn>")
    return Case(
        "bounce_from_mailer_daemon", b(message), skip="退信（投递失败或延迟的通知），不是意见"
    )


def _read_receipt() -> Case:
    report = MIMEMultipart("report", report_type="disposition-notification")
    _headers(report, "已读: 意见", number=8)
    report.attach(MIMEText("您的邮件已被阅读。", "plain", "utf-8"))
    return Case("read_receipt", b(report), skip="已读回执，不是意见")


def _auto_reply() -> Case:
    message = mail(
        "我正在休假，5月20日回来。", subject="自动回复: 意见", Auto_Submitted="auto-replied"
    )
    return Case("auto_reply_rfc3834", b(message), skip="自动回复（如外出通知），不是意见")


def _auto_reply_x_header() -> Case:
    message = mail("您好，邮件已收到。", subject="Re: 意见", X_Autoreply="yes")
    return Case("auto_reply_x_autoreply", b(message), skip="自动回复（如外出通知），不是意见")


def _auto_generated() -> Case:
    message = mail("系统通知：您有一条待办。", subject="OA 通知", Auto_Submitted="auto-generated")
    return Case("auto_generated_notice", b(message), skip="系统自动发出的邮件，不是意见")


def _auto_submitted_no() -> Case:
    message = mail("这是本人写的意见。", subject="意见", Auto_Submitted="no")
    return Case("auto_submitted_no_is_a_person", b(message), text="这是本人写的意见。")


def _oversized() -> Case:
    message = mail("大" * 10, subject="超大")
    message.make_mixed()
    message.add_attachment(
        b"\x00" * (LIMIT + 1000), maintype="application", subtype="octet-stream", filename="big.bin"
    )
    return Case(
        "over_the_size_limit",
        b(message),
        skip="邮件超过 1 MB 的大小限制，这封有 1.37 MB",
        upload_skip="大小限制",
    )


CORPUS: list[Case] = [
    _bom(),
    _emoji(),
    _forwarded(),
    _forwarded_nested_in_mixed(),
    _forwarded_twice(),
    _forwarded_inline_gmail(),
    _forwarded_inline_outlook(),
    _forwarded_inline_thunderbird(),
    _forward_below_a_signature(),
    _forwarded_html_outlook(),
    _header_like_text_is_kept(),
    _html_only(),
    _html_from_word(),
    _alternative_both(),
    _alternative_empty_plain(),
    _related_html(),
    _apple_inline_pieces(),
    _quoted_printable_gbk(),
    _base64_gb18030(),
    _big5(),
    _format_flowed(),
    _format_flowed_words(),
    _charset_missing(),
    _charset_missing_gbk(),
    _utf8_labelled_gb2312(),
    _gbk_that_is_also_valid_utf8(),
    _gbk_labelled_utf8(),
    _gbk_labelled_latin1_and_unknown_charset(),
    _broken_encoded_word(),
    _subject_only(),
    _attachment_only(),
    _long_line(),
    _text_past_the_limit(),
    _mixed_line_ends(),
    _signature_only(),
    _reply_chinese(),
    _reply_gmail_wrapped(),
    _reply_interleaved(),
    _reply_outlook(),
    _reply_qq_mail(),
    _reply_qq_html(),
    _reply_html_gmail(),
    _tnef(),
    _smime_signed(),
    _calendar(),
    _bounce(),
    _bounce_plain(),
    _read_receipt(),
    _auto_reply(),
    _auto_reply_x_header(),
    _auto_generated(),
    _auto_submitted_no(),
    _oversized(),
]
BY_NAME = {case.name: case for case in CORPUS}


@pytest.fixture(autouse=True)
def _limit(settings):
    settings.OPINION_EMAIL_MAX_BYTES = LIMIT


def test_the_corpus_covers_at_least_thirty_messages_with_distinct_names():
    assert len(CORPUS) >= 30
    assert len(BY_NAME) == len(CORPUS)
    assert len({case.raw for case in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("case", CORPUS, ids=str)
def test_the_parser_reads_each_message_as_the_sender_meant(case):
    if case.skip:
        with pytest.raises(EmailParseError) as refused:
            email_parse(case.raw)
        assert str(refused.value) == case.skip
        return
    parsed = email_parse(case.raw)
    assert parsed.opinion_text == case.text
    if case.subject is not None:
        assert parsed.subject == case.subject
    assert tuple(parsed.notes) == case.notes
    for word in case.absent:
        assert word not in parsed.opinion_text
        assert all(word not in note for note in parsed.notes)


@pytest.mark.parametrize("case", CORPUS, ids=str)
def test_the_intake_service_stores_each_message_as_the_sorter_sees_it(case, org, campaign):  # noqa: F811
    upload = SimpleUploadedFile(f"{case.name}.eml", case.raw, content_type="message/rfc822")

    result = eml_upload(campaign=campaign, branch=org.branch_a1, files=[upload])

    if case.skip:
        if case.upload_skip:  # said in the upload's own words: the file and the reason
            assert len(result.errors) == 1
            assert result.errors[0].startswith(f"{case.name}.eml：")
            assert case.upload_skip in result.errors[0]
        else:
            assert result.errors == [f"{case.name}.eml：{case.skip}"]
        assert not Opinion.objects.exists() and not StoredEmail.objects.exists()
        return
    assert result.errors == [] and len(result.imported) == 1
    opinion = Opinion.objects.select_related("email").get()
    assert opinion.text == case.text
    assert opinion.channel == Opinion.Channel.EMAIL
    assert opinion.source == SENDER  # the sender is the source, kept apart from the text
    if case.subject is not None:
        assert opinion.email.subject == case.subject
    assert opinion.email.attachment_notes == "\n".join(case.notes)
    for word in case.absent:
        assert word not in opinion.text


def test_a_forwarded_message_keeps_its_own_attachments(org, campaign):  # noqa: F811
    parsed = email_parse(BY_NAME["forwarded_nested_in_mixed"].raw)

    assert [attachment.name for attachment in parsed.attachments] == ["现场.png"]
    assert parsed.attachments[0].data.startswith(b"\x89PNG")


def test_a_signature_file_is_not_kept_as_an_attachment():
    assert email_parse(BY_NAME["smime_signed"].raw).attachments == []


def test_a_size_limit_under_one_megabyte_is_said_as_it_is(settings):
    settings.OPINION_EMAIL_MAX_BYTES = 200 * 1024
    with pytest.raises(EmailParseError) as refused:
        email_parse(b(mail("长" * 100_000, subject="长信")))
    assert str(refused.value).startswith("邮件超过 0.2 MB 的大小限制，这封有 0.")


def test_a_message_nested_past_reason_is_read_without_failing():
    depth = 900  # multipart/alternative inside itself: Python's recursion limit is 1000
    raw = b"From: a@example.cn\r\nMessage-ID: <deep@example.cn>\r\nMIME-Version: 1.0\r\n"
    for level in range(depth):
        raw += b'Content-Type: multipart/alternative; boundary="b%d"\r\n\r\n--b%d\r\n' % (
            level,
            level,
        )
    raw += b"Content-Type: text/plain\r\n\r\ndeep\r\n"
    raw += b"".join(b"\r\n--b%d--\r\n" % level for level in reversed(range(depth)))

    assert email_parse(raw).opinion_text == "（邮件没有正文）"  # left unread, not a crash


def test_a_nul_in_a_charset_name_is_read_as_an_unknown_charset():
    raw = b"From: =?u\x00tf-8?b?5byg5LiJ?= <zhang@example.cn>\r\nSubject: x\r\n\r\nok\r\n"
    assert email_parse(raw).sender_address == "zhang@example.cn"


def test_not_an_opinion_is_its_own_kind_of_refusal():
    with pytest.raises(EmailNotOpinion):
        email_parse(BY_NAME["auto_reply_rfc3834"].raw)
    with pytest.raises(EmailParseError) as refused:
        email_parse(BY_NAME["over_the_size_limit"].raw)
    assert not isinstance(refused.value, EmailNotOpinion)


# --- Through the mailbox ----------------------------------------------------------------

THROUGH_IMAP = (
    "bom",
    "emoji_joiners",
    "forwarded_rfc822",
    "html_only",
    "format_flowed_delsp",
    "gbk_labelled_utf8",
    "outlook_winmail_dat",
    "auto_reply_rfc3834",
    "bounce_delivery_status",
)


def test_a_sample_arrives_whole_through_the_mailbox(server, mailbox):  # noqa: F811
    cases = [BY_NAME[name] for name in THROUGH_IMAP]
    for case in cases:
        server.append(case.raw)

    report = polling.mailbox_poll(mailbox_id=mailbox.pk)

    opinions = [case for case in cases if not case.skip]
    skipped = [case for case in cases if case.skip]
    assert (report.imported, report.skipped) == (len(opinions), len(skipped))
    assert list(Opinion.objects.order_by("pk").values_list("text", flat=True)) == [
        case.text for case in opinions
    ]
    assert StoredEmail.objects.get(subject="关于学习记录的意见")  # the BOM is out of the subject
    winmail = Opinion.objects.get(text=BY_NAME["outlook_winmail_dat"].text)
    assert winmail.email.attachment_notes == BY_NAME["outlook_winmail_dat"].notes[0]
    for case in skipped:
        assert case.skip in " ".join(report.problems)
    mailbox.refresh_from_db()
    assert "自动回复" in mailbox.last_error and "退信" in mailbox.last_error
    # Not opinions: read once, tagged, left in the mailbox and not read again.
    flags = server.flags()
    assert sum(polling.SKIPPED_KEYWORD in f for f in flags) == len(skipped)
    assert sum(polling.IMPORTED_KEYWORD in f for f in flags) == len(opinions)
    again = polling.mailbox_poll(mailbox_id=mailbox.pk)
    assert (again.imported, again.skipped, again.duplicates, again.problems) == (0, 0, 0, [])
