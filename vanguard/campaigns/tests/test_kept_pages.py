"""Pages kept whole (campaigns/kept_pages.py), with real commits (`transactional_db`: a
page is kept only outside a transaction, as under gunicorn): what a person sees next
after a write, a notification, a role taken away, a message, and a form's token."""

from __future__ import annotations

import re

import lxml.html
import pytest
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vanguard.accounts.models import Role, RoleAssignment, User
from vanguard.campaigns.tests import progress_data as data
from vanguard.notices.models import Notification
from vanguard.organization.models import Unit


@pytest.fixture
def campaign(org, cast, transactional_db):
    cache.clear()
    return data.make_campaign(org.committee)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _without_tokens(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)


def _get(client: Client, path: str) -> tuple[str, int]:
    """The page's text and the queries its request made."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return response.content.decode(), len(queries.captured_queries)


def test_a_kept_page_is_served_again_until_a_counted_write(cast, campaign):
    client = _client(cast.member)
    path = reverse("campaigns:progress_me", args=[campaign.pk])
    first, made = _get(client, path)
    again, served = _get(client, path)
    # The same page (each form with a token of its own, as every answer has).
    assert _without_tokens(again) == _without_tokens(first)
    # Served: the session, the person, the version and the unread count, nothing else.
    assert served <= 4 < made
    assert "你已提交 0 篇学习成果" in first
    data.work(campaign, cast.member_record)  # a study work handed in
    changed, _queries = _get(client, path)
    assert "你已提交 1 篇学习成果" in changed
    # A bulk write outside any service (the admin's, a script's) moves it the same way.
    Unit.objects.filter(pk=cast.member_record.branch_id).update(name="光学工程教工一支部")
    renamed, _queries = _get(client, path)
    assert "光学工程教工一支部" in renamed and "光学工程教工一支部" not in changed


def test_each_person_gets_their_own_page(cast, campaign):
    mine, _queries = _get(_client(cast.member), reverse("home"))
    theirs, _queries = _get(_client(cast.other_member), reverse("home"))
    assert cast.member_record.name in mine
    assert cast.other_member_record.name in theirs and cast.member_record.name not in theirs


def test_the_unread_count_and_the_roles_show_at_once(cast, campaign, org):
    client = _client(cast.secretary)
    home, _queries = _get(client, reverse("home"))
    assert 'class="badge count"' not in home
    Notification.objects.create(user=cast.secretary, text="支部书记请注意", url="/")
    home, _queries = _get(client, reverse("home"))
    assert 'class="badge count">1<' in home
    assert "材料审阅" in home
    RoleAssignment.objects.filter(user=cast.secretary, role=Role.BRANCH_SECRETARY).delete()
    home, _queries = _get(client, reverse("home"))
    assert "材料审阅" not in home


def test_a_message_is_shown_once_and_never_kept(cast, campaign):
    client = _client(cast.member)
    _get(client, reverse("home"))  # kept, without a message
    # A message waiting in its cookie, as a form's redirect leaves it.
    storage = CookieStorage(HttpRequest())
    client.cookies["messages"] = storage._encode([Message(25, "已保存你的修改")])
    shown, _queries = _get(client, reverse("home"))
    assert "已保存你的修改" in shown
    again, _queries = _get(client, reverse("home"))
    assert "已保存你的修改" not in again


def test_a_form_on_a_kept_page_carries_the_askers_token(cast, campaign):
    """The member's page kept from their laptop is served to their phone (another
    session, another CSRF secret): its forms must carry the phone's token."""
    laptop = Client(enforce_csrf_checks=True)
    laptop.force_login(cast.member)
    _get(laptop, reverse("home"))
    laptop.post(reverse("accounts:logout"))  # refused (no token); the laptop is irrelevant now
    phone = Client(enforce_csrf_checks=True)
    phone.force_login(cast.member)
    phone.get(reverse("accounts:login"))  # the phone's own CSRF cookie
    served, queries = _get(phone, reverse("home"))
    assert queries <= 4  # from the cache
    form = lxml.html.fromstring(served).xpath("//form[contains(@action, 'logout')]")[0]
    token = form.xpath(".//input[@name='csrfmiddlewaretoken']/@value")[0]
    response = phone.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert phone.get(reverse("home")).status_code == 302  # logged out: to the login page
