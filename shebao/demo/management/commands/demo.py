"""`shebao demo`: build the deterministic demo city into an empty database.

    shebao demo --units 50 --persons 3000 --seed 2026 [--if-empty] [--today 2026-11-26]

Without --if-empty a database that already holds units or persons is refused (exit 2):
the city uses explicit keys and needs a fresh database. With --if-empty such a database
is left alone and only the demo logins are printed (`make run` on its second start).
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from shebao.accounts.models import User
from shebao.accounts.persons import person_password_set
from shebao.accounts.staff import staff_totp_enrol
from shebao.audit.services import SYSTEM
from shebao.certauth.demo import DEMO_P12_PASSWORD, demo_certificates_issue
from shebao.contributions.demo import demo_history
from shebao.demo.context import IMPORTED_LAST_YEAR
from shebao.demo.designated import (
    ARREARS_FIRST_MONTHS_AGO,
    ARREARS_UNIT_NUMBERS,
    GROUP_NUMBER,
)
from shebao.demo.generator import (
    DemoConfig,
    DemoError,
    DemoResult,
    demo_city_create,
    registry_is_empty,
)
from shebao.demo.staff import DEMO_LOGINS, DEMO_PASSWORD
from shebao.lib.periods import Month
from shebao.policy.loader import policy_load
from shebao.registry.choices import OnlineStatus
from shebao.registry.models import Person, Unit

# The engine makes the history after the imported years; a large city skips it.
HISTORY_FIRST_MONTH = Month(IMPORTED_LAST_YEAR + 1, 1)
HISTORY_MAX_PERSONS = 20_000
# Documented demo secrets, printed by `make run` (never used outside the demo city).
DEMO_TOTP_SECRET = "ONUGKYTBN4WWIZLNN4WXI33UOAWTENRB"  # noqa: S105
DEMO_PERSON_PASSWORD = "Chaxun-2026"  # noqa: S105
DEMO_PERSON_COUNT = 3
LATE_PAYER_NUMBER = GROUP_NUMBER  # an open unit that once paid a month late


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期“{text}”格式错误，应写作 YYYY-MM-DD") from None


class Command(BaseCommand):
    help = "生成演示数据：一座确定性的北京演示城市（单位、参保人、参保关系、缴费工资、历史账户）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--persons", type=int, default=3000, help="参保人数（默认 3000）")
        parser.add_argument("--units", type=int, default=None,
                            help="单位数（默认每 60 人一个单位，至少 12 个）")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子（默认 2026）")
        parser.add_argument("--today", type=_date, default=None,
                            help="以该日期为“今天”（YYYY-MM-DD，默认当天），便于复现")
        parser.add_argument("--batch-size", type=int, default=10_000,
                            help="每批生成并写入的人数（默认 10000）")
        parser.add_argument("--if-empty", action="store_true",
                            help="数据库中已有数据时什么也不做，只显示演示登录信息")
        parser.add_argument("--no-history", action="store_true",
                            help="不生成缴费历史（核定、托收、欠费、结息）；超过 "
                                 f"{HISTORY_MAX_PERSONS:,} 人时自动跳过")

    def handle(self, *args: Any, **options: Any) -> None:
        if not registry_is_empty():
            if options["if_empty"]:
                self.stdout.write("数据库中已有数据，未生成演示数据。")
                self._logins()
                return
            self.stderr.write("数据库中已有单位或参保人数据，拒绝生成演示数据："
                              "演示数据只能生成到新建的空数据库中。"
                              "请换用新的数据库（例如设置新的 SHEBAO_VAR_DIR）后再运行。")
            sys.exit(2)
        config = DemoConfig(
            persons=options["persons"], seed=options["seed"], units=options["units"],
            today=options["today"] or timezone.localdate(),
            batch_size=max(1, options["batch_size"]),
        )
        started = time.monotonic()
        # The city is settled with the shipped figures: load them if `shebao policy load`
        # has not (an empty registry has no settled month to re-settle).
        loaded = policy_load(actor=SYSTEM)
        if loaded.changed:
            self.stdout.write(f"已载入政策参数文件 {loaded.file}：新增 {loaded.created} 条，"
                              f"更新 {loaded.updated} 条，删除 {loaded.removed} 条")
        self.stdout.write(
            f"开始生成演示数据：单位 {config.unit_count:,} 个，参保人 {config.persons:,} 人，"
            f"随机种子 {config.seed}，今天按 {config.today.isoformat()} 计")

        def progress(message: str) -> None:
            self.stdout.write(f"  {message}，已用 {time.monotonic() - started:.1f} 秒")

        try:
            result = demo_city_create(config, progress)
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        self._summary(result)
        if options["no_history"] or config.persons > HISTORY_MAX_PERSONS:
            self.stdout.write("未生成缴费历史（核定、托收、欠费、结息）和单位证书。")
        else:
            self._history(config.today)
            self._certificates()
            self._person_passwords()
        self._logins()

    def _person_passwords(self) -> None:
        """A query password for the first persons of the group company (demo logins)."""
        persons = (Person.objects.filter(enrolments__unit__number=GROUP_NUMBER,
                                         enrolments__last_month__isnull=True)
                   .distinct().order_by("id")[:DEMO_PERSON_COUNT])
        for person in persons:
            person_password_set(person=person, password=DEMO_PERSON_PASSWORD, actor=SYSTEM)

    def _certificates(self) -> None:
        """A certificate (the USB Key's stand-in) for each unit open for online declaration."""
        units = list(Unit.objects.filter(online_status=OnlineStatus.OPEN).order_by("number"))
        written = demo_certificates_issue(units, settings.DEMO_CERT_DIR)
        self.stdout.write(f"已为 {len(written)} 个已开通网上申报的单位签发并绑定演示证书")

    def _history(self, today: dt.date) -> None:
        """Months settled, collected and closed by the real engine; one unit in arrears."""
        started = time.monotonic()
        self.stdout.write(f"生成缴费历史：{HISTORY_FIRST_MONTH} 至 {Month.of(today).add(-1)}")
        demo_history(first=HISTORY_FIRST_MONTH, today=today,
                     arrears_numbers=ARREARS_UNIT_NUMBERS,
                     arrears_from=Month.of(today).add(-ARREARS_FIRST_MONTHS_AGO),
                     late_number=LATE_PAYER_NUMBER, say=self.stdout.write)
        self.stdout.write(f"缴费历史生成完毕，用时 {time.monotonic() - started:.1f} 秒")

    def _summary(self, result: DemoResult) -> None:
        c = result.counts
        self.stdout.write(
            f"演示数据生成完毕：单位 {c.units:,} 个，工伤费率 {c.injury_rates:,} 条，"
            f"医疗系统单位信息 {c.medical_infos:,} 条，参保人 {c.persons:,} 人，"
            f"参保关系 {c.enrolments:,} 条，缴费工资 {c.wages:,} 条，"
            f"1992—1995年账户 {c.accounts_1992:,} 个，历年账户 {c.account_years:,} 条，"
            f"用时 {result.seconds:.1f} 秒")
        for login, created in result.logins:
            if not created:
                self.stdout.write(f"  工作人员 {login.username} 已存在，未修改其密码")

    def _logins(self) -> None:
        staff = {u.username: u for u in User.objects.filter(
            username__in=[login.username for login in DEMO_LOGINS])}
        for login in DEMO_LOGINS:
            user = staff.get(login.username)
            credential = getattr(user, "staff_credential", None) if user else None
            if user is not None and not (credential and credential.totp_confirmed):
                staff_totp_enrol(user, DEMO_TOTP_SECRET, actor=SYSTEM)
            self.stdout.write(f"工作人员登录：/staff/login/ 用户名 {login.username}"
                              f"（{login.role.label}），密码 {DEMO_PASSWORD}")
        self.stdout.write(f"  动态口令：认证器应用密钥 {DEMO_TOTP_SECRET}，"
                          "或运行 .venv/bin/shebao totp-code admin 查看当前口令")
        for person in Person.objects.filter(credential__isnull=False).order_by("id")[:3]:
            self.stdout.write(f"个人登录：/person/login/ 公民身份号码 {person.id_number}"
                              f"（{person.name}），查询密码 {DEMO_PERSON_PASSWORD}")
        cert_dir = settings.DEMO_CERT_DIR
        if cert_dir.is_dir():
            sample = sorted(p.name for p in cert_dir.iterdir() if p.is_dir())[:3]
            self.stdout.write(
                f"单位登录：/unit/login/ 选择 {cert_dir}/<单位编号>/key.pem 和 cert.pem"
                f"（unit.p12 密码 {DEMO_P12_PASSWORD}），例如单位 {'、'.join(sample)}")
