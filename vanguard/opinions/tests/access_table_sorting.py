"""Who may use the sorting pages, the opinion dashboard and the sorting API (see
tests/access.py). Opinions are gathered by branch A1 in the committee's campaign.

Those who sort (committee admin, general-branch secretary, A1's secretary and
committee member) read and write; the supervisor and the observer read without
sources and may not write (403); everyone else never learns an opinion exists
(404), nor does the secretary reach an opinion about themself."""

from tests.access import LOGIN, AccessRow
from vanguard.opinions.tests.sorting_data import a1_opinion, about_secretary, campaign, opinion

UNAUTHORISED = 401
NOT_READERS = {"group_leader": 403, "member": 403, "other_member": 403}
HIDDEN = {"group_leader": 404, "member": 404, "other_member": 404}
READ_ONLY = {"supervisor": 403, "observer": 403}
WRITERS_REDIRECT = {"anonymous": LOGIN, **HIDDEN, **READ_ONLY}


def _list(f):
    campaign(f)
    return "/opinions/sorting/"


def _sort_data(f):
    o = a1_opinion(f)
    return {f"o{o.pk}-subject": f"member:{f.cast.colleague_record.pk}", f"o{o.pk}-kind": "praise"}


def _merge_data(f):
    other = opinion(f, text="工作作风扎实、服务热情周到")
    return {"into": str(other.pk)}


def _api_intake(f):
    return {
        "campaign_id": campaign(f).pk,
        "branch_id": f.org.branch_a1.pk,
        "channel": "talk",
        "text": "希望多参加支部的集体学习",
        "source": "与张老师个别交谈",
    }


def _api_sort(f):
    return {
        "subject_kind": "member",
        "subject_member_id": f.cast.colleague_record.pk,
        "kind": "criticism",
    }


