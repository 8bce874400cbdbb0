"""`shebao ca init|issue|revoke|crl|bind|unbind`: happy paths and Chinese errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.management import call_command
from django.utils import timezone

from shebao.audit.models import Event
from shebao.certauth.ca import LocalCa
from shebao.certauth.certificates import fingerprint
from shebao.certauth.models import CertificateBinding, IssuedCertificate
from shebao.certauth.tests.helpers import foreign_holder, open_unit, unit_with_certificate
from shebao.certauth.trust import crl_for

pytestmark = pytest.mark.django_db


def run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    call_command("ca", *args)
    captured = capsys.readouterr()
    assert captured.err == ""
    return captured.out


def run_failing(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as excinfo:
        call_command("ca", *args)
    assert excinfo.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err  # one line
    return err.strip()


@pytest.fixture
def ca_settings(tmp_path: Path, settings: Any) -> Path:
    """CA settings in a temporary directory, with no CA yet."""
    settings.CA_DIR = tmp_path / "ca"
    settings.CERT_TRUSTED_CA_FILES = [tmp_path / "ca" / "ca.pem"]
    settings.CERT_CRL_FILES = [tmp_path / "ca" / "crl.pem"]
    return tmp_path / "ca"


def test_init_then_init_again(capsys: pytest.CaptureFixture[str], ca_settings: Path) -> None:
    out = run(capsys, "init")
    assert out.startswith("已创建本地证书机构：CN=shebao 本地测试证书机构")
    assert f"吊销列表：{ca_settings / 'crl.pem'}" in out
    assert (ca_settings / "ca-key.pem").exists() and (ca_settings / "crl.pem").exists()

    err = run_failing(capsys, "init")
    assert err.startswith("本地证书机构已存在")
    assert "--force" in err
    assert run(capsys, "init", "--force").startswith("已创建本地证书机构")


def test_issue_writes_three_files_and_prints_the_password(
        capsys: pytest.CaptureFixture[str], local_ca: LocalCa, tmp_path: Path) -> None:
    unit = open_unit()
    out_dir = tmp_path / "out"
    out = run(capsys, "issue", "--unit", unit.number, "--out", str(out_dir),
              "--not-after", "2099-12-31", "--password", "mima-2026")

    assert f"已为单位 {unit.number} {unit.name} 签发证书" in out
    assert "至 2099-12-31 23:59" in out
    assert "密码：mima-2026" in out
    assert sorted(p.name for p in out_dir.iterdir()) == ["cert.pem", "key.pem", "unit.p12"]
    key, _, _ = pkcs12.load_key_and_certificates((out_dir / "unit.p12").read_bytes(),
                                                 b"mima-2026")
    assert key is not None
    assert IssuedCertificate.objects.get().unit == unit


def test_issue_with_dates_in_the_past_and_future(capsys: pytest.CaptureFixture[str],
                                                 local_ca: LocalCa, tmp_path: Path) -> None:
    unit = open_unit()
    run(capsys, "issue", "--unit", unit.number, "--out", str(tmp_path / "a"),
        "--not-before", "2020-01-01", "--not-after", "2020-12-31")
    run(capsys, "issue", "--unit", unit.number, "--out", str(tmp_path / "b"),
        "--not-before", "2098-01-01", "--not-after", "2099-01-01")
    expired, future = IssuedCertificate.objects.order_by("not_before")
    local = timezone.localtime
    assert local(expired.not_after).isoformat() == "2020-12-31T23:59:59+08:00"
    assert local(future.not_before).isoformat() == "2098-01-01T00:00:00+08:00"


@pytest.mark.parametrize(("args", "message"), [
    (["issue", "--unit", "99999999", "--out", "x"], "单位编号 99999999 不存在"),
    (["issue", "--unit", "UNIT"], "缺少必填参数：--out"),
    (["issue", "--unit", "UNIT", "--out", "x", "--not-after", "2025-02-30"],
     "“2025-02-30”不是有效日期（该日不存在）"),
    (["issue", "--unit", "UNIT", "--out", "x", "--not-before", "2030-01-01",
      "--not-after", "2029-01-01"], "证书失效时间必须晚于生效时间"),
    ([], "缺少必填参数：子命令"),
    (["sign"], "参数 子命令 的取值“sign”无效"),
    (["crl", "--what"], "无法识别的参数：--what"),
    (["revoke", "--cert", "/nonexistent/cert.pem"], "找不到证书文件 /nonexistent/cert.pem"),
    (["bind", "--unit", "UNIT", "--cert", "c", "--multi-use", "--other-applications"],
     "参数错误"),
])
def test_bad_arguments_give_one_chinese_line(capsys: pytest.CaptureFixture[str],
                                             local_ca: LocalCa, args: list[str],
                                             message: str) -> None:
    unit = open_unit()
    args = [unit.number if a == "UNIT" else a for a in args]
    assert message in run_failing(capsys, *args)


def test_issue_without_a_ca_says_to_init(capsys: pytest.CaptureFixture[str],
                                         ca_settings: Path, tmp_path: Path) -> None:
    unit = open_unit()
    err = run_failing(capsys, "issue", "--unit", unit.number, "--out", str(tmp_path / "o"))
    assert err == f"本地证书机构尚未创建（{ca_settings}），请先运行 shebao ca init"


def test_issue_refuses_existing_files_without_force(capsys: pytest.CaptureFixture[str],
                                                    local_ca: LocalCa, tmp_path: Path) -> None:
    unit = open_unit()
    args = ["issue", "--unit", unit.number, "--out", str(tmp_path / "o")]
    run(capsys, *args)
    assert "如需覆盖请加 --force" in run_failing(capsys, *args)
    assert "签发证书" in run(capsys, *args, "--force")


def test_revoke_and_crl(capsys: pytest.CaptureFixture[str], local_ca: LocalCa,
                       tmp_path: Path) -> None:
    holder = unit_with_certificate(tmp_path)
    cert = x509.load_pem_x509_certificate(holder.cert_path.read_bytes())

    out = run(capsys, "revoke", "--cert", str(holder.cert_path))
    assert f"已吊销证书：序列号 {cert.serial_number:X}（单位 {holder.unit.number}）" in out
    assert "已重新发布吊销列表" in out
    assert "未重复吊销" in run(capsys, "revoke", "--cert", str(holder.cert_path))
    out = run(capsys, "crl")
    assert "（吊销证书 1 张，下次更新" in out
    crl = crl_for(local_ca.certificate, cert.not_valid_before_utc)
    assert crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None


def test_revoke_errors(capsys: pytest.CaptureFixture[str], local_ca: LocalCa,
                       tmp_path: Path) -> None:
    foreign = foreign_holder(tmp_path, open_unit())
    assert run_failing(capsys, "revoke", "--cert", str(foreign.cert_path)) == (
        "该证书不是本地证书机构签发的，无法吊销")
    junk = tmp_path / "junk.pem"
    junk.write_text("hello")
    assert "证书格式不正确" in run_failing(capsys, "revoke", "--cert", str(junk))


def test_bind_with_and_without_multi_use(capsys: pytest.CaptureFixture[str],
                                         local_ca: LocalCa, tmp_path: Path) -> None:
    holder = unit_with_certificate(tmp_path, bind=False)
    unit, cert = holder.unit, str(holder.cert_path)

    out = run(capsys, "bind", "--unit", unit.number, "--cert", cert, "--other-applications")
    assert out.endswith("（一证多用，尚未登记授权书，暂不能登录）\n")
    binding = CertificateBinding.objects.get()
    assert (binding.other_applications, binding.multi_use_authorized) == (True, False)

    out = run(capsys, "bind", "--unit", unit.number, "--cert", cert, "--multi-use")
    assert f"绑定到单位 {unit.number} {unit.name}（一证多用，已登记授权书）" in out
    binding.refresh_from_db()
    assert (binding.other_applications, binding.multi_use_authorized) == (True, True)
    assert CertificateBinding.objects.count() == 1

    out = run(capsys, "unbind", "--cert", cert)
    assert f"与单位 {unit.number} 的绑定" in out
    assert not CertificateBinding.objects.filter(active=True).exists()
    assert run_failing(capsys, "unbind", "--cert", cert) == "该证书没有有效的单位绑定"
    actions = list(Event.objects.filter(action__startswith="certificate_b").values_list(
        "action", flat=True))
    assert actions == ["certificate_bind", "certificate_bind"]


def test_bind_errors(capsys: pytest.CaptureFixture[str], local_ca: LocalCa,
                     tmp_path: Path) -> None:
    holder = unit_with_certificate(tmp_path)
    other = open_unit()
    err = run_failing(capsys, "bind", "--unit", other.number, "--cert", str(holder.cert_path))
    assert err.startswith("证书中的单位代码")
    foreign = foreign_holder(tmp_path, other)
    err = run_failing(capsys, "bind", "--unit", other.number, "--cert", str(foreign.cert_path))
    assert err == "证书不是由受信任的证书机构签发"
    assert fingerprint(x509.load_pem_x509_certificate(holder.cert_path.read_bytes())) == (
        CertificateBinding.objects.get().fingerprint)
