"""manage.py restore ARCHIVE [--yes]: put an archive made by `manage.py backup` back,
database and uploaded files (vanguard/operations/backup.py).

Every part is checked against the manifest before anything changes; a database that
already holds data is replaced only with --yes. Exit 1 when refused, or when the rows
restored differ from the manifest's counts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from vanguard.operations import backup


class Command(BaseCommand):
    help = "Restore the database and the uploaded files from a backup archive."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("archive", help="the archive (.tar) written by manage.py backup")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="replace a database that already holds data (and every uploaded file)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(backup.operator_language()):
            try:
                result = backup.restore(archive=Path(options["archive"]), replace=options["yes"])
            except backup.BackupError as error:
                raise CommandError(str(error)) from error
            manifest = result.manifest
            if result.mismatches:
                for table, (expected, found) in sorted(result.mismatches.items()):
                    self.stderr.write(
                        _("%(table)s：备份中 %(expected)d 行，恢复后 %(found)d 行。")
                        % {"table": table, "expected": expected, "found": found}
                    )
                raise CommandError(
                    _("恢复后有 %(n)d 张表的行数与备份清单不符。") % {"n": len(result.mismatches)}
                )
            self.stdout.write(
                _(
                    "已从 %(created)s 的备份恢复：%(tables)d 张表、%(rows)d 行，与清单一致；"
                    "上传文件 %(files)d 个。"
                )
                % {
                    "created": manifest["created_at"],
                    "tables": result.tables,
                    "rows": result.rows,
                    "files": result.media_files,
                }
            )
            if manifest["votes_in_window"]:
                self.stderr.write(
                    _(
                        "注意：这份备份取自投票期间，其中 %(n)d 场投票尚未结束或尚未清理。"
                        "封存的选票只能用当时的 VANGUARD_SECRET_KEY（或保留在 "
                        "VANGUARD_SECRET_KEY_FALLBACKS 中的旧密钥）打开。"
                    )
                    % {"n": manifest["votes_in_window"]}
                )
            if result.unapplied_migrations:
                self.stderr.write(
                    _("备份早于当前代码：还有 %(n)d 个数据库迁移未执行，请运行 manage.py migrate。")
                    % {"n": result.unapplied_migrations}
                )
