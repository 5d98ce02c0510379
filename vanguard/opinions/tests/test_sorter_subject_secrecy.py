"""Issue 10, findings 7 and 8, performed as the people involved would.

7. A sorter who is (or could be) the subject of an opinion never learns its source:
   not through a sibling opinion of the same talk, not through an e-mail that arrives
   unassigned, not by sorting it onto someone else, not through a survey's list of
   who answered. A sorter above the branch (the general-branch secretary) does.
8. The name of an e-mail attachment that was not kept (executable, too large) never
   reaches the member's feedback sheet (page, PDF, API), nor the supervisor and the
   observer; the sorters who see sources still read the note.
"""

from __future__ import annotations

import importlib
import io
import json
from types import SimpleNamespace

import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from vanguard.opinions.models import Opinion, OpinionRecord, Survey, SurveyInvitation
from vanguard.opinions.tests import access_table_intake as intake
from vanguard.opinions.tests.email_samples import EXE_BYTES, PDF_BYTES, message
from vanguard.organization.models import Member

pytestmark = pytest.mark.django_db

PARTICIPANTS = "群众代表孙八、周九"
RAISED_BY = "提出人周九"
SENDER = "tipster-4417@example.org"
# An attachment name that names its sender: it must stay with the sorters.
DROPPED = "zhangsan-tipoff-7731.exe"


@pytest.fixture
def f(org, cast):
    found = SimpleNamespace(org=org, cast=cast)
    found.campaign = intake.campaign(found)
    found.secretary_record = Member.objects.get(user=cast.secretary)
    return found


def _text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if body.startswith(b"%PDF"):
        reader = pypdf.PdfReader(io.BytesIO(body))
        return "".join(page.extract_text() for page in reader.pages)
    if "json" in response.get("Content-Type", ""):
        return json.dumps(json.loads(body), ensure_ascii=False)
    return body.decode()


def _get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return _text(response)


def _upload(client, f, raw: bytes) -> Opinion:
    eml = SimpleUploadedFile("a.eml", raw, content_type="message/rfc822")
    response = client.post(
        reverse("opinions:email_upload"), {"unit": f.org.branch_a1.pk, "files": [eml]}
    )
    assert response.status_code == 200
    return Opinion.objects.get(channel=Opinion.Channel.EMAIL)


def _sort(client, opinion: Opinion, member: Member) -> None:
    prefix = f"o{opinion.pk}"
    response = client.post(
        reverse("opinions:sorting_sort", args=[opinion.pk]),
        {f"{prefix}-subject": f"member:{member.pk}", f"{prefix}-kind": "criticism"},
    )
    assert response.status_code == 302
    opinion.refresh_from_db()
    assert opinion.status == Opinion.Status.SORTED and opinion.subject_member == member


def _talk_about_the_secretary_and_a_colleague(client, f) -> tuple[OpinionRecord, Opinion]:
    """The general-branch secretary records a talk in branch A1: one opinion about its
    secretary (李书记, who also sorts), one about a colleague (张丽)."""
    client.force_login(f.cast.gb_secretary)
    client.post(
        reverse("opinions:record_create"),
        {
            "branch": f.org.branch_a1.pk,
            "kind": "talk",
            "held_on": "2026-04-20",
            "place": "三楼会议室",
            "participants": PARTICIPANTS,
            "notes": "与孙八、周九谈了支部工作。",
        },
    )
    record = OpinionRecord.objects.get()
    add = reverse("opinions:record_add_opinion", args=[record.pk])
    for member, text in (
        (f.secretary_record, "书记开会时间太长。"),
        (f.cast.colleague_record, "张丽同志科研偏少。"),
    ):
        response = client.post(
            add, {"about": f"member:{member.pk}", "aspect": "", "text": text, "source": RAISED_BY}
        )
        assert response.status_code == 302
    return record, Opinion.objects.get(subject_member=f.cast.colleague_record)


def test_a_secretary_learns_nothing_of_a_talk_that_holds_an_opinion_about_him(client, f):
    record, sibling = _talk_about_the_secretary_and_a_colleague(client, f)
    # Control: the general-branch secretary, above the branch, sees the source.
    control = _get(client, reverse("opinions:sorting_detail", args=[sibling.pk]))
    assert PARTICIPANTS in control and RAISED_BY in control

    client.force_login(f.cast.secretary)
    seen = {
        url: _get(client, url)
        for url in (
            reverse("opinions:sorting") + "?status=all",
            reverse("opinions:sorting_detail", args=[sibling.pk]),
            reverse("opinions:record_detail", args=[record.pk]),
            "/api/v1/opinions/",
            f"/api/v1/opinions/{sibling.pk}",
        )
    }

    assert "张丽同志科研偏少。" in seen["/api/v1/opinions/"]  # he does sort it
    for url, text in seen.items():
        for secret in (PARTICIPANTS, RAISED_BY, "孙八"):
            assert secret not in text, (url, secret)


