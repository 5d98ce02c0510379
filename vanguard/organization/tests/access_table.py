"""Who may open the organisation pages (see tests/access.py). The cast: the
supervisor, branch secretary and branch committee member hold branch A1; the
general-branch secretary holds general branch A (A1 and A2); the group leader
holds group A1 (where 王小明 is, not 张丽); 陈刚 (other_member) is in branch B1."""

from django.urls import reverse

from tests.access import LOGIN, AccessRow

# Outside the scope: 404 (the object's existence is not revealed).
A1_OUTSIDERS = {"other_member": 404, "group_leader": 404}
# May see a member of A1 but not change them: 403 on the edit and move pages.
A1_READERS = {"supervisor": 403, "branch_committee": 403, "observer": 403}


def _edit_data(f):
    member = f.cast.colleague_record
    return {
        "name": "张丽丽",
        "category": member.category,
        "standing": member.standing,
        "joined_on": "2001-07-01",
        "phone": "13800000000",
        "email": "",
        "is_active": "on",
        "party_group": "",
    }


def _move_data(f):
    return {"to_branch": f.org.branch_a2.pk, "party_group": "", "reason": "工作调动"}


ROWS = [
    AccessRow("org/", lambda f: reverse("organization:browse"), {"anonymous": LOGIN}, default=200),
    AccessRow(
        "org/search/",
        lambda f: reverse("organization:search") + "?q=T000",
        {"anonymous": LOGIN},
        default=200,
    ),
    AccessRow(
        "org/units/<int:pk>/",
        lambda f: reverse("organization:unit_detail", args=[f.org.branch_a1.pk]),
        {"anonymous": LOGIN, **A1_OUTSIDERS},
        default=200,
    ),
    AccessRow(
        "org/units/<int:pk>/",
        lambda f: reverse("organization:unit_detail", args=[f.org.group_a1.pk]),
        {"anonymous": LOGIN, "member": 404, "other_member": 404},
        default=200,
        note="a party group: its leader may open it, its members see only their branch",
    ),
    AccessRow(
        "org/units/<int:pk>/",
        lambda f: reverse("organization:unit_detail", args=[f.org.branch_b1.pk]),
        {"anonymous": LOGIN, "committee_admin": 200, "observer": 200, "other_member": 200},
        default=404,
    ),
    AccessRow(
        "org/units/<int:pk>/",
        lambda f: reverse("organization:unit_detail", args=[f.org.committee.pk]),
        {"anonymous": LOGIN, "committee_admin": 200, "observer": 200},
        default=404,
    ),
    AccessRow(
        "org/members/<int:pk>/",
        lambda f: reverse("organization:member_detail", args=[f.cast.colleague_record.pk]),
        {"anonymous": LOGIN, "member": 404, **A1_OUTSIDERS},
        default=200,
    ),
    AccessRow(
        "org/members/<int:pk>/",
        lambda f: reverse("organization:member_detail", args=[f.cast.member_record.pk]),
        {"anonymous": LOGIN, "other_member": 404},
        default=200,
        note="a member sees themself; their group leader sees them",
    ),
    AccessRow(
        "org/members/<int:pk>/edit/",
        lambda f: reverse("organization:member_edit", args=[f.cast.colleague_record.pk]),
        {"anonymous": LOGIN, "member": 404, **A1_OUTSIDERS, **A1_READERS},
        default=200,
    ),
    AccessRow(
        "org/members/<int:pk>/edit/",
        lambda f: reverse("organization:member_edit", args=[f.cast.member_record.pk]),
        {"anonymous": LOGIN, "member": 403, "group_leader": 403, "other_member": 404, **A1_READERS},
        default=200,
        note="a member may not edit their own record; nor may their group leader",
    ),
    AccessRow(
        "org/members/<int:pk>/edit/",
        lambda f: reverse("organization:member_edit", args=[f.cast.colleague_record.pk]),
        {"anonymous": LOGIN, "member": 404, **A1_OUTSIDERS, **A1_READERS},
        default=302,
        method="post",
        data=_edit_data,
    ),
    AccessRow(
        "org/members/<int:pk>/move/",
        lambda f: reverse("organization:member_move", args=[f.cast.colleague_record.pk]),
        {"anonymous": LOGIN, "member": 404, **A1_OUTSIDERS, **A1_READERS},
        default=200,
    ),
    AccessRow(
        "org/members/<int:pk>/move/",
        lambda f: reverse("organization:member_move", args=[f.cast.colleague_record.pk]),
        {
            "anonymous": LOGIN,
            "member": 404,
            **A1_OUTSIDERS,
            **A1_READERS,
            # A1's secretary keeps only A1: nowhere to move to, and the page says so.
            "secretary": 200,
        },
        default=302,
        method="post",
        data=_move_data,
    ),
]
