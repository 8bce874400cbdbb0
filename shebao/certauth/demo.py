"""Demo certificates: one per demo unit, issued by the local CA and bound to the unit.

`shebao demo` calls `demo_certificates_issue(units, settings.DEMO_CERT_DIR)` for the
units opened for online declaration. Each unit gets `<out_dir>/<unit number>/` with
cert.pem, key.pem (choose both on /unit/login/) and unit.p12, whose password is
DEMO_P12_PASSWORD. These are test keys on disk, never for production.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from shebao.audit.services import SYSTEM
from shebao.registry.models import Unit

from .ca import CA_CERT_FILE, CA_KEY_FILE, ca_dir, ca_init, certificate_issue, crl_publish
from .services import certificate_bind

DEMO_P12_PASSWORD = "shebao-demo"  # noqa: S105 (documented demo password)
README_NAME = "说明.txt"
README = """演示单位数字证书（仅供演示，切勿用于生产环境）

每个子目录以单位编号命名，内有：
  cert.pem  单位证书（PEM）
  key.pem   私钥（PKCS#8，未加密）
  unit.p12  证书和私钥的 PKCS#12 文件，密码：{password}

网页登录：打开 /unit/login/，选择同一目录中的 cert.pem 和 key.pem，点击“登录”。
接口登录：POST /api/v1/auth/challenge 取得 nonce，用 key.pem 签名后
POST /api/v1/auth/token，例如：
  printf %s "$NONCE" | openssl dgst -sha256 -sign key.pem | base64 -w0
"""


@dataclass(frozen=True, slots=True)
class DemoCertificate:
    unit_number: str
    directory: Path
    cert_path: Path
    key_path: Path
    p12_path: Path
    password: str


def demo_certificates_issue(units: Iterable[Unit], out_dir: Path) -> list[DemoCertificate]:
    """Initialise the local CA if it does not exist, then issue and bind a certificate
    for each unit into `<out_dir>/<unit number>/` (overwriting earlier demo files)."""
    if not (ca_dir() / CA_KEY_FILE).exists() and not (ca_dir() / CA_CERT_FILE).exists():
        ca_init(actor=SYSTEM)
    out_dir = Path(out_dir)
    written: list[DemoCertificate] = []
    for unit in units:
        files = certificate_issue(unit, out_dir / unit.number, password=DEMO_P12_PASSWORD,
                                  force=True, actor=SYSTEM)
        certificate_bind(unit, files.record.pem, actor=SYSTEM)
        written.append(DemoCertificate(unit.number, out_dir / unit.number, files.cert_path,
                                       files.key_path, files.p12_path, files.password))
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / README_NAME).write_text(README.format(password=DEMO_P12_PASSWORD),
                                       encoding="utf-8")
    crl_publish(actor=SYSTEM)  # a fresh CRL, whatever the age of an existing CA
    return written
