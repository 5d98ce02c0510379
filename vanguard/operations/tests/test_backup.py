"""The backup drill (issue 18): back up a site with a closed vote, an opinion and an
uploaded file, destroy it (flush the database, delete the uploads), restore it, and find
every table's rows, a sample of rows and the files' bytes as they were. On SQLite (the
online backup API) and on PostgreSQL (pg_dump / pg_restore), as CI runs the suite on
both. Transactional tests: pg_dump, another process, sees only committed rows."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import tarfile
import threading
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from conftest import build_cast, build_org
from vanguard.audit import triggers
from vanguard.ballots import services as ballots
from vanguard.ballots.models import AppraisalSession, Ballot, RollEntry, VotingCard
from vanguard.ballots.tests import factories as ballot_factories
from vanguard.campaigns import records
from vanguard.operations import backup
from vanguard.opinions.intake.services import Box, box_submit
from vanguard.opinions.models import Opinion
from vanguard.organization.models import Member
from vanguard.study.models import StudyWork
from vanguard.study.tests.factories import PDF_BYTES, make_campaign, make_work, pdf

transactional = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _chinese_terminal(monkeypatch):
    """The commands speak the terminal's language: these tests read the Chinese."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")


def _site_with_a_closed_vote() -> dict:
    """A college with a cast, a closed vote with five ballots (card and logged-in), an
    opinion from the suggestion box and a study work with an uploaded PDF."""
    org = build_org()
    cast = build_cast(org)
    unit, members = ballot_factories.branch(formal=4, probationary=1)
    session = ballot_factories.session_for(unit)
    ballots.session_open(session=session)
    cards = ballots.cards_issue(session=session, spares=1)
    ballot_factories.tick_all_present(session)
    for n, card in enumerate(cards[:5]):
        ballots.vote_by_card(
            session=session, code=card.code, grades=ballot_factories.ballot_for(session, n)
        )
    ballots.session_close(session=session)
    # The scrub's own tests cover it; here a scrub left pending by another test
    # process's open transaction (PostgreSQL) must not stop the backup.
    AppraisalSession.objects.filter(storage_scrubbed_at=None).update(
        storage_scrubbed_at=timezone.now()
    )
    box_submit(
        box=Box(campaign=make_campaign(org), branch=org.branch_a1),
        about="branch",
        text="希望支部的学习多联系实际。",
    )
    work = make_work(org, cast.member_record, upload=pdf())
    return {"work_file": work.attachment.name}


def _sample() -> dict:
    """Rows a person would miss: ballots, the vote's roll and cards, opinions, members,
    study works."""
    return {
        "ballots": sorted(
            json.dumps([b.session_id, b.grades], sort_keys=True) for b in Ballot.objects.all()
        ),
        "roll": sorted(RollEntry.objects.values_list("session_id", "member_id", "present")),
        "cards": sorted(VotingCard.objects.values_list("code_hash", "used", "void")),
        "opinions": sorted(Opinion.objects.values_list("pk", "text", "channel", "branch_id")),
        "members": sorted(Member.objects.values_list("pk", "number", "name", "branch_id")),
        "works": sorted(StudyWork.objects.values_list("pk", "title", "attachment")),
    }


def _media() -> dict[str, bytes]:
    root = Path(settings.MEDIA_ROOT)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _backup(output: Path, *extra: str) -> tuple[Path, str, str]:
    out, err = StringIO(), StringIO()
    call_command("backup", "--output", str(output), *extra, stdout=out, stderr=err)
    archives = sorted(output.glob("*.tar"))
    assert len(archives) == 1
    return archives[0], out.getvalue(), err.getvalue()


