"""The README's commands do what it says: `make demo PORT=…` serves on that port,
`make test` passes PYTEST_ARGS to pytest, the CI script is runnable, and a
production deployment can collect its static files (the vendored assets included)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def make_dry_run(*args: str) -> str:
    result = subprocess.run(  # noqa: S603
        ["make", "--no-print-directory", "-n", *args],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


@needs_make
def test_make_demo_serves_on_the_port_given():
    assert "runserver 127.0.0.1:8000" in make_dry_run("demo")
    assert "runserver 127.0.0.1:8123" in make_dry_run("demo", "PORT=8123")


@needs_make
def test_make_test_passes_pytest_args_through():
    out = make_dry_run("test", "PYTEST_ARGS=-x -k login")
    assert "-m pytest -n auto -x -k login" in out  # one test process per CPU
    out = make_dry_run("test", "TEST_WORKERS=0", "PYTEST_ARGS=-x")
    assert "-m pytest -n 0 -x" in out


def test_ci_script_is_executable_bash():
    script = ROOT / ".ci" / "run"
    assert os.access(script, os.X_OK)
    subprocess.run(["bash", "-n", str(script)], check=True, timeout=30)  # noqa: S603, S607


@pytest.mark.slow
def test_production_settings_collect_static_files_including_vendored_assets(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"VANGUARD_DEVELOPMENT", "VANGUARD_DEBUG", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        VANGUARD_SECRET_KEY="collectstatic-test-" + "k" * 40,
        VANGUARD_ALLOWED_HOSTS="vanguard.example.edu.cn",
        VANGUARD_STATIC_ROOT=str(tmp_path),
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    # The manifest storage names files by content hash; the vendored assets are there.
    collected = {path.name.split(".")[0] for path in (tmp_path / "vendor").iterdir()}
    assert {"htmx", "pico", "chart"} <= collected
    assert (tmp_path / "staticfiles.json").exists()
