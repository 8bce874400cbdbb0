"""`shebao totp-code USERNAME`: print a staff member's current 动态口令.

For the demo and for operators testing a login. It reads the secret from the
database with the server's SECRET_KEY, so it needs a shell on the server: whoever can
run it could read the database anyway. Using the printed code for a login spends it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shebao.accounts.errors import IdentityError
from shebao.accounts.models import User
from shebao.accounts.staff import staff_totp_code


class Command(BaseCommand):
    help = "打印工作人员当前的动态口令（需服务器命令行权限；用于演示和运维测试）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="工作人员用户名")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"工作人员 {options['username']} 不存在")
        try:
            self.stdout.write(staff_totp_code(user))
        except IdentityError as exc:
            raise CommandError(str(exc)) from exc
