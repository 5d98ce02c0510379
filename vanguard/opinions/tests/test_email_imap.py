"""The e-mail channel end to end, against a real IMAP server (dovecot on loopback,
started by `imap_server`): messages are delivered by APPEND, polled, and become
opinions."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from imapclient import imap_utf7

from vanguard.audit.models import AuditEntry
from vanguard.opinions.email import polling
from vanguard.opinions.models import EmailAttachment, EmailMessage, Mailbox, Opinion
from vanguard.opinions.tests.email_samples import (
    EXE_BYTES,
    PDF_BYTES,
    b64,
    campaign,  # noqa: F401
    encoded_word,
    message,
)
from vanguard.opinions.tests.imap_server import imap_server, imap_tls_server  # noqa: F401

MAY_12 = datetime.datetime(2026, 5, 12, 10, 0, tzinfo=datetime.UTC).timestamp()


@pytest.fixture
def server(imap_server):  # noqa: F811
    imap_server.reset()
    return imap_server


@pytest.fixture
def mailbox(org, campaign, server):  # noqa: F811
    return Mailbox.objects.create(
        campaign=campaign,
        branch=org.branch_a1,
        address="yijian@example.edu.cn",
        host=server.host,
        port=server.port,
        use_ssl=False,
        username=server.user,
        password=server.password,
    )


def _deliver_the_week(server, settings):
    settings.OPINION_EMAIL_MAX_BYTES = 200_000
    deliveries = [
        message(  # GBK body and headers, as Outlook and Foxmail send them
            body="王小明同志工作认真，但开会常迟到。",
            charset="GBK",
            subject=encoded_word("关于王小明同志的意见", "GBK"),
            sender=encoded_word("张三", "GB2312") + " <zhang@example.cn>",
            message_id="<gbk-1@example.cn>",
        ),
        message(
            body="建议支部多组织专题学习。",
            subject=encoded_word("建议", "utf-8"),
            message_id="<utf8-1@example.cn>",
        ),
        message(  # a broken header: raw GBK bytes with a stray byte
            body="希望加强廉洁自律教育。",
            charset="gb2312",
            subject="意见：作风问题".encode("gbk") + b"\xff",
            sender=f"=?UTF-8?B?{b64('李四'.encode('gbk'))}?= <lisi@example.cn>",
            message_id="<broken-1@example.cn>",
        ),
        message(
            body="材料见附件。",
            message_id="<attach-1@example.cn>",
            attachments=[
                ("调研报告.pdf", "application/pdf", PDF_BYTES),
                ("setup.exe", "application/octet-stream", EXE_BYTES),
            ],
        ),
        message(  # over the 200 KB limit: never downloaded
            body="长" * 80_000,
            subject=encoded_word("超大邮件", "utf-8"),
            message_id="<huge-1@example.cn>",
        ),
        message(  # the first message again, sent twice by a nervous sender
            body="王小明同志工作认真，但开会常迟到。",
            charset="GBK",
            subject=encoded_word("关于王小明同志的意见", "GBK"),
            message_id="<gbk-1@example.cn>",
        ),
        message(body="支部同志學習認真。", charset="big5", message_id="<big5-1@example.tw>"),
    ]
    for raw in deliveries:
        server.append(raw, when=MAY_12)


def test_polling_turns_each_new_message_into_one_opinion(server, mailbox, settings):
    _deliver_the_week(server, settings)

    report = polling.mailbox_poll(mailbox_id=mailbox.pk)

    assert (report.imported, report.duplicates, report.skipped) == (5, 1, 1)
    opinions = Opinion.objects.filter(channel=Opinion.Channel.EMAIL).order_by("pk")
    assert [o.text.split("\n")[0] for o in opinions] == [
        "王小明同志工作认真，但开会常迟到。",
        "建议支部多组织专题学习。",
        "希望加强廉洁自律教育。",
        "材料见附件。",
        "支部同志學習認真。",
    ]
    assert {o.branch_id for o in opinions} == {mailbox.branch_id}
    assert {o.subject_kind for o in opinions} == {Opinion.SubjectKind.UNASSIGNED}
    assert {o.received_on for o in opinions} == {datetime.date(2026, 5, 12)}
    first, _, broken, attached, _ = opinions
    assert first.source == "张三 <zhang@example.cn>"
    assert first.email.subject == "关于王小明同志的意见"
    assert broken.email.subject.startswith("意见：作风问题")
    assert broken.source == "李四 <lisi@example.cn>"
    assert (
        attached.email.attachment_notes == "附件 setup.exe 未保存：这是可执行程序，不是文档或照片。"
    )
    assert "setup.exe" not in attached.text
    assert [a.name for a in attached.email.attachments.all()] == ["调研报告.pdf"]
    assert EmailAttachment.objects.count() == 1

    mailbox.refresh_from_db()
    assert mailbox.last_polled_at is not None
    assert "超大邮件" in mailbox.last_error and "大小限制" in mailbox.last_error
    # The poller is nobody: none of this is in the audit trail.
    assert not AuditEntry.objects.exists()
    # Imported messages are tagged, not marked read; the oversized one is left alone.
    flags = server.flags()
    assert sum(polling.IMPORTED_KEYWORD in f for f in flags) == 6
    assert not any("\\Seen" in f for f in flags)


def test_polling_again_brings_nothing_new(server, mailbox, settings):
    _deliver_the_week(server, settings)
    polling.mailbox_poll(mailbox_id=mailbox.pk)

    again = polling.mailbox_poll(mailbox_id=mailbox.pk)

    assert (again.imported, again.duplicates) == (0, 0)
    assert Opinion.objects.count() == 5
    assert EmailMessage.objects.count() == 5


def test_a_message_whose_tag_was_lost_is_still_not_imported_twice(server, mailbox, settings):
    _deliver_the_week(server, settings)
    polling.mailbox_poll(mailbox_id=mailbox.pk)
    connection = server.connect()
    connection.select("INBOX")
    connection.store("1:*", "-FLAGS", f"({polling.IMPORTED_KEYWORD})")
    connection.logout()

    again = polling.mailbox_poll(mailbox_id=mailbox.pk)

    assert (again.imported, again.duplicates) == (0, 6)
    assert Opinion.objects.count() == 5


def test_a_new_message_after_a_poll_is_picked_up_alone(server, mailbox):
    server.append(message(body="第一封", message_id="<one@x>"))
    polling.mailbox_poll(mailbox_id=mailbox.pk)
    server.append(message(body="第二封", message_id="<two@x>"))

    report = polling.mailbox_poll(mailbox_id=mailbox.pk)

    assert (report.imported, report.duplicates) == (1, 0)
    assert sorted(Opinion.objects.values_list("text", flat=True)) == ["第一封", "第二封"]


def test_a_wrong_password_is_reported_and_imports_nothing(server, mailbox):
    server.append(message(body="意见"))
    mailbox.password = "wrong"  # noqa: S105
    mailbox.save()

    polling.mailbox_poll(mailbox_id=mailbox.pk)

    mailbox.refresh_from_db()
    assert "登录失败" in mailbox.last_error
    assert not Opinion.objects.exists()


def test_a_chinese_folder_is_polled_and_a_missing_one_reported(server, mailbox):
    folder = imap_utf7.encode("意见箱").decode()  # as IMAPClient spells it
    connection = server.connect()
    connection.create(folder)
    connection.logout()
    try:
        server.append(message(body="文件夹里的意见", message_id="<folder@x>"), mailbox=folder)
        mailbox.folder = "意见箱"
        mailbox.save()
        polling.mailbox_poll(mailbox_id=mailbox.pk)
        assert Opinion.objects.get().text == "文件夹里的意见"

        mailbox.folder = "不存在的文件夹"
        mailbox.save()
        polling.mailbox_poll(mailbox_id=mailbox.pk)
        mailbox.refresh_from_db()
        assert "找不到文件夹 不存在的文件夹" in mailbox.last_error
    finally:
        connection = server.connect()
        connection.delete(folder)
        connection.logout()


def test_a_server_that_does_not_answer_is_reported(mailbox):
    mailbox.port = 1  # nothing listens there
    mailbox.save()

    polling.mailbox_poll(mailbox_id=mailbox.pk)

    mailbox.refresh_from_db()
    assert "无法连接" in mailbox.last_error


def test_poll_now_by_the_secretary_imports_without_naming_them_in_the_trail(
    server, mailbox, client, cast
):
    server.append(message(body="建议多开展谈心谈话。", sender="wang@example.cn"))
    client.force_login(cast.secretary)

    response = client.post(reverse("opinions:email_mailbox_poll", args=[mailbox.pk]), follow=True)

    assert "新导入 1 条意见" in response.content.decode()
    assert Opinion.objects.get().text == "建议多开展谈心谈话。"
    assert not AuditEntry.objects.filter(object_type__startswith="opinions.").exists()


def test_the_command_polls_every_active_mailbox(server, mailbox, org, campaign):  # noqa: F811
    from io import StringIO

    Mailbox.objects.create(
        campaign=campaign,
        branch=org.branch_a2,
        address="off@example.edu.cn",
        host=server.host,
        port=1,
        use_ssl=False,
        username="x",
        password="x",  # noqa: S106
        is_active=False,
    )
    server.append(message(body="意见一条", message_id="<cmd@x>"))
    out = StringIO()

    call_command("poll_mailboxes", stdout=out)

    assert f"mailbox {mailbox.pk}: 1 imported" in out.getvalue()
    assert "off@" not in out.getvalue() and out.getvalue().count("mailbox ") == 1
    assert Opinion.objects.count() == 1


@pytest.fixture
def tls_mailbox(org, campaign, imap_tls_server):  # noqa: F811
    imap_tls_server.reset()
    return Mailbox.objects.create(
        campaign=campaign,
        branch=org.branch_a1,
        address="yijian@example.edu.cn",
        host=imap_tls_server.host,
        port=imap_tls_server.tls_port,
        use_ssl=True,
        username=imap_tls_server.user,
        password=imap_tls_server.password,
    )


def test_a_mailbox_is_polled_over_tls_with_the_certificate_checked(
    imap_tls_server,  # noqa: F811
    tls_mailbox,
    settings,
):
    settings.OPINION_IMAP_CA_FILE = str(imap_tls_server.ca_file)
    imap_tls_server.append(message(body="加密连接收到的意见", message_id="<tls@x>"))

    report = polling.mailbox_poll(mailbox_id=tls_mailbox.pk)

    assert report.imported == 1
    assert Opinion.objects.get().text == "加密连接收到的意见"


def test_a_plain_connection_is_upgraded_with_starttls(
    imap_tls_server,  # noqa: F811
    tls_mailbox,
    settings,
):
    settings.OPINION_IMAP_CA_FILE = str(imap_tls_server.ca_file)
    tls_mailbox.use_ssl = False
    tls_mailbox.port = imap_tls_server.port
    tls_mailbox.save()
    imap_tls_server.append(message(body="STARTTLS 收到的意见", message_id="<starttls@x>"))

    assert polling.mailbox_poll(mailbox_id=tls_mailbox.pk).imported == 1


def test_an_untrusted_certificate_stops_the_poll(imap_tls_server, tls_mailbox):  # noqa: F811
    imap_tls_server.append(message(body="不应导入", message_id="<untrusted@x>"))

    polling.mailbox_poll(mailbox_id=tls_mailbox.pk)

    tls_mailbox.refresh_from_db()
    assert "加密连接失败" in tls_mailbox.last_error
    assert not Opinion.objects.exists()


def test_plain_imap_is_allowed_only_on_loopback():
    assert polling.is_loopback("127.0.0.1")
    assert polling.is_loopback("localhost")
    assert polling.is_loopback("::1")
    assert not polling.is_loopback("imap.example.edu.cn")
    assert not polling.is_loopback("10.0.0.5")
