"""Who may download a member's plan as PDF or Excel (see tests/access.py): whoever reads
the plan — the member themself (王小明, branch A1), A1's officers and the readers of the
scope (committee, general-branch secretary, supervisor, observer). The party-group
leader and a member of another branch never learn it exists (404). A branch's plan has
no member export (404 for everyone)."""

from tests.access import LOGIN, AccessRow
from vanguard.rectification.tests.factories_plans import branch_plan, member_plan

READERS: dict[str, int | str] = {"anonymous": LOGIN, "group_leader": 404, "other_member": 404}
NOBODY: dict[str, int | str] = {"anonymous": LOGIN}

ROWS = [
    AccessRow(
        "rectification/plans/<int:pk>/export/pdf/",
        lambda f: f"/rectification/plans/{member_plan(f).pk}/export/pdf/",
        READERS,
        default=200,
    ),
    AccessRow(
        "rectification/plans/<int:pk>/export/xlsx/",
        lambda f: f"/rectification/plans/{member_plan(f).pk}/export/xlsx/",
        READERS,
        default=200,
    ),
    AccessRow(
        "rectification/plans/<int:pk>/export/pdf/",
        lambda f: f"/rectification/plans/{branch_plan(f).pk}/export/pdf/",
        NOBODY,
        default=404,
        note="a branch's plan: no member export",
    ),
    AccessRow(
        "rectification/plans/<int:pk>/export/xlsx/",
        lambda f: f"/rectification/plans/{branch_plan(f).pk}/export/xlsx/",
        NOBODY,
        default=404,
        note="a branch's plan: no member export",
    ),
]
