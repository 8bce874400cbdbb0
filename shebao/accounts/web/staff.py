"""Staff login (username + password + 动态口令), TOTP enrolment, logout, and the Django
admin's login routed here so that no path signs staff in without TOTP."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from .. import staff
from ..errors import IdentityError
from ..forms import StaffLoginForm, TotpConfirmForm
from ..models import User
from ..navigation import safe_next
from ..principal import client_ip, principal_of, session_logout, staff_session_login

BACKOFFICE = "/backoffice/"
# Password checked, TOTP not yet enrolled: {"user_id", "at", "next"} in the session.
PENDING_KEY = "shebao_totp_pending"
PENDING_SECONDS = 10 * 60


def _bound(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


@sensitive_post_parameters("password", "code")
@never_cache
@require_http_methods(["GET", "POST"])
def staff_login(request: HttpRequest) -> HttpResponse:
    target = safe_next(request, BACKOFFICE)
    if request.method == "GET" and principal_of(request).is_staff:
        return redirect(target)
    form = StaffLoginForm(_bound(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = staff.staff_login(username=data["username"], password=data["password"],
                                       code=data["code"], ip=client_ip(request))
        except IdentityError as exc:
            form.add_error(None, str(exc))
        else:
            if result.needs_enrolment:
                request.session.flush()
                request.session[PENDING_KEY] = {"user_id": result.user.pk, "at": time.time(),
                                                "next": target}
                return redirect("accounts:staff_totp_enrol")
            staff_session_login(request, result.user)
            return redirect(target)
    return render(request, "accounts/staff_login.html",
                  {"form": form, "next": safe_next(request, "")})


def _pending_user(request: HttpRequest) -> tuple[User, str] | None:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=int(pending.get("user_id") or 0), is_active=True).first()
    return (user, str(pending.get("next") or BACKOFFICE)) if user else None


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def staff_totp_enrol(request: HttpRequest) -> HttpResponse:
    pending = _pending_user(request)
    if pending is None:
        messages.error(request, "请先输入用户名和密码。")
        return redirect("accounts:staff_login")
    user, target = pending
    try:
        secret = staff.staff_totp_pending(user)
    except IdentityError as exc:
        request.session.pop(PENDING_KEY, None)
        messages.warning(request, str(exc))
        return redirect("accounts:staff_login")
    form = TotpConfirmForm(_bound(request))
    if request.method == "POST" and form.is_valid():
        try:
            staff.staff_totp_confirm(user=user, code=form.cleaned_data["code"],
                                     ip=client_ip(request))
        except IdentityError as exc:
            form.add_error("code", str(exc))
        else:
            staff_session_login(request, user)
            messages.success(request, "动态口令绑定成功。今后登录请输入验证器中显示的动态口令。")
            return redirect(target)
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return render(request, "accounts/staff_totp_enrol.html", {
        "form": form, "staff_user": user, "secret": grouped,
        "uri": staff.totp_uri(user, secret)})


@require_POST
def staff_logout(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    if principal.is_staff or request.user.is_authenticated:
        if principal.is_staff:
            staff.staff_logout_record(actor=principal.actor(request))
        session_logout(request)
        messages.info(request, "您已安全退出。")
    return redirect("accounts:staff_login")


def admin_login_redirect(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """Replaces `admin.site.login`: the admin's own form would skip the TOTP step."""
    target = safe_next(request, reverse("admin:index"))
    return redirect(f"{reverse('accounts:staff_login')}?{urlencode({'next': target})}")
