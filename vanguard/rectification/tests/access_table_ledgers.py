"""Who may use the ledgers (整改台账) and "you said, we did" (see tests/access.py). The
ledgers are of the committee's education campaign; the branch is A1, the member the
cast's 王小明 (with a plan and an item).

The readers of plans in a scope (committee, supervisor of A1, the general branch's
secretary, A1's secretary and branch committee, the observer) read the roll-up of
their scope, A1's ledger and 王小明's; 王小明 reads his own ledger and A1's "you said,
we did"; the group leader (no plan-reading role, no member record) and a member of
another branch never learn any of it exists (404). The way in sends each to what they
read (a redirect), and a person with nothing to read to a page saying so."""

from tests.access import LOGIN, AccessRow
from vanguard.rectification.tests.factories_plans import campaign, member_plan

OUTSIDERS = {"group_leader": 404, "other_member": 404}
READERS_ONLY = {"anonymous": LOGIN, "member": 404, **OUTSIDERS}


def _ledger(f, tail: str) -> str:
    return f"/rectification/c/{campaign(f).pk}/{tail}"


ROWS = [
    AccessRow(
        "rectification/ledgers/",
        lambda f: (campaign(f), "/rectification/ledgers/")[1],
        # The group leader has neither a plan-reading role nor a member record: a page
        # saying there is nothing to read. Everyone else is sent on.
        {"anonymous": LOGIN, "group_leader": 200},
        default=302,
    ),
    AccessRow(
        "rectification/c/<int:campaign_pk>/ledger/",
        lambda f: _ledger(f, "ledger/"),
        READERS_ONLY,
        default=200,
    ),
    AccessRow(
        "rectification/c/<int:campaign_pk>/ledger/branches/<int:unit_pk>/",
        lambda f: _ledger(f, f"ledger/branches/{f.org.branch_a1.pk}/"),
        READERS_ONLY,
        default=200,
    ),
    AccessRow(
        "rectification/c/<int:campaign_pk>/ledger/members/<int:member_pk>/",
        lambda f: (
            member_plan(f),
            _ledger(f, f"ledger/members/{f.cast.member_record.pk}/"),
        )[1],
        {"anonymous": LOGIN, **OUTSIDERS},
        default=200,
    ),
    AccessRow(
        "rectification/c/<int:campaign_pk>/said-did/<int:unit_pk>/",
        lambda f: _ledger(f, f"said-did/{f.org.branch_a1.pk}/"),
        {"anonymous": LOGIN, **OUTSIDERS},
        default=200,
    ),
]
