from django.urls import reverse

from tests.access import LOGIN, AccessRow

ROWS = [
    AccessRow(
        "org/units/<int:pk>/",
        lambda f: reverse("organization:unit_detail", args=[f.org.branch_a1.pk]),
        {"anonymous": LOGIN, "other_member": 404, "group_leader": 404},
        default=200,
    ),
    AccessRow(
        "org/members/<int:pk>/",
        lambda f: reverse("organization:member_detail", args=[f.cast.colleague_record.pk]),
        {"anonymous": LOGIN, "member": 404, "other_member": 404, "group_leader": 404},
        default=200,
    ),
]
