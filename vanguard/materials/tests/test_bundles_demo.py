"""The demo's bundles (材料包): the demo secretary downloads their branch's three
materials and they hold what the branch did — every member's registration form with
their name, every meeting of the branch in the book; the general-branch secretary's
bundle holds a folder for each of 光电系's branches and nothing of the others."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client
from pypdf import PdfReader

from vanguard.accounts.models import User
from vanguard.campaigns.models import Campaign
from vanguard.demo.campaigns import CAMPAIGN_NAME
from vanguard.demo.common import DEMO_BRANCH
from vanguard.demo.tests.kept_demo import kept_demo
from vanguard.materials.bundles.models import BundleJob
from vanguard.meetings.models import Meeting
from vanguard.organization.models import Member, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_of_the_module(django_db_setup, django_db_blocker):
    with kept_demo(django_db_blocker):
        yield Campaign.objects.get(name=CAMPAIGN_NAME).pk


@pytest.fixture
def demo(demo_of_the_module, db):
    return Campaign.objects.get(pk=demo_of_the_module)


def _download(username: str, campaign: Campaign, unit: Unit) -> zipfile.ZipFile:
    client = Client()
    client.force_login(User.objects.get(username=username))
    response = client.post("/materials/bundles/", {"campaign": campaign.pk, "unit": unit.pk})
    assert response.status_code == 302, response.content.decode()[:500]
    job = BundleJob.objects.filter(created_by__username=username).latest("pk")
    assert job.state == BundleJob.State.DONE, job.error
    download = client.get(f"/materials/bundles/jobs/{job.pk}/download/")
    assert download.status_code == 200
    return zipfile.ZipFile(io.BytesIO(download.getvalue()))


def _pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def test_the_demo_secretary_downloads_what_the_branch_did(demo):
    branch = Unit.objects.get(name=DEMO_BRANCH)
    archive = _download("secretary", demo, branch)
    names = archive.namelist()

    members = list(Member.objects.filter(branch=branch, is_active=True))
    forms = [
        n for n in names if n.startswith(f"{DEMO_BRANCH}/党员评议登记表/") and n.endswith("docx")
    ]
    assert sorted(forms) == sorted(
        f"{DEMO_BRANCH}/党员评议登记表/{m.number}-{m.name}.docx" for m in members
    )
    whole = _pdf_text(archive.read(f"{DEMO_BRANCH}/党员评议登记表/党员评议登记表（全支部）.pdf"))
    assert all(m.name in whole for m in members)

    book = _pdf_text(archive.read(f"{DEMO_BRANCH}/支部大会记录本.pdf")).replace("\n", "")
    readme = archive.read(f"{DEMO_BRANCH}/README.txt").decode("utf-8-sig")
    held = Meeting.objects.filter(campaign=demo, unit=branch)
    for meeting in held:
        assert meeting.title in book, meeting.title
    if not held.filter(kind=Meeting.Kind.MOBILISATION).exists():
        assert "支部大会记录本：尚未召开支部动员会。" in readme
    assert f"全支部 {len(members)} 人" in readme
    assert archive.testzip() is None


def test_the_general_branch_secretary_bundles_their_branches(demo):
    general_branch = Unit.objects.get(name="光电系党总支")
    archive = _download("gbsecretary", demo, general_branch)
    folders = {n.split("/")[1] for n in archive.namelist() if n.count("/") >= 2}
    expected = set(
        Unit.objects.filter(
            kind=Unit.Kind.BRANCH, is_active=True, path__startswith=general_branch.path
        ).values_list("name", flat=True)
    )
    assert folders == expected
    readme = archive.read("光电系党总支/README.txt").decode("utf-8-sig")
    assert f"共 {len(expected)} 个支部" in readme
    # A branch that held its meetings finds each of them in its book.
    held = Meeting.objects.filter(
        campaign=demo, unit__kind=Unit.Kind.BRANCH, unit__path__startswith=general_branch.path
    )
    branch = held.order_by("unit__path").first().unit
    book = _pdf_text(archive.read(f"光电系党总支/{branch.name}/支部大会记录本.pdf"))
    for meeting in held.filter(unit=branch):
        assert meeting.title in book.replace("\n", ""), meeting.title
