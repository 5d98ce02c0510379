"""The login form with input no person types: refused with a message, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_a_user_name_longer_than_any_account_is_refused_with_a_message():
    response = Client().post(
        reverse("accounts:login"), {"username": "长" * 100_000, "password": "x"}
    )
    assert response.status_code == 200
    assert "用户名不能超过 150 个字符" in response.content.decode()


def test_an_ordinary_login_still_works():
    make_user("zhangsan")
    response = Client().post(
        reverse("accounts:login"), {"username": "zhangsan", "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_the_admin_login_refuses_it_too():
    response = Client().post(reverse("admin:login"), {"username": "长" * 100_000, "password": "x"})
    assert response.status_code == 200
    assert "用户名不能超过 150 个字符" in response.content.decode()
