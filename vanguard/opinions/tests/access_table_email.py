"""Who may open the e-mail channel's pages (see tests/access.py).

Mailbox settings hold a password: only the committee admin and the secretaries over
the mailbox's unit (branch A1) keep them. Uploading .eml files is for those who sort
A1's opinions (they include A1's committee member). An attachment is source
material: those who sort the opinion may download it; supervisors and observers,
who read opinions but not their sources, get 403; anyone who cannot see the opinion
— including the member it is about — is told it does not exist."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.access import LOGIN, AccessRow
from vanguard.campaigns.models import Campaign
from vanguard.opinions.email import mime
from vanguard.opinions.email import services as services_email
from vanguard.opinions.models import Mailbox, Opinion
from vanguard.opinions.tests.email_samples import PDF_BYTES, message

KEEPERS = ("committee_admin", "gb_secretary", "secretary")
NOT_KEEPERS = {
    role: 403
    for role in (
        "supervisor",
        "branch_committee",
        "group_leader",
        "observer",
        "member",
        "other_member",
    )
}
NOT_SORTERS = {
    role: 403 for role in ("supervisor", "group_leader", "observer", "member", "other_member")
}
# Read opinions but not their sources.
READERS = {"supervisor": 403, "observer": 403}
CANNOT_SEE = {"group_leader": 404, "member": 404, "other_member": 404}
# The secretary is a member of branch A1: any of its mail may be about him, so its
# attachments are for the sorters above (the general branch, the committee).
MAY_BE_SUBJECT = {"secretary": 403}


def _campaign(f) -> Campaign:
    return Campaign.objects.get_or_create(
        unit=f.org.committee,
        name="先进性教育活动",
        defaults={
            "kind": Campaign.Kind.EDUCATION,
            "year": datetime.date.today().year,
            "status": Campaign.Status.ACTIVE,
        },
    )[0]


def _mailbox(f) -> Mailbox:
    return Mailbox.objects.get_or_create(
        campaign=_campaign(f),
        branch=f.org.branch_a1,
        address="yijian@example.edu.cn",
        defaults={
            "host": "127.0.0.1",
            "port": 1,  # nothing listens: a poll fails fast and says so
            "use_ssl": False,
            "username": "yijian",
            "password": "secret",
        },
    )[0]


def _attachment_pk(f, about=None) -> int:
    about = about or f.cast.colleague_record
    parsed = mime.email_parse(
        message(
            body="意见",
            message_id=f"<access-{about.pk}@x>",
            attachments=[("材料.pdf", "application/pdf", PDF_BYTES)],
        )
    )
    opinion = services_email.email_store(
        campaign=_campaign(f), branch=f.org.branch_a1, parsed=parsed
    )
    assert opinion is not None and opinion.email is not None
    Opinion.objects.filter(pk=opinion.pk).update(
        subject_kind=Opinion.SubjectKind.MEMBER, subject_member=about
    )
    return opinion.email.attachments.get().pk


def _mailbox_data(f) -> dict:
    _campaign(f)
    return {
        "branch": f.org.branch_a1.pk,
        "address": "yijian2@example.edu.cn",
        "host": "imap.example.edu.cn",
        "port": 993,
        "use_ssl": "on",
        "username": "yijian2",
        "password": "secret",
        "folder": "INBOX",
        "is_active": "on",
    }


def _upload_data(f) -> dict:
    _campaign(f)
    return {
        "unit": f.org.branch_a1.pk,
        "files": SimpleUploadedFile("意见.eml", message(body="建议", message_id="<up@x>")),
    }


ROWS = [
    AccessRow(
        "opinions/mail/",
        lambda f: reverse("opinions:email_mailboxes"),
        {"anonymous": LOGIN, **NOT_KEEPERS},
        default=200,
    ),
    AccessRow(
        "opinions/mail/add/",
        lambda f: reverse("opinions:email_mailbox_add"),
        {"anonymous": LOGIN, **NOT_KEEPERS},
        default=200,
    ),
    AccessRow(
        "opinions/mail/add/",
        lambda f: reverse("opinions:email_mailbox_add"),
        {"anonymous": LOGIN, **NOT_KEEPERS},
        default=302,
        method="post",
        data=_mailbox_data,
    ),
    AccessRow(
        "opinions/mail/<int:pk>/edit/",
        lambda f: reverse("opinions:email_mailbox_edit", args=[_mailbox(f).pk]),
        {"anonymous": LOGIN, **NOT_KEEPERS},
        default=200,
    ),
    AccessRow(
        "opinions/mail/<int:pk>/edit/",
        lambda f: reverse("opinions:email_mailbox_edit", args=[_mailbox(f).pk]),
        {"anonymous": LOGIN, **NOT_KEEPERS},
        default=302,
        method="post",
        data=_mailbox_data,
    ),
    AccessRow(
        "opinions/mail/<int:pk>/poll/",
        lambda f: reverse("opinions:email_mailbox_poll", args=[_mailbox(f).pk]),
        {"anonymous": LOGIN, **{role: 404 for role in NOT_KEEPERS}},
        default=302,
        method="post",
        note="the mailbox is hidden from those who do not keep it",
    ),
    AccessRow(
        "opinions/mail/<int:pk>/poll/",
        lambda f: reverse("opinions:email_mailbox_poll", args=[_mailbox(f).pk]),
        {"anonymous": LOGIN},
        default=405,
        note="polling is a POST",
    ),
    AccessRow(
        "opinions/mail/upload/",
        lambda f: reverse("opinions:email_upload"),
        {"anonymous": LOGIN, **NOT_SORTERS},
        default=200,
    ),
    AccessRow(
        "opinions/mail/upload/",
        lambda f: reverse("opinions:email_upload"),
        {"anonymous": LOGIN, **NOT_SORTERS},
        default=200,
        method="post",
        data=_upload_data,
        note="imported, and the result shown",
    ),
    AccessRow(
        "opinions/mail/attachments/<int:pk>/",
        lambda f: reverse("opinions:email_attachment", args=[_attachment_pk(f)]),
        {"anonymous": LOGIN, **READERS, **CANNOT_SEE, **MAY_BE_SUBJECT},
        default=200,
    ),
    AccessRow(
        "opinions/mail/attachments/<int:pk>/",
        lambda f: reverse(
            "opinions:email_attachment", args=[_attachment_pk(f, about=f.cast.member_record)]
        ),
        {"anonymous": LOGIN, **READERS, **CANNOT_SEE, **MAY_BE_SUBJECT},
        default=200,
        note="an opinion about the member: they never reach its attachment",
    ),
    AccessRow(
        "opinions/mail/attachments/<int:pk>/",
        lambda f: reverse(
            "opinions:email_attachment",
            args=[_attachment_pk(f, about=f.cast.secretary.member)],
        ),
        {"anonymous": LOGIN, **READERS, **CANNOT_SEE, "secretary": 404},
        default=200,
        note="an opinion about the secretary is hidden from the secretary",
    ),
]
