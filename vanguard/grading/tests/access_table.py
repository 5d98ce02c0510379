"""Access rows for the grading pages (see tests/access.py). The grading is branch_a1's
in the committee's campaign; readers of branch_a1 are the committee admin, the
supervisor, the general-branch secretary, the branch's officers and the observer."""

from __future__ import annotations

from django.urls import reverse

from tests.access import LOGIN, AccessRow
from vanguard.grading import services
from vanguard.meetings.tests.factories import education_campaign

READERS = (
    "committee_admin",
    "supervisor",
    "gb_secretary",
    "secretary",
    "branch_committee",
    "observer",
)
PROPOSERS = ("secretary", "branch_committee")


def _campaign(f):
    return education_campaign(f.org.committee)


def _branch_url(name):
    return lambda f: reverse(name, args=[_campaign(f).pk, f.org.branch_a1.pk])


def _submitted(f):
    grading = services.grading_start(campaign=_campaign(f), branch=f.org.branch_a1)
    grading.status = grading.Status.SUBMITTED
    grading.save()
    return grading


def _case_proposal(f):
    grading = services.grading_start(campaign=_campaign(f), branch=f.org.branch_a1)
    services.proposals_save(
        grading=grading,
        entries={f.cast.colleague_record.pk: ("unqualified", "长期不参加组织生活")},
        user=f.cast.secretary,
    )
    return grading.proposals.get()


def _expect(status_by_role, *, others=404):
    return {**status_by_role, "anonymous": LOGIN}, others


def _row(pattern, url, expect, *, method="get", data=None, others=404):
    expected, default = _expect(expect, others=others)
    return AccessRow(pattern, url, expected, default=default, method=method, data=data)


ROWS = [
    AccessRow("grading/", lambda f: reverse("grading:home"), {"anonymous": LOGIN}, default=200),
    _row(
        "grading/<int:campaign_pk>/rule/",
        lambda f: reverse("grading:rule", args=[_campaign(f).pk]),
        # Everyone who sees the campaign but does not manage it is refused (403).
        {"committee_admin": 302},
        method="post",
        data=lambda f: {"cap": "1/3"},
        others=403,
    ),
    _row(
        "grading/<int:campaign_pk>/branch/<int:branch_pk>/",
        _branch_url("grading:branch"),
        dict.fromkeys(READERS, 200),
    ),
    AccessRow(
        "grading/<int:campaign_pk>/branch/<int:branch_pk>/",
        _branch_url("grading:branch"),
        {**dict.fromkeys(READERS, 403), **dict.fromkeys(PROPOSERS, 302), "anonymous": LOGIN},
        default=404,
        method="post",
        data=lambda f: {
            f"grade_{f.cast.member_record.pk}": "qualified",
            f"rationale_{f.cast.member_record.pk}": "认真履职",
        },
    ),
    AccessRow(
        "grading/<int:campaign_pk>/branch/<int:branch_pk>/submit/",
        _branch_url("grading:submit"),
        {**dict.fromkeys(READERS, 403), **dict.fromkeys(PROPOSERS, 302), "anonymous": LOGIN},
        default=404,
        method="post",
    ),
    AccessRow(
        "grading/<int:campaign_pk>/branch/<int:branch_pk>/decide/",
        lambda f: (_submitted(f), _branch_url("grading:decide")(f))[1],
        {**dict.fromkeys(READERS, 403), "committee_admin": 302, "anonymous": LOGIN},
        default=404,
        method="post",
        data=lambda f: {"decision": "approve"},
    ),
    _row(
        "grading/case/<int:pk>/",
        lambda f: reverse("grading:case", args=[_case_proposal(f).pk]),
        dict.fromkeys(READERS, 200),
    ),
    AccessRow(
        "grading/case/<int:pk>/<slug:step>/",
        lambda f: reverse("grading:case_step", args=[_case_proposal(f).pk, "talk"]),
        {**dict.fromkeys(READERS, 403), **dict.fromkeys(PROPOSERS, 302), "anonymous": LOGIN},
        default=404,
        method="post",
        data=lambda f: {"talk_on": "2026-05-20", "talk_note": "已与本人谈话"},
    ),
]
