"""Who may open the member's editor, a document's history, a version and the
comparison (see tests/access.py). The document is 王小明's (member, branch A1). The
editor is everyone's own: those with a member record (王小明, 李书记 the secretary,
陈刚 the other member) get their own document; the others are told they have none.
History, versions and comparison follow `access.visible_self_analyses`: the
author and those over branch A1 — never the group leader or another member."""

from django.urls import reverse

from tests.access import LOGIN, AccessRow
from vanguard.reviews.tests import factories_member as fm

WITH_MEMBER_RECORD = {"secretary": 302, "member": 302, "other_member": 302}
OUTSIDERS = {"group_leader": 404, "other_member": 404}


def _campaign_then(url):
    def build(f):
        fm.campaign(f.org)
        return url

    return build


def _save(f):
    return {**fm.TEXT, "base_version": 0, "action": "save"}


def _history(f):
    return reverse("reviews:history", args=[fm.document(f).pk])


def _version(f):
    doc, version = fm.submitted(f)
    return reverse("reviews:version", args=[doc.pk, version.number])


def _compare(f):
    doc, _version = fm.submitted(f)
    return reverse("reviews:compare", args=[doc.pk])


ROWS = [
    AccessRow(
        "reviews/mine/",
        _campaign_then("/reviews/mine/"),
        {"anonymous": LOGIN},
        default=200,
        note="Without a member record the page says so (200).",
    ),
    AccessRow(
        "reviews/mine/",
        _campaign_then("/reviews/mine/"),
        {"anonymous": LOGIN, **WITH_MEMBER_RECORD},
        default=200,
        method="post",
        data=_save,
        note="Saves the caller's own draft; without a member record: the explanation page.",
    ),
    AccessRow(
        "reviews/mine/autosave/",
        _campaign_then("/reviews/mine/autosave/"),
        {"anonymous": LOGIN, "secretary": 200, "member": 200, "other_member": 200},
        default=404,
        method="post",
        data=_save,
    ),
    AccessRow(
        "reviews/documents/<int:pk>/history/",
        _history,
        {"anonymous": LOGIN, **OUTSIDERS},
        default=200,
    ),
    AccessRow(
        "reviews/documents/<int:pk>/versions/<int:number>/",
        _version,
        {"anonymous": LOGIN, **OUTSIDERS},
        default=200,
    ),
    AccessRow(
        "reviews/documents/<int:pk>/compare/",
        _compare,
        {"anonymous": LOGIN, **OUTSIDERS},
        default=200,
    ),
]
