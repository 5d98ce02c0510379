"""Who opens the materials' front page (/materials/): whoever holds a role that reads
some branch's materials or the college's figures; a member or a party-group leader
has nothing there (403)."""

from tests.access import LOGIN, AccessRow

ROWS = [
    AccessRow(
        "materials/",
        lambda f: "/materials/",
        {"anonymous": LOGIN, "member": 403, "other_member": 403, "group_leader": 403},
        default=200,
    ),
]
