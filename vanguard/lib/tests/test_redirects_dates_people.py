"""The shared helpers for `next` parameters, edge dates and people whose account is gone."""

from __future__ import annotations

import datetime

import pytest
from django.test import RequestFactory

from vanguard.lib.dates import BoundedDateField, BoundedDateTimeField
from vanguard.lib.people import person_name
from vanguard.lib.redirects import safe_next

FALLBACK = "/fallback/"


@pytest.mark.parametrize(
    "wanted",
    [
        "http://evil.example/",
        "https://evil.example/x",
        "//evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
        "/opinions/\nSet-Cookie: x=1",
        "/opinions/\r\n",
        "/opinions/\x00",
        "/" + "a" * 5000,
        "",
        ["/opinions/"],
        None,
    ],
)
def test_an_unusable_next_falls_back(wanted):
    request = RequestFactory().post("/")
    assert safe_next(request, wanted, FALLBACK) == FALLBACK


def test_a_path_on_this_site_is_followed():
    request = RequestFactory().post("/")
    assert safe_next(request, "/opinions/sorting/?page=2", FALLBACK) == "/opinions/sorting/?page=2"


@pytest.mark.parametrize("value", ["0001-01-01T00:00", "9999-12-31T23:59", "1899-12-31T08:00"])
def test_an_edge_date_time_is_refused_naming_the_field(value):
    field = BoundedDateTimeField(label="开始时间", input_formats=["%Y-%m-%dT%H:%M"])
    with pytest.raises(Exception) as refused:
        field.clean(value)
    assert "开始时间" in str(refused.value.messages)


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_an_edge_date_is_refused_naming_the_field(value):
    with pytest.raises(Exception) as refused:
        BoundedDateField(label="日期").clean(value)
    assert "日期" in str(refused.value.messages)


def test_an_ordinary_date_time_is_kept():
    moment = BoundedDateTimeField(label="开始时间").clean("2026-03-20T14:00")
    assert moment.date() == datetime.date(2026, 3, 20)


def test_a_gone_account_is_named_neutrally():
    assert person_name(None) == "（账号已删除）"
