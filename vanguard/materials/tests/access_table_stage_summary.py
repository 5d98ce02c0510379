"""Who may use the stage summaries (支部阶段工作小结), see tests/access.py. The summary is
branch A1's of the analysis phase in the committee's campaign; A1 lies under the
general branch 光电系党总支.

A1's officers (secretary, branch committee) write it; the general branch's secretary
reviews it while it is submitted, the committee once it is with the committee; the
supervisor (over A1) and the observer read it. A member, the party-group leader and a
member of another branch never learn it exists (404); the index is refused to them
(403), having no summaries to read."""

from tests.access import LOGIN, AccessRow
from vanguard.materials.stage_summary.models import SECTION_NAMES, StageSummary
from vanguard.materials.tests.factories_stage_summary import campaign, in_state, phase, summary

Expect = dict[str, int | str]

OUTSIDERS: Expect = {"group_leader": 404, "member": 404, "other_member": 404}
READERS: Expect = {"anonymous": LOGIN, **OUTSIDERS}
WRITERS: Expect = {**READERS, "secretary": 302, "branch_committee": 302}


def _edit(f):
    found = summary(f)
    return {
        **{name: getattr(found, name) for name in SECTION_NAMES},
        "base_version": found.version,
        "action": "save",
    }


def _decision(verdict):
    def data(f):
        return {"version_number": 1, "verdict": verdict, "reason": "请补充具体事例。"}

    return data


ROWS = [
    AccessRow(
        "materials/stage-summary/",
        lambda f: (summary(f), "/materials/stage-summary/")[1],
        {"anonymous": LOGIN, "group_leader": 403, "member": 403, "other_member": 403},
        default=200,
    ),
    AccessRow(
        "materials/stage-summary/start/",
        lambda f: "/materials/stage-summary/start/",
        {
            "anonymous": LOGIN,
            "secretary": 302,
            "branch_committee": 302,
            "group_leader": 404,
            "member": 404,
            "other_member": 404,
        },
        default=403,
        method="post",
        data=lambda f: {
            "campaign": campaign(f).pk,
            "branch": f.org.branch_a1.pk,
            "phase": phase(f).pk,
        },
        note="the readers see the branch but do not write its summary",
    ),
    AccessRow(
        "materials/stage-summary/<int:pk>/",
        lambda f: f"/materials/stage-summary/{summary(f).pk}/",
        READERS,
        default=200,
    ),
    AccessRow(
        "materials/stage-summary/<int:pk>/",
        lambda f: f"/materials/stage-summary/{summary(f).pk}/",
        WRITERS,
        default=403,
        method="post",
        data=_edit,
    ),
    AccessRow(
        "materials/stage-summary/<int:pk>/redraft/",
        lambda f: f"/materials/stage-summary/{summary(f).pk}/redraft/",
        {**READERS, "secretary": 200, "branch_committee": 200},
        default=403,
    ),
    AccessRow(
        "materials/stage-summary/<int:pk>/redraft/",
        lambda f: f"/materials/stage-summary/{summary(f).pk}/redraft/",
        WRITERS,
        default=403,
        method="post",
        data=lambda f: {"base_version": summary(f).version},
    ),
    AccessRow(
        "materials/stage-summary/<int:pk>/review/",
        lambda f: (
            f"/materials/stage-summary/{in_state(f, StageSummary.State.SUBMITTED).pk}/review/"
        ),
        {**READERS, "gb_secretary": 302},
        default=403,
        method="post",
        data=_decision("return"),
        note="submitted: the general branch's secretary decides",
    ),
    AccessRow(
        "materials/stage-summary/<int:pk>/review/",
        lambda f: (
            f"/materials/stage-summary/{in_state(f, StageSummary.State.WITH_COMMITTEE).pk}/review/"
        ),
        {**READERS, "committee_admin": 302},
        default=403,
        method="post",
        data=_decision("accept"),
        note="with the committee: the committee decides",
    ),
    AccessRow(
        "materials/stage-summary/<int:pk>/pdf/",
        lambda f: f"/materials/stage-summary/{summary(f).pk}/pdf/",
        READERS,
        default=200,
    ),
    AccessRow(
        "materials/stage-summary/<int:pk>/docx/",
        lambda f: f"/materials/stage-summary/{summary(f).pk}/docx/",
        READERS,
        default=200,
    ),
]
