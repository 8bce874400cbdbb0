"""`shebao ca …`: the local test certificate authority and certificate bindings.

    shebao ca init [--force]
    shebao ca issue --unit 单位编号 --out 目录 [--not-before YYYY-MM-DD]
                    [--not-after YYYY-MM-DD] [--password 密码] [--force]
    shebao ca revoke --cert cert.pem
    shebao ca crl
    shebao ca bind --unit 单位编号 --cert cert.pem [--other-applications | --multi-use]
    shebao ca unbind --cert cert.pem

Bad arguments give one Chinese line and exit status 2.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from cryptography import x509
from django.core.management.base import CommandParser
from django.utils import timezone

from shebao.audit.services import SYSTEM
from shebao.certauth.ca import (
    CA_CERT_FILE,
    CaError,
    ca_dir,
    ca_init,
    certificate_issue,
    certificate_revoke,
    crl_path,
    crl_publish,
)
from shebao.certauth.certificates import (
    CertificateFormatError,
    certificate_parse,
    fingerprint,
    serial_hex,
)
from shebao.certauth.models import CertificateBinding
from shebao.certauth.services import BindingError, certificate_bind, certificate_unbind
from shebao.lib.cli import ChineseCommand, ChineseParser, UsageError
from shebao.lib.dates import DateError, parse_date
from shebao.registry.models import Unit


def _day_start(text: str) -> dt.datetime:
    try:
        day = parse_date(text)
    except DateError as exc:
        raise UsageError(str(exc)) from exc
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _day_end(text: str) -> dt.datetime:
    return _day_start(text) + dt.timedelta(days=1, seconds=-1)


def _unit(number: str) -> Unit:
    unit = Unit.objects.filter(number=number).first()
    if unit is None:
        raise UsageError(f"单位编号 {number} 不存在")
    return unit


def _read_pem(path: str) -> str:
    try:
        return Path(path).read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        raise UsageError(f"找不到证书文件 {path}") from None
    except OSError as exc:
        raise UsageError(f"无法读取证书文件 {path}：{exc.strerror}") from exc


def _local(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


class Command(ChineseCommand):
    help = ("本地测试证书机构：init 创建，issue 为单位签发证书，revoke 吊销证书，crl 发布吊销列表，"
            "bind/unbind 绑定或解除绑定单位证书")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", metavar="子命令", required=True,
                                    parser_class=ChineseParser)
        init = sub.add_parser("init", help="创建证书机构密钥和自签名证书")
        init.add_argument("--force", action="store_true", help="覆盖已有的证书机构")
        issue = sub.add_parser("issue", help="为单位签发证书")
        issue.add_argument("--unit", required=True, help="单位编号")
        issue.add_argument("--out", required=True, help="输出目录")
        issue.add_argument("--not-before", help="生效日期 YYYY-MM-DD（默认现在）")
        issue.add_argument("--not-after", help="失效日期 YYYY-MM-DD（默认一年后）")
        issue.add_argument("--password", help="unit.p12 的密码（默认随机生成并显示）")
        issue.add_argument("--force", action="store_true", help="覆盖目录中已有的证书文件")
        revoke = sub.add_parser("revoke", help="吊销证书并重新发布吊销列表")
        revoke.add_argument("--cert", required=True, help="证书文件（PEM）")
        sub.add_parser("crl", help="发布吊销列表")
        bind = sub.add_parser("bind", help="将证书绑定到单位")
        bind.add_argument("--unit", required=True, help="单位编号")
        bind.add_argument("--cert", required=True, help="证书文件（PEM）")
        group = bind.add_mutually_exclusive_group()
        group.add_argument("--other-applications", action="store_true",
                           help="证书已用于其他业务系统（尚未登记一证多用授权书）")
        group.add_argument("--multi-use", action="store_true",
                           help="证书已用于其他业务系统，且已登记《数字证书一证多用授权书》")
        unbind = sub.add_parser("unbind", help="解除证书绑定")
        unbind.add_argument("--cert", required=True, help="证书文件（PEM）")

    def handle(self, *args: Any, **options: Any) -> None:
        handler = getattr(self, f"_{options['action']}")
        try:
            handler(options)
        except (CaError, BindingError) as exc:
            raise UsageError(str(exc)) from exc

    def _init(self, options: dict[str, Any]) -> None:
        ca = ca_init(force=options["force"], actor=SYSTEM)
        self.stdout.write(f"已创建本地证书机构：{ca.certificate.subject.rfc4514_string()}")
        self.stdout.write(f"  证书机构证书：{ca_dir() / CA_CERT_FILE}")
        self.stdout.write(f"  证书指纹（SHA-256）：{ca.fingerprint}")
        self.stdout.write(f"  吊销列表：{crl_path()}")

    def _issue(self, options: dict[str, Any]) -> None:
        unit = _unit(options["unit"])
        start = _day_start(options["not_before"]) if options["not_before"] else None
        end = _day_end(options["not_after"]) if options["not_after"] else None
        out = Path(options["out"])
        files = certificate_issue(unit, out, not_before=start, not_after=end,
                                  password=options["password"], force=options["force"],
                                  actor=SYSTEM)
        rec = files.record
        self.stdout.write(f"已为单位 {unit.number} {unit.name} 签发证书："
                          f"序列号 {rec.serial.upper()}，"
                          f"有效期 {_local(rec.not_before)} 至 {_local(rec.not_after)}")
        self.stdout.write(f"  证书：{files.cert_path}")
        self.stdout.write(f"  私钥：{files.key_path}（PKCS#8，未加密，请妥善保管）")
        self.stdout.write(f"  PKCS#12：{files.p12_path}，密码：{files.password}")

    def _revoke(self, options: dict[str, Any]) -> None:
        cert = self._certificate(options["cert"])
        record, newly = certificate_revoke(cert, actor=SYSTEM)
        if newly:
            self.stdout.write(f"已吊销证书：序列号 {record.serial.upper()}"
                              f"（单位 {record.unit.number}）")
        else:
            assert record.revoked_at is not None
            self.stdout.write(f"该证书已于 {_local(record.revoked_at)} 吊销，未重复吊销")
        self.stdout.write(f"已重新发布吊销列表：{crl_path()}")

    def _crl(self, options: dict[str, Any]) -> None:
        published = crl_publish(actor=SYSTEM)
        self.stdout.write(f"已发布吊销列表：{published.path}（吊销证书 {published.revoked} 张，"
                          f"下次更新 {_local(published.next_update)} 前）")

    def _bind(self, options: dict[str, Any]) -> None:
        unit = _unit(options["unit"])
        pem = _read_pem(options["cert"])
        multi = options["multi_use"]
        binding = certificate_bind(unit, pem, other_applications=multi or options[
            "other_applications"], multi_use_authorized=multi, actor=SYSTEM)
        note = ""
        if binding.other_applications:
            note = ("（一证多用，已登记授权书）" if multi
                    else "（一证多用，尚未登记授权书，暂不能登录）")
        self.stdout.write(f"已将证书（序列号 {binding.serial.upper()}）绑定到单位 "
                          f"{unit.number} {unit.name}{note}")

    def _unbind(self, options: dict[str, Any]) -> None:
        cert = self._certificate(options["cert"])
        binding = (CertificateBinding.objects.select_related("unit")
                   .filter(fingerprint=fingerprint(cert), active=True).first())
        if binding is None:
            raise UsageError("该证书没有有效的单位绑定")
        certificate_unbind(binding, actor=SYSTEM)
        self.stdout.write(f"已解除证书（序列号 {serial_hex(cert).upper()}）与单位 "
                          f"{binding.unit.number} 的绑定")

    def _certificate(self, path: str) -> x509.Certificate:
        try:
            return certificate_parse(_read_pem(path))
        except CertificateFormatError as exc:
            raise UsageError(f"{path}：{exc}") from exc
