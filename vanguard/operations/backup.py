"""Backups and restores of a whole Vanguard site: the database and the uploaded files
(MEDIA_ROOT), in one tar archive with a manifest (README, "Backups"; the ballot's rule:
vanguard/ballots/README.md, "Backups").

An archive holds:

- `database.sqlite3` (SQLite's online backup API: one consistent copy, whatever sits in
  the write-ahead log, while the site keeps running) or `database.pgdump` (`pg_dump -Fc`
  inside the snapshot the counts were read in);
- `media/<path>` for every file under MEDIA_ROOT;
- `manifest.json`: when, the engine and its versions, the applied migrations, the rows
  of every table, the open votes, and the SHA-256 of every other part;
- `manifest.json.sha256`, so that a damaged manifest is told apart from a damaged part.

A restore reads the whole archive and checks every hash before it changes anything.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.ballots import services as ballot_services
from vanguard.ballots.models import AppraisalSession
from vanguard.campaigns import records

FORMAT = "vanguard-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MANIFEST_HASH = "manifest.json.sha256"
MEDIA_PREFIX = "media/"
DATABASE_PART = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
# Left in MEDIA_ROOT only by a restore that died half-way; never backed up.
STAGING_PREFIX = ".vanguard-restore-"
CHUNK = 1024 * 1024
# Rows that `migrate` (or `flush`) writes into an empty database by itself: a database
# holding only these holds no data of its own.
# What a bare `migrate` writes, and the records' version, which the database moves
# itself at every counted write (a delete of everything too).
BOOKKEEPING_TABLES = frozenset(
    {"django_migrations", "django_content_type", "auth_permission", records.TABLE}
)


def operator_language() -> str:
    """The language of the person at the terminal, as gettext reads it from the
    environment (LANGUAGE, LC_ALL, LC_MESSAGES, LANG): English for en_*, else the
    site's own (Chinese)."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "").split(":")[0].strip().lower()
        if value and value not in ("c", "posix") and not value.startswith("c."):
            return "en" if value.startswith("en") else settings.LANGUAGE_CODE
    return settings.LANGUAGE_CODE


class BackupError(Exception):
    """Refused, with a message for the operator (in their language)."""


class DamagedArchive(BackupError):
    """The archive does not match its manifest: nothing was changed."""


@dataclass
class BackupResult:
    path: Path
    manifest: dict[str, Any]

    @property
    def rows(self) -> int:
        return sum(self.manifest["counts"].values())


@dataclass
class RestoreResult:
    manifest: dict[str, Any]
    tables: int = 0
    rows: int = 0
    media_files: int = 0
    mismatches: dict[str, tuple[int, int]] = field(default_factory=dict)
    unapplied_migrations: int = 0


# --- what is in the database ------------------------------------------------------


def _quote(alias: str, name: str) -> str:
    return connections[alias].ops.quote_name(name)


def table_counts(alias: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Rows of every table, by name, read on the alias's connection. SQLite's own tables
    are not data: sqlite_stat1 holds the planner's statistics, which ANALYZE (after a
    demo build or a roster import) writes and a restored copy need not have."""
    connection = connections[alias]
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table.startswith("sqlite_"):
                continue
            cursor.execute(f"SELECT COUNT(*) FROM {_quote(alias, table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def _applied_migrations(cursor: Any) -> list[str]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [f"{app}.{name}" for app, name in cursor.fetchall()]


def _voting_window_sql() -> str:
    table = AppraisalSession._meta.db_table
    return (
        f"SELECT COUNT(*) FROM {table} WHERE status = '{AppraisalSession.Status.OPEN}' "  # noqa: S608
        f"OR (status = '{AppraisalSession.Status.CLOSED}' AND storage_scrubbed_at IS NULL)"
    )


def votes_in_window(alias: str = DEFAULT_DB_ALIAS) -> int:
    """Votes whose storage a copy taken now would reveal more of than after the close
    and its scrub: open votes, and closed votes whose storage scrub is still pending
    (ballots/README.md). A pending scrub is tried first; it never waits."""
    if ballot_services.scrub_pending().using(alias).exists():
        ballot_services.scrub_storage()
    with connections[alias].cursor() as cursor:
        cursor.execute(_voting_window_sql())
        return int(cursor.fetchone()[0])


def database_has_data(alias: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether any table holds rows beyond the bookkeeping a bare `migrate` writes."""
    return any(
        count for table, count in table_counts(alias).items() if table not in BOOKKEEPING_TABLES
    )