def test_an_unassigned_email_is_sorted_without_its_sender_by_a_sorter_who_may_be_its_subject(
    client, f
):
    client.force_login(f.cast.gb_secretary)
    opinion = _upload(
        client,
        f,
        message(
            body="李书记开会总是拖堂。",
            sender=SENDER,
            attachments=[("材料.pdf", "application/pdf", PDF_BYTES)],
        ),
    )
    assert SENDER in _get(client, reverse("opinions:sorting_detail", args=[opinion.pk]))
    attachment = opinion.email.attachments.get()

    client.force_login(f.cast.secretary)
    urls = (
        reverse("opinions:sorting"),
        reverse("opinions:sorting_detail", args=[opinion.pk]),
        "/api/v1/opinions/?status=new",
        f"/api/v1/opinions/{opinion.pk}",
    )
    for url in urls:
        assert SENDER not in _get(client, url), url
    download = reverse("opinions:email_attachment", args=[attachment.pk])
    assert client.get(download).status_code == 403

    # Sorting it onto somebody else does not open its source to him.
    _sort(client, opinion, f.cast.colleague_record)
    for url in urls:
        assert SENDER not in _get(client, url), url
    assert client.get(download).status_code == 403


def test_who_answered_a_survey_is_not_shown_to_a_sorter_who_may_be_its_subject(client, f):
    survey = Survey.objects.create(campaign=f.campaign, branch=f.org.branch_a1, title="书面调查")
    SurveyInvitation.objects.create(
        survey=survey, token_hash="a" * 64, respondent="吴十", used=True
    )
    url = reverse("opinions:survey_detail", args=[survey.pk])
    client.force_login(f.cast.gb_secretary)
    assert "<td>是</td>" in _get(client, url)

    client.force_login(f.cast.secretary)
    page = _get(client, url)

    assert "吴十" in page  # he invited them, and may still remind them
    assert "<td>是</td>" not in page


def test_a_dropped_attachments_name_stays_with_the_sorters(client, f):
    member = f.cast.member_record
    client.force_login(f.cast.gb_secretary)
    opinion = _upload(
        client,
        f,
        message(
            body="王小明同志开会常迟到。",
            sender=SENDER,
            attachments=[(DROPPED, "application/octet-stream", EXE_BYTES)],
        ),
    )
    _sort(client, opinion, member)

    sheets = [
        reverse("opinions:feedback_member", args=[member.pk]),
        reverse("opinions:feedback_member_pdf", args=[member.pk]),
        f"/api/v1/opinions/feedback/members/{member.pk}",
    ]
    readers = {
        f.cast.member: [
            reverse("opinions:feedback"),
            reverse("opinions:feedback_pdf"),
            "/api/v1/opinions/feedback",
        ],
        f.cast.supervisor: [*sheets, reverse("opinions:sorting") + "?status=all"],
        f.cast.observer: [reverse("opinions:sorting") + "?status=all", "/api/v1/opinions/"],
    }
    for user, urls in readers.items():
        client.force_login(user)
        for url in urls:
            text = _get(client, url)
            assert "王小明同志开会常迟到。" in text or "开会常迟到" in text, url
            assert DROPPED not in text and "tipoff" not in text, url
            assert "未保存" not in text, url

    # The sorters who see sources read the note, in the page and the API.
    client.force_login(f.cast.gb_secretary)
    assert DROPPED in _get(client, reverse("opinions:sorting_detail", args=[opinion.pk]))
    api = client.get(f"/api/v1/opinions/{opinion.pk}").json()
    assert DROPPED in api["source"]["attachment_notes"]


def test_notes_already_in_an_opinions_text_move_to_its_email():
    migration = importlib.import_module("vanguard.opinions.migrations.0002_email_attachment_notes")
    text = (
        "王小明同志开会常迟到。\n\n"
        "附件 zhangsan.exe 是可执行文件，未保存\n附件 大图.png 超过大小限制，未保存"
    )

    assert migration.split_notes(text) == (
        "王小明同志开会常迟到。",
        ["附件 zhangsan.exe 是可执行文件，未保存", "附件 大图.png 超过大小限制，未保存"],
    )
    # A sender's own words that only look like a note stay where they are.
    assert migration.split_notes("附件 a.exe 是可执行文件，未保存") == (
        "附件 a.exe 是可执行文件，未保存",
        [],
    )
