"""Every API error has the same JSON shape, in Chinese, and gives nothing away."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("vanguard.api.tests.urls_for_tests")]


@pytest.fixture
def logged_in(cast) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(cast.member)
    return client


def test_a_crash_is_a_plain_500_without_internals(logged_in):
    response = logged_in.get("/api/tests/boom")
    assert response.status_code == 500
    assert response.json() == {"detail": "服务器内部错误，请稍后再试", "errors": []}
    assert b"secret" not in response.content
    assert b"Traceback" not in response.content


def test_a_validation_error_names_each_field(logged_in):
    response = logged_in.get("/api/tests/invalid")
    assert response.status_code == 422
    assert response.json() == {
        "detail": "数据有误",
        "errors": [
            {"field": "name", "message": "名称不能为空。"},
            {"field": None, "message": "整体有误。"},
        ],
    }


def test_a_file_error_names_row_and_column(logged_in):
    response = logged_in.get("/api/tests/bad-file")
    assert response.status_code == 422
    assert response.json() == {
        "detail": "文件有误",
        "errors": [{"row": 3, "column": "B", "message": "工号重复"}],
    }


def test_permission_denied_is_403_without_the_internal_reason(logged_in):
    response = logged_in.get("/api/tests/denied")
    assert response.status_code == 403
    assert response.json() == {"detail": "无权执行此操作", "errors": []}


def test_a_malformed_json_body_is_400_in_chinese(logged_in):
    response = logged_in.post("/api/tests/rename", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "请求内容无法解析，应为有效的 JSON", "errors": []}


def test_a_missing_body_field_is_named_as_the_caller_sent_it(logged_in):
    response = logged_in.post("/api/tests/rename", {}, content_type="application/json")
    assert response.status_code == 422
    assert response.json() == {
        "detail": "数据有误",
        "errors": [{"field": "display_name", "message": "必填"}],
    }
