"""On the demo college: each member's to-do on the home page owes exactly what their
progress page says they still owe, and an item the member does leaves the open list."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.test import Client
from django.urls import reverse

from vanguard.accounts.models import User
from vanguard.campaigns.models import Campaign
from vanguard.demo.tests.kept_demo import kept_demo
from vanguard.organization.models import Member

pytestmark = pytest.mark.django_db

MEMBERS_CHECKED = 6  # beside the demo accounts, members of as many different branches


@pytest.fixture(scope="module")
def demo_of_the_module(django_db_setup, django_db_blocker):
    with kept_demo(django_db_blocker):
        yield


@pytest.fixture
def demo(demo_of_the_module, db) -> Campaign:
    return Campaign.objects.get(status=Campaign.Status.ACTIVE)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _todo_parts(client: Client) -> tuple[str, str]:
    """The home page's to-do: its open list and its folded done list."""
    page = client.get(reverse("home")).content.decode()
    start = page.index('id="my-todo"')
    todo = page[start : page.index("</section>", start)]
    fold = todo.find('<details class="todo-done">')
    return (todo, "") if fold < 0 else (todo[:fold], todo[fold:])


def _titles(part: str, pattern: str = r"req-\d+") -> set[str]:
    found = re.findall(
        rf'data-todo="{pattern}">.*?<span class="todo-title">(.*?)</span>', part, re.S
    )
    return {html_lib.unescape(title).strip() for title in found}


def _owed_on_progress_page(client: Client, campaign: Campaign) -> set[str]:
    page = client.get(reverse("campaigns:progress_me", args=[campaign.pk])).content.decode()
    found = re.findall(r'<li class="is-unmet">.*?<span class="req-label">(.*?)</span>', page, re.S)
    return {html_lib.unescape(label).strip() for label in found}


def _members_to_check() -> list[Member]:
    accounts = list(
        Member.objects.filter(
            user__username__in=["member", "secretary", "gbsecretary", "supervisor", "committee"]
        ).select_related("user")
    )
    seen = {m.branch_id for m in accounts}
    others = []
    for member in (
        Member.objects.filter(user__isnull=False, is_active=True)
        .select_related("user")
        .order_by("branch__path", "number")
    ):
        if member.branch_id not in seen and len(others) < MEMBERS_CHECKED:
            seen.add(member.branch_id)
            others.append(member)
    return accounts + others


def test_each_members_todo_owes_what_their_progress_page_says(demo):
    members = _members_to_check()
    assert len(members) > 6
    for member in members:
        client = _client(member.user)
        opened, done = _todo_parts(client)
        owed = _owed_on_progress_page(client, demo)
        assert _titles(opened) == owed, member.name
        assert not _titles(done) & owed, member.name


def test_the_demo_member_reads_their_feedback_and_it_moves_to_done(demo):
    client = _client(User.objects.get(username="member"))
    opened, done = _todo_parts(client)
    assert 'data-todo="feedback"' in opened, "the demo member has feedback to read"
    response = client.post(
        reverse("opinions:feedback_acknowledge"), {"campaign": demo.pk, "response": ""}
    )
    assert response.status_code == 302
    opened, done = _todo_parts(client)
    assert 'data-todo="feedback"' not in opened
    assert "已阅读并确认" in done
