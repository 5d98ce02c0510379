"""The OpenAPI schema tells the truth: each name stands for one thing, the values it
documents are the ones accepted, every error an endpoint can give is listed, and page
numbers are bounded (vanguard/lib/api/openapi.py, pagination.py)."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from ninja import Router, Schema

from vanguard.lib.api.fields import SchemaName
from vanguard.lib.api.openapi import VanguardAPI
from vanguard.lib.api.pagination import MAX_PAGE
from vanguard.meetings.models import Meeting
from vanguard.study.models import StudyWork

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def member_token(cast, token_for) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_for(cast.member)}"}


def operations(schema: dict[str, Any]):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def enum_parameters(schema: dict[str, Any]):
    """(path, parameter name, documented values) for every enum query parameter."""
    components = schema["components"]["schemas"]
    for path, method, operation in operations(schema):
        if method != "get" or "{" in path:
            continue
        for parameter in operation["parameters"]:
            options = parameter["schema"].get("anyOf", [parameter["schema"]])
            for option in options:
                if "$ref" in option:
                    option = components[option["$ref"].rsplit("/", 1)[-1]]
                if "enum" in option:
                    yield path, parameter["name"], option["enum"]


def test_each_enum_has_its_own_name_and_its_models_values(schema):
    components = schema["components"]["schemas"]
    assert components["StudyWorkKind"]["enum"] == list(StudyWork.Kind.values)
    assert components["MeetingKind"]["enum"] == list(Meeting.Kind.values)
    # No enum is left with a bare class name that several models' choices share.
    assert not {"Kind", "Status", "State"} & set(components)


def test_every_documented_enum_value_is_accepted(client, member_token, schema):
    """kind=reading_note was refused where the documented values were a meeting's."""
    seen = 0
    for path, name, values in enum_parameters(schema):
        for value in values:
            response = client.get(path, {name: value}, **member_token)
            assert response.status_code == 200, (path, name, value, response.content)
            seen += 1
    assert seen > 20  # the study, meeting, opinion, unit, campaign and review enums


def test_an_undocumented_value_is_refused_naming_the_parameter(client, member_token):
    response = client.get("/api/v1/study/works", {"kind": "secretary"}, **member_token)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "kind", "message": "不是可选的值"}]


class Kind(Schema):
    value: int


class Other(Schema):
    kind: Annotated[Meeting.Kind, SchemaName("Kind")]


def test_two_different_schemas_under_one_name_refuse_to_build():
    first, second = Router(), Router()

    @first.post("/a")
    def a(request, payload: Kind) -> None:
        """Takes one Kind."""

    @second.post("/b")
    def b(request, payload: Other) -> None:
        """Takes another."""

    api = VanguardAPI(urls_namespace="clash-test")
    api.add_router("/one/", first)
    api.add_router("/two/", second)
    with pytest.raises(ImproperlyConfigured, match="'Kind'"):
        api.get_openapi_schema(path_prefix="/")


def test_every_operation_documents_the_errors_it_can_give(schema):
    for path, method, operation in operations(schema):
        documented = set(operation["responses"])
        assert {"400", "401", "403", "404", "422"} <= documented, (method, path)
        if "application/json" in operation.get("requestBody", {}).get("content", {}):
            assert "415" in documented, (method, path)
        for status in ("400", "401", "422"):
            error = operation["responses"][status]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, status)
    error = schema["components"]["schemas"]["ErrorOut"]
    assert set(error["properties"]) == {"detail", "errors"}


# --- Page numbers ----------------------------------------------------------------------


def paginated_lists(schema: dict[str, Any]) -> list[str]:
    return [
        path
        for path, method, operation in operations(schema)
        if method == "get"
        and "{" not in path
        and "page" in {p["name"] for p in operation["parameters"]}
    ]


def test_page_numbers_are_bounded_in_the_schema(schema):
    for path in paginated_lists(schema):
        parameters = {p["name"]: p["schema"] for p in schema["paths"][path]["get"]["parameters"]}
        assert parameters["page"]["minimum"] == 1
        assert parameters["page"]["maximum"] == MAX_PAGE
        assert parameters["page_size"]["maximum"] == 200


@pytest.mark.parametrize(
    ("page", "message"),
    [
        ("2e17", "应为整数"),
        ("200000000000000000", "过大"),
        ("99999999999999999999999999", "过大"),
        (str(MAX_PAGE + 1), "过大"),
        ("1e400", "应为整数"),
        ("-1", "过小"),
        ("0", "过小"),
        ("abc", "应为整数"),
        ("", "应为整数"),
    ],
)
def test_every_list_refuses_an_absurd_page_with_422(client, member_token, schema, page, message):
    lists = paginated_lists(schema)
    assert len(lists) >= 8
    for path in lists:
        response = client.get(path, {"page": page}, **member_token)
        assert response.status_code == 422, (path, page)
        assert response.json()["errors"] == [{"field": "page", "message": message}], path


def test_the_last_allowed_page_is_an_empty_page(client, member_token, schema):
    for path in paginated_lists(schema):
        response = client.get(path, {"page": MAX_PAGE, "page_size": 200}, **member_token)
        assert response.status_code == 200, path
        assert response.json()["items"] == []


@pytest.mark.parametrize("page_size", ["0", "201", "-5", "1e9", "x"])
def test_an_absurd_page_size_is_refused(client, member_token, page_size):
    response = client.get("/api/v1/org/members", {"page_size": page_size}, **member_token)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "page_size"
