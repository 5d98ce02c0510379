"""The migrated test database kept between runs (tests/database_cache.py): named by
what it is made from, and loaded only when it holds every migration on disk."""

from __future__ import annotations

from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests import database_cache


def test_the_name_changes_with_any_migration_and_what_it_imports(tmp_path, monkeypatch):
    migration = tmp_path / "0001_initial.py"
    migration.write_text("from vanguard.audit import triggers\n")
    monkeypatch.setattr(database_cache, "_migration_files", lambda: [migration])
    first = database_cache.cache_key()
    assert database_cache.cache_key() == first

    migration.write_text("from vanguard.audit import triggers\n# changed\n")
    assert database_cache.cache_key() != first

    # The triggers' SQL is part of what the migration makes: a change to it is one too.
    imported = database_cache._module_file("vanguard.audit.triggers")
    assert imported is not None
    with_triggers = database_cache.cache_key()
    real_read = type(imported).read_bytes
    monkeypatch.setattr(
        type(imported),
        "read_bytes",
        lambda path: real_read(path) + (b"# changed" if path == imported else b""),
    )
    assert database_cache.cache_key() != with_triggers


def test_the_test_database_holds_every_migration_and_the_audit_triggers(db):
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger'")
            assert cursor.fetchone()[0] > 0


def test_the_content_types_django_remembers_are_the_rows_of_the_database(db):
    # Loading the copy replaced the rows post_migrate had just made: the manager's
    # remembered content types must be the copy's, or permissions would name others.
    from django.contrib.contenttypes.models import ContentType

    for model in apps.get_models():
        remembered = ContentType.objects.get_for_model(model)
        stored = ContentType.objects.filter(
            app_label=model._meta.app_label, model=model._meta.model_name
        ).values_list("pk", flat=True)
        assert list(stored) == [remembered.pk], model
