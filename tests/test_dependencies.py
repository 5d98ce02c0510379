"""The Python packages a server runs are the locked ones, and only those.

requirements/*.lock pin every package with the hashes of its files (`make lock` compiles
them from pyproject.toml with uv; the Makefile installs from them with
`pip --require-hashes`). These tests read the locks back: each pins every package with
a hash, agrees with what pyproject.toml asks for (else `make lock` was forgotten), and the
server's lock holds neither the demo's Faker nor a test tool. Then production starts and
imports every module of the app with every dev-only package made unimportable, as on a
server installed from requirements/base.lock.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements"
LOCKS = ("base", "demo", "dev")
# What each lock is compiled from: pyproject's dependencies, its other extras (a server's
# options: in every lock) and these.
EXTRAS = {"base": (), "demo": ("demo",), "dev": ("demo", "dev")}
# Never on a server: the demo's data, the test runners, the checkers, the lock tool.
DEV_ONLY = {"faker", "pytest", "pytest-django", "playwright", "schemathesis", "ruff", "mypy", "uv"}

# Python 3.11 on Debian x86_64: the machine, CI and the servers.
SERVER = default_environment() | {
    "python_version": "3.11",
    "python_full_version": "3.11.0",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "x86_64",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "os_name": "posix",
}

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def read_lock(name: str) -> dict[str, tuple[str, int]]:
    """{package: (version, number of hashes)} for the entries a server installs."""
    pins: dict[str, tuple[str, int]] = {}
    current: str | None = None
    for line in (REQUIREMENTS / f"{name}.lock").read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("--hash=sha256:"):
            assert current is not None, f"{name}.lock: a hash outside an entry: {line}"
            if current in pins:
                version, hashes = pins[current]
                pins[current] = (version, hashes + 1)
            continue
        match = PIN.match(stripped)
        assert match, f"{name}.lock: not an exact pin with hashes: {line!r}"
        package, version, marker = match.groups()
        current = canonicalize_name(package)
        if marker and not Requirement(f"x; {marker}").marker.evaluate(SERVER):  # type: ignore[union-attr]
            current = f"(skipped) {current}"
            continue
        assert current not in pins, f"{name}.lock pins {package} twice for the server"
        pins[current] = (version, 0)
    return pins


def wanted(lock: str) -> list[Requirement]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = list(pyproject["dependencies"])
    extras = pyproject.get("optional-dependencies", {})
    for extra, requirements in extras.items():
        if extra in EXTRAS[lock] or extra not in {"demo", "dev"}:
            lines += requirements
    build_in = (REQUIREMENTS / "build.in").read_text().splitlines()
    lines += [line for line in build_in if line.strip() and not line.startswith("#")]
    requirements = [Requirement(line) for line in lines]
    return [r for r in requirements if canonicalize_name(r.name) != "vanguard"]


@pytest.mark.parametrize("lock", LOCKS)
def test_lock_pins_every_package_with_its_hashes(lock):
    pins = read_lock(lock)
    assert len(pins) > 40
    unhashed = sorted(package for package, (_version, hashes) in pins.items() if hashes == 0)
    assert not unhashed, f"{lock}.lock has entries without a hash: {unhashed}"


@pytest.mark.parametrize("lock", LOCKS)
def test_lock_holds_what_pyproject_asks_for(lock):
    pins = read_lock(lock)
    stale = []
    for requirement in wanted(lock):
        if requirement.marker and not requirement.marker.evaluate(SERVER):
            continue
        pinned = pins.get(canonicalize_name(requirement.name))
        if pinned is None or not requirement.specifier.contains(pinned[0], prereleases=True):
            stale.append(f"{requirement} (locked: {pinned[0] if pinned else 'nothing'})")
    assert not stale, f"requirements/{lock}.lock is older than pyproject.toml (make lock): {stale}"


def test_server_lock_has_no_demo_or_test_packages_and_the_tests_run_its_versions():
    base, demo, dev = (read_lock(lock) for lock in LOCKS)
    assert not DEV_ONLY & base.keys()
    assert "faker" in demo and "faker" in dev
    assert not (DEV_ONLY - {"faker"}) & demo.keys()
    assert dev.keys() >= DEV_ONLY
    # The demo's and the tests' environments are the server's plus their own packages,
    # at the very same versions: what passes the tests is what a server runs.
    for name, lock in (("demo", demo), ("dev", dev)):
        versions = {package: version for package, (version, _hashes) in lock.items()}
        differ = {
            package: (version, versions.get(package, "missing"))
            for package, (version, _hashes) in base.items()
            if versions.get(package) != version
        }
        assert not differ, f"{name}.lock disagrees with base.lock: {differ}"


# Run in a fresh interpreter: production settings, every dev-only top-level module made
# unimportable (as on a server, where they are not installed), then what a server
# imports (the WSGI application, the URLs with every view) and every other module of the
# app and its configuration, tests excepted.
IMPORT_EVERYTHING = textwrap.dedent(
    """
    import importlib, importlib.abc, importlib.metadata, json, pkgutil, sys

    blocked = set(json.loads(sys.argv[1]))
    dists_of = importlib.metadata.packages_distributions()
    hidden = {
        module for module, dists in dists_of.items()
        if dists and all(d.lower().replace("_", "-") in blocked for d in dists)
    }

    class NotInstalled(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in hidden:
                raise ModuleNotFoundError(f"No module named {name!r} (dev-only)", name=name)
            return None

    sys.meta_path.insert(0, NotInstalled())

    from config.wsgi import application  # django.setup(), as gunicorn does
    from django.conf import settings
    from django.urls import get_resolver

    get_resolver().url_patterns  # imports every view
    import config, vanguard
    names = []
    for package in (config, vanguard):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            parts = info.name.split(".")
            if "tests" in parts or parts[-1].startswith("test_") or parts[-1] == "conftest":
                continue
            if info.name.startswith("config.settings_"):
                continue  # other settings modules: the test suite's
            importlib.import_module(info.name)
            names.append(info.name)
    loaded = sorted({m.partition(".")[0] for m in sys.modules} & hidden)
    print(json.dumps({"modules": len(names), "loaded": loaded, "hidden": sorted(hidden)}))

    from vanguard.demo.common import DemoError, new_faker
    try:
        new_faker()
    except DemoError as error:
        print("demo:", error)
    """
)


def test_production_starts_and_imports_every_module_without_faker_or_test_tools():
    base = read_lock("base")
    dev_only = sorted(set(read_lock("dev")) - set(base))
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"VANGUARD_DEVELOPMENT", "VANGUARD_DEBUG", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        VANGUARD_SECRET_KEY="dependencies-test-" + "k" * 40,
        VANGUARD_ALLOWED_HOSTS="vanguard.example.edu.cn",
        LANGUAGE="C",
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", IMPORT_EVERYTHING, json.dumps(dev_only)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    first, _, rest = result.stdout.partition("\n")
    report = json.loads(first)
    assert {"faker", "pytest", "playwright", "schemathesis"} <= set(report["hidden"])
    assert report["modules"] > 300  # every module of the app was imported
    assert report["loaded"] == [], f"production imports dev-only packages: {report['loaded']}"
    # Building the demo on a server says what is missing, in Chinese.
    assert "demo: " in rest and "make demo" in rest and "Faker" in rest


from tests.test_make_targets import make_dry_run, needs_make  # noqa: E402


@needs_make
def test_make_installs_from_the_locks_with_hashes():
    # -W: as if the lock had just changed, so that its install step is printed.
    server = make_dry_run("-W", "requirements/base.lock", ".venv/.installed")
    assert "--require-hashes --only-binary=:all: -r requirements/base.lock" in server
    assert "--no-deps --no-build-isolation -e ." in server
    assert "dev.lock" not in server and "demo.lock" not in server
    dev = make_dry_run("-W", "requirements/dev.lock", ".venv/.installed-dev")
    assert "--require-hashes --only-binary=:all: -r requirements/dev.lock" in dev
    demo = make_dry_run("-W", "requirements/demo.lock", "demo")
    assert "-r requirements/demo.lock" in demo and "build_demo" in demo


@needs_make
def test_make_lock_refreshes_the_three_locks_and_upgrades_one_package_on_request():
    plain = make_dry_run("lock")
    for lock in LOCKS:
        assert f"-o requirements/{lock}.lock" in plain
    assert "--generate-hashes" in plain and "--upgrade" not in plain
    one = make_dry_run("lock", "UPGRADE=django")
    assert one.count("--upgrade-package django") == 1  # dev.lock; the others follow it
    assert "--upgrade " not in one
    assert "--upgrade " in make_dry_run("lock", "UPGRADE=all") + " "
