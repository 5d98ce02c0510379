"""Who may print the paper forms (see tests/access.py). The ballot session is branch
A1's, in draft (nobody is on its roll yet), or open (the cast's member is on its roll
and sees the session, but does not run it); the survey is A1's.

The appraisal and tally sheets follow the ballots app's rule for running a vote
(`can_run_session`): A1's officers and the committee and general-branch secretary
over it; a voter on the roll gets a 403, anyone who cannot see the session a 404.
The survey form follows the opinions app's rule for a survey (`get_survey_for_user`):
those who gather A1's opinions; those who see A1 but gather nothing get a 403."""

from __future__ import annotations

from django.urls import reverse

from tests.access import LOGIN, AccessRow
from vanguard.ballots.tests.access_table import OFFICERS, _draft, _open
from vanguard.opinions.tests.access_table_intake import gatherers, survey

RUNNERS = {**dict.fromkeys(OFFICERS, 200), "anonymous": LOGIN}
ON_THE_ROLL = {**RUNNERS, "member": 403}

ROWS = [
    AccessRow(
        "materials/paper/ballots/<int:pk>/",
        lambda f: reverse("materials:paper_ballot", args=[_draft(f).pk]),
        RUNNERS,
        default=404,
    ),
    AccessRow(
        "materials/paper/ballots/<int:pk>/",
        lambda f: reverse("materials:paper_ballot", args=[_open(f).pk]),
        ON_THE_ROLL,
        default=404,
        note="a voter on the roll sees the session but does not print its forms",
    ),
    AccessRow(
        "materials/paper/ballots/<int:pk>/sheets.pdf",
        lambda f: reverse("materials:paper_sheets", args=[_draft(f).pk]) + "?copies=2",
        RUNNERS,
        default=404,
    ),
    AccessRow(
        "materials/paper/ballots/<int:pk>/sheets.pdf",
        lambda f: reverse("materials:paper_sheets", args=[_open(f).pk]) + "?copies=2",
        ON_THE_ROLL,
        default=404,
    ),
    AccessRow(
        "materials/paper/ballots/<int:pk>/tally.pdf",
        lambda f: reverse("materials:paper_tally", args=[_open(f).pk]),
        ON_THE_ROLL,
        default=404,
    ),
    AccessRow(
        "materials/paper/surveys/<int:pk>/form.pdf",
        lambda f: reverse("materials:paper_survey_pdf", args=[survey(f).pk]),
        gatherers(200),
    ),
    AccessRow(
        "materials/paper/surveys/<int:pk>/form.docx",
        lambda f: reverse("materials:paper_survey_docx", args=[survey(f).pk]),
        gatherers(200),
    ),
]
