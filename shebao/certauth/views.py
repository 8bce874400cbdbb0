"""Unit certificate login in the browser, logout, and the unit's home page.

The login page's script (static/certauth/login.js) reads the certificate and the
PKCS#8 private key the operator selects, asks `login_challenge` for a nonce, signs it
with WebCrypto (ECDSA P-256, SHA-256), converts WebCrypto's r||s signature to DER (the
one format the server verifies, as openssl and the enterprise CLI produce it) and posts
certificate, nonce and signature to `login_verify`. The private key never leaves the
browser: the file inputs have no name, so even a form submitted without the script
uploads nothing.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from shebao.accounts.access import unit_required
from shebao.accounts.principal import (
    Principal,
    client_ip,
    principal_of,
    session_login,
    session_logout,
)

from .errors import LoginRefused, RefusalCode
from .login import challenge_request, login_attempt, logout_record
from .models import Channel
from .selectors import UnitSessionInvalid, unit_basic_info, unit_session_for

# (name, note, URL name or (URL name, kind), query): tiles without a URL are not open
# online yet.
BUSINESS: list[tuple[str, str, str | tuple[str, str], str]] = [
    ("增员", "新参保、转入、续保人员逐人填报；多人请用报盘文件", "declarations:enrol", ""),
    ("减员", "转出、解除或终止劳动合同、退休、死亡等减少人员逐人填报", "declarations:leave", ""),
    ("缴费工资申报", "申报期内逐人填报职工上年月平均工资，作为本年度缴费基数；人多可用报盘",
     "declarations:wage", ""),
    ("补缴", "以往月份漏缴的补缴申报：试算应缴金额和滞纳金，附证明材料，经审核后生效",
     "declarations:backpay", ""),
    ("报盘", "企业版数据报盘文件上传：增员、减员、缴费工资、补缴批量申报",
     "declarations:upload", ""),
    ("表样下载", "增员、减员、缴费工资、补缴报盘文件的空白表样和填表说明",
     "declarations:forms", ""),
    ("单位信息变更", "单位名称、地址、联系人、托收账号等；登记证号、类型、地区须审核",
     "declarations:unit_change", ""),
    ("个人信息变更", "在职人员姓名、联系电话、地址；身份证号码、户口性质须审核",
     "declarations:person_change_lookup", ""),
    ("申报记录", "已提交申报的办理状态、明细和回执", "declarations:list", ""),
    ("员工基本信息", "本单位现有和曾有人员及其各险种参保状态、起止年月；可导出 Excel、打印",
     ("reports:query", "people"), ""),
    ("员工缴费基数", "各缴费年度职工的申报工资、各险种核定基数及来源；可导出 Excel、打印",
     ("reports:query", "bases"), ""),
    ("1992年至1995年养老账户", "职工1992年至1995年养老保险个人账户历史储存额",
     ("reports:query", "account1992"), ""),
    ("查询", "缴费情况过录表、欠费、对账单等查询", "", ""),
    ("证明打印", "打印带校验码和二维码的单位参保证明，第三方可在网上核验", "reports:documents",
     ""),
    ("操作指南", "登录、增减员、缴费工资申报、补缴、报盘、信息变更、回执验证等的操作步骤和截图",
     "reports:guide", ""),
]


def _href(url: str | tuple[str, str], query: str) -> str:
    """A tile's link: a URL name, or (URL name, kind) for one of the query pages."""
    if not url:
        return ""
    path = reverse(url[0], kwargs={"kind": url[1]}) if isinstance(url, tuple) else reverse(url)
    return path + (f"?{query}" if query else "")


def _business() -> list[tuple[str, str, str]]:
    return [(name, note, _href(url, query)) for name, note, url, query in BUSINESS]


NO_SCRIPT = "证书登录需要由浏览器完成数字签名，请启用 JavaScript 后重试。"


def _safe_next(request: HttpRequest, candidate: object) -> str:
    home = reverse("certauth:unit_home")
    if isinstance(candidate, str) and candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()},
            require_https=request.is_secure()):
        return candidate
    return home


def _refusal(exc: LoginRefused) -> JsonResponse:
    status = 429 if exc.code == RefusalCode.RATE_LIMITED else 401
    return JsonResponse({"code": str(exc.code), "message": exc.message}, status=status)


@require_http_methods(["GET", "POST"])
def login_page(request: HttpRequest) -> HttpResponse:
    if principal_of(request).is_unit:
        return redirect("certauth:unit_home")
    context = {"next": _safe_next(request, request.GET.get("next")), "error": ""}
    if request.method == "POST":  # the form sent without its script
        context["error"] = NO_SCRIPT
        return render(request, "certauth/login.html", context, status=400)
    return render(request, "certauth/login.html", context)


@require_POST
def login_challenge(request: HttpRequest) -> JsonResponse:
    try:
        challenge = challenge_request(channel=Channel.WEB, client_ip=client_ip(request))
    except LoginRefused as exc:
        return _refusal(exc)
    return JsonResponse({"nonce": challenge.nonce,
                         "expires_at": challenge.expires_at.isoformat()})


def _json_body(request: HttpRequest) -> dict[str, Any] | None:
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    fields = ("certificate", "nonce", "signature")
    if not all(isinstance(data.get(name), str) for name in fields):
        return None
    return data


@require_POST
def login_verify(request: HttpRequest) -> JsonResponse:
    """Verify a signed nonce and start the unit's session (CSRF-protected: it sets the
    session cookie, so a forged cross-site login must be impossible)."""
    data = _json_body(request)
    if data is None:
        return JsonResponse({"code": "bad_request",
                             "message": "请求内容不完整，请刷新页面后重试"}, status=400)
    try:
        login = login_attempt(certificate_pem=data["certificate"], nonce=data["nonce"],
                              signature=data["signature"], channel=Channel.WEB,
                              client_ip=client_ip(request))
    except LoginRefused as exc:
        return _refusal(exc)
    session_login(request, Principal("unit", unit_id=login.unit.id, label=login.unit.number,
                                     credential=login.fingerprint))
    return JsonResponse({"next": _safe_next(request, data.get("next")),
                         "unit": login.unit.number})


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    if principal.is_unit:
        logout_record(unit_number=principal.label, fingerprint=principal.credential,
                      client_ip=client_ip(request))
    session_logout(request)
    messages.success(request, "您已安全退出。")
    return redirect("certauth:login")


@unit_required
def unit_home(request: HttpRequest) -> HttpResponse:
    try:
        session = unit_session_for(principal_of(request))
    except UnitSessionInvalid as exc:
        session_logout(request)
        messages.error(request, str(exc))
        return redirect("certauth:login")
    return render(request, "certauth/unit_home.html", {
        "unit": session.unit, "binding": session.binding, "info": unit_basic_info(session.unit),
        "expires_soon": session.expires_soon, "business": _business(),
    })
