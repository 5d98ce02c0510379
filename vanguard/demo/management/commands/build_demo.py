"""`manage.py build_demo [--size demo|M|L] [--reset]`: the demo college (演示学院).

Builds 信息学院 (or, for M and L, a university around it) and prints the demo
accounts. Run again, it changes nothing and prints the accounts; `--reset`
deletes the demo and builds it again. It refuses a database that holds an
organisation of its own.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from vanguard.demo.build import DemoResult, demo_build
from vanguard.demo.common import DemoError
from vanguard.demo.organization import SIZES


class Command(BaseCommand):
    help = "Build the demo college (信息学院) with its demo accounts, or larger organisations."

    def add_arguments(self, parser):
        parser.add_argument(
            "--size",
            default="demo",
            help=f"demo (41 branches, ~700 members), M (~5,000 / 300), L (~30,000 / 1,500); "
            f"one of {', '.join(SIZES)}",
        )
        parser.add_argument(
            "--reset", action="store_true", help="delete the existing demo and build it again"
        )
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000/", help="the address printed for the server"
        )

    def handle(self, *args, size: str, reset: bool, url: str, **options) -> None:
        try:
            result = demo_build(size=size, reset=reset)
        except DemoError as error:
            raise CommandError(str(error)) from error
        self.report(result, url)

    def report(self, result: DemoResult, url: str) -> None:
        write = self.stdout.write
        if result.built:
            write(
                self.style.SUCCESS(
                    _("演示数据已生成（规模 %(size)s，用时 %(seconds).1f 秒）：")
                    % {
                        "size": result.size,
                        "seconds": result.seconds,
                    }
                )
            )
        else:
            write(
                _("演示数据已存在（规模 %(size)s），未作改动；重建请加 --reset。")
                % {"size": result.size}
            )
        write(
            _("组织单位 %(units)d 个，其中党支部 %(branches)d 个；党员 %(members)d 名。")
            % {
                "units": result.units,
                "branches": result.branches,
                "members": result.members,
            }
        )
        write("")
        write(
            _("演示账号（密码均为 %(password)s，仅用于演示）：")
            % {
                "password": result.accounts[0].password if result.accounts else "",
            }
        )
        rows = [(a.username, a.name, a.role, a.scope, a.password) for a in result.accounts]
        headers = (_("用户名"), _("姓名"), _("角色"), _("范围"), _("密码"))
        widths = [
            max(_width(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)
        ]
        for row in (headers, *rows):
            cells = (_pad(str(cell), w) for cell, w in zip(row, widths, strict=True))
            write(("  " + "  ".join(cells)).rstrip())
        write("")
        write(_("打开 %(url)s 登录。") % {"url": url})


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