# --- files ---------------------------------------------------------------------


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _HashingReader(io.RawIOBase):
    """Hands tarfile a file's bytes and hashes exactly the bytes it took."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:  # type: ignore[override]
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _private_file(path: Path) -> int:
    """A new file only its owner may read (0600), whatever the umask."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)


def _inside(path: Path, folder: Path | str | None) -> bool:
    if not folder:
        return False
    folder = Path(folder).resolve()
    return path == folder or folder in path.parents


def check_output_folder(output: Path) -> Path:
    """The folder the archive goes to: never somewhere served or uploaded into."""
    output = output.expanduser().resolve()
    forbidden: list[Path | str | None] = [
        settings.MEDIA_ROOT,
        settings.STATIC_ROOT,
        Path(settings.BASE_DIR) / "static",
        *settings.STATICFILES_DIRS,
    ]
    for folder in forbidden:
        if _inside(output, folder):
            raise BackupError(
                _("不能把备份写入 %(folder)s：那里的文件会被上传或对外提供。请另选目录。")
                % {"folder": Path(folder or "").resolve()}
            )
    return output


def media_files() -> Iterator[tuple[str, Path]]:
    """(path inside MEDIA_ROOT, file) of every uploaded file, in a stable order."""
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return
    for folder, folders, files in os.walk(root):
        here = Path(folder)
        folders[:] = sorted(
            name
            for name in folders
            if not (here == root and name.startswith(STAGING_PREFIX))
            and not (here / name).is_symlink()
        )
        for name in sorted(files):
            path = here / name
            if path.is_file() and not path.is_symlink():
                yield path.relative_to(root).as_posix(), path


def _add_file(archive: tarfile.TarFile, name: str, path: Path) -> tuple[str, int]:
    """Add one file; its SHA-256 and size as written into the archive."""
    with path.open("rb") as handle:
        info = archive.gettarinfo(fileobj=handle, arcname=name)
        info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
        reader = _HashingReader(handle)
        archive.addfile(info, reader)  # type: ignore[arg-type]
    return reader.digest.hexdigest(), info.size


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


# --- PostgreSQL's client programs -------------------------------------------------


def _pg_program_version(program: str) -> tuple[str, int]:
    """('15.20', 15) from `pg_dump --version`."""
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(
            _("找不到 %(program)s：请安装与数据库服务器同一主版本的 PostgreSQL 客户端。")
            % {"program": program}
        )
    output = subprocess.run(  # noqa: S603
        [executable, "--version"], capture_output=True, text=True, check=True
    ).stdout
    found = re.search(r"(\d+)(?:\.(\d+))?", output)
    if not found:
        raise BackupError(_("无法读出 %(program)s 的版本。") % {"program": program})
    return found.group(0), int(found.group(1))


