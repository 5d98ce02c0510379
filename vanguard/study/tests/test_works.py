"""Members' study work: written in the browser or uploaded, checked, served safely,
edited until reviewed, and never overwritten silently."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from vanguard.audit.models import AuditEntry
from vanguard.study.models import StudyWork
from vanguard.study.tests import factories

NEW = "study:work_create"


def post_work(client, **overrides):
    data = {"kind": "reading_note", "title": "读《党章》笔记", "material": "《中国共产党章程》"}
    data.update(overrides)
    return client.post(reverse(NEW), data)


def stored_files():
    try:
        return default_storage.listdir("study")[0]
    except FileNotFoundError:
        return []


def test_member_writes_a_note_in_the_editor(client, cast, campaign):
    client.force_login(cast.member)
    response = post_work(
        client, body="<h3>体会</h3><p><strong>为人民服务</strong></p>", body_format="html"
    )
    assert response.status_code == 302
    work = StudyWork.objects.get()
    assert (work.member, work.campaign, work.kind) == (cast.member_record, campaign, "reading_note")
    assert work.body == "<h3>体会</h3><p><strong>为人民服务</strong></p>"


def test_script_and_event_handlers_in_a_note_never_reach_the_page(client, cast, campaign):
    client.force_login(cast.member)
    post_work(
        client,
        body=(
            '<p>学习</p><script>alert(1)</script><img src=x onerror="alert(2)">'
            '<a href="javascript:alert(3)">链接</a>'
        ),
        body_format="html",
    )
    work = StudyWork.objects.get()
    html = client.get(reverse("study:work_detail", args=[work.pk])).content.decode()
    body = html.split("</head>")[1]
    assert "<script" not in body
    assert "alert(1)" not in body
    assert "onerror" not in body
    assert "javascript:" not in body
    assert "<p>学习</p>" in body


def test_markup_typed_without_the_editor_is_shown_as_text(client, cast, campaign):
    client.force_login(cast.member)
    post_work(client, body="<script>alert(1)</script>\n<img src=x onerror=alert(2)>")
    work = StudyWork.objects.get()
    html = client.get(reverse("study:work_detail", args=[work.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html


def test_member_uploads_a_pdf_stored_under_a_random_name(client, cast, campaign):
    client.force_login(cast.member)
    response = post_work(
        client, kind="reflection", title="心得", attachment=factories.pdf("我的心得.pdf")
    )
    assert response.status_code == 302
    work = StudyWork.objects.get()
    assert (work.attachment_type, work.attachment_name) == ("pdf", "我的心得.pdf")
    assert "我的心得" not in work.attachment.name
    assert work.attachment.name.startswith(f"study/{campaign.pk}/{cast.member_record.pk}/")


@pytest.mark.parametrize(
    ("upload", "kind", "name"),
    [
        (factories.docx, "docx", "论文.docx"),
        (lambda: factories.photo("手写.jpeg"), "jpeg", "手写.jpg"),
        (lambda: factories.photo("手写.png", "PNG"), "png", "手写.png"),
        # HEIC is stored as JPEG: office browsers cannot show HEIC.
        (lambda: factories.photo("IMG_0001.HEIC", "HEIF"), "jpeg", "IMG_0001.jpg"),
    ],
)
def test_word_documents_and_photos_are_accepted(client, cast, campaign, upload, kind, name):
    client.force_login(cast.member)
    assert post_work(client, attachment=upload()).status_code == 302
    work = StudyWork.objects.get()
    assert (work.attachment_type, work.attachment_name) == (kind, name)


def test_an_executable_renamed_pdf_is_refused_naming_the_file(client, cast, campaign):
    client.force_login(cast.member)
    response = post_work(client, attachment=factories.exe_as_pdf("心得.pdf"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "文件“心得.pdf”没有保存：这是可执行程序，不是文档或照片。" in html
    assert not StudyWork.objects.exists()
    assert stored_files() == []


def test_an_old_word_doc_is_refused_with_what_to_do(client, cast, campaign):
    client.force_login(cast.member)
    old = SimpleUploadedFile("笔记.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    html = post_work(client, attachment=old).content.decode()
    assert "文件“笔记.doc”没有保存：旧版 Word 文件（.doc）可能带有宏" in html
    assert "请在 Word 中另存为 .docx 后再上传" in html
    assert not StudyWork.objects.exists()


def test_a_file_over_the_limit_is_refused_naming_the_file(client, cast, campaign, settings):
    settings.STUDY_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    big = SimpleUploadedFile("扫描件.pdf", factories.PDF_BYTES + b"0" * (10 * 1024 * 1024))
    client.force_login(cast.member)
    response = post_work(client, attachment=big)
    html = response.content.decode()
    size = 10 * 1024 * 1024 + len(factories.PDF_BYTES)
    assert f"文件“扫描件.pdf”没有保存：文件有 10 MB（{size} 字节），" in html
    assert "超过了 10 MB（10485760 字节）的上限" in html
    assert not StudyWork.objects.exists()


def test_a_note_with_neither_text_nor_file_is_refused(client, cast, campaign):
    client.force_login(cast.member)
    response = post_work(client, body="<p><br></p>", body_format="html")
    assert "请填写正文，或上传一个文件" in response.content.decode()
    assert not StudyWork.objects.exists()


def test_file_is_served_only_through_the_checked_view(client, org, cast, campaign):
    work = factories.make_work(org, cast.member_record, upload=factories.pdf("心得.pdf"))
    url = reverse("study:work_file", args=[work.pk])
    client.force_login(cast.secretary)

    response = client.get(url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == factories.PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    client.force_login(cast.other_member)
    assert client.get(url).status_code == 404


def test_member_edits_their_own_work(client, org, cast, campaign):
    work = factories.make_work(org, cast.member_record)
    client.force_login(cast.member)
    response = client.post(
        reverse("study:work_edit", args=[work.pk]),
        {
            "kind": "reflection",
            "title": "新标题",
            "material": "《党章》",
            "body": "<p>改过的</p>",
            "body_format": "html",
            "version": work.version,
        },
    )
    assert response.status_code == 302
    work.refresh_from_db()
    assert (work.title, work.kind, work.body, work.version) == (
        "新标题",
        "reflection",
        "<p>改过的</p>",
        2,
    )
    assert AuditEntry.objects.filter(object_type="study.studywork", action="update").exists()


def test_a_stale_edit_is_refused_and_the_input_is_kept(client, org, cast, campaign):
    work = factories.make_work(org, cast.member_record, title="原标题")
    StudyWork.objects.filter(pk=work.pk).update(title="另一个标签页改的", version=2)
    client.force_login(cast.member)

    response = client.post(
        reverse("study:work_edit", args=[work.pk]),
        {
            "kind": "reading_note",
            "title": "我刚写的",
            "material": "《党章》",
            "body": "我的新内容",
            "version": 1,
        },
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "在别处修改过" in html
    assert "我的新内容" in html and 'value="我刚写的"' in html  # nothing lost
    assert "另一个标签页改的" in html  # the saved version beside it
    assert 'name="version" value="2"' in html
    assert StudyWork.objects.get().title == "另一个标签页改的"


def test_reviewer_marks_work_read_and_the_member_can_no_longer_edit(client, org, cast, campaign):
    work = factories.make_work(org, cast.member_record)
    client.force_login(cast.supervisor)
    client.post(reverse("study:work_review", args=[work.pk]))
    work.refresh_from_db()
    assert work.reviewed_by == cast.supervisor and work.is_locked

    client.force_login(cast.member)
    response = client.post(
        reverse("study:work_edit", args=[work.pk]),
        {
            "kind": "reading_note",
            "title": "偷改",
            "material": "x",
            "body": "x",
            "version": work.version,
        },
        follow=True,
    )
    assert "已经审阅（已阅），不能再修改" in response.content.decode()
    assert StudyWork.objects.get().title == work.title


def test_edit_opened_before_the_review_is_refused_when_saved_after_it(org, cast, campaign):
    from vanguard.study import services

    work = factories.make_work(org, cast.member_record)
    stale = StudyWork.objects.get(pk=work.pk)
    services.work_mark_reviewed(work=work, user=cast.secretary)
    with pytest.raises(Exception, match="不能再修改"):
        services.work_update(
            work=stale, version=1, kind="reading_note", title="t", material="m", body="<p>b</p>"
        )


def test_secretary_cannot_review_their_own_work(client, org, cast, campaign):
    secretary_record = cast.secretary.member
    work = factories.make_work(org, secretary_record)
    client.force_login(cast.secretary)
    response = client.post(reverse("study:work_review", args=[work.pk]), follow=True)
    assert "不能审阅自己的学习成果" in response.content.decode()
    assert StudyWork.objects.get().reviewed_at is None


def test_replacing_the_file_stores_the_new_one(client, org, cast, campaign):
    work = factories.make_work(org, cast.member_record, upload=factories.pdf())
    old = work.attachment.name
    client.force_login(cast.member)
    with_commit = client.post(
        reverse("study:work_edit", args=[work.pk]),
        {
            "kind": "reading_note",
            "title": work.title,
            "material": work.material,
            "body": "",
            "version": work.version,
            "attachment": factories.docx(),
        },
    )
    assert with_commit.status_code == 302
    work.refresh_from_db()
    assert work.attachment_type == "docx" and work.attachment.name != old
