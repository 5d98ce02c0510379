"""The e-mail channel's pages: mailbox settings, .eml upload, attachment download."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from vanguard.audit.models import AuditEntry
from vanguard.opinions.models import EmailAttachment, EmailMessage, Mailbox, Opinion
from vanguard.opinions.tests.email_samples import (
    PDF_BYTES,
    campaign,  # noqa: F401
    encoded_word,
    message,
)


def _eml(name: str, raw: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, raw, content_type="message/rfc822")


def _upload(client, unit, *files):
    return client.post(reverse("opinions:email_upload"), {"unit": unit.pk, "files": list(files)})


@pytest.fixture
def secretary(client, cast):
    client.force_login(cast.secretary)
    return client


# --- .eml upload ----------------------------------------------------------------


def test_a_sorter_uploads_several_eml_files_and_each_becomes_an_opinion(
    secretary,
    org,
    campaign,  # noqa: F811
):
    response = _upload(
        secretary,
        org.branch_a1,
        _eml("一.eml", message(body="工作认真。", charset="gbk", message_id="<1@x>")),
        _eml(
            "二.eml",
            message(
                body="材料见附件。",
                subject=encoded_word("附件意见", "gbk"),
                message_id="<2@x>",
                attachments=[("调研.pdf", "application/pdf", PDF_BYTES)],
            ),
        ),
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "已导入 2 封邮件" in page
    assert "附件意见" in page and "调研.pdf" in page
    texts = sorted(Opinion.objects.values_list("text", flat=True))
    assert texts == ["工作认真。", "材料见附件。"]
    assert set(Opinion.objects.values_list("branch", flat=True)) == {org.branch_a1.pk}
    assert set(Opinion.objects.values_list("campaign", flat=True)) == {campaign.pk}


def test_an_uploaded_message_already_imported_is_named_and_not_imported_again(
    secretary,
    org,
    campaign,  # noqa: F811
):
    raw = message(body="工作认真。", message_id="<same@x>")
    _upload(secretary, org.branch_a1, _eml("a.eml", raw))

    response = _upload(secretary, org.branch_a1, _eml("a-copy.eml", raw), _eml("b.eml", raw))

    assert "已导入过，未重复导入：a-copy.eml、b.eml" in response.content.decode()
    assert Opinion.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "raw", "error"),
    [
        ("空.eml", b"", "空.eml：文件是空的"),
        ("报告.eml", PDF_BYTES, "报告.eml：不是电子邮件"),
    ],
)
def test_a_bad_file_is_named_and_nothing_is_imported(
    secretary,
    org,
    campaign,  # noqa: F811
    name,
    raw,
    error,
):
    good = _eml("好.eml", message(body="工作认真。"))

    response = _upload(secretary, org.branch_a1, good, _eml(name, raw))

    assert error in response.content.decode()
    assert "邮件没有导入" in response.content.decode()
    assert not Opinion.objects.exists()
    assert not EmailMessage.objects.exists()


def test_an_eml_over_the_size_limit_is_refused(secretary, org, campaign, settings):  # noqa: F811
    settings.OPINION_EMAIL_MAX_BYTES = 5000
    response = _upload(secretary, org.branch_a1, _eml("大.eml", message(body="长" * 5000)))
    assert "大.eml：邮件超过" in response.content.decode()
    assert not Opinion.objects.exists()


def test_upload_without_an_active_campaign_is_refused(secretary, org):
    response = _upload(secretary, org.branch_a1, _eml("a.eml", message(body="意见")))
    assert "没有进行中的活动" in response.content.decode()
    assert not Opinion.objects.exists()


def test_spam_with_script_tags_and_emoji_is_kept_as_text_and_shown_escaped(
    secretary,
    org,
    campaign,  # noqa: F811
):
    spam = "<script>alert('x')</script>😀" + "垃圾" * 5000

    response = _upload(secretary, org.branch_a1, _eml("spam.eml", message(body=spam)))

    page = response.content.decode()
    assert "<script>alert('x')</script>" not in page
    assert "&lt;script&gt;" in page
    assert Opinion.objects.get().text == spam


def test_upload_by_a_sorter_is_audited_without_the_sender(
    secretary,
    cast,
    org,
    campaign,  # noqa: F811
):
    sender = encoded_word("王五", "gbk") + " <wangwu@example.cn>"
    _upload(secretary, org.branch_a1, _eml("a.eml", message(body="意见", sender=sender)))

    entries = AuditEntry.objects.filter(actor_id=cast.secretary.pk)
    assert entries.filter(object_type="opinions.opinion").exists()
    for entry in entries:
        dump = f"{entry.before} {entry.after} {entry.object_repr}"
        assert "wangwu" not in dump and "王五" not in dump


# --- mailboxes ------------------------------------------------------------------


def _mailbox_form(org, **extra):
    return {
        "branch": org.branch_a1.pk,
        "address": "yijian@example.edu.cn",
        "host": "imap.example.edu.cn",
        "port": 993,
        "use_ssl": "on",
        "username": "yijian",
        "password": "auth-code-1",
        "folder": "INBOX",
        "is_active": "on",
        **extra,
    }


def test_a_secretary_sets_up_the_branch_mailbox_for_the_active_campaign(
    secretary,
    org,
    campaign,  # noqa: F811
):
    response = secretary.post(reverse("opinions:email_mailbox_add"), _mailbox_form(org))

    assert response.status_code == 302
    mailbox = Mailbox.objects.get()
    assert (mailbox.campaign, mailbox.branch, mailbox.password) == (
        campaign,
        org.branch_a1,
        "auth-code-1",
    )
    page = secretary.get(reverse("opinions:email_mailboxes")).content.decode()
    assert "yijian@example.edu.cn" in page and "尚未收取" in page


def test_the_password_is_never_shown_and_kept_when_left_blank(
    secretary,
    org,
    campaign,  # noqa: F811
):
    secretary.post(reverse("opinions:email_mailbox_add"), _mailbox_form(org))
    mailbox = Mailbox.objects.get()
    url = reverse("opinions:email_mailbox_edit", args=[mailbox.pk])

    assert "auth-code-1" not in secretary.get(url).content.decode()
    secretary.post(url, _mailbox_form(org, password="", folder="意见"))

    mailbox.refresh_from_db()
    assert (mailbox.folder, mailbox.password) == ("意见", "auth-code-1")
    for entry in AuditEntry.objects.filter(object_type="opinions.mailbox"):
        assert "auth-code-1" not in f"{entry.before} {entry.after}"


def test_a_mailbox_needs_a_password_a_valid_port_and_an_active_campaign(secretary, org):
    response = secretary.post(
        reverse("opinions:email_mailbox_add"), _mailbox_form(org, password="", port=70000)
    )
    page = response.content.decode()
    assert "请填写邮箱密码" in page
    assert "端口应在 1 到 65535 之间" in page
    assert "没有进行中的活动" in page
    assert not Mailbox.objects.exists()


def test_the_last_error_is_shown_on_the_mailbox_page(secretary, org, campaign):  # noqa: F811
    Mailbox.objects.create(
        campaign=campaign,
        branch=org.branch_a1,
        address="yijian@example.edu.cn",
        host="imap.example.edu.cn",
        username="u",
        password="p",  # noqa: S106
        last_error="登录失败，请检查用户名和密码",
    )
    page = secretary.get(reverse("opinions:email_mailboxes")).content.decode()
    assert "登录失败，请检查用户名和密码" in page


# --- attachments ----------------------------------------------------------------


def _imported_attachment(client, org, name, content_type, data) -> EmailAttachment:
    _upload(client, org.branch_a1, _eml("a.eml", message(attachments=[(name, content_type, data)])))
    return EmailAttachment.objects.get()


def test_a_sorter_downloads_an_attachment_as_what_its_content_is(
    secretary,
    cast,
    org,
    campaign,  # noqa: F811
):
    attachment = _imported_attachment(secretary, org, "调研.pdf", "application/pdf", PDF_BYTES)
    # The mail may be about the secretary (a member of the branch): a sorter above reads it.
    url = reverse("opinions:email_attachment", args=[attachment.pk])
    assert secretary.get(url).status_code == 403
    secretary.force_login(cast.gb_secretary)

    response = secretary.get(url)

    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_an_html_attachment_is_served_as_bytes_never_as_a_page(
    secretary,
    cast,
    org,
    campaign,  # noqa: F811
):
    # An HTML attachment is no longer kept: the sorters read why.
    _upload(
        secretary,
        org.branch_a1,
        _eml("a.eml", message(attachments=[("page.html", "text/html", b"<script>1</script>")])),
    )
    email = EmailMessage.objects.get()
    assert not EmailAttachment.objects.exists()
    assert email.attachment_notes == "附件 page.html 未保存：这是网页（HTML）文件，不是文档或照片。"
    # One kept before attachments were checked is still served as bytes, never as a page.
    attachment = EmailAttachment(message=email, name="page.html", content_type="text/html", size=25)
    attachment.file.save("page.html", ContentFile(b"<script>alert(1)</script>"))
    secretary.force_login(cast.gb_secretary)

    response = secretary.get(reverse("opinions:email_attachment", args=[attachment.pk]))

    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
