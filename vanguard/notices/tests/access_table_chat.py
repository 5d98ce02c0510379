"""Who may open the group-chat robots page (see tests/access.py). The robots of a unit
are managed by those who may publish a notice to it: a committee admin for every unit
they cover, a secretary for their own unit. The robot here belongs to branch A1: its
secretary and the committee admin manage it; the general-branch secretary of A's
general branch manages only their own unit's robots (404 for A1's, as for anyone
else's). Nothing is posted: the roles' requests queue their tasks."""

from __future__ import annotations

from django.urls import reverse

from tests.access import LOGIN, AccessRow
from vanguard.notices.models import ChatRobot

MANAGERS = {"anonymous": LOGIN, "committee_admin": 200, "gb_secretary": 200, "secretary": 200}
OF_A1 = {"anonymous": LOGIN, "committee_admin": 302, "secretary": 302}


def _robot(f) -> int:
    robot = ChatRobot.objects.filter(unit=f.org.branch_a1).first()
    if robot is None:
        robot = ChatRobot.objects.create(
            unit=f.org.branch_a1,
            kind=ChatRobot.Kind.WECOM,
            webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=access-table-key",
        )
    return robot.pk


def _add(f) -> dict:
    return {
        "unit": f.org.branch_a1.pk,
        "kind": "dingtalk",
        "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=access-table",
        "secret": "SECaccesstable",
    }


ROWS = [
    AccessRow("notices/chat/", lambda f: reverse("notices:chat_robots"), MANAGERS, 403),
    AccessRow(
        "notices/chat/",
        lambda f: reverse("notices:chat_robots"),
        # A1 is not among the general-branch secretary's units: the form is shown again.
        {**MANAGERS, "committee_admin": 302, "secretary": 302},
        403,
        method="post",
        data=_add,
    ),
    AccessRow(
        "notices/chat/<int:pk>/test/",
        lambda f: reverse("notices:chat_robot_test", args=[_robot(f)]),
        OF_A1,
        404,
        method="post",
    ),
    AccessRow(
        "notices/chat/<int:pk>/active/",
        lambda f: reverse("notices:chat_robot_active", args=[_robot(f)]),
        OF_A1,
        404,
        method="post",
        data=lambda f: {"active": "0"},
    ),
    AccessRow(
        "notices/chat/<int:pk>/delete/",
        lambda f: reverse("notices:chat_robot_delete", args=[_robot(f)]),
        OF_A1,
        404,
        method="post",
    ),
]
