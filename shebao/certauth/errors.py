"""Why a certificate login is refused: one stable code per reason, one Chinese message.

The codes are part of the API (`{"code", "message"}`) and of the audit log, so they never
change meaning; the messages may be reworded.
"""

from __future__ import annotations

from enum import StrEnum


class RefusalCode(StrEnum):
    CERTIFICATE_MALFORMED = "certificate_malformed"
    SIGNATURE_MALFORMED = "signature_malformed"
    NONCE_UNKNOWN = "nonce_unknown"
    NONCE_EXPIRED = "nonce_expired"
    NONCE_USED = "nonce_used"
    UNTRUSTED_ISSUER = "untrusted_issuer"
    NOT_YET_VALID = "certificate_not_yet_valid"
    EXPIRED = "certificate_expired"
    NOT_FOR_SIGNING = "certificate_not_for_signing"
    CRL_UNAVAILABLE = "crl_unavailable"
    REVOKED = "certificate_revoked"
    UNSUPPORTED_KEY = "unsupported_key"
    SIGNATURE_INVALID = "signature_invalid"
    NOT_BOUND = "certificate_not_bound"
    UNIT_NOT_OPEN = "unit_not_open"
    MULTI_USE_UNAUTHORIZED = "multi_use_unauthorized"
    RATE_LIMITED = "rate_limited"


MESSAGES: dict[RefusalCode, str] = {
    RefusalCode.CERTIFICATE_MALFORMED: "证书格式不正确，请选择 PEM 格式的单位证书文件（cert.pem）",
    RefusalCode.SIGNATURE_MALFORMED: "签名格式不正确（应为 Base64 编码的 DER 格式 ECDSA 签名）",
    RefusalCode.NONCE_UNKNOWN: "登录请求无效，请刷新页面后重试",
    RefusalCode.NONCE_EXPIRED: "登录请求已过期，请刷新后重试",
    RefusalCode.NONCE_USED: "该登录请求已使用过，请刷新后重试",
    RefusalCode.UNTRUSTED_ISSUER: "证书不是由受信任的证书机构签发",
    RefusalCode.NOT_YET_VALID: "证书尚未生效",
    RefusalCode.EXPIRED: "证书已过期，请到证书机构办理证书更新",
    RefusalCode.NOT_FOR_SIGNING: "该证书不能用于数字签名登录",
    RefusalCode.CRL_UNAVAILABLE: (
        "暂时无法核验证书吊销状态，为安全起见暂停证书登录，请稍后再试或联系经办机构"),
    RefusalCode.REVOKED: "证书已被吊销",
    RefusalCode.UNSUPPORTED_KEY: "不支持该证书的密钥类型（应为 ECDSA 证书）",
    RefusalCode.SIGNATURE_INVALID: "签名验证失败，请确认所选私钥文件与证书文件属于同一张证书",
    RefusalCode.NOT_BOUND: "证书未与任何已开通网上申报的单位绑定，请到经办机构办理网上申报开户",
    RefusalCode.UNIT_NOT_OPEN: "证书所绑定的单位未开通网上申报业务或业务已暂停，请联系经办机构",
    RefusalCode.MULTI_USE_UNAUTHORIZED: (
        "该证书已用于其他业务系统，须经办机构登记《数字证书一证多用授权书》后方可登录"),
    RefusalCode.RATE_LIMITED: "登录请求过于频繁，请一分钟后再试",
}


class LoginRefused(Exception):
    """A refused certificate login. `detail` is for the audit log and server logs only."""

    def __init__(self, code: RefusalCode, detail: str = "", *, unit_number: str = "") -> None:
        self.code = code
        self.message = MESSAGES[code]
        self.detail = detail
        self.unit_number = unit_number  # when the certificate's binding is known
        self.fingerprint = ""  # set once the certificate has been parsed
        super().__init__(f"{code}: {self.message}")
