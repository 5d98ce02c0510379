"""Who may read a branch's meeting record book (支部大会记录本; see tests/access.py), in
the committee's education campaign.

The book is read by the officers and observers over the branch who read its meetings'
absences and its grading (`materials.access.MEETING_BOOK_ROLES`): for branch A1 its
secretary and branch committee, the general branch's secretary, the committee, the
supervisor of A1 and the observer. A member of A1 sees A1's records but not the book
(403); anyone who does not see the branch gets a 404. For branch B1 (another general
branch, nobody's but the committee's and the observer's) A1's officers and the
supervisor get a 404, B1's own member a 403. The index page is everyone's: it lists
the branches each person reads (none for a member)."""

from __future__ import annotations

from django.urls import reverse

from tests.access import LOGIN, AccessRow
from vanguard.meetings.tests.factories import education_campaign

A1_READERS: dict[str, int | str] = {
    "anonymous": LOGIN,
    "committee_admin": 200,
    "supervisor": 200,
    "gb_secretary": 200,
    "secretary": 200,
    "branch_committee": 200,
    "observer": 200,
    "member": 403,
}
B1_READERS: dict[str, int | str] = {
    "anonymous": LOGIN,
    "committee_admin": 200,
    "observer": 200,
    "other_member": 403,
}


def _url(name: str, branch: str):
    def build(f) -> str:
        campaign = education_campaign(f.org.committee)
        return reverse(name, args=[campaign.pk, getattr(f.org, branch).pk])

    return build


ROWS = [
    AccessRow(
        "materials/meeting-book/",
        lambda f: reverse("materials:meeting_book_index"),
        {"anonymous": LOGIN},
        default=200,
    ),
    AccessRow(
        "materials/c/<int:campaign_pk>/branches/<int:branch_pk>/meeting-book.pdf",
        _url("materials:meeting_book_pdf", "branch_a1"),
        A1_READERS,
        default=404,
    ),
    AccessRow(
        "materials/c/<int:campaign_pk>/branches/<int:branch_pk>/meeting-book.pdf",
        _url("materials:meeting_book_pdf", "branch_b1"),
        B1_READERS,
        default=404,
        note="another general branch's branch",
    ),
    AccessRow(
        "materials/c/<int:campaign_pk>/branches/<int:branch_pk>/meeting-book.docx",
        _url("materials:meeting_book_docx", "branch_a1"),
        A1_READERS,
        default=404,
    ),
    AccessRow(
        "materials/c/<int:campaign_pk>/branches/<int:branch_pk>/meeting-book.docx",
        _url("materials:meeting_book_docx", "branch_b1"),
        B1_READERS,
        default=404,
        note="another general branch's branch",
    ),
]
