"""Access rows for the ballot pages (see tests/access.py). The session lives in
branch_a1; the cast's secretary, member and colleague are on its roll once open."""

from __future__ import annotations

from django.urls import reverse

from tests.access import LOGIN, AccessRow
from vanguard.ballots import services
from vanguard.ballots.models import AppraisalSession, Grade, PaperTally
from vanguard.meetings.tests.factories import education_campaign

OFFICERS = ("committee_admin", "gb_secretary", "secretary", "branch_committee")


def _draft(f):
    campaign = education_campaign(f.org.committee)
    return services.session_create(campaign=campaign, unit=f.org.branch_a1)


def _open(f):
    session = _draft(f)
    return services.session_open(session=session)


def _closed(f):
    session = _open(f)
    services.session_close(session=session)
    return session


def _paper_data(f):
    """Valid paper totals for the session built by the row's url: one paper ballot, one
    优秀 for every candidate."""
    session = AppraisalSession.objects.get(unit=f.org.branch_a1)
    data = {"ballots": 1}
    for member_id in services._candidate_ids(session):
        for grade in Grade.values:
            data[f"c{member_id}_{grade}"] = 1 if grade == Grade.EXCELLENT else 0
    return data


def _paper_entered(f):
    """A closed session whose paper totals the branch secretary has entered."""
    session = _closed(f)
    counts = {str(pk): {g: 0 for g in Grade.values} for pk in services._candidate_ids(session)}
    services.paper_totals_enter(session=session, ballots=1, counts=counts, user=f.cast.secretary)
    return session


def _confirm_data(f):
    paper = PaperTally.objects.get(session__unit=f.org.branch_a1)
    return {"entered_at": paper.entered_at.isoformat()}


def _officers(status, *, member=404, others=404, anonymous=LOGIN):
    expect = dict.fromkeys(OFFICERS, status)
    expect["member"] = member
    expect["anonymous"] = anonymous
    return expect, others


def _row(pattern, url, status, method="get", data=None, **kw):
    expect, default = _officers(status, **kw)
    return AccessRow(pattern, url, expect, default=default, method=method, data=data)


ROWS = [
    AccessRow("ballots/", lambda f: reverse("ballots:list"), {"anonymous": LOGIN}, default=200),
    AccessRow(
        "ballots/create/",
        lambda f: (education_campaign(f.org.committee), reverse("ballots:create"))[1],
        {**dict.fromkeys(OFFICERS, 302), "anonymous": LOGIN},
        default=403,
        method="post",
        data=lambda f: {"unit": f.org.branch_a1.pk},
    ),
    _row("ballots/<int:pk>/", lambda f: reverse("ballots:detail", args=[_draft(f).pk]), 200),
    _row(
        "ballots/<int:pk>/open/",
        lambda f: reverse("ballots:open", args=[_draft(f).pk]),
        302,
        method="post",
    ),
    # "结束投票" is a second step: the page asks, its POST with confirm=1 closes.
    _row(
        "ballots/<int:pk>/close/",
        lambda f: reverse("ballots:close", args=[_open(f).pk]),
        200,
        member=403,
    ),
    _row(
        "ballots/<int:pk>/close/",
        lambda f: reverse("ballots:close", args=[_open(f).pk]),
        302,
        method="post",
        data=lambda f: {"confirm": "1"},
        member=403,
    ),
    AccessRow(
        "ballots/<int:pk>/login-voting/",
        lambda f: reverse("ballots:login_voting", args=[_draft(f).pk]),
        {
            "committee_admin": 302,
            "gb_secretary": 403,
            "secretary": 403,
            "branch_committee": 403,
            "anonymous": LOGIN,
        },
        default=404,
        method="post",
        data=lambda f: {"allow": "1"},
    ),
    _row(
        "ballots/<int:pk>/roll/",
        lambda f: reverse("ballots:roll", args=[_open(f).pk]),
        200,
        member=403,
    ),
    # The whole door roll saved at once (here: the secretary's own record present).
    _row(
        "ballots/<int:pk>/roll/",
        lambda f: reverse("ballots:roll", args=[_open(f).pk]),
        302,
        method="post",
        data=lambda f: {"present": [f.cast.colleague_record.pk]},
        member=403,
    ),
    _row(
        "ballots/<int:pk>/roll/<int:member_pk>/",
        lambda f: reverse("ballots:roll_mark", args=[_open(f).pk, f.cast.colleague_record.pk]),
        302,
        method="post",
        member=403,
    ),
    _row(
        "ballots/<int:pk>/cards/",
        lambda f: reverse("ballots:cards", args=[_draft(f).pk]),
        200,
        method="post",
        data=lambda f: {"spares": 1},
    ),
    _row(
        "ballots/<int:pk>/tally/",
        lambda f: reverse("ballots:tally", args=[_closed(f).pk]),
        200,
        member=403,
    ),
    _row(
        "ballots/<int:pk>/paper/",
        lambda f: reverse("ballots:paper", args=[_closed(f).pk]),
        200,
        member=403,
    ),
    _row(
        "ballots/<int:pk>/paper/",
        lambda f: reverse("ballots:paper", args=[_closed(f).pk]),
        302,
        method="post",
        data=_paper_data,
        member=403,
    ),
    # Only a committee admin who did not enter the totals (here the secretary did).
    AccessRow(
        "ballots/<int:pk>/paper/confirm/",
        lambda f: reverse("ballots:paper_confirm", args=[_paper_entered(f).pk]),
        {
            "committee_admin": 302,
            "gb_secretary": 403,
            "secretary": 403,
            "branch_committee": 403,
            "member": 403,
            "anonymous": LOGIN,
        },
        default=404,
        method="post",
        data=_confirm_data,
    ),
    _row(
        "ballots/<int:pk>/receipts/",
        lambda f: reverse("ballots:receipts", args=[_closed(f).pk]),
        200,
        member=200,
    ),
    _row(
        "ballots/<int:pk>/projector/",
        lambda f: reverse("ballots:projector", args=[_open(f).pk]),
        200,
        member=403,
    ),
    _row(
        "ballots/<int:pk>/vote/",
        lambda f: reverse("ballots:vote", args=[_open(f).pk]),
        200,
        member=200,
    ),
    # Public card voting: no login, same page for everyone.
    AccessRow(
        "v/<int:pk>/",
        lambda f: reverse("ballots_public:vote", args=[_open(f).pk]),
        {},
        default=200,
    ),
    AccessRow(
        "v/<int:pk>/<str:code>/",
        lambda f: reverse("ballots_public:vote_code", args=[_open(f).pk, "ABCD-EFGH-JKMN"]),
        {},
        default=200,
    ),
]
