"""参保人 pages: set the query password with a 密码函, log in and out, change the
password, and 本人基本信息. Thin: form, one service call, redirect or render."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from .. import persons
from ..access import person_required
from ..errors import IdentityError
from ..forms import PersonActivateForm, PersonLoginForm, PersonPasswordChangeForm
from ..navigation import safe_next
from ..principal import Principal, client_ip, principal_of, session_login, session_logout
from ..selectors import person_profile


def _bound(request: HttpRequest) -> dict[str, object] | None:
    return request.POST if request.method == "POST" else None  # type: ignore[return-value]


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def person_login(request: HttpRequest) -> HttpResponse:
    home = reverse("accounts:person_home")
    if request.method == "GET" and principal_of(request).is_person:
        return redirect(home)
    form = PersonLoginForm(_bound(request))
    if request.method == "POST" and form.is_valid():
        try:
            person = persons.person_login(id_number=form.cleaned_data["id_number"],
                                          password=form.cleaned_data["password"],
                                          ip=client_ip(request))
        except IdentityError as exc:
            form.add_error(None, str(exc))
        else:
            session_login(request, Principal("person", person_id=person.pk,
                                             label=person.masked_id_number))
            return redirect(safe_next(request, home))
    return render(request, "accounts/person_login.html",
                  {"form": form, "next": safe_next(request, "")})


@sensitive_post_parameters("code", "new_password1", "new_password2")
@never_cache
@require_http_methods(["GET", "POST"])
def person_activate(request: HttpRequest) -> HttpResponse:
    form = PersonActivateForm(_bound(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            persons.person_activate(id_number=data["id_number"], code=data["code"],
                                    password=data["new_password1"], ip=client_ip(request))
        except IdentityError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "查询密码设置成功，激活码已失效。"
                                      "请使用公民身份号码和新密码登录。")
            return redirect("accounts:person_login")
    return render(request, "accounts/person_activate.html", {"form": form})


@person_required
def person_home(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/person_home.html",
                  {"profile": person_profile(principal_of(request))})


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@never_cache
@person_required
@require_http_methods(["GET", "POST"])
def person_password(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    profile = person_profile(principal)
    form = PersonPasswordChangeForm(_bound(request), id_number=profile.person.id_number)
    if request.method == "POST" and form.is_valid():
        try:
            persons.person_password_change(
                person_id=profile.person.pk, old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
                actor=principal.actor(request))
        except IdentityError as exc:
            form.add_error(None, str(exc))
        else:
            request.session.cycle_key()
            messages.success(request, "查询密码已修改，下次登录请使用新密码。")
            return redirect("accounts:person_home")
    return render(request, "accounts/person_password.html", {"form": form})


@require_POST
def person_logout(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    if principal.is_person and principal.person_id is not None:
        persons.person_logout_record(actor=principal.actor(request),
                                     person_id=principal.person_id)
        session_logout(request)
        messages.info(request, "您已安全退出个人查询。")
    return redirect("accounts:person_login")
