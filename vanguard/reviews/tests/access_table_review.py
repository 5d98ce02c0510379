"""Who may open the reviewers' pages (see tests/access.py). The document is 王小明's
(the cast's member, branch A1): the branch secretary and the branch committee member
of A1 review it; the committee admin answers it; the supervisor of A1, the
general-branch secretary of A and the observer read it; the group leader holds no
reading role and the member of another branch cannot see it (404). The member, its
author, reads it but never reviews it."""

from django.urls import reverse

from tests.access import LOGIN, AccessRow
from vanguard.reviews import services
from vanguard.reviews.models import CRITERIA, SelfAnalysis
from vanguard.reviews.tests import factories_member as docs

UNSEEN = {"group_leader": 404, "other_member": 404}
BRANCH_REVIEWERS = {"secretary": 302, "branch_committee": 302}


def _review_data(f) -> dict:
    data = {"version": 1, "verdict": "pass"}
    for name, _label in CRITERIA:
        data[f"{name}_ok"] = "yes"
    return data


def _round_two(f) -> SelfAnalysis:
    """王小明's document after the committee's guidance: round 2, being revised."""
    document = docs.with_committee(f)
    if document.current_round == 1:
        services.committee_respond(
            document=document, text="请结合征求到的意见深化剖析。", user=f.cast.committee_admin
        )
    document.refresh_from_db()
    return document


ROWS = [
    AccessRow(
        "reviews/queue/",
        lambda f: docs.submitted(f) and reverse("reviews:queue"),
        {"anonymous": LOGIN, "secretary": 200, "branch_committee": 200},
        default=403,
        note="the branch review queue: branch secretaries and branch committee members",
    ),
    AccessRow(
        "reviews/review/<int:pk>/",
        lambda f: reverse("reviews:review", args=[docs.submitted(f)[0].pk]),
        {"anonymous": LOGIN, **UNSEEN},
        default=200,
        note="read by everyone who may see the document; the form only for its reviewers",
    ),
    AccessRow(
        "reviews/review/<int:pk>/",
        lambda f: reverse("reviews:review", args=[docs.submitted(f)[0].pk]),
        {"anonymous": LOGIN, **UNSEEN, **BRANCH_REVIEWERS},
        default=403,
        method="post",
        data=_review_data,
        note="the branch's verdict: never the author, the committee, supervisors or observers",
    ),
    AccessRow(
        "reviews/review/<int:pk>/grade-fact/",
        lambda f: reverse("reviews:grade_fact", args=[_round_two(f).pk]),
        {"anonymous": LOGIN, **UNSEEN, **BRANCH_REVIEWERS, "committee_admin": 302},
        default=403,
        method="post",
        data=lambda f: {"note": "评议会在系统外进行"},
        note="round 2's note on the grade facts (the facts are the system's), by the branch",
    ),
    AccessRow(
        "reviews/review/<int:pk>/respond/",
        lambda f: reverse("reviews:committee_respond", args=[docs.with_committee(f).pk]),
        {"anonymous": LOGIN, **UNSEEN, "committee_admin": 302},
        default=403,
        method="post",
        data=lambda f: {"text": "同意支部意见，请按反馈进一步修改完善。"},
        note="the committee's guidance: committee admins over the member's branch",
    ),
    AccessRow(
        "reviews/committee/",
        lambda f: docs.with_committee(f) and reverse("reviews:committee"),
        {"anonymous": LOGIN, "committee_admin": 200},
        default=403,
        note="documents passed up by the branches: committee admins",
    ),
    AccessRow(
        "reviews/committee/respond/",
        lambda f: reverse("reviews:committee_bulk"),
        {"anonymous": LOGIN, "committee_admin": 302},
        default=403,
        method="post",
        data=lambda f: {"documents": [docs.with_committee(f).pk], "text": "同意。"},
        note="one text for several documents at once: committee admins",
    ),
    AccessRow(
        "reviews/progress/",
        lambda f: docs.campaign(f.org) and reverse("reviews:progress"),
        {"anonymous": LOGIN, "group_leader": 403, "member": 403, "other_member": 403},
        default=200,
        note="per-branch progress and return rates: officers, supervisors and observers",
    ),
]
