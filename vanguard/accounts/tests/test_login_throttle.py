"""Wrong passwords are counted per address as well as per user name and address
(django-axes): a sweep of passwords over many names from one address is stopped, with
a message saying when to try again, while a meeting hall behind one address is not."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

SWEEPER = "203.0.113.9"
HALL = "10.0.0.7"


def _login(username: str, password: str, address: str, **extra):
    return Client().post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **extra,
    )


def _logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("home")


def test_a_sweep_over_many_names_from_one_address_is_stopped(settings):
    limit, window = settings.VANGUARD_LOGIN_ADDRESS_LIMIT
    assert (limit, window) == (50, 15 * 60)
    names = [f"user{n:02d}" for n in range(25)]
    for name in names:
        make_user(name)
    answers = [_login(names[n % 25], f"guess-{n}", SWEEPER).status_code for n in range(100)]
    # Fewer than five tries per name, so axes alone locked nothing; the address is.
    assert answers[:limit] == [200] * limit
    assert set(answers[limit:]) == {429}

    refused = _login("user00", PASSWORD, SWEEPER)
    assert refused.status_code == 429 and not _logged_in(refused)
    page = refused.content.decode()
    assert "登录失败的次数过多" in page and "15 分钟后再试" in page

    # Another address is not held back, for the same names.
    assert _logged_in(_login("user00", PASSWORD, HALL))


def test_a_meeting_hall_with_a_few_typos_each_logs_in():
    for n in range(30):
        make_user(f"member{n:02d}")
    for n in range(30):  # one typo each, thirty people behind one address
        assert _login(f"member{n:02d}", "typo", HALL).status_code == 200
    for n in range(30):
        assert _logged_in(_login(f"member{n:02d}", PASSWORD, HALL))


def test_the_admin_login_is_held_back_too(settings):
    settings.VANGUARD_LOGIN_ADDRESS_LIMIT = (3, 900)
    make_user("zhangsan", is_staff=True, is_superuser=True)
    for n in range(3):
        _login(f"nobody{n}", "guess", SWEEPER)
    admin = Client()
    response = admin.post(
        reverse("admin:login"),
        {"username": "zhangsan", "password": PASSWORD},
        REMOTE_ADDR=SWEEPER,
    )
    assert response.status_code == 200  # the form again: not signed in
    assert "_auth_user_id" not in admin.session
    signed_in = Client()
    signed_in.post(
        reverse("admin:login"), {"username": "zhangsan", "password": PASSWORD}, REMOTE_ADDR=HALL
    )
    assert "_auth_user_id" in signed_in.session


def test_behind_a_proxy_each_client_counts_for_itself(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    settings.VANGUARD_LOGIN_ADDRESS_LIMIT = (3, 900)
    make_user("zhangsan")
    proxy = {"HTTP_X_FORWARDED_FOR": SWEEPER}
    for n in range(3):
        _login(f"nobody{n}", "guess", "127.0.0.1", **proxy)
    assert _login("zhangsan", PASSWORD, "127.0.0.1", **proxy).status_code == 429
    # The proxy's own address is the same; the client behind it is another.
    assert _logged_in(_login("zhangsan", PASSWORD, "127.0.0.1", HTTP_X_FORWARDED_FOR=HALL))


def test_nothing_of_the_address_is_stored_or_kept_in_plain(settings):
    from django.core.cache import cache

    settings.VANGUARD_LOGIN_ADDRESS_LIMIT = (2, 900)
    for n in range(3):
        _login(f"nobody{n}", "guess", SWEEPER)
    assert SWEEPER not in str(getattr(cache, "_cache", {}))