ROWS = [
    AccessRow("opinions/sorting/", _list, {"anonymous": LOGIN, **NOT_READERS}, default=200),
    AccessRow(
        "opinions/sorting/<int:pk>/",
        lambda f: f"/opinions/sorting/{a1_opinion(f).pk}/",
        {"anonymous": LOGIN, **HIDDEN},
        default=200,
    ),
    AccessRow(
        "opinions/sorting/<int:pk>/",
        lambda f: f"/opinions/sorting/{about_secretary(f).pk}/",
        {"anonymous": LOGIN, **HIDDEN, "secretary": 404},
        default=200,
        note="an opinion about the secretary: the secretary is its subject and never sees it",
    ),
    AccessRow(
        "opinions/sorting/<int:pk>/sort/",
        lambda f: f"/opinions/sorting/{a1_opinion(f).pk}/sort/",
        WRITERS_REDIRECT,
        default=302,
        method="post",
        data=_sort_data,
    ),
    AccessRow(
        "opinions/sorting/<int:pk>/sort/",
        lambda f: f"/opinions/sorting/{about_secretary(f).pk}/sort/",
        {**WRITERS_REDIRECT, "secretary": 404},
        default=200,
        method="post",
        data=lambda f: {},
        note="an empty form on an opinion about the secretary: errors for others, 404 for them",
    ),
    AccessRow(
        "opinions/sorting/<int:pk>/set-aside/",
        lambda f: f"/opinions/sorting/{a1_opinion(f).pk}/set-aside/",
        WRITERS_REDIRECT,
        default=302,
        method="post",
        data=lambda f: {f"a{a1_opinion(f).pk}-reason": "与本次活动无关"},
    ),
    AccessRow(
        "opinions/sorting/<int:pk>/merge/",
        lambda f: f"/opinions/sorting/{a1_opinion(f).pk}/merge/",
        WRITERS_REDIRECT,
        default=302,
        method="post",
        data=_merge_data,
    ),
    AccessRow(
        "opinions/rounds/<int:branch_id>/open/",
        lambda f: (campaign(f), f"/opinions/rounds/{f.org.branch_a1.pk}/open/")[1],
        WRITERS_REDIRECT,
        default=200,
    ),
    AccessRow(
        "opinions/rounds/<int:branch_id>/open/",
        lambda f: (campaign(f), f"/opinions/rounds/{f.org.branch_a1.pk}/open/")[1],
        WRITERS_REDIRECT,
        default=302,
        method="post",
        data=lambda f: {"reason": "首轮肯定和表扬的意见多，组织小组面对面征求意见"},
    ),
    AccessRow("opinions/dashboard/", _list, {"anonymous": LOGIN, **NOT_READERS}, default=200),
    # --- API -----------------------------------------------------------------------
    AccessRow(
        "api/v1/opinions/",
        lambda f: (a1_opinion(f), "/api/v1/opinions/")[1],
        {"anonymous": UNAUTHORISED},
        default=200,
        note="everyone logged in gets a list; outsiders' is empty",
    ),
    AccessRow(
        "api/v1/opinions/",
        lambda f: "/api/v1/opinions/",
        {"anonymous": UNAUTHORISED, **HIDDEN, **READ_ONLY},
        default=201,
        method="post",
        data=_api_intake,
        content_type="application/json",
    ),
    AccessRow(
        "api/v1/opinions/<int:opinion_id>",
        lambda f: f"/api/v1/opinions/{a1_opinion(f).pk}",
        {"anonymous": UNAUTHORISED, **HIDDEN},
        default=200,
    ),
    AccessRow(
        "api/v1/opinions/<int:opinion_id>",
        lambda f: f"/api/v1/opinions/{about_secretary(f).pk}",
        {"anonymous": UNAUTHORISED, **HIDDEN, "secretary": 404},
        default=200,
        note="an opinion about the secretary",
    ),
    AccessRow(
        "api/v1/opinions/<int:opinion_id>",
        lambda f: f"/api/v1/opinions/{a1_opinion(f).pk}",
        {"anonymous": UNAUTHORISED, **HIDDEN, **READ_ONLY},
        default=200,
        method="patch",
        data=_api_sort,
        content_type="application/json",
    ),
    AccessRow(
        "api/v1/opinions/<int:opinion_id>/sort",
        lambda f: f"/api/v1/opinions/{a1_opinion(f).pk}/sort",
        {"anonymous": UNAUTHORISED, **HIDDEN, **READ_ONLY},
        default=200,
        method="post",
        data=_api_sort,
        content_type="application/json",
    ),
    AccessRow(
        "api/v1/opinions/<int:opinion_id>/sort",
        lambda f: f"/api/v1/opinions/{about_secretary(f).pk}/sort",
        {"anonymous": UNAUTHORISED, **HIDDEN, **READ_ONLY, "secretary": 404},
        default=200,
        method="post",
        data=_api_sort,
        content_type="application/json",
        note="sorting an opinion about the secretary: 404 for them",
    ),
    AccessRow(
        "api/v1/opinions/<int:opinion_id>/merge",
        lambda f: f"/api/v1/opinions/{a1_opinion(f).pk}/merge",
        {"anonymous": UNAUTHORISED, **HIDDEN, **READ_ONLY},
        default=200,
        method="post",
        data=lambda f: {"duplicates": [opinion(f, text="工作作风扎实、服务热情周到").pk]},
        content_type="application/json",
    ),
    AccessRow(
        "api/v1/opinions/<int:opinion_id>/set-aside",
        lambda f: f"/api/v1/opinions/{a1_opinion(f).pk}/set-aside",
        {"anonymous": UNAUTHORISED, **HIDDEN, **READ_ONLY},
        default=200,
        method="post",
        data=lambda f: {"reason": "与本次活动无关"},
        content_type="application/json",
    ),
    AccessRow(
        "api/v1/opinions/rounds",
        lambda f: (campaign(f), "/api/v1/opinions/rounds")[1],
        {"anonymous": UNAUTHORISED, **HIDDEN, **READ_ONLY},
        default=201,
        method="post",
        data=lambda f: {"branch_id": f.org.branch_a1.pk, "reason": "首轮表扬多，面对面再征求一轮"},
        content_type="application/json",
    ),
]
