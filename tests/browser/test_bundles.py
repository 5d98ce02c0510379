"""Bundles (材料包) in a real browser, on a phone: the branch secretary asks for their
branch's three materials and is shown the finished job with its download link (the
task runs inline without a worker); a job still running shows its progress bar, which
htmx refreshes every second until the bundle is done and the download link appears —
no inline script (strict CSP), nothing wider than the phone."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import Page, ViewportSize, expect

from conftest import PASSWORD
from vanguard.materials.bundles.models import BundleJob
from vanguard.meetings.tests.factories import education_campaign

PHONE: ViewportSize = {"width": 390, "height": 844}
SHOTS = Path("/tmp/vanguard-shots")


def log_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{live_server.url}/")


def fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_secretary_bundles_the_branch_and_watches_a_running_job_finish(
    page: Page, live_server, org, cast
):
    campaign = education_campaign(org.committee)
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            csp_errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.set_viewport_size(PHONE)
    log_in(page, live_server, cast.secretary.username)

    page.goto(f"{live_server.url}/materials/bundles/")
    expect(page.get_by_role("heading", name="支部三份材料打包下载")).to_be_visible()
    expect(page.get_by_label("材料包范围")).to_have_value(str(org.branch_a1.pk))
    fits(page)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "bundle-home-390.png"), full_page=True)
    page.get_by_role("button", name="生成材料包").click()
    expect(page.get_by_role("heading", name="材料包：光学工程教工第一党支部")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("已完成")
    expect(page.locator(".bundle-missing")).to_contain_text("支部阶段工作小结：尚未起草。")
    with page.expect_download() as download:
        page.get_by_role("button", name="下载材料包（.zip）").click()
    assert download.value.suggested_filename.startswith("光学工程教工第一党支部-三份材料-")
    names = zipfile.ZipFile(download.value.path()).namelist()
    assert "光学工程教工第一党支部/党员评议登记表/T0002-王小明.docx" in names
    fits(page)
    page.screenshot(path=str(SHOTS / "bundle-done-390.png"), full_page=True)

    # A job a worker is still building: the bar shows how far it is, and follows it.
    running = BundleJob.objects.create(
        created_by=cast.secretary,
        campaign=campaign,
        unit=org.branch_a1,
        kind=BundleJob.Kind.BRANCH,
        state=BundleJob.State.RUNNING,
        done=1,
        total=3,
    )
    page.goto(f"{live_server.url}/materials/bundles/jobs/{running.pk}/")
    bar = page.locator("#bundle-job-progress progress")
    expect(bar).to_have_attribute("value", "1")
    expect(page.get_by_role("status")).to_contain_text("已完成 1 / 3 项")
    fits(page)
    page.screenshot(path=str(SHOTS / "bundle-running-390.png"), full_page=True)
    BundleJob.objects.filter(pk=running.pk).update(done=2)
    expect(bar).to_have_attribute("value", "2")

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("光学工程教工第一党支部/README.txt", "三份材料")
    running.file.save("bundle.zip", ContentFile(buffer.getvalue()), save=False)
    BundleJob.objects.filter(pk=running.pk).update(
        state=BundleJob.State.DONE,
        done=3,
        file=running.file.name,
        file_name="光学工程教工第一党支部-三份材料.zip",
        summary={"branches": 1, "forms": 3, "missing": [], "seconds": {"total": 2.0}},
        finished_at=timezone.now(),
    )
    expect(page.get_by_role("button", name="下载材料包（.zip）")).to_be_visible()
    expect(page.get_by_text("三份材料齐全。")).to_be_visible()
    fits(page)
    assert not csp_errors
