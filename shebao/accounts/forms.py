"""Login, activation and password forms. Every error is Chinese and sits at its field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from shebao.lib.idnumbers import IdentifierError, normalize_id_number

from .passwords import password_rules_text, person_password_check


class IdNumberField(forms.CharField):
    """A citizen ID number as typed; cleans to the 18-character form (15 accepted)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "公民身份号码")
        kwargs.setdefault("max_length", 24)
        kwargs.setdefault("error_messages", {"required": "请输入公民身份号码。"})
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("autocomplete", "username")
        self.widget.attrs.setdefault("spellcheck", "false")

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        if not text and not self.required:
            return ""
        try:
            return normalize_id_number(text)
        except IdentifierError as exc:
            raise ValidationError(str(exc)) from exc


def _password(label: str, autocomplete: str, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, max_length=128, strip=False,
                           widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
                           error_messages={"required": f"请输入{label}。"}, **kwargs)


class _NewPasswordMixin(forms.Form):
    """Two entries of a new password that must agree and follow the rules."""

    new_password1 = _password("新查询密码", "new-password", help_text=password_rules_text())
    new_password2 = _password("再次输入新密码", "new-password")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        one, two = data.get("new_password1"), data.get("new_password2")
        if one and two and one != two:
            self.add_error("new_password2", "两次输入的新密码不一致。")
        elif one:
            try:
                person_password_check(one, self.password_owner(data))
            except ValidationError as exc:
                self.add_error("new_password1", exc)
        return data

    def password_owner(self, data: dict[str, Any]) -> Any:
        return None


class _IdOnly:
    def __init__(self, id_number: str) -> None:
        self.id_number = id_number


class PersonActivateForm(_NewPasswordMixin):
    id_number = IdNumberField()
    code = forms.CharField(label="激活码", max_length=16,
                           help_text="密码函上的 8 位激活码，不区分大小写",
                           error_messages={"required": "请输入密码函上的激活码。"})

    field_order = ["id_number", "code", "new_password1", "new_password2"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(autocomplete="one-time-code",
                                                spellcheck="false")

    def password_owner(self, data: dict[str, Any]) -> Any:
        return _IdOnly(data["id_number"]) if data.get("id_number") else None


class PersonLoginForm(forms.Form):
    id_number = IdNumberField()
    password = _password("查询密码", "current-password")


class PersonPasswordChangeForm(_NewPasswordMixin):
    old_password = _password("原查询密码", "current-password")

    field_order = ["old_password", "new_password1", "new_password2"]

    def __init__(self, *args: Any, id_number: str = "", **kwargs: Any) -> None:
        self.id_number = id_number
        super().__init__(*args, **kwargs)

    def password_owner(self, data: dict[str, Any]) -> Any:
        return _IdOnly(self.id_number)


class StaffLoginForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150,
                               error_messages={"required": "请输入用户名。"})
    password = _password("密码", "current-password")
    code = forms.CharField(label="动态口令", max_length=8, required=False,
                           help_text="验证器中显示的 6 位数字；首次登录尚未绑定的可不填")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocomplete="username")
        self.fields["code"].widget.attrs.update(autocomplete="one-time-code",
                                                inputmode="numeric", spellcheck="false")


class TotpConfirmForm(forms.Form):
    code = forms.CharField(label="动态口令", max_length=8,
                           help_text="添加后验证器中显示的 6 位数字",
                           error_messages={"required": "请输入动态口令。"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(autocomplete="one-time-code",
                                                inputmode="numeric")
