"""Bundles (材料包): a branch's three materials in one zip, a general branch's or the
college's as folders of branches, built as a task with progress (inline here, as
without a worker), read back file by file; what is missing named in README.txt; the job
and its file the asker's alone; a failing part fails the job whole, leaving no file."""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from conftest import make_member
from vanguard.accounts.access import forget_scopes
from vanguard.accounts.models import Role, RoleAssignment
from vanguard.grading import registration_form, selectors_registration
from vanguard.materials.bundles import build, jobs, parts
from vanguard.materials.bundles.models import BundleJob
from vanguard.materials.jobs import KEEP_DAYS
from vanguard.materials.stage_summary.models import StageSummary
from vanguard.meetings.tests.factories import education_campaign, meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(org):
    return education_campaign(org.committee)


def _zip(job: BundleJob) -> zipfile.ZipFile:
    assert job.state == BundleJob.State.DONE, job.error
    with job.file.open("rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def _readme(archive: zipfile.ZipFile, folder: str) -> str:
    return archive.read(f"{folder}/README.txt").decode("utf-8-sig").replace("\r\n", "\n")


def _pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def _docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts += [cell.text for cell in row.cells]
    return "\n".join(texts)


def test_branch_bundle_is_built_inline_and_every_file_reads_back(org, cast, campaign):
    meeting(org.branch_a1, title="光学工程教工第一党支部动员会")
    job = jobs.bundle_job_submit(user=cast.secretary, campaign=campaign, unit=org.branch_a1)

    assert job.kind == BundleJob.Kind.BRANCH
    assert job.finished_at is not None
    archive = _zip(job)
    folder = "光学工程教工第一党支部"
    names = set(archive.namelist())
    assert {
        f"{folder}/README.txt",
        f"{folder}/支部大会记录本.pdf",
        f"{folder}/支部大会记录本.docx",
        f"{folder}/党员评议登记表/党员评议登记表（全支部）.pdf",
        f"{folder}/党员评议登记表/T0001-李书记.docx",
        f"{folder}/党员评议登记表/T0002-王小明.docx",
        f"{folder}/党员评议登记表/T0003-张丽.docx",
    } <= names
    assert "光学工程教工第一党支部动员会" in _pdf_text(archive.read(f"{folder}/支部大会记录本.pdf"))
    assert "光学工程教工第一党支部动员会" in _docx_text(
        archive.read(f"{folder}/支部大会记录本.docx")
    )
    forms = _pdf_text(archive.read(f"{folder}/党员评议登记表/党员评议登记表（全支部）.pdf"))
    for name in ("李书记", "王小明", "张丽"):
        assert name in forms
    member_form = _docx_text(archive.read(f"{folder}/党员评议登记表/T0002-王小明.docx"))
    assert "党员评议登记表" in member_form and "王小明" in member_form and "张丽" not in member_form
    readme = _readme(archive, folder)
    assert "全支部 3 人" in readme
    assert job.summary["forms"] == 3 and job.summary["branches"] == 1
    assert job.file_name.startswith("光学工程教工第一党支部-三份材料-")
    # Stored under a random name that tells nothing of what it holds.
    assert job.file.name.startswith("materials/bundles/")
    assert "光学" not in job.file.name


def test_missing_parts_are_named_in_the_readme(org, cast, campaign):
    meeting(org.branch_a1, title="光学工程教工第一党支部动员会")
    job = jobs.bundle_job_submit(user=cast.secretary, campaign=campaign, unit=org.branch_a1)

    archive = _zip(job)
    readme = _readme(archive, "光学工程教工第一党支部")
    assert "支部阶段工作小结：尚未起草。" in readme
    assert "支部大会记录本：尚未召开民主评议会。" in readme
    assert "尚未召开支部动员会" not in readme
    assert not [n for n in archive.namelist() if "支部阶段工作小结" in n]
    shown = [line for entry in job.summary["missing"] for line in entry["lines"]]
    assert "支部阶段工作小结：尚未起草。" in shown


def test_stage_summaries_go_in_with_their_state(org, cast, campaign):
    phases = list(campaign.phases.order_by("order"))
    StageSummary.objects.create(
        campaign=campaign,
        branch=org.branch_a1,
        phase=phases[0],
        work_done="组织全体党员学习党章，召开专题组织生活会。",
        state=StageSummary.State.ACCEPTED,
    )
    StageSummary.objects.create(
        campaign=campaign,
        branch=org.branch_a1,
        phase=phases[1],
        work_done="征求意见四十条。",
        state=StageSummary.State.DRAFT,
    )
    job = jobs.bundle_job_submit(user=cast.secretary, campaign=campaign, unit=org.branch_a1)

    archive = _zip(job)
    folder = "光学工程教工第一党支部/支部阶段工作小结/"
    pdfs = sorted(n for n in archive.namelist() if n.startswith(folder) and n.endswith(".pdf"))
    docs = sorted(n for n in archive.namelist() if n.startswith(folder) and n.endswith(".docx"))
    assert len(pdfs) == len(docs) == 2
    texts = [_pdf_text(archive.read(n)) for n in pdfs] + [_docx_text(archive.read(n)) for n in docs]
    assert any("组织全体党员学习党章" in t for t in texts)
    assert any("征求意见四十条" in t for t in texts)
    readme = _readme(archive, "光学工程教工第一党支部")
    assert "尚未提交（撰写中），所附为草稿。" in readme
    assert "尚未起草" not in readme


def test_progress_advances_to_the_total(org, cast, campaign, monkeypatch):
    seen: list[tuple[int, int]] = []
    update = jobs.job_update

    def recording(job, **fields):
        if "done" in fields and fields.get("total"):
            seen.append((fields["done"], fields["total"]))
        update(job, **fields)

    monkeypatch.setattr(jobs, "job_update", recording)
    monkeypatch.setattr(jobs, "PROGRESS_EVERY_SECONDS", 0)
    job = jobs.bundle_job_submit(user=cast.secretary, campaign=campaign, unit=org.branch_a1)

    # The book, the summaries, the forms' PDF, then each member's Word form.
    assert [done for done, _total in seen] == [1, 2, 3, 4, 5, 6]
    assert {total for _done, total in seen} == {6}
    assert (job.done, job.total, job.percent) == (6, 6, 100)


def test_college_bundle_has_a_folder_per_general_branch_and_branch(org, cast, campaign):
    make_member(name="赵强", number="T0101", branch=org.branch_b1)
    meeting(org.branch_b1, title="信电系支部动员会")
    job = jobs.bundle_job_submit(user=cast.committee_admin, campaign=campaign, unit=org.committee)

    assert job.kind == BundleJob.Kind.COLLEGE
    assert (job.done, job.total) == (3, 3)  # one step per branch
    archive = _zip(job)
    top = org.committee.name
    a1 = f"{top}/{org.gb_a.name}/{org.branch_a1.name}"
    b1 = f"{top}/{org.gb_b.name}/{org.branch_b1.name}"
    names = archive.namelist()
    assert f"{a1}/党员评议登记表/T0002-王小明.docx" in names
    assert f"{b1}/党员评议登记表/T0101-赵强.docx" in names
    assert "信电系支部动员会" in _pdf_text(archive.read(f"{b1}/支部大会记录本.pdf"))
    readme = _readme(archive, top)
    assert "共 3 个支部、5 份党员评议登记表" in readme
    assert f"- {org.branch_a2.name}：党员评议登记表：本支部没有在册党员。" in readme
    assert "支部阶段工作小结：尚未起草。" in _readme(archive, b1)


def test_general_branch_secretary_bundles_only_their_branches(org, cast, campaign):
    job = jobs.bundle_job_submit(user=cast.gb_secretary, campaign=campaign, unit=org.gb_a)
    folders = {name.split("/")[1] for name in _zip(job).namelist() if name.count("/") > 1}
    assert folders == {org.branch_a1.name, org.branch_a2.name}


def test_a_failing_part_fails_the_job_with_a_message_and_leaves_no_file(
    org, cast, campaign, monkeypatch
):
    def broken(forms):
        yield b"PK"
        raise RuntimeError("disk full")

    monkeypatch.setattr(registration_form, "registration_forms_docx", broken)
    job = jobs.bundle_job_submit(user=cast.secretary, campaign=campaign, unit=org.branch_a1)

    job.refresh_from_db()
    assert job.state == BundleJob.State.FAILED
    assert "光学工程教工第一党支部" in job.error and "党员评议登记表" in job.error
    assert "材料包没有生成" in job.error
    assert not job.file
    stored = Path(settings.MEDIA_ROOT) / "materials" / "bundles"
    assert not stored.exists() or not any(stored.iterdir())


def test_a_failing_meeting_book_names_itself(org, cast, campaign, monkeypatch):
    def broken(**_kwargs):
        raise ValueError("layout")

    monkeypatch.setattr(parts, "meeting_book", broken)
    job = jobs.bundle_job_submit(user=cast.gb_secretary, campaign=campaign, unit=org.gb_a)

    job.refresh_from_db()
    assert job.state == BundleJob.State.FAILED
    assert job.error.startswith("生成“光学工程教工第一党支部”的支部大会记录本时出错")
    assert not job.file


def test_job_checks_the_askers_right_again_when_it_runs(org, cast, campaign, monkeypatch):
    job = jobs.bundle_job_create(user=cast.secretary, campaign=campaign, unit=org.branch_a1)
    RoleAssignment.objects.filter(user=cast.secretary, role=Role.BRANCH_SECRETARY).delete()
    forget_scopes(cast.secretary)

    jobs.bundle_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == BundleJob.State.FAILED
    assert job.error == "您已无权生成这个范围的材料包。"
    assert not job.file


def test_finished_bundles_are_deleted_after_seven_days(org, cast, campaign):
    old = jobs.bundle_job_submit(user=cast.secretary, campaign=campaign, unit=org.branch_a1)
    path = Path(old.file.path)
    assert path.exists()
    BundleJob.objects.filter(pk=old.pk).update(
        finished_at=timezone.now() - datetime.timedelta(days=KEEP_DAYS, minutes=1)
    )
    new = jobs.bundle_job_submit(user=cast.secretary, campaign=campaign, unit=org.branch_a1)

    assert not BundleJob.objects.filter(pk=old.pk).exists()
    assert not path.exists()
    assert Path(new.file.path).exists()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_job_and_file_are_the_askers_alone(org, cast, campaign):
    client = _client(cast.secretary)
    response = client.post(
        "/materials/bundles/", {"campaign": campaign.pk, "unit": org.branch_a1.pk}
    )
    job = BundleJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/materials/bundles/jobs/{job.pk}/"
    page = client.get(f"/materials/bundles/jobs/{job.pk}/")
    assert "下载材料包（.zip）" in page.content.decode()
    download = client.get(f"/materials/bundles/jobs/{job.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert "filename*=utf-8''" in download["Content-Disposition"]
    body = download.getvalue()
    assert zipfile.ZipFile(io.BytesIO(body)).testzip() is None

    # The committee reads the branch too, yet the job is not theirs: 404, as for anyone.
    for other in (cast.committee_admin, cast.branch_committee, cast.member):
        other_client = _client(other)
        for suffix in ("", "progress/", "download/"):
            url = f"/materials/bundles/jobs/{job.pk}/{suffix}"
            assert other_client.get(url).status_code == 404, (other.username, url)


def test_a_unit_outside_the_scope_is_refused(org, cast, campaign):
    client = _client(cast.secretary)
    response = client.post(
        "/materials/bundles/", {"campaign": campaign.pk, "unit": org.branch_b1.pk}
    )
    assert response.status_code == 200
    assert "材料包没有生成" in response.content.decode()
    assert not BundleJob.objects.exists()


def test_word_forms_in_bulk_are_the_forms_one_by_one(org, cast, campaign):
    forms = selectors_registration.branch_registrations(org.branch_a1, campaign)
    bulk = list(registration_form.registration_forms_docx(forms))
    assert len(bulk) == len(forms) == 3
    for data, content in zip(forms, bulk, strict=True):
        alone = registration_form.registration_form_docx(data)
        with zipfile.ZipFile(io.BytesIO(content)) as a, zipfile.ZipFile(io.BytesIO(alone)) as b:
            assert a.testzip() is None
            assert a.namelist() == b.namelist()
            for name in a.namelist():
                if name != "docProps/core.xml":
                    assert a.read(name) == b.read(name), name
        assert Document(io.BytesIO(content)).core_properties.title == f"党员评议登记表-{data.name}"


def test_names_are_safe_in_a_zip():
    assert build.safe_name('a/b\\c:"d"') == "a-b-c-d-"
    assert build.safe_name("  ..") == "-"
