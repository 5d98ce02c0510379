"""The migrated test database, kept between runs (conftest.django_db_setup, SQLite only).

Every test run, and every xdist worker of it, migrated an empty in-memory database
through the project's 93 migrations: 14 seconds before the first test, even for one
test module. Here the first worker to migrate copies the result (SQLite's backup API)
to a file under var/test-database/, named by a hash of everything the migrations
make the database from; later workers and runs load that file into their in-memory
database instead of migrating.

The hash covers the migration files of every installed app (Django's and the
third parties' too; of an app without migrations, its models), every project module a
migration imports (the audit triggers' SQL, the models whose callables a migration
names), the installed apps in order, what runs after every migrate (the records'
version triggers: campaigns/records.py and the tables it counts), and the versions of
Django and SQLite: any change to them names another file, which is made afresh. A
loaded copy is checked against the migrations on disk (none may be unapplied) before
it is used; otherwise the worker migrates as before. `--create-db` migrates afresh.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import importlib.util
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings

CACHE_DIR = Path(settings.BASE_DIR) / "var" / "test-database"
PROJECT_PACKAGES = ("vanguard", "config")


def applies(connection) -> bool:
    """Only the in-memory SQLite database the suite tests on is cached."""
    return connection.vendor == "sqlite" and connection.creation.is_in_memory_db(
        connection.creation._get_test_db_name()
    )


def _migration_files() -> list[Path]:
    """Every app's migrations; for an app without them that has models (tables made
    from the models by run_syncdb), its models module."""
    files: list[Path] = []
    for config in apps.get_app_configs():
        folder = Path(config.path) / "migrations"
        if folder.is_dir():
            files += sorted(folder.glob("*.py"))
        elif config.models_module is not None and any(config.get_models()):
            files.append(Path(str(config.models_module.__file__)))
    return files


def _project_imports(path: Path) -> set[str]:
    """The project modules a file imports (by name)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_bytes())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {n for n in names if n.split(".")[0] in PROJECT_PACKAGES}


def _module_file(name: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return None
    return Path(spec.origin)


def cache_key() -> str:
    """A hash of what the migrated database is made from (see the module's docstring).
    The project modules a migration imports are followed through their own project
    imports, so that SQL they take from elsewhere counts too."""
    digest = hashlib.sha256()
    digest.update(f"django {django.get_version()} sqlite {sqlite3.sqlite_version}\n".encode())
    digest.update(("\n".join(settings.INSTALLED_APPS) + "\n").encode())
    files = _migration_files()
    seen: set[Path] = set(files)
    queue = list(files)
    while queue:
        for name in sorted(_project_imports(queue.pop())):
            found = _module_file(name)
            if found is not None and found not in seen:
                seen.add(found)
                queue.append(found)
    for path in sorted(seen):
        digest.update(f"{path}\n".encode())
        digest.update(path.read_bytes())
    # What every migrate does after the migrations: the records' version and the
    # triggers of the counted tables (campaigns.apps, campaigns.records).
    from vanguard.campaigns import records

    digest.update(Path(str(records.__file__)).read_bytes())
    digest.update(("\n".join(records.counted_tables()) + "\n").encode())
    return digest.hexdigest()[:24]


def cached_file(key: str) -> Path:
    return CACHE_DIR / f"migrated-{key}.sqlite3"


def load(connection, path: Path) -> bool:
    """Replace the test database's whole contents with the cached copy; whether it
    holds every migration on disk (False: the caller migrates instead)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.migrations.executor import MigrationExecutor

    connection.ensure_connection()
    with contextlib.closing(sqlite3.connect(path)) as source:
        source.backup(connection.connection)
    # The tables made from the models a moment ago got their content types from
    # post_migrate, and the manager cached them: the copy's rows are the ones to use.
    ContentType.objects.clear_cache()
    executor = MigrationExecutor(connection)
    return not executor.migration_plan(executor.loader.graph.leaf_nodes())


def save(connection, key: str) -> None:
    """Copy the freshly migrated test database to the cache, written whole under
    another name first, so that another worker never reads half a file; older copies
    are removed."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    target = cached_file(key)
    partial = target.with_suffix(f".{os.getpid()}.partial")
    with contextlib.closing(sqlite3.connect(partial)) as copy:
        connection.connection.backup(copy)
    partial.replace(target)
    for old in CACHE_DIR.glob("migrated-*.sqlite3"):
        if old != target:
            with contextlib.suppress(FileNotFoundError):
                old.unlink()


@contextlib.contextmanager
def without_migrations(connection) -> Iterator[None]:
    """Within the block, creating the test database runs no migration (Django makes the
    tables from the models instead, quickly, and load() replaces them all)."""
    test = connection.settings_dict.setdefault("TEST", {})
    had, before = "MIGRATE" in test, test.get("MIGRATE")
    test["MIGRATE"] = False
    try:
        yield
    finally:
        if had:
            test["MIGRATE"] = before
        else:
            del test["MIGRATE"]