def _pg_command(program: str, settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """The program with the connection's host, port, user and database on its command
    line, and the password (and TLS settings) in its environment only: a command line
    is visible to every user of the machine."""
    from django.db.backends.postgresql.client import DatabaseClient

    _args, extra_env = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    options = settings_dict.get("OPTIONS", {})
    args = [program]
    if settings_dict.get("USER"):
        args += ["--username", settings_dict["USER"]]
    if settings_dict.get("HOST"):
        args += ["--host", settings_dict["HOST"]]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    args += ["--dbname", settings_dict.get("NAME") or options.get("service") or "postgres"]
    env = {**os.environ, **{k: v for k, v in (extra_env or {}).items() if v}}
    return args, env


def _pg_server_version(alias: str) -> tuple[str, int]:
    number = connections[alias].pg_version  # type: ignore[attr-defined]  # e.g. 150020
    major = number // 10000
    return f"{major}.{number % 10000}", major


def _run_pg(args: list[str], env: dict[str, str], **kwargs: Any) -> None:
    kwargs.setdefault("stdout", subprocess.DEVNULL)
    finished = subprocess.run(args, env=env, stderr=subprocess.PIPE, **kwargs)  # noqa: S603
    if finished.returncode != 0:
        message = (finished.stderr or b"").decode(errors="replace").strip()
        raise BackupError(
            _("%(program)s 失败（退出码 %(code)s）：%(message)s")
            % {"program": args[0], "code": finished.returncode, "message": message[-2000:]}
        )


# --- backup --------------------------------------------------------------------


def _refuse_voting_window(count: int) -> None:
    raise BackupError(
        _(
            "有 %(n)d 场投票正在进行（或已结束但存储清理尚未完成）。此时的备份含有封存的选票、"
            "投票卡的使用顺序和登录投票人的名单，须像在用的数据库一样保密，并在投票结束后销毁。"
            "请在投票结束、清理完成后再备份；确需现在备份，加 --during-open-vote。"
        )
        % {"n": count}
    )


def _dump_sqlite(alias: str, target: Path, *, during_open_vote: bool) -> dict[str, Any]:
    """Copy the live database with SQLite's online backup API (one consistent copy,
    what is still only in the write-ahead log included), then read the counts from the
    copy itself."""
    connection = connections[alias]
    connection.ensure_connection()
    os.close(_private_file(target))
    copy = sqlite3.connect(str(target))
    try:
        connection.connection.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        cursor = copy.cursor()
        window = int(cursor.execute(_voting_window_sql()).fetchone()[0])
        if window and not during_open_vote:
            _refuse_voting_window(window)
        tables = [
            row[0]
            for row in cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        counts = {
            table: cursor.execute(
                f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}"  # noqa: S608
            ).fetchone()[0]
            for table in tables
        }
        migrations = _applied_migrations(cursor)
    finally:
        copy.close()
    return {
        "database": {"engine": "sqlite", "sqlite_version": sqlite3.sqlite_version},
        "counts": counts,
        "migrations": migrations,
        "votes_in_window": window,
    }


def _dump_postgresql(alias: str, target: Path, *, during_open_vote: bool) -> dict[str, Any]:
    """`pg_dump -Fc` inside the snapshot the counts are read in, so that the manifest
    describes exactly the rows the dump holds, while the site keeps writing."""
    connection = connections[alias]
    connection.ensure_connection()
    dump_version, dump_major = _pg_program_version("pg_dump")
    server_version, server_major = _pg_server_version(alias)
    if dump_major < server_major:
        raise BackupError(
            _(
                "pg_dump %(dump)s 比数据库服务器 %(server)s 旧，无法备份：请安装 "
                "PostgreSQL %(major)d 或更新的客户端。"
            )
            % {"dump": dump_version, "server": server_version, "major": server_major}
        )
    args, env = _pg_command("pg_dump", connection.settings_dict)
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        cursor.execute(_voting_window_sql())
        window = int(cursor.fetchone()[0])
        if window and not during_open_vote:
            _refuse_voting_window(window)
        counts = table_counts(alias)
        migrations = _applied_migrations(cursor)
        descriptor = _private_file(target)
        try:
            _run_pg(
                [*args, "--format=custom", f"--snapshot={snapshot}", "--no-password"],
                env,
                stdout=descriptor,
            )
        finally:
            os.close(descriptor)
    return {
        "database": {
            "engine": "postgresql",
            "server_version": server_version,
            "pg_dump_version": dump_version,
        },
        "counts": counts,
        "migrations": migrations,
        "votes_in_window": window,
    }


def backup_create(
    *, output: Path, during_open_vote: bool = False, alias: str = DEFAULT_DB_ALIAS
) -> BackupResult:
    """Write one archive of the database and MEDIA_ROOT into `output` (made 0700 if
    missing; the archive 0600). Refused while a vote is open (or its scrub pending)
    unless `during_open_vote`: see ballots/README.md, "Backups"."""
    vendor = connections[alias].vendor
    if vendor not in DATABASE_PART:
        raise BackupError(_("不支持的数据库：%(vendor)s") % {"vendor": vendor})
    output = check_output_folder(output)
    window = votes_in_window(alias)
    if window and not during_open_vote:
        _refuse_voting_window(window)
    if connections[alias].in_atomic_block:
        # SQLite's backup would wait for this very transaction's lock for ever, and
        # pg_dump's snapshot must be the first thing its transaction does.
        raise BackupError(_("不能在事务中备份。"))
    output.mkdir(mode=0o700, parents=True, exist_ok=True)
    created = timezone.now().astimezone(datetime.UTC)
    stamp = created.strftime("%Y%m%dT%H%M%S%fZ")
    with tempfile.TemporaryDirectory(dir=output, prefix=".backup-") as work:
        part = DATABASE_PART[vendor]
        database_file = Path(work) / part
        dump = _dump_sqlite if vendor == "sqlite" else _dump_postgresql
        described = dump(alias, database_file, during_open_vote=during_open_vote)
        suffix = "-during-open-vote" if described["votes_in_window"] else ""
        path = output / f"vanguard-backup-{stamp}{suffix}.tar"
        partial = Path(work) / (path.name + ".partial")
        descriptor = _private_file(partial)
        with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w") as archive:
            digest, size = _add_file(archive, part, database_file)
            database_file.unlink()
            parts = {part: {"sha256": digest, "bytes": size}}
            media = []
            for relative, file in media_files():
                digest, size = _add_file(archive, MEDIA_PREFIX + relative, file)
                media.append({"path": relative, "sha256": digest, "bytes": size})
            manifest = {
                "format": FORMAT,
                "version": FORMAT_VERSION,
                "created_at": created.isoformat(),
                **described,
                "database": {**described["database"], "file": part, **parts[part]},
                "media": media,
            }
            body = json.dumps(manifest, indent=1, ensure_ascii=False, sort_keys=True).encode()
            _add_bytes(archive, MANIFEST, body)
            _add_bytes(archive, MANIFEST_HASH, hashlib.sha256(body).hexdigest().encode() + b"\n")
        os.replace(partial, path)
    return BackupResult(path=path, manifest=manifest)


# --- reading an archive --------------------------------------------------------


def _member_name_ok(name: str) -> bool:
    pure = PurePosixPath(name)
    return not pure.is_absolute() and ".." not in pure.parts and name == pure.as_posix()


def _hash_member(archive: tarfile.TarFile, member: tarfile.TarInfo, sink: IO[bytes] | None) -> str:
    digest = hashlib.sha256()
    source = archive.extractfile(member)
    if source is None:
        raise DamagedArchive(_("备份损坏：%(part)s 不是普通文件。") % {"part": member.name})
    for chunk in iter(lambda: source.read(CHUNK), b""):
        digest.update(chunk)
        if sink is not None:
            sink.write(chunk)
    return digest.hexdigest()


def _damaged(part: str) -> DamagedArchive:
    return DamagedArchive(
        _("备份已损坏：%(part)s 与清单中的校验和不符。未做任何更改。") % {"part": part}
    )


def _read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        body = archive.extractfile(MANIFEST).read()  # type: ignore[union-attr]
        recorded = archive.extractfile(MANIFEST_HASH).read().decode().strip()  # type: ignore[union-attr]
    except (KeyError, AttributeError, UnicodeDecodeError):
        raise DamagedArchive(
            _("这不是 Vanguard 的备份，或备份已损坏：缺少 %(part)s。未做任何更改。")
            % {"part": MANIFEST}
        ) from None
    if hashlib.sha256(body).hexdigest() != recorded:
        raise _damaged(MANIFEST)
    manifest = json.loads(body)
    if manifest.get("format") != FORMAT or manifest.get("version") != FORMAT_VERSION:
        raise BackupError(_("不认识的备份格式。未做任何更改。"))
    return manifest


def _expected_parts(manifest: dict[str, Any]) -> dict[str, str]:
    expected = {manifest["database"]["file"]: manifest["database"]["sha256"]}
    for item in manifest["media"]:
        expected[MEDIA_PREFIX + item["path"]] = item["sha256"]
    return expected


@contextlib.contextmanager
def _open_archive(path: Path) -> Iterator[tarfile.TarFile]:
    try:
        with tarfile.open(path, mode="r:") as archive:
            yield archive
    except FileNotFoundError:
        raise BackupError(_("找不到备份文件 %(path)s。") % {"path": path}) from None
    except (tarfile.TarError, EOFError, OSError) as error:
        raise DamagedArchive(
            _("备份已损坏（%(error)s），无法读取。未做任何更改。") % {"error": error}
        ) from None


def archive_verify(path: Path, *, extract_to: dict[str, Path] | None = None) -> dict[str, Any]:
    """Read every part of the archive against the manifest's hashes; its manifest.
    With `extract_to` ({part name: file}), also write those parts out while reading.
    Raises DamagedArchive naming the first part that does not match, or the part that
    is missing or not listed."""
    with _open_archive(path) as archive:
        manifest = _read_manifest(archive)
        expected = _expected_parts(manifest)
        seen: set[str] = set()
        for member in archive:
            name = member.name
            if name in (MANIFEST, MANIFEST_HASH):
                continue
            if name not in expected or not member.isfile() or not _member_name_ok(name):
                raise DamagedArchive(
                    _("备份已损坏：%(part)s 不在清单中。未做任何更改。") % {"part": name}
                )
            target = (extract_to or {}).get(name)
            if target is None:
                digest = _hash_member(archive, member, None)
            else:
                target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                with os.fdopen(_private_file(target), "wb") as sink:
                    digest = _hash_member(archive, member, sink)
            if digest != expected[name]:
                raise _damaged(name)
            seen.add(name)
        missing = sorted(set(expected) - seen)
        if missing:
            raise DamagedArchive(
                _("备份不完整：缺少 %(part)s。未做任何更改。") % {"part": missing[0]}
            )
    return manifest


# --- restore -------------------------------------------------------------------


def _restore_sqlite(alias: str, source: Path) -> None:
    """Copy the archived database into the live one with the backup API: it takes the
    live database's write lock (waiting, as any writer does, for the one in progress),
    replaces every page in one step and commits; readers in other processes see the
    old database until then, and the restored one after."""
    connection = connections[alias]
    connection.ensure_connection()
    origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        if origin.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise _damaged(source.name)
        origin.backup(connection.connection, pages=-1, sleep=0.05)
    finally:
        origin.close()
    with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
        # Fold the restored pages into the file now, without waiting on readers: a
        # waiting checkpoint would hold up every writer of the site (ballots/README.md).
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")


def _restore_postgresql(alias: str, manifest: dict[str, Any], source: Path) -> None:
    connection = connections[alias]
    restore_version, restore_major = _pg_program_version("pg_restore")
    dumped = manifest["database"].get("pg_dump_version", "0")
    if restore_major < int(dumped.split(".")[0]):
        raise BackupError(
            _("pg_restore %(restore)s 读不了 pg_dump %(dump)s 写的备份：请安装更新的客户端。")
            % {"restore": restore_version, "dump": dumped}
        )
    args, env = _pg_command("pg_restore", connection.settings_dict)
    connections[alias].close()  # hold no lock the restore's DROPs would wait for
    _run_pg(
        [
            *args,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            str(source),
        ],
        env,
    )


def _stage_name() -> str:
    return STAGING_PREFIX + timezone.now().strftime("%Y%m%dT%H%M%S%f")


def _swap_media(root: Path, staging: Path) -> None:
    """Make MEDIA_ROOT hold exactly the staged files: renames inside one folder (one
    file system), after the database restore has committed."""
    for entry in list(root.iterdir()):
        if entry == staging or entry.name.startswith(STAGING_PREFIX):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    for entry in list(staging.iterdir()):
        entry.rename(root / entry.name)
    staging.rmdir()


def restore(
    *, archive: Path, replace: bool = False, alias: str = DEFAULT_DB_ALIAS
) -> RestoreResult:
    """Check the whole archive, then replace the database and MEDIA_ROOT with it and
    compare every table's rows with the manifest. Refused, changing nothing, when the
    archive is damaged, comes from another engine, or (without `replace`) when the
    database already holds data."""
    archive = Path(archive)
    vendor = connections[alias].vendor
    manifest = archive_verify(archive)
    engine = manifest["database"]["engine"]
    if engine != vendor:
        raise BackupError(
            _("这个备份来自 %(engine)s 数据库，当前数据库是 %(vendor)s：不能直接恢复。")
            % {"engine": engine, "vendor": vendor}
        )
    if not replace and database_has_data(alias):
        raise BackupError(
            _("数据库中已有数据。恢复会用备份替换全部数据和上传的文件；确认请加 --yes。")
        )
    # What the cache's kept pages and progress were last keyed under (campaigns.records).
    counted_before = records.version_if_installed(alias)
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    staging = root / _stage_name()
    staging.mkdir(mode=0o700)
    try:
        with tempfile.TemporaryDirectory(prefix="vanguard-restore-") as work:
            part = manifest["database"]["file"]
            database_file = Path(work) / part
            targets = {part: database_file}
            for item in manifest["media"]:
                targets[MEDIA_PREFIX + item["path"]] = staging / item["path"]
            archive_verify(archive, extract_to=targets)  # the bytes actually restored
            if vendor == "sqlite":
                _restore_sqlite(alias, database_file)
            else:
                _restore_postgresql(alias, manifest, database_file)
        _swap_media(root, staging)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    ContentType.objects.clear_cache()  # the restored rows may number them differently
    # The restored version is the backup's: move it past every number used before, so
    # that nothing kept in the cache under one of them is served for the restored data.
    records.move_past(counted_before, using=alias)
    counts = table_counts(alias)
    result = RestoreResult(manifest=manifest, media_files=len(manifest["media"]))
    for table, expected in manifest["counts"].items():
        found = counts.get(table, -1)
        if found != expected:
            result.mismatches[table] = (expected, found)
    result.tables = len(manifest["counts"])
    result.rows = sum(counts.get(table, 0) for table in manifest["counts"])
    executor = MigrationExecutor(connections[alias])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    result.unapplied_migrations = len(plan)
    return result
