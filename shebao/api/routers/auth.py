"""`/api/v1/auth/…`: certificate login for programs (the enterprise client).

1. `POST /auth/challenge` → a one-time nonce, valid 2 minutes.
2. Sign the nonce's UTF-8 bytes with the certificate's private key (ECDSA, SHA-256,
   DER), e.g. `printf %s "$NONCE" | openssl dgst -sha256 -sign key.pem | base64 -w0`.
3. `POST /auth/token` with certificate, nonce and signature → a bearer token (8 hours).
4. Call other endpoints with `Authorization: Bearer <token>`; `GET /auth/me` shows whose.
5. `DELETE /auth/token` when done: the token is revoked at once (the unit can also
   revoke its tokens on the web, 单位首页 › 接口访问令牌).

The first two take no cookie and set none, so they need no CSRF token: a forged
cross-site request could neither read the nonce nor sign it without the private key.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from shebao.accounts.principal import Principal, client_ip
from shebao.certauth.certificates import MAX_PEM_CHARS
from shebao.certauth.login import challenge_request, login_attempt, unit_actor
from shebao.certauth.models import Channel
from shebao.certauth.selectors import unit_for

from ..auth import unit_token_auth
from ..errors import ErrorOut
from ..tokens import token_issue, tokens_revoke

router = Router(tags=["身份认证"])


class ChallengeOut(Schema):
    nonce: str = Field(description="一次性随机数，2 分钟内有效，只能使用一次")
    expires_at: dt.datetime


class TokenIn(Schema):
    certificate: str = Field(min_length=1, max_length=MAX_PEM_CHARS,
                             description="单位证书（PEM）")
    nonce: str = Field(min_length=1, max_length=64, description="challenge 返回的随机数")
    signature: str = Field(min_length=1, max_length=2048,
                           description="对随机数 UTF-8 字节的 ECDSA-SHA256 签名，DER 编码后 Base64")


class TokenOut(Schema):
    token: str = Field(description="访问令牌，请求时放在 Authorization: Bearer 之后")
    unit: str = Field(description="单位编号")
    expires_at: dt.datetime


class MeOut(Schema):
    unit: str = Field(description="单位编号")
    name: str = Field(description="单位名称")


@router.post("/challenge", response={200: ChallengeOut, 429: ErrorOut},
             summary="取得一次性登录随机数")
def challenge(request: HttpRequest) -> ChallengeOut:
    issued = challenge_request(channel=Channel.API, client_ip=client_ip(request))
    return ChallengeOut(nonce=issued.nonce, expires_at=issued.expires_at)


@router.post("/token", response={200: TokenOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut},
             summary="以单位证书签名换取访问令牌")
def token(request: HttpRequest, body: TokenIn) -> TokenOut:
    ip = client_ip(request)
    login = login_attempt(certificate_pem=body.certificate, nonce=body.nonce,
                          signature=body.signature, channel=Channel.API, client_ip=ip)
    issued = token_issue(login, client_ip=ip)
    return TokenOut(token=issued.token, unit=login.unit.number, expires_at=issued.expires_at)


@router.get("/me", auth=unit_token_auth, response={200: MeOut, 401: ErrorOut},
            summary="当前令牌所属单位")
def me(request: HttpRequest) -> MeOut:
    principal: Principal = request.auth  # type: ignore[attr-defined]
    unit = unit_for(principal)
    return MeOut(unit=unit.number, name=unit.name)


@router.delete("/token", auth=unit_token_auth, response={204: None, 401: ErrorOut},
               summary="注销当前访问令牌")
def token_revoke(request: HttpRequest) -> Status:
    """The token of this request stops working at once (a program's logout)."""
    principal: Principal = request.auth  # type: ignore[attr-defined]
    unit = unit_for(principal)
    tokens_revoke(unit, actor=unit_actor(unit.number, client_ip(request)),
                  key_hash=request.api_token_hash)  # type: ignore[attr-defined]
    return Status(204, None)
