"""Who may open the study pages (see tests/access.py). The cast: the secretary
(李书记, also a member of A1), branch committee member and supervisor hold branch
A1; the general-branch secretary holds A; the group leader only group A1 and is no
member; 王小明 (member) is in A1, 陈刚 (other_member) in B1. Campaign, sessions and
work are made on demand (factories), since the cast's org has none."""

from django.urls import reverse

from tests.access import LOGIN, AccessRow
from vanguard.study import tokens
from vanguard.study.tests import factories

# Who keeps A1's records (plans, sessions, attendance, the QR code).
KEEPERS = {"committee_admin": 200, "gb_secretary": 200, "secretary": 200, "branch_committee": 200}
# May read A1's records but not keep them; outside A1 a 404.
READ_ONLY = {"supervisor": 403, "observer": 403, "member": 403}
OUTSIDE = {"group_leader": 404, "other_member": 404}
KEEPER_PAGE = {"anonymous": LOGIN, **KEEPERS, **READ_ONLY, **OUTSIDE}
KEEPER_POST = {"anonymous": LOGIN, **{role: 302 for role in KEEPERS}, **READ_ONLY, **OUTSIDE}
READ_PAGE = {"anonymous": LOGIN, **OUTSIDE}
MEMBERS = {"secretary": 200, "member": 200, "other_member": 200}  # roles with a Member record


def _session(f):
    return factories.make_session(f.org)


def _a1(f):
    factories.make_campaign(f.org)
    return f.org.branch_a1.pk


def _work(f, *, with_file=False):
    return factories.member_work(f.org, f.cast.member_record, with_file=with_file)


def _attendance_data(f):
    session = _session(f)
    return {
        f"status_{member.pk}": "present" for member in session.unit.members.filter(is_active=True)
    }


def _session_data(f):
    factories.make_campaign(f.org)
    return {
        "unit": f.org.branch_a1.pk,
        "kind": "session",
        "topic": "学习两个务必",
        "starts_at": "2005-03-20T14:30",
    }


def _work_data(f):
    factories.make_campaign(f.org)
    return {
        "kind": "reading_note",
        "title": "笔记",
        "material": "《党章》",
        "body": "学习体会",
        "version": str(_work(f).version) if f.cast.member_record.study_works.exists() else "",
    }


