"""Who may make and fetch the college statistics workbook (see tests/access.py), in
the committee's education campaign.

The committee admin, the observer (over the committee), the general branch's secretary
(over 光电系) and the supervisor (over A1) make it for their scope; a branch's own
officers, a group leader and members are refused (403: they have the dashboards and
their branch's materials). A job is its maker's alone: anyone else is told nothing of
it (404)."""

from tests.access import LOGIN, AccessRow
from vanguard.materials.tests.factories_workbook import campaign, committee_job

MAKERS = {"committee_admin": 200, "observer": 200, "gb_secretary": 200, "supervisor": 200}
MAKERS_POST = dict.fromkeys(MAKERS, 302)


def _job_url(f, tail=""):
    return f"/materials/workbook/jobs/{committee_job(f).pk}/{tail}"


ROWS = [
    AccessRow(
        "materials/workbook/",
        lambda f: (campaign(f), "/materials/workbook/")[1],
        {"anonymous": LOGIN, **MAKERS},
        default=403,
    ),
    AccessRow(
        "materials/workbook/",
        lambda f: "/materials/workbook/",
        {"anonymous": LOGIN, **MAKERS_POST},
        default=403,
        method="post",
        data=lambda f: {"campaign": str(campaign(f).pk), "unit": ""},
        note="the whole scope of the person; the job runs inline (no worker)",
    ),
    AccessRow(
        "materials/workbook/jobs/<int:pk>/",
        _job_url,
        {"anonymous": LOGIN, "committee_admin": 200},
        default=404,
    ),
    AccessRow(
        "materials/workbook/jobs/<int:pk>/progress/",
        lambda f: _job_url(f, "progress/"),
        {"anonymous": LOGIN, "committee_admin": 200},
        default=404,
    ),
    AccessRow(
        "materials/workbook/jobs/<int:pk>/download/",
        lambda f: _job_url(f, "download/"),
        {"anonymous": LOGIN, "committee_admin": 200},
        default=404,
    ),
]
