"""Access rows for the member appraisal registration form (党员评议登记表). A member's
form is for the member themself (王小明, `member`) and the readers of branch_a1's
grading; the branch bundle for those readers only. Everyone else gets 404."""

from __future__ import annotations

from django.urls import reverse

from tests.access import LOGIN, AccessRow
from vanguard.grading.tests.access_table import READERS
from vanguard.meetings.tests.factories import education_campaign


def _member_url(name):
    return lambda f: reverse(
        name, args=[education_campaign(f.org.committee).pk, f.cast.member_record.pk]
    )


def _branch_url(f):
    return reverse(
        "grading:registration_branch_pdf",
        args=[education_campaign(f.org.committee).pk, f.org.branch_a1.pk],
    )


ROWS = [
    AccessRow(
        "grading/<int:campaign_pk>/members/<int:member_pk>/registration.pdf",
        _member_url("grading:registration_pdf"),
        {**dict.fromkeys(READERS, 200), "member": 200, "anonymous": LOGIN},
        default=404,
    ),
    AccessRow(
        "grading/<int:campaign_pk>/members/<int:member_pk>/registration.docx",
        _member_url("grading:registration_docx"),
        {**dict.fromkeys(READERS, 200), "member": 200, "anonymous": LOGIN},
        default=404,
    ),
    AccessRow(
        "grading/<int:campaign_pk>/branch/<int:branch_pk>/registration.pdf",
        _branch_url,
        {**dict.fromkeys(READERS, 200), "anonymous": LOGIN},
        default=404,
    ),
]
