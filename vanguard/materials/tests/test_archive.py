"""The campaign's archive for the records office (issue 15, point 7), opened as the
records office would: the data as CSV Excel reads, each branch's materials, a folder
per member whose materials go into their personal file (优秀, and 不合格 with its
handling), a README and a manifest whose checksums `archive_verify` recomputes — and
nothing of a ballot, a voter or an opinion's source anywhere in it."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from vanguard.ballots import services as ballot_services
from vanguard.ballots.models import Grade
from vanguard.ballots.tests import factories as ballot_factories
from vanguard.grading.models import BranchGrading, GradeProposal, UnqualifiedCase
from vanguard.materials.archive import build
from vanguard.materials.archive.models import ArchiveJob
from vanguard.meetings.tests.factories import education_campaign
from vanguard.opinions.models import Opinion
from vanguard.organization.models import Member
from vanguard.rectification.tests import factories as plan_factories

pytestmark = pytest.mark.django_db

SECRET_TEXT = "意见内容不归档甲乙丙"
SECRET_SOURCE = "提供意见的人丁戊"
SECRET_CONTACT = "tip-giver@example.com"


def _campaign_with_records(org, cast):
    """A1 with its three cast members and 孙强: 王小明 approved 优秀 (with a plan), 孙强
    approved 不合格 and handled (限期改正), 张丽 合格; opinions with their sources; a
    closed vote whose receipts must never be archived."""
    campaign = education_campaign(org.committee)
    sun = Member.objects.create(
        name="孙强",
        number="T0004",
        branch=org.branch_a1,
        category=Member.Category.FACULTY,
        standing=Member.Standing.FORMAL,
    )
    grading = BranchGrading.objects.create(
        campaign=campaign,
        branch=org.branch_a1,
        status=BranchGrading.Status.APPROVED,
        submitted_at=timezone.now(),
        decided_at=timezone.now(),
    )
    grades = {
        cast.member_record: Grade.EXCELLENT,
        cast.colleague_record: Grade.QUALIFIED,
        sun: Grade.UNQUALIFIED,
    }
    for member, grade in grades.items():
        proposal = GradeProposal.objects.create(
            grading=grading, member=member, grade=grade, rationale="群众评价"
        )
        if grade == Grade.UNQUALIFIED:
            UnqualifiedCase.objects.create(
                proposal=proposal,
                talk_on=datetime.date(2026, 6, 1),
                outcome=UnqualifiedCase.Outcome.RECTIFY,
                outcome_on=datetime.date(2026, 6, 20),
            )
    plan = plan_factories.member_plan(campaign, cast.member_record, summary="认真整改")
    plan_factories.item(plan, problem="理论学习不够系统", responsible=cast.member_record)
    for channel in (Opinion.Channel.EMAIL, Opinion.Channel.EMAIL, Opinion.Channel.TALK):
        plan_factories.opinion(
            campaign,
            org.branch_a1,
            about=cast.member_record,
            channel=channel,
            text=SECRET_TEXT,
            source=SECRET_SOURCE,
            contact=SECRET_CONTACT,
        )
    session = ballot_services.session_create(campaign=campaign, unit=org.branch_a1)
    ballot_services.session_open(session=session)
    cards = ballot_services.cards_issue(session=session, spares=0)
    ballot_factories.tick_all_present(session)
    for card in cards:
        ballot_services.vote_by_card(
            session=session,
            code=card.code,
            grades=ballot_factories.uniform_ballot(session, "qualified"),
        )
    ballot_services.session_close(session=session)
    receipts = [card.receipt for card in cards]
    return campaign, receipts


def _build(campaign) -> bytes:
    out = io.BytesIO()
    build.archive_build(campaign=campaign, out=out)
    return out.getvalue()


def _rows(archive: zipfile.ZipFile, name: str) -> list[list[str]]:
    raw = archive.read(f"data/{name}.csv")
    assert raw.startswith("\ufeff".encode()), name  # Excel reads UTF-8 by its BOM
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def _text_of(name: str, content: bytes) -> str:
    if name.endswith(".pdf"):
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    if name.endswith(".docx"):
        document = Document(io.BytesIO(content))
        cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    return content.decode("utf-8-sig")


def test_the_archive_holds_the_data_the_documents_and_the_personal_files(org, cast):
    campaign, _receipts = _campaign_with_records(org, cast)
    archive = zipfile.ZipFile(io.BytesIO(_build(campaign)))
    names = archive.namelist()

    for table in (
        "branches",
        "meetings",
        "study",
        "opinions",
        "reviews",
        "grades",
        "rectification_plans",
        "rectification_items",
    ):
        assert f"data/{table}.csv" in names
    grades = _rows(archive, "grades")
    assert grades[0][:4] == ["党支部", "姓名", "工号或学号", "审批等次"]
    assert ["王小明", "T0002", "优秀"] in [row[1:4] for row in grades]
    assert any(row[1] == "孙强" and row[3] == "不合格" and row[5] == "限期改正" for row in grades)
    opinions = _rows(archive, "opinions")
    header = opinions[0]
    a1 = next(row for row in opinions if row[0] == org.branch_a1.name)
    assert a1[header.index("电子信箱")] == "2" and a1[header.index("个人交谈")] == "1"
    assert a1[header.index("合计")] == "3"
    branches = {row[0]: row for row in _rows(archive, "branches")[1:]}
    assert branches[org.branch_a1.name][3] == "4"  # on the roll: 李书记, 王小明, 张丽, 孙强

    # Each branch's registration forms, among its three materials.
    a1_forms = [n for n in names if n.startswith("documents/") and "党员评议登记表" in n]
    assert any(org.branch_a1.name in n and n.endswith(".pdf") for n in a1_forms)

    # Personal files: 优秀 and the handled 不合格, not 合格.
    personal = [n for n in names if n.startswith("personal_files/")]
    assert any("T0002-王小明（优秀）/党员评议登记表.pdf" in n for n in personal)
    assert any("T0002-王小明（优秀）/党员整改计划及落实情况.pdf" in n for n in personal)
    assert any("T0004-孙强（不合格（限期改正））/党员评议登记表.pdf" in n for n in personal)
    assert not any("张丽" in n or "李书记" in n for n in personal)
    form = next(n for n in personal if "王小明" in n and "登记表" in n)
    assert "王小明" in _text_of(form, archive.read(form))

    readme = archive.read("README.txt").decode("utf-8-sig")
    assert "归入个人档案的材料" in readme and "优秀" in readme and "MANIFEST.csv" in readme


def test_nothing_of_a_ballot_a_voter_or_an_opinion_is_in_any_file(org, cast):
    campaign, receipts = _campaign_with_records(org, cast)
    archive = zipfile.ZipFile(io.BytesIO(_build(campaign)))
    secrets = [SECRET_TEXT, SECRET_SOURCE, SECRET_CONTACT, *receipts]
    read = 0
    for name in archive.namelist():
        content = archive.read(name)
        for secret in secrets:
            assert secret.encode() not in content, (name, secret)
        text = _text_of(name, content)
        read += 1
        for secret in secrets:
            assert secret not in text, (name, secret)
    assert read > 10


def test_the_manifest_lists_every_file_and_verify_catches_a_change(org, cast, tmp_path):
    campaign, _receipts = _campaign_with_records(org, cast)
    content = _build(campaign)
    archive = zipfile.ZipFile(io.BytesIO(content))
    manifest = list(csv.reader(io.StringIO(archive.read("MANIFEST.csv").decode("utf-8-sig"))))
    assert manifest[0] == ["path", "bytes", "sha256"]
    listed = {row[0]: row for row in manifest[1:]}
    assert set(listed) == set(archive.namelist()) - {"MANIFEST.csv"}
    for path, (_path, size, digest) in listed.items():
        data = archive.read(path)
        assert int(size) == len(data)
        assert hashlib.sha256(data).hexdigest() == digest

    good = tmp_path / "good.zip"
    good.write_bytes(content)
    assert build.archive_verify(str(good)).ok
    call_command("archive_verify", str(good), stdout=io.StringIO())

    # The same archive with one file changed and one added: both named.
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as out:
        for info in archive.infolist():
            data = archive.read(info)
            if info.filename == "data/grades.csv":
                data = data.replace("优秀".encode(), "合格".encode())
            out.writestr(info, data)
        out.writestr("extra.txt", b"not listed")
    result = build.archive_verify(str(bad))
    assert not result.ok
    assert any("data/grades.csv" in p and "SHA-256" in p for p in result.problems)
    assert any("extra.txt" in p for p in result.problems)
    with pytest.raises(CommandError):
        call_command("archive_verify", str(bad), stdout=io.StringIO(), stderr=io.StringIO())
    assert not build.archive_verify(str(tmp_path / "missing.zip")).ok


def test_the_command_writes_the_archive_and_refuses_to_overwrite(org, cast, tmp_path):
    campaign, _receipts = _campaign_with_records(org, cast)
    target = tmp_path / "archive.zip"
    output = io.StringIO()
    call_command("archive_campaign", campaign.pk, output=str(target), stdout=output)
    assert "files" in output.getvalue()
    assert build.archive_verify(str(target)).ok
    with pytest.raises(CommandError):
        call_command("archive_campaign", campaign.pk, output=str(target), stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("archive_campaign", 999999, output=str(tmp_path / "x.zip"))


def test_the_committee_builds_it_on_the_page_and_downloads_it(client, org, cast):
    campaign, _receipts = _campaign_with_records(org, cast)
    client.force_login(cast.committee_admin)
    home = client.get(reverse("materials:archive"))
    assert home.status_code == 200
    html = home.content.decode()
    assert "归入个人档案的材料" in html and campaign.name in html

    response = client.post(reverse("materials:archive_submit", args=[campaign.pk]))
    job = ArchiveJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("materials:archive_job", args=[job.pk])
    assert job.state == ArchiveJob.State.DONE  # inline without a worker
    assert job.summary["personal_files"] == 2
    page = client.get(reverse("materials:archive_job", args=[job.pk])).content.decode()
    assert reverse("materials:archive_download", args=[job.pk]) in page
    download = client.get(reverse("materials:archive_download", args=[job.pk]))
    assert download.status_code == 200
    content = b"".join(download.streaming_content)
    assert build.archive_verify(io.BytesIO(content)).ok

    # A branch secretary archives nothing; another committee admin's job is not theirs.
    client.force_login(cast.secretary)
    assert client.get(reverse("materials:archive")).status_code == 403
    assert client.get(reverse("materials:archive_job", args=[job.pk])).status_code == 404
    assert client.post(reverse("materials:archive_submit", args=[campaign.pk])).status_code == 403
