"""The roster import endpoint of the JSON API: the same checks and outcome as the page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from vanguard.accounts import services as account_services
from vanguard.audit.models import AuditEntry
from vanguard.organization.models import ImportJob, Member
from vanguard.organization.tests.test_roster_import import Unchanged, person, xlsx

IMPORTS = "/api/v1/roster/imports"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def post(client: Client, unit, content: bytes, name: str = "名册.xlsx", **headers):
    return client.post(
        IMPORTS, {"unit": unit.pk, "file": SimpleUploadedFile(name, content)}, **headers
    )


def test_a_token_holder_imports_a_roster_and_reads_the_job(cast, org):
    _token, raw = account_services.token_create(user=cast.secretary, name="名册脚本")
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    response = post(client, org.branch_a1, xlsx([person("赵新", "T0100")]), **auth)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "done" and body["original_name"] == "名册.xlsx"
    assert body["summary"] == {
        "rows": 1,
        "created": 1,
        "updated": 0,
        "moved": 0,
        "unchanged": 0,
        "error_count": None,
        "notes": [],
    }
    assert body["errors"] == []
    member = Member.objects.get(number="T0100")
    assert AuditEntry.objects.filter(
        object_type="organization.member", object_id=str(member.pk), actor_id=cast.secretary.pk
    ).exists()
    again = client.get(f"{IMPORTS}/{body['id']}", **auth)
    assert again.status_code == 200 and again.json()["id"] == body["id"]


def test_a_roster_with_bad_rows_gives_a_failed_job_listing_each_fault(client, cast, org):
    client.force_login(cast.secretary)
    before = Unchanged()
    response = post(
        client,
        org.branch_a1,
        xlsx(
            [
                person("赵新", "T0100", branch="不存在的支部"),
                person("钱多", "T0101", email="x@"),
            ]
        ),
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "failed"
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(2, "所在支部"), (3, "电子邮箱")]
    assert body["errors"][0]["text"].startswith("第 2 行「所在支部」（Sheet!F2）：")
    assert body["summary"]["error_count"] == 2
    before.check()


def test_a_file_over_the_limit_is_refused_with_400_naming_it(client, cast, org, settings):
    settings.ROSTER_MAX_UPLOAD_BYTES = 100
    client.force_login(cast.secretary)
    response = post(client, org.branch_a1, xlsx([person()]), "大名册.xlsx")
    assert response.status_code == 400
    assert "文件“大名册.xlsx”有" in response.json()["detail"]
    assert response.json()["errors"][0]["field"] == "file"
    assert not ImportJob.objects.exists()


def test_a_unit_the_caller_does_not_keep_is_refused(client, cast, org):
    client.force_login(cast.secretary)
    assert post(client, org.gb_a, xlsx([person()])).status_code == 404  # above their branch
    client.force_login(cast.supervisor)
    assert post(client, org.branch_a1, xlsx([person()])).status_code == 403  # sees, not keeps
    assert not ImportJob.objects.exists()


def test_someone_elses_job_is_not_found(client, cast, org):
    client.force_login(cast.secretary)
    job_id = post(client, org.branch_a1, xlsx([person()])).json()["id"]
    client.force_login(cast.gb_secretary)
    assert client.get(f"{IMPORTS}/{job_id}").status_code == 404
    client.force_login(cast.committee_admin)
    assert client.get(f"{IMPORTS}/{job_id}").status_code == 200


def test_the_endpoint_is_in_the_openapi_schema(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "post" in paths["/api/v1/roster/imports"]
    assert "get" in paths["/api/v1/roster/imports/{job_id}"]
