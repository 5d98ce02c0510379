"""Who may use the watch list (重点支部、重点人) and its talks (see tests/access.py):
the committee and branch A1's supervisor only. Everyone else — the member on it,
A1's officers, the general branch's secretary, the observer — gets a 404 on every
page and endpoint: they are not told the list exists."""

from tests.access import LOGIN, AccessRow
from vanguard.supervision.tests.factories_remediation import campaign, in_days, key_person

UNAUTHORISED = 401
KEEPERS = {"committee_admin", "supervisor"}


def _only_keepers(ok, anonymous=LOGIN):
    return {"anonymous": anonymous, **dict.fromkeys(KEEPERS, ok)}


def _watch_data(f):
    return {
        "kind": "person",
        "branch": str(f.org.branch_a1.pk),
        "member": str(f.cast.colleague_record.pk),
        "reason": "思想上有较大疑虑",
    }


def _talk_data(f):
    return {
        "held_on": in_days(0).isoformat(),
        "talked_by": "活动第一责任人",
        "gist": "交流了对评议的看法",
    }


ROWS = [
    AccessRow(
        "supervision/c/<int:campaign_pk>/watch/",
        lambda f: (key_person(f), f"/supervision/c/{campaign(f).pk}/watch/")[1],
        _only_keepers(200),
        default=404,
    ),
    AccessRow(
        "supervision/c/<int:campaign_pk>/watch/new/",
        lambda f: f"/supervision/c/{campaign(f).pk}/watch/new/?branch={f.org.branch_a1.pk}",
        _only_keepers(200),
        default=404,
    ),
    AccessRow(
        "supervision/c/<int:campaign_pk>/watch/new/",
        lambda f: f"/supervision/c/{campaign(f).pk}/watch/new/",
        _only_keepers(302),
        default=404,
        method="post",
        data=_watch_data,
    ),
    AccessRow(
        "supervision/watch/<int:pk>/",
        lambda f: f"/supervision/watch/{key_person(f).pk}/",
        _only_keepers(200),
        default=404,
    ),
    AccessRow(
        "supervision/watch/<int:pk>/talks/new/",
        lambda f: f"/supervision/watch/{key_person(f).pk}/talks/new/",
        _only_keepers(200),
        default=404,
    ),
    AccessRow(
        "supervision/watch/<int:pk>/talks/new/",
        lambda f: f"/supervision/watch/{key_person(f).pk}/talks/new/",
        _only_keepers(302),
        default=404,
        method="post",
        data=_talk_data,
    ),
    AccessRow(
        "supervision/watch/<int:pk>/close/",
        lambda f: f"/supervision/watch/{key_person(f).pk}/close/",
        _only_keepers(302),
        default=404,
        method="post",
        data=lambda f: {"note": "经多次谈话，思想认识已明显提高"},
    ),
    # --- API -----------------------------------------------------------------------
    AccessRow(
        "api/v1/supervision/watch/",
        lambda f: (key_person(f), f"/api/v1/supervision/watch/?campaign={campaign(f).pk}")[1],
        _only_keepers(200, UNAUTHORISED),
        default=404,
    ),
    AccessRow(
        "api/v1/supervision/watch/",
        lambda f: "/api/v1/supervision/watch/",
        _only_keepers(201, UNAUTHORISED),
        default=404,
        method="post",
        data=lambda f: {
            "campaign_id": campaign(f).pk,
            "kind": "person",
            "member_id": f.cast.colleague_record.pk,
            "reason": "思想上有较大疑虑",
        },
        content_type="application/json",
    ),
    AccessRow(
        "api/v1/supervision/watch/<int:entry_id>",
        lambda f: f"/api/v1/supervision/watch/{key_person(f).pk}",
        _only_keepers(200, UNAUTHORISED),
        default=404,
    ),
    AccessRow(
        "api/v1/supervision/watch/<int:entry_id>/talks",
        lambda f: f"/api/v1/supervision/watch/{key_person(f).pk}/talks",
        _only_keepers(200, UNAUTHORISED),
        default=404,
    ),
    AccessRow(
        "api/v1/supervision/watch/<int:entry_id>/talks",
        lambda f: f"/api/v1/supervision/watch/{key_person(f).pk}/talks",
        _only_keepers(201, UNAUTHORISED),
        default=404,
        method="post",
        data=_talk_data,
        content_type="application/json",
    ),
]
