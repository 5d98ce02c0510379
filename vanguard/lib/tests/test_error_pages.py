"""The 400, 403, 404 and 500 pages (vanguard/lib/errors.py) are the site's own: its
layout, the visitor's language, a link home, the menu for someone signed in, and
nothing of the error itself."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.views import LoginView
from django.core.exceptions import SuspiciousOperation
from django.test import Client
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

HEADINGS = {400: "请求有误", 403: "无权访问", 404: "页面不存在", 500: "系统出错"}


def _heading(html: str) -> str:
    match = re.search(r"<h1>(.*?)</h1>", html, re.S)
    assert match, html[:500]
    return match.group(1).strip()


def _answer(status: int, client: Client, cast, language: str):
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    if status == 404:
        return client.get("/no-such-page/", **headers)
    if status == 403:  # a member may not record a meeting
        return client.get(reverse("meetings:create"), **headers)
    return client.post(reverse("accounts:login"), {"username": "a", "password": "b"}, **headers)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("status", [400, 403, 404, 500])
def test_error_pages_are_the_sites_own_in_the_visitors_language(
    status, language, cast, monkeypatch, settings
):
    assert settings.DEBUG is False
    if status == 400:
        marker = SuspiciousOperation("SUSPICIOUS-7QX9")
        monkeypatch.setattr(LoginView, "dispatch", lambda *a, **k: (_ for _ in ()).throw(marker))
    if status == 500:
        monkeypatch.setattr(LoginView, "dispatch", lambda *a, **k: 1 / 0)
    client = Client(raise_request_exception=False)
    client.force_login(cast.member)
    response = _answer(status, client, cast, language)

    assert response.status_code == status
    html = response.content.decode()
    assert f'<html lang="{language}"' in html
    with translation.override(language):
        assert _heading(html) == translation.gettext(HEADINGS[status])
    assert 'class="site-header"' in html  # the site's layout
    assert f'href="{reverse("home")}" role="button"' in html  # a way home
    assert "SUSPICIOUS-7QX9" not in html and "ZeroDivision" not in html and "division" not in html
    # Signed in: the menu, except on the 500 page, which asks the database for nothing.
    assert ('class="mainnav"' in html) == (status != 500)


def test_a_visitor_not_signed_in_gets_the_404_page_without_a_menu(db):
    response = Client().get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert _heading(html) == "页面不存在"
    assert 'class="mainnav"' not in html
    assert f'href="{reverse("home")}" role="button"' in html