def _restore(archive: Path, *extra: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("restore", str(archive), *extra, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _destroy() -> None:
    """Every row of every table deleted (what `flush` does, without rewriting each
    table's files: TRUNCATE of every table cost PostgreSQL 5 s here), the uploads gone."""
    triggers.remove(connection)  # the audit trail refuses deletes, as it should
    with transaction.atomic(), connection.cursor() as cursor:  # foreign keys: checked at commit
        for table, count in backup.table_counts().items():
            # The records' version is no model's table: flush leaves it, and it counts
            # the deletes here as it counts any write.
            if count and table != records.TABLE:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608
    shutil.rmtree(settings.MEDIA_ROOT)


def _flip_a_byte(archive: Path, part: str, copy: Path) -> Path:
    """A copy of the archive with one byte of one part changed (as a bad disk would)."""
    shutil.copy(archive, copy)
    with tarfile.open(archive) as tar:
        member = tar.getmember(part)
    with copy.open("r+b") as handle:
        handle.seek(member.offset_data + member.size // 2)
        byte = handle.read(1)
        handle.seek(-1, os.SEEK_CUR)
        handle.write(bytes([byte[0] ^ 0xFF]))
    return copy


@transactional
def test_backup_destroy_restore_gives_back_every_row_and_file(tmp_path):
    built = _site_with_a_closed_vote()
    if connection.vendor == "sqlite":
        # As after a demo build or a roster import: SQLite holds the planner's statistics
        # (sqlite_stat1), which are not data to count, back up or give back.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    counts, sample, media = backup.table_counts(), _sample(), _media()
    assert len(sample["ballots"]) == 5 and len(sample["opinions"]) == 1
    assert media[built["work_file"]] == PDF_BYTES

    archive, said, _ = _backup(tmp_path / "backups")

    assert "备份已写入" in said and archive.name in said
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert stat.S_IMODE(archive.parent.stat().st_mode) == 0o700
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
    assert manifest["database"]["engine"] == connection.vendor
    assert manifest["counts"] == counts
    assert "ballots.0001_initial" in manifest["migrations"]
    assert [item["path"] for item in manifest["media"]] == [built["work_file"]]
    assert manifest["votes_in_window"] == 0

    # A database holding data is replaced only when the operator says so.
    with pytest.raises(CommandError, match="--yes"):
        _restore(archive)
    assert backup.table_counts() == counts

    _destroy()
    assert Member.objects.count() == 0 and not Path(settings.MEDIA_ROOT).exists()
    destroyed_at = records.version()  # what the cache was last keyed under

    said, warned = _restore(archive)
    # Past every number used before: a page kept for the destroyed database under a
    # version the restored one would count up through again is never served for it.
    assert records.version() > destroyed_at

    assert "与清单一致" in said and f"{len(counts)} 张表" in said and "上传文件 1 个" in said
    assert warned == ""
    assert backup.table_counts() == counts
    assert _sample() == sample
    assert _media() == media
    work = StudyWork.objects.get()
    with work.attachment.open("rb") as stored:
        assert stored.read() == PDF_BYTES
    # The restored vote still tallies, and the audit trail is append-only again.
    session = AppraisalSession.objects.get()
    assert ballots.compute_tally(session=session).ballots == 5

    # A damaged archive is refused, naming the part, and changes nothing.
    for part in (manifest["database"]["file"], "media/" + built["work_file"], "manifest.json"):
        damaged = _flip_a_byte(archive, part, tmp_path / "damaged.tar")
        with pytest.raises(CommandError, match=f"备份已损坏：{part} 与清单"):
            _restore(damaged, "--yes")
        assert backup.table_counts() == counts
        assert _media() == media
        assert not [p for p in Path(settings.MEDIA_ROOT).iterdir() if p.name.startswith(".")]

    # During a vote a backup is taken only when asked for, and says what it holds.
    unit, _members = ballot_factories.branch(
        name="第二党支部", formal=3, probationary=0, prefix="W"
    )
    ballots.session_open(session=ballot_factories.session_for(unit))
    archive, _said, warned = _backup(tmp_path / "voting", "--during-open-vote")
    assert archive.name.endswith("-during-open-vote.tar")
    assert "投票期间" in warned and "销毁" in warned and "VANGUARD_SECRET_KEY" in warned
    with tarfile.open(archive) as tar:
        assert json.load(tar.extractfile("manifest.json"))["votes_in_window"] == 1  # type: ignore[arg-type]


def test_backup_during_an_open_vote_is_refused_and_says_why(db, tmp_path):
    unit, _members = ballot_factories.branch(formal=3, probationary=0)
    ballots.session_open(session=ballot_factories.session_for(unit))
    output = tmp_path / "backups"

    with pytest.raises(CommandError) as refused:
        call_command("backup", "--output", str(output), stdout=StringIO())

    assert "1 场投票正在进行" in str(refused.value)
    assert "--during-open-vote" in str(refused.value)
    assert not output.exists()


def test_backups_are_never_written_where_files_are_uploaded_or_served(settings):
    for folder in (
        Path(settings.MEDIA_ROOT) / "backups",
        Path(settings.BASE_DIR) / "static" / "backups",
    ):
        with pytest.raises(CommandError, match="不能把备份写入"):
            call_command("backup", "--output", str(folder), stdout=StringIO())
        assert not folder.exists()


def test_a_file_that_is_not_a_backup_is_refused_before_anything_is_read(tmp_path):
    junk = tmp_path / "notes.tar"
    junk.write_bytes(b"not a tar archive at all" * 100)
    with pytest.raises(CommandError, match="无法读取"):
        _restore(junk, "--yes")
    with pytest.raises(CommandError, match="找不到备份文件"):
        _restore(tmp_path / "missing.tar", "--yes")


def test_pg_dump_gets_the_password_in_its_environment_never_on_its_command_line():
    settings_dict = {
        "NAME": "vanguard",
        "USER": "vanguard",
        "PASSWORD": "s3cret-Pa55",
        "HOST": "db.example.edu.cn",
        "PORT": "5432",
        "OPTIONS": {"sslmode": "verify-full"},
    }
    args, env = backup._pg_command("pg_dump", settings_dict)
    assert not any("s3cret" in arg for arg in args)
    assert args[-2:] == ["--dbname", "vanguard"] and "db.example.edu.cn" in args
    assert env["PGPASSWORD"] == "s3cret-Pa55" and env["PGSSLMODE"] == "verify-full"


def _write_sessions(
    path: Path, start: int, stop: threading.Event | int, started: threading.Event | None = None
) -> int:
    """Another process's writes to the live file, one committed row at a time, never
    checkpointed (they stay in the write-ahead log): until `stop` is set, or that many."""
    writer = sqlite3.connect(path, timeout=20, isolation_level=None)
    writer.execute("PRAGMA wal_autocheckpoint=0")
    n = start
    try:
        while (n - start < stop) if isinstance(stop, int) else not stop.is_set():
            writer.execute(
                "INSERT INTO django_session VALUES (?, 'x', '2099-01-01 00:00:00')", [f"k{n}"]
            )
            n += 1
            if started is not None:
                started.set()
    finally:
        writer.close()
    return n - start


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="SQLite's own file"
)
@transactional
def test_sqlite_backup_and_restore_while_the_site_reads_and_writes(db_file, tmp_path):
    """On a live SQLite file (PostgreSQL's consistency is pg_dump's snapshot): rows still
    only in the write-ahead log are in the backup, and a writer going on meanwhile leaves
    the copy and its manifest at one moment (once measured: 206 of the 259 rows written).
    A restore meanwhile leaves a reader's snapshot alone until the reader ends."""
    with ballot_factories.using_file_database(db_file):
        connection.ensure_connection()  # the site's: the log stays until it is checkpointed
        assert _write_sessions(db_file, 0, 200) == 200
        log = db_file.with_name(db_file.name + "-wal")
        assert log.stat().st_size > 0  # the rows are in the log, not yet in the file
        stop, started = threading.Event(), threading.Event()
        writes = []
        thread = threading.Thread(
            target=lambda: writes.append(_write_sessions(db_file, 200, stop, started))
        )
        thread.start()
        try:
            assert started.wait(10)
            result = backup.backup_create(output=tmp_path / "backups")
        finally:
            stop.set()
            thread.join()
        with tarfile.open(result.path) as tar:
            (tmp_path / "copy.sqlite3").write_bytes(tar.extractfile("database.sqlite3").read())  # type: ignore[union-attr]
        copy = sqlite3.connect(tmp_path / "copy.sqlite3")
        in_copy = copy.execute("SELECT COUNT(*) FROM django_session").fetchone()[0]
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        copy.close()
        # Every row in the log, and the rows of one moment: exactly what the manifest says.
        assert 201 <= in_copy == result.manifest["counts"]["django_session"]
        assert in_copy <= 200 + writes[0]

        # Restored into the live file while a reader of the site holds a snapshot: the
        # reader goes on seeing the old rows to its end, then the restored ones.
        reader = sqlite3.connect(db_file, isolation_level=None)
        reader.execute("BEGIN")
        count = "SELECT COUNT(*) FROM django_session"
        assert reader.execute(count).fetchone()[0] == 200 + writes[0]
        restored = backup.restore(archive=result.path, replace=True)
        assert restored.mismatches == {}
        assert reader.execute(count).fetchone()[0] == 200 + writes[0]
        reader.execute("COMMIT")
        assert reader.execute(count).fetchone()[0] == in_copy
        reader.close()
