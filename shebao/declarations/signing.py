"""The unit's signature over a declaration's canonical content.

The browser signs the exact canonical content text (services.canonical_content) with the
key of the certificate the operator logged in with: ECDSA P-256 / SHA-256, DER, Base64,
the same format as the login. Before a declaration is submitted the server checks, in
order: the certificate parses; it is the very certificate of this unit session; it still
chains to a trusted CA, is within its dates, fit for signing and not revoked; the
signature verifies over the content as the server computes it now; and the certificate
is still bound to this unit (`binding_check`: bound, unit open, multi-use authorized).
"""

from __future__ import annotations

import base64
import datetime as dt

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.utils import timezone

from shebao.certauth.certificates import (
    CertificateFormatError,
    certificate_parse,
    fingerprint,
    name_text,
)
from shebao.certauth.errors import LoginRefused, RefusalCode
from shebao.certauth.trust import issuer_find, revocation_check
from shebao.certauth.verify import binding_check, signature_check, signature_decode, validity_check
from shebao.registry.models import Unit

from .models import Declaration
from .services import Signed

# Where the login's wording ("登录") would mislead, the signing step says it its own way.
_MESSAGES = {
    RefusalCode.SIGNATURE_INVALID: (
        "签名验证失败：签名与本申报的内容或所选证书不符。请确认所选私钥文件与证书文件属于同一张证书，"
        "刷新页面后重新签名"),
    RefusalCode.NOT_FOR_SIGNING: "该证书不能用于数字签名",
    RefusalCode.CRL_UNAVAILABLE: "暂时无法核验证书吊销状态，为安全起见暂停提交申报，请稍后再试",
    RefusalCode.NOT_BOUND: "签名证书与本单位的绑定已解除，不能提交申报，请联系经办机构",
    RefusalCode.UNIT_NOT_OPEN: "本单位网上申报业务已暂停，不能提交申报，请联系经办机构",
    RefusalCode.MULTI_USE_UNAUTHORIZED: (
        "签名证书的一证多用授权已撤销，不能提交申报，请联系经办机构"),
}


class SigningRefused(Exception):
    """The signature cannot stand for the unit; `message` is Chinese."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def signed_content_verify(*, unit: Unit, session_fingerprint: str, certificate_pem: str,
                          signature: str, content: str,
                          now: dt.datetime | None = None) -> Signed:
    """What `declaration_submit` records, once every check above has passed."""
    now = now or timezone.now()
    try:
        cert = certificate_parse(certificate_pem)
    except CertificateFormatError as exc:
        raise SigningRefused("certificate_malformed", str(exc)) from exc
    fp = fingerprint(cert)
    if fp != session_fingerprint:
        raise SigningRefused("certificate_not_session",
                             "签名所用证书不是本次登录所用的证书：请选择登录时使用的证书文件和私钥文件")
    try:
        raw = signature_decode(signature)
        ca = issuer_find(cert, now)
        validity_check(cert, now)
        revocation_check(cert, ca, now)
        signature_check(cert, content, raw)
        binding = binding_check(fp)
    except LoginRefused as exc:
        raise SigningRefused(str(exc.code), _MESSAGES.get(exc.code, exc.message)) from exc
    if binding.unit_id != unit.pk:
        raise SigningRefused("certificate_other_unit", "签名证书不属于本单位")
    return Signed(signature=base64.b64encode(raw).decode("ascii"),
                  certificate_pem=certificate_pem.strip() + "\n", fingerprint=fp)


def signer_subject(declaration: Declaration) -> str:
    """'CN=…, O=…' of the certificate that signed, or '' when there is none."""
    if not declaration.certificate_pem:
        return ""
    try:
        return name_text(certificate_parse(declaration.certificate_pem).subject)
    except CertificateFormatError:
        return ""


def signature_holds(declaration: Declaration) -> bool | None:
    """Whether the recorded signature still verifies over the recorded content with the
    recorded certificate (None: the declaration carries no signature)."""
    if not (declaration.signature and declaration.certificate_pem):
        return None
    try:
        key = certificate_parse(declaration.certificate_pem).public_key()
        raw = base64.b64decode(declaration.signature, validate=True)
        if not isinstance(key, ec.EllipticCurvePublicKey):
            return False
        key.verify(raw, declaration.content.encode("utf-8"), ec.ECDSA(hashes.SHA256()))
    except (CertificateFormatError, InvalidSignature, ValueError):
        return False
    return True
