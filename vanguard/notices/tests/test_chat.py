"""Group-chat robots (群机器人): notices and reminders posted to WeChat Work and DingTalk
webhooks, checked by a real HTTP receiver on loopback that answers as the services do."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks import default_task_backend

from tests.access import QUEUED_ONLY
from vanguard.audit.models import AuditEntry
from vanguard.campaigns.models import Phase
from vanguard.campaigns.tests.access_table_manage import education_campaign
from vanguard.notices import services
from vanguard.notices.chat import services as chat
from vanguard.notices.chat import webhooks
from vanguard.notices.chat.tasks import chat_post_deliver
from vanguard.notices.models import ChatPost, ChatRobot
from vanguard.organization.models import Member

SITE = "https://vanguard.example.edu.cn"
SECRET = "SEC0123456789abcdef"
WECOM_KEY = "wecom-robot-key-0a1b2c3d"
DING_TOKEN = "dingtalk-token-9f8e7d"


class Receiver:
    """A webhook service on 127.0.0.1: records each post and answers from a script
    (status, JSON), then errcode 0."""

    def __init__(self) -> None:
        self.posts: list[dict] = []
        self.answers: list[tuple[int, dict]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                parts = urlsplit(self.path)
                receiver.posts.append(
                    {
                        "path": parts.path,
                        "query": {k: v[0] for k, v in parse_qs(parts.query).items()},
                        "content_type": self.headers["Content-Type"],
                        "raw": raw.decode(),
                        "json": json.loads(raw),
                    }
                )
                status, answer = (
                    receiver.answers.pop(0) if receiver.answers else (200, {"errcode": 0})
                )
                body = json.dumps({"errmsg": "ok", **answer}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def wecom(self) -> str:
        return f"{self.origin}/cgi-bin/webhook/send?key={WECOM_KEY}"

    def dingtalk(self) -> str:
        return f"{self.origin}/robot/send?access_token={DING_TOKEN}"

    def to(self, name: str, value: str) -> list[dict]:
        return [p for p in self.posts if p["query"].get(name) == value]


@pytest.fixture
def receiver():
    receiver = Receiver()
    receiver.thread.start()
    hosts = [*webhooks.DEFAULT_HOSTS, receiver.origin]
    with override_settings(VANGUARD_CHAT_WEBHOOK_HOSTS=hosts, SITE_URL=SITE):
        yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


def _robots(org, cast, receiver):
    admin = cast.committee_admin
    wecom = chat.chat_robot_add(
        actor=cast.secretary, unit=org.branch_a1, kind="wecom", webhook_url=receiver.wecom()
    )
    ding = chat.chat_robot_add(
        actor=admin, unit=org.gb_a, kind="dingtalk", webhook_url=receiver.dingtalk(), secret=SECRET
    )
    return wecom, ding


def _expected_sign(post: dict) -> str:
    timestamp = post["query"]["timestamp"]
    digest = hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


def _no_secret_things(posts: list[dict]) -> None:
    """What a group chat must never read: a member's name, an opinion's words (the
    notice body stands for any text written in the system), a /v/ path."""
    names = list(Member.objects.values_list("name", flat=True))
    assert names
    for post in posts:
        for forbidden in [*names, "坦诚地说", "/v/"]:
            assert forbidden not in post["raw"], (forbidden, post["raw"])


@pytest.fixture
def campaign(org):
    """The study phase is open and ends the day after tomorrow."""
    campaign = education_campaign(org, start_on=timezone.localdate() - datetime.timedelta(days=68))
    campaign.phases.filter(key="study").update(status=Phase.Status.OPEN)
    return campaign


def test_deadline_reminder_posts_counts_once_to_each_robot_signed_for_dingtalk(
    org, cast, campaign, receiver, django_capture_on_commit_callbacks, caplog
):
    _robots(org, cast, receiver)
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_send()
    branch_post = receiver.to("key", WECOM_KEY)
    college_post = receiver.to("access_token", DING_TOKEN)
    assert len(branch_post) == 1 and len(college_post) == 1

    wecom = branch_post[0]
    assert set(wecom["json"]) == {"msgtype", "markdown"} and wecom["json"]["msgtype"] == "markdown"
    content = wecom["json"]["markdown"]["content"]
    assert content.startswith("**“学习动员”阶段将于")
    assert "光学工程教工第一党支部：3名党员尚未完成“" in content
    assert f"]({SITE}/campaigns/{campaign.pk}/progress/units/{org.branch_a1.pk}/)" in content
    assert "timestamp" not in wecom["query"]  # WeCom robots are not signed
    assert wecom["content_type"].startswith("application/json")

    ding = college_post[0]
    assert set(ding["json"]["markdown"]) == {"title", "text"}
    assert ding["json"]["markdown"]["title"].startswith("“学习动员”阶段将于")
    assert "光学工程教工第一党支部：" in ding["json"]["markdown"]["text"]
    assert "光电博士生党支部：" in ding["json"]["markdown"]["text"]  # A's two branches, one post
    assert ding["query"]["sign"] == _expected_sign(ding)
    age = timezone.now().timestamp() * 1000 - int(ding["query"]["timestamp"])
    assert 0 <= age < 60_000  # DingTalk refuses a timestamp more than an hour off
    _no_secret_things(receiver.posts)
    for secret in (WECOM_KEY, DING_TOKEN, SECRET):
        assert secret not in caplog.text

    # Reminders run as often as the timer likes: nothing is posted twice.
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_send()
    assert len(receiver.posts) == 2
    assert ChatPost.objects.filter(status=ChatPost.Status.SENT).count() == 2


def test_the_daily_digest_posts_each_units_progress_and_a_notice_its_title_only(
    org, cast, campaign, receiver, django_capture_on_commit_callbacks
):
    _robots(org, cast, receiver)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("daily_digest", stdout=StringIO())
    wecom = receiver.to("key", WECOM_KEY)[0]["json"]["markdown"]["content"]
    assert "每日进展摘要" in wecom and "0/3名党员已完成个人要求" in wecom
    assert len(receiver.to("access_token", DING_TOKEN)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        call_command("daily_digest", stdout=StringIO())
    assert len(receiver.posts) == 2  # once a day

    with django_capture_on_commit_callbacks(execute=True):
        services.notice_publish(
            unit=org.committee,
            title="关于[征求意见](http://evil.example)的通知",
            body="有同志坦诚地说：会议太多。",
            actor=cast.committee_admin,
        )
    notice_posts = receiver.posts[2:]
    assert len(notice_posts) == 2  # the robots of units below the committee
    content = receiver.to("key", WECOM_KEY)[-1]["json"]["markdown"]["content"]
    assert "新通知：关于［征求意见］（http://evil.example）的通知" in content  # no link made
    assert "信息学院党委发布" in content
    _no_secret_things(receiver.posts)


def test_a_failed_post_is_retried_with_backoff_and_the_page_shows_the_last_error(
    client, org, cast, receiver, django_capture_on_commit_callbacks
):
    wecom, ding = _robots(org, cast, receiver)
    wecom.delete()  # the answers below are the DingTalk robot's
    receiver.answers = [(200, {"errcode": 310000, "errmsg": "sign not match"}), (500, {})]
    with django_capture_on_commit_callbacks(execute=True):
        services.notice_publish(
            unit=org.gb_a, title="学习安排", body="见附件。", actor=cast.committee_admin
        )
    post = ChatPost.objects.get(robot=ding)
    assert (post.status, post.attempts, post.last_error) == (
        "pending",
        1,
        "errcode 310000: sign not match",
    )
    wait = post.next_attempt_at - timezone.now()
    assert datetime.timedelta(seconds=50) < wait <= datetime.timedelta(minutes=1)
    client.force_login(cast.committee_admin)
    page = client.get(reverse("notices:chat_robots")).content.decode()
    assert "最近一次发送失败：errcode 310000: sign not match" in page

    assert chat.chat_posts_send_due() == 0  # not due yet: nothing is sent
    assert len(receiver.to("access_token", DING_TOKEN)) == 1
    for status, attempts, wait in [("pending", 2, 5), ("sent", 3, None)]:
        ChatPost.objects.filter(pk=post.pk).update(next_attempt_at=timezone.now())  # time passes
        out = StringIO()
        call_command("chat_retry", stdout=out)
        assert "1 group-chat post(s) due." in out.getvalue()
        post.refresh_from_db()
        assert (post.status, post.attempts) == (status, attempts)
        if wait:
            assert post.last_error == "HTTP 500"
            left = post.next_attempt_at - timezone.now()
            assert datetime.timedelta(minutes=wait - 1) < left <= datetime.timedelta(minutes=wait)
    posts = receiver.to("access_token", DING_TOKEN)
    assert len(posts) == 3 and all(p["query"]["sign"] == _expected_sign(p) for p in posts)
    page = client.get(reverse("notices:chat_robots")).content.decode()
    assert "最近一次发送失败" not in page


def test_with_a_worker_a_retry_is_queued_to_run_after_its_wait_and_given_up_after_four(
    org, cast, receiver
):
    wecom, _ding = _robots(org, cast, receiver)
    receiver.answers = [(500, {})] * 4
    with override_settings(TASKS=QUEUED_ONLY):
        default_task_backend.clear()
        [post] = chat.chat_posts_create([chat.Draft(wecom.pk, "k", "标题", ["一行"], "/")])
        for wait in [1, 5, 30, None]:  # minutes before the next attempt
            assert chat_post_deliver.call(post.pk) == ("retry" if wait else "failed")
            if wait:
                queued = default_task_backend.results[-1]
                assert queued.task.name == "chat_post_deliver" and queued.args == [post.pk]
                run_after = queued.task.run_after - timezone.now()
                assert datetime.timedelta(minutes=wait) - run_after < datetime.timedelta(seconds=10)
                ChatPost.objects.filter(pk=post.pk).update(next_attempt_at=timezone.now())
        post.refresh_from_db()
        assert (post.status, post.attempts) == ("failed", 4)
    assert len(receiver.posts) == 4
    assert chat_post_deliver.call(post.pk) == "skipped"  # given up stays given up


def test_an_address_outside_the_services_is_refused_on_the_page(client, org, cast, receiver):
    client.force_login(cast.secretary)
    url = reverse("notices:chat_robots")
    for kind, address in [
        ("wecom", "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"),  # not https
        ("wecom", "https://qyapi.weixin.qq.com.evil.example/cgi-bin/webhook/send?key=abc"),
        ("wecom", "https://169.254.169.254/latest/meta-data/"),
        ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/other?key=abc"),
        ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"),  # no key
        ("wecom", "https://user@qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"),
        ("wecom", "https://oapi.dingtalk.com/robot/send?access_token=abc"),  # the other kind
        ("dingtalk", "http://127.0.0.1:1/robot/send?access_token=abc"),  # a port not allowed
    ]:
        response = client.post(
            url, {"unit": org.branch_a1.pk, "kind": kind, "webhook_url": address}
        )
        assert response.status_code == 200, address
        assert (
            "请填写" in response.content.decode()
            and "群机器人的 Webhook 地址" in response.content.decode()
        )
    assert not ChatRobot.objects.exists()


def test_a_saved_robot_is_shown_masked_tested_switched_off_and_deleted(client, org, cast, receiver):
    client.force_login(cast.secretary)
    url = reverse("notices:chat_robots")
    address = f"{receiver.origin}/robot/send?access_token={DING_TOKEN}"
    response = client.post(
        url,
        {"unit": org.branch_a1.pk, "kind": "dingtalk", "webhook_url": address, "secret": SECRET},
    )
    assert response.status_code == 302
    robot = ChatRobot.objects.get()
    assert robot.added_by == cast.secretary
    page = client.get(url).content.decode()
    assert f"{receiver.origin}/…{DING_TOKEN[-4:]}" in page and "已设置" in page
    assert DING_TOKEN not in page and SECRET not in page
    audited = json.dumps(list(AuditEntry.objects.values("before", "after")), ensure_ascii=False)
    assert "notices.chatrobot" in AuditEntry.objects.values_list("object_type", flat=True)
    assert DING_TOKEN not in audited and SECRET not in audited

    page = client.post(reverse("notices:chat_robot_test", args=[robot.pk]), follow=True)
    assert "测试消息已发送" in page.content.decode()
    [test] = receiver.posts
    assert test["json"]["markdown"]["title"] == "先锋系统测试消息"
    assert test["query"]["sign"] == _expected_sign(test)

    client.post(reverse("notices:chat_robot_active", args=[robot.pk]), {"active": "0"})
    services.notice_publish(
        unit=org.branch_a1, title="停用后", body="不发群。", actor=cast.secretary
    )
    assert len(receiver.posts) == 1 and "已停用" in client.get(url).content.decode()

    client.post(reverse("notices:chat_robot_delete", args=[robot.pk]))
    assert not ChatRobot.objects.exists()


def test_a_test_message_that_fails_says_why(client, org, cast, receiver):
    wecom, _ding = _robots(org, cast, receiver)
    receiver.answers = [(200, {"errcode": 93000, "errmsg": "invalid webhook url"})]
    client.force_login(cast.secretary)
    page = client.post(reverse("notices:chat_robot_test", args=[wecom.pk]), follow=True)
    text = page.content.decode()
    assert "测试消息发送失败：errcode 93000: invalid webhook url" in text
    assert ChatPost.objects.get().status == "failed"  # a test is not retried


def test_a_service_that_does_not_answer_times_out_and_the_robot_says_so(org, cast, monkeypatch):
    """A listening socket that never answers: the attempt gives up after the timeout
    (shortened here from 5 s) and the robot records why, without its address."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    origin = f"http://127.0.0.1:{silent.getsockname()[1]}"
    monkeypatch.setattr(webhooks, "TIMEOUT", 0.3)
    with override_settings(VANGUARD_CHAT_WEBHOOK_HOSTS=[origin]):
        robot = chat.chat_robot_add(
            actor=cast.secretary,
            unit=org.branch_a1,
            kind="wecom",
            webhook_url=f"{origin}/hook?key={WECOM_KEY}",
        )
        [post] = chat.chat_posts_create([chat.Draft(robot.pk, "k", "标题", ["一行"], "/")])
        assert chat_post_deliver.call(post.pk) == "retry"
    silent.close()
    robot.refresh_from_db()
    assert robot.failing and robot.last_error == "连接超时"
