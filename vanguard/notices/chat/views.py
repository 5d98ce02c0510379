"""The group-chat robots page (群机器人): a unit's officers add, test, switch off and
delete its robots. Robots come through `notices.access` (404 outside the person's
units, 403 for a person who manages none); writes are `chat.services`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from vanguard.accounts.http import AuthenticatedHttpRequest
from vanguard.notices import access
from vanguard.notices.chat import services, webhooks
from vanguard.notices.chat.forms import ChatRobotForm
from vanguard.notices.models import ChatPost, ChatRobot


@login_required
@require_http_methods(["GET", "POST"])
def robots(request: AuthenticatedHttpRequest) -> HttpResponse:
    units = access.get_chat_robot_units_for_user(request.user)
    form = ChatRobotForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            services.chat_robot_add(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("群机器人已添加。可以先发送一条测试消息。"))
            return redirect("notices:chat_robots")
    rows = [
        {
            "robot": robot,
            "label": " · ".join(
                part for part in (robot.unit.name, robot.get_kind_display(), robot.name) if part
            ),
            "masked_url": webhooks.mask_url(robot.webhook_url),
        }
        for robot in access.visible_chat_robots(request.user).order_by("unit__path", "pk")
    ]
    return render(request, "notices/chat_robots.html", {"form": form, "rows": rows})


@login_required
@require_POST
def robot_test(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    robot = access.get_chat_robot_for_user(request.user, pk)
    if not robot.is_active:
        messages.error(request, _("机器人已停用，请先启用再发送测试消息。"))
        return redirect("notices:chat_robots")
    post = services.chat_robot_test(actor=request.user, robot=robot)
    post.refresh_from_db()  # sent already when the task runs inline
    if post.status == ChatPost.Status.SENT:
        messages.success(request, _("测试消息已发送，请到群里查看。"))
    elif post.status == ChatPost.Status.FAILED:
        messages.error(request, _("测试消息发送失败：%(error)s") % {"error": post.last_error})
    else:
        messages.success(request, _("测试消息已排队发送，稍后刷新本页查看结果。"))
    return redirect("notices:chat_robots")


@login_required
@require_POST
def robot_active(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    robot = access.get_chat_robot_for_user(request.user, pk)
    active = request.POST.get("active") == "1"
    services.chat_robot_set_active(actor=request.user, robot=robot, active=active)
    messages.success(request, _("机器人已启用。") if active else _("机器人已停用。"))
    return redirect("notices:chat_robots")


@login_required
@require_POST
def robot_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    robot: ChatRobot = access.get_chat_robot_for_user(request.user, pk)
    services.chat_robot_delete(actor=request.user, robot=robot)
    messages.success(request, _("机器人已删除。"))
    return redirect("notices:chat_robots")
