"""Who may use the drafted campaign review report (see tests/access.py), for the cast's
education campaign (the committee's): the committee admin reads the page, chooses the
examples and downloads the draft; the observer over the committee reads the page and
the draft and chooses nothing (403); everyone else who sees the campaign gets a 403,
and the way in lists nothing for them."""

from tests.access import LOGIN, AccessRow
from vanguard.meetings.tests.factories import education_campaign


def _page(f, tail=""):
    return f"/materials/report/c/{education_campaign(f.org.committee).pk}/{tail}"


READERS = {"committee_admin": 200, "observer": 200}

ROWS = [
    AccessRow(
        "materials/report/",
        lambda f: "/materials/report/",
        # The one campaign they draft or read: straight to its page.
        {"anonymous": LOGIN, "committee_admin": 302, "observer": 302},
        default=200,
    ),
    AccessRow(
        "materials/report/c/<int:campaign_pk>/", _page, {"anonymous": LOGIN, **READERS}, default=403
    ),
    AccessRow(
        "materials/report/c/<int:campaign_pk>/",
        _page,
        {"anonymous": LOGIN, "committee_admin": 302},
        default=403,
        method="post",
        data=lambda f: {},
    ),
    AccessRow(
        "materials/report/c/<int:campaign_pk>/draft.docx",
        lambda f: _page(f, "draft.docx"),
        {"anonymous": LOGIN, **READERS},
        default=403,
    ),
]
