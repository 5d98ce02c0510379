"""manage.py backup [--output DIR] [--during-open-vote]: one archive of the database and
the uploaded files, taken while the site runs (vanguard/operations/backup.py).

Refused while a vote is open or a closed vote's storage scrub is pending: such a copy
holds the sealed ballots beside the order of card use and the names of logged-in
voters (vanguard/ballots/README.md, "Backups"). Exit 1 when refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from vanguard.operations import backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into one archive (.tar)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--output",
            default=str(Path(settings.BASE_DIR) / "var" / "backups"),
            help="folder for the archive (default: var/backups)",
        )
        parser.add_argument(
            "--during-open-vote",
            action="store_true",
            help="back up even while a vote is open; destroy that archive after the close",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(backup.operator_language()):
            try:
                result = backup.backup_create(
                    output=Path(options["output"]),
                    during_open_vote=options["during_open_vote"],
                )
            except backup.BackupError as error:
                raise CommandError(str(error)) from error
            manifest = result.manifest
            self.stdout.write(
                _(
                    "备份已写入 %(path)s：%(engine)s 数据库 %(tables)d 张表、%(rows)d 行，"
                    "上传文件 %(files)d 个。"
                )
                % {
                    "path": result.path,
                    "engine": manifest["database"]["engine"],
                    "tables": len(manifest["counts"]),
                    "rows": result.rows,
                    "files": len(manifest["media"]),
                }
            )
            database = manifest["database"]
            if database["engine"] == "postgresql":
                self.stdout.write(
                    _("pg_dump %(dump)s，数据库服务器 PostgreSQL %(server)s。")
                    % {"dump": database["pg_dump_version"], "server": database["server_version"]}
                )
            if manifest["votes_in_window"]:
                self.stderr.write(
                    _(
                        "注意：这份备份取自投票期间（%(n)d 场投票），含封存的选票、投票卡的使用"
                        "顺序和登录投票人名单。请与在用的数据库同等保密，不要与 "
                        "VANGUARD_SECRET_KEY 放在一起，投票结束并清理完成后另做一份备份，"
                        "然后销毁这一份。"
                    )
                    % {"n": manifest["votes_in_window"]}
                )
