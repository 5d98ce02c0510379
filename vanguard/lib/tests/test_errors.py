"""A request that meets a locked database gets 503 "try again", never a 500."""

from __future__ import annotations

import pytest
from django.contrib.auth.views import LoginView
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _locked(*args, **kwargs):
    raise OperationalError("database is locked")


def test_a_locked_database_answers_503_with_retry_after_in_the_users_language(monkeypatch):
    monkeypatch.setattr(LoginView, "post", _locked)
    client = Client(raise_request_exception=False)
    response = client.post(reverse("accounts:login"), {"username": "a", "password": "b"})
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "系统繁忙" in response.content.decode()
    english = client.post(
        reverse("accounts:login"), {"username": "a"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "busy" in english.lower()


def test_any_other_error_is_still_a_500(monkeypatch):
    monkeypatch.setattr(LoginView, "post", lambda *a, **k: 1 / 0)
    client = Client(raise_request_exception=False)
    response = client.post(reverse("accounts:login"), {"username": "a", "password": "b"})
    assert response.status_code == 500
