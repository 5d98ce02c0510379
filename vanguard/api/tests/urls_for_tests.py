"""A small API with the real authentication and error handlers and a few endpoints
that the read-only API does not have yet (a write, a failure), mounted beside the
real URLs for the tests that need them (`@pytest.mark.urls(__name__)`)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import path
from ninja import Schema

from config.urls import urlpatterns as real_urlpatterns
from vanguard.api.auth import api_auth
from vanguard.lib.api import errors
from vanguard.lib.api.errors import ApiError
from vanguard.lib.api.openapi import VanguardAPI

test_api = VanguardAPI(urls_namespace="api-tests", docs_url=None, auth=api_auth())
errors.install(test_api)


class NameIn(Schema):
    display_name: str


@test_api.post("/rename")
def rename(request, payload: NameIn) -> dict:
    user = request.user
    user.display_name = payload.display_name
    user.save()
    return {"username": user.get_username(), "auth": request.auth.get_username()}


@test_api.get("/boom")
def boom(request) -> dict:
    raise RuntimeError("secret internal detail /srv/vanguard/settings.py")


@test_api.get("/invalid")
def invalid(request) -> dict:
    raise ValidationError({"name": ["名称不能为空。"], "__all__": ["整体有误。"]})


@test_api.get("/bad-file")
def bad_file(request) -> dict:
    raise ApiError(422, "文件有误", [{"row": 3, "column": "B", "message": "工号重复"}])


@test_api.get("/denied")
def denied(request) -> dict:
    raise PermissionDenied("internal reason")


urlpatterns = [path("api/tests/", test_api.urls), *real_urlpatterns]
