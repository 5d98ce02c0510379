"""The college statistics workbook (统计表) on the test organisation: the job runs as a
task with its progress and the file is downloaded; each person's workbook holds their
scope; bad input is refused naming the field; text from the data cannot run as a
formula. (The figures against the demo's pages: test_workbook_demo.)"""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from vanguard.accounts.models import RoleAssignment
from vanguard.campaigns.models import Requirement
from vanguard.materials.jobs import KEEP_DAYS
from vanguard.materials.workbook import jobs
from vanguard.materials.workbook.models import WorkbookJob
from vanguard.meetings.models import Meeting
from vanguard.meetings.tests.factories import education_campaign, meeting
from vanguard.study.models import StudyWork

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(org, cast):
    made = education_campaign(org.committee)
    meeting(org.branch_a1)  # a mobilisation meeting
    meeting(org.committee, kind=Meeting.Kind.ALL_MEMBER, title="全体党员大会")
    for member in (cast.member_record, cast.colleague_record):
        StudyWork.objects.create(
            campaign=made,
            member=member,
            kind=StudyWork.Kind.READING_NOTE,
            title="读《党章》笔记",
            material="《中国共产党章程》",
            body="<p>党员必须全心全意为人民服务。</p>",
            submitted_at=timezone.now(),
        )
    return made


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _read(job: WorkbookJob):
    with job.file.open("rb") as handle:
        return load_workbook(io.BytesIO(handle.read()))


def _rows(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_job_builds_the_workbook_with_its_progress_and_the_file_downloads(cast, campaign):
    client = _client(cast.committee_admin)
    response = client.post(reverse("materials:workbook"), {"campaign": campaign.pk, "unit": ""})
    job = WorkbookJob.objects.get(created_by=cast.committee_admin)
    assert response.status_code == 302
    assert response["Location"] == reverse("materials:workbook_job", args=[job.pk])
    assert job.state == WorkbookJob.State.DONE
    assert job.done == job.total == jobs.STEPS_TOTAL
    assert job.seconds is not None and job.scope_name == "信息学院党委"

    page = client.get(response["Location"]).content.decode()
    assert "hx-get" not in page  # finished: no more polling
    assert reverse("materials:workbook_download", args=[job.pk]) in page
    download = client.get(reverse("materials:workbook_download", args=[job.pk]))
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=utf-8''" in download["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    meetings = _rows(workbook["会议"])
    header, total = meetings[0], meetings[-1]
    assert total[0] == "合计"
    by_unit = {row[1]: dict(zip(header, row, strict=True)) for row in meetings[1:-1]}
    assert by_unit["光学工程教工第一党支部"]["支部动员会"] == 1
    assert by_unit["信息学院党委"]["全体党员大会"] == 1
    study = {row[1]: row for row in _rows(workbook["学习"])[1:-1]}
    header = _rows(workbook["学习"])[0]
    assert study["光学工程教工第一党支部"][header.index("读书笔记")] == 2
    assert study["光学工程教工第一党支部"][header.index("提交读书笔记的党员")] == 2


def test_a_pending_job_is_polled_until_it_is_finished(cast, campaign):
    job = jobs.workbook_job_create(user=cast.committee_admin, campaign=campaign, unit=None)
    client = _client(cast.committee_admin)
    page = client.get(reverse("materials:workbook_job", args=[job.pk])).content.decode()
    progress = reverse("materials:workbook_job_progress", args=[job.pk])
    assert f'hx-get="{progress}"' in page and 'hx-trigger="every 1s"' in page
    assert "<progress" in page
    assert client.get(reverse("materials:workbook_download", args=[job.pk])).status_code == 404

    jobs.workbook_job_run(job_id=job.pk)
    partial = client.get(progress).content.decode()
    assert "hx-get" not in partial and "已完成" in partial


def test_each_person_counts_their_own_scope(org, cast, campaign):
    made = {}
    for user in (cast.gb_secretary, cast.supervisor, cast.observer):
        job = jobs.workbook_job_submit(user=user, campaign=campaign, unit=None)
        names = [row[1] for row in _rows(_read(job)["支部进展"])[1:-1]]
        made[user.username] = names
    assert made["gbsecretary"] == ["光学工程教工第一党支部", "光电博士生党支部"]
    assert made["supervisor"] == ["光学工程教工第一党支部"]
    assert "信电本科生第四党支部" in made["observer"]


def test_a_scope_outside_the_persons_is_refused_naming_the_field(org, cast, campaign):
    client = _client(cast.gb_secretary)
    response = client.post(
        reverse("materials:workbook"), {"campaign": campaign.pk, "unit": org.gb_b.pk}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "统计范围" in html and "error-text" in html
    assert not WorkbookJob.objects.exists()


def test_a_branch_secretary_and_a_member_are_refused(cast, campaign):
    for user in (cast.secretary, cast.member):
        response = _client(user).get(reverse("materials:workbook"))
        assert response.status_code == 403


def test_a_job_whose_maker_lost_the_role_fails_and_is_not_served(cast, campaign):
    job = jobs.workbook_job_create(user=cast.gb_secretary, campaign=campaign, unit=None)
    RoleAssignment.objects.filter(user=cast.gb_secretary).delete()
    jobs.workbook_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == WorkbookJob.State.FAILED and "无权" in job.error
    assert not job.file
    response = _client(cast.gb_secretary).get(reverse("materials:workbook_job", args=[job.pk]))
    assert response.status_code == 403


def test_text_from_the_data_cannot_run_as_a_formula(org, cast, campaign):
    org.branch_a2.name = '=HYPERLINK("http://evil.example","点我")'
    org.branch_a2.save()
    Requirement.objects.filter(phase__campaign=campaign).update(label="=1+1")
    job = jobs.workbook_job_submit(user=cast.committee_admin, campaign=campaign, unit=None)
    workbook = _read(job)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    assert cell.value.startswith("=SUM(") and cell.row == sheet.max_row, (
                        sheet.title,
                        cell.coordinate,
                        cell.value,
                    )
    names = [row[1] for row in _rows(workbook["支部进展"])]
    assert '\'=HYPERLINK("http://evil.example","点我")' in names
    header = _rows(workbook["各阶段要求"])[0]
    assert any(label.startswith("学习动员：'=1+1") for label in header)


def test_finished_workbooks_are_deleted_after_seven_days(cast, campaign):
    old = jobs.workbook_job_submit(user=cast.committee_admin, campaign=campaign, unit=None)
    path = Path(old.file.path)
    assert path.exists()
    WorkbookJob.objects.filter(pk=old.pk).update(
        finished_at=timezone.now() - datetime.timedelta(days=KEEP_DAYS, minutes=1)
    )
    new = jobs.workbook_job_submit(user=cast.committee_admin, campaign=campaign, unit=None)

    assert not WorkbookJob.objects.filter(pk=old.pk).exists()
    assert not path.exists()
    assert Path(new.file.path).exists()