ROWS = [
    AccessRow("study/", lambda f: reverse("study:home"), {"anonymous": LOGIN}, default=200),
    AccessRow(
        "study/plans/<int:branch_pk>/",
        lambda f: reverse("study:plan_detail", args=[_a1(f)]),
        READ_PAGE,
        default=200,
    ),
    AccessRow(
        "study/plans/<int:branch_pk>/edit/",
        lambda f: reverse("study:plan_edit", args=[_a1(f)]),
        KEEPER_PAGE,
    ),
    AccessRow(
        "study/plans/<int:branch_pk>/edit/",
        lambda f: reverse("study:plan_edit", args=[_a1(f)]),
        KEEPER_POST,
        method="post",
        data=lambda f: {"title": "一支部学习计划", "body": "每周学习一次", "submit": "1"},
    ),
    AccessRow(
        "study/sessions/new/",
        lambda f: reverse("study:session_create"),
        {"anonymous": LOGIN, **KEEPERS},
        default=403,
    ),
    AccessRow(
        "study/sessions/new/",
        lambda f: reverse("study:session_create"),
        {"anonymous": LOGIN, **{role: 302 for role in KEEPERS}},
        default=403,
        method="post",
        data=_session_data,
    ),
    AccessRow(
        "study/sessions/<int:pk>/",
        lambda f: reverse("study:session_detail", args=[_session(f).pk]),
        READ_PAGE,
        default=200,
    ),
    AccessRow(
        "study/sessions/<int:pk>/",
        lambda f: reverse(
            "study:session_detail", args=[factories.make_session(f.org, unit=f.org.gb_a).pk]
        ),
        {
            "anonymous": LOGIN,
            "committee_admin": 200,
            "gb_secretary": 200,
            "observer": 200,
            "secretary": 200,
            "member": 200,
        },
        default=404,
        note="a lecture for general branch A: officers over A and the members under it",
    ),
    AccessRow(
        "study/sessions/<int:pk>/attendance/",
        lambda f: reverse("study:attendance_edit", args=[_session(f).pk]),
        KEEPER_PAGE,
    ),
    AccessRow(
        "study/sessions/<int:pk>/attendance/",
        lambda f: reverse("study:attendance_edit", args=[_session(f).pk]),
        KEEPER_POST,
        method="post",
        data=_attendance_data,
    ),
    AccessRow(
        "study/sessions/<int:pk>/qr/",
        lambda f: reverse("study:session_qr", args=[_session(f).pk]),
        KEEPER_PAGE,
    ),
    AccessRow(
        "study/sessions/<int:pk>/qr/panel/",
        lambda f: reverse("study:session_qr_panel", args=[_session(f).pk]),
        KEEPER_PAGE,
    ),
    AccessRow(
        "study/sessions/<int:pk>/qr/count/",
        lambda f: reverse("study:session_qr_count", args=[_session(f).pk]),
        KEEPER_PAGE,
    ),
    AccessRow(
        "study/sessions/<int:pk>/qr.svg",
        lambda f: reverse("study:session_qr_image", args=[_session(f).pk]),
        KEEPER_PAGE,
    ),
    AccessRow(
        "study/sessions/<int:pk>/signin/<str:token>/",
        lambda f: reverse(
            "study:session_sign_in",
            args=[_session(f).pk, tokens.make_token(_session(f).pk)],
        ),
        {"anonymous": LOGIN, "secretary": 200, "member": 200},
        default=403,
        note="a current code: members of A1 sign in, anyone else is refused",
    ),
    AccessRow(
        "study/sessions/<int:pk>/signin/<str:token>/",
        lambda f: reverse("study:session_sign_in", args=[_session(f).pk, "1-forged"]),
        {},
        default=400,
        note="a forged or expired code: a page saying so, for everyone",
    ),
    AccessRow(
        "study/works/", lambda f: reverse("study:work_list"), {"anonymous": LOGIN}, default=200
    ),
    AccessRow(
        "study/works/new/",
        lambda f: factories.make_campaign(f.org) and reverse("study:work_create"),
        {"anonymous": LOGIN, **MEMBERS},
        default=403,
    ),
    AccessRow(
        "study/works/new/",
        lambda f: reverse("study:work_create"),
        {"anonymous": LOGIN, "secretary": 302, "member": 302, "other_member": 302},
        default=403,
        method="post",
        data=_work_data,
    ),
    AccessRow(
        "study/works/new/for-member/",
        lambda f: reverse("study:work_create_for_member"),
        {"anonymous": LOGIN, **KEEPERS},
        default=403,
        note="entering a work on a member's behalf (代录): who keeps some branch's records",
    ),
    AccessRow(
        "study/works/new/for-member/",
        lambda f: reverse("study:work_create_for_member"),
        {"anonymous": LOGIN, **{role: 302 for role in KEEPERS}},
        default=403,
        method="post",
        data=lambda f: {**_work_data(f), "member": f.cast.colleague_record.pk},
    ),
    AccessRow(
        "study/works/<int:pk>/",
        lambda f: reverse("study:work_detail", args=[_work(f).pk]),
        READ_PAGE,
        default=200,
    ),
    AccessRow(
        "study/works/<int:pk>/edit/",
        lambda f: reverse("study:work_edit", args=[_work(f).pk]),
        {"anonymous": LOGIN, "member": 200, **OUTSIDE},
        default=403,
    ),
    AccessRow(
        "study/works/<int:pk>/edit/",
        lambda f: reverse("study:work_edit", args=[_work(f).pk]),
        {"anonymous": LOGIN, "member": 302, **OUTSIDE},
        default=403,
        method="post",
        data=_work_data,
    ),
    AccessRow(
        "study/works/<int:pk>/file/",
        lambda f: reverse("study:work_file", args=[_work(f, with_file=True).pk]),
        READ_PAGE,
        default=200,
    ),
    AccessRow(
        "study/works/<int:pk>/review/",
        lambda f: reverse("study:work_review", args=[_work(f).pk]),
        {
            "anonymous": LOGIN,
            "committee_admin": 302,
            "supervisor": 302,
            "gb_secretary": 302,
            "secretary": 302,
            "branch_committee": 302,
            **OUTSIDE,
        },
        default=403,
        method="post",
        data=lambda f: {},
    ),
]
