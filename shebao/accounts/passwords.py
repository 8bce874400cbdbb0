"""Rules for 参保人 query passwords and the activation codes of 密码函.

Query passwords: at least 8 characters, letters and digits both, not a common
password, not all digits, and not built from the holder's ID number. Django's own
validators do the common-password and all-digit checks (their messages are Chinese
under zh-hans); the length and mix rules are ours, because Django's length message has
no Chinese translation.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.password_validation import (
    CommonPasswordValidator,
    NumericPasswordValidator,
    validate_password,
)
from django.core.exceptions import ValidationError

MIN_LENGTH = 8
# Activation codes: no 0/O, 1/I/L, so a printed code cannot be misread.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8

_FULLWIDTH = {0xFF01 + i: 0x21 + i for i in range(94)}


class LengthAndMixValidator:
    """At least MIN_LENGTH characters, with at least one letter and one digit."""

    def validate(self, password: str, user: Any = None) -> None:
        errors = []
        if len(password) < MIN_LENGTH:
            errors.append(ValidationError(f"密码长度不能少于 {MIN_LENGTH} 位。",
                                          code="password_too_short"))
        has_letter = any(c.isascii() and c.isalpha() for c in password)
        has_digit = any(c.isascii() and c.isdigit() for c in password)
        if not (has_letter and has_digit):
            errors.append(ValidationError("密码须同时包含字母和数字。", code="password_mix"))
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return f"至少 {MIN_LENGTH} 位，须同时包含字母和数字。"


class NotFromIdNumberValidator:
    """Not the birth date or the last six characters of the holder's ID number."""

    def validate(self, password: str, user: Any = None) -> None:
        id_number = str(getattr(user, "id_number", "") or "").upper()
        if len(id_number) != 18:
            return
        upper = password.upper()
        if id_number[6:14] in upper or id_number[-6:] in upper:
            raise ValidationError("密码不能包含本人身份证号码中的出生日期或末六位。",
                                  code="password_from_id_number")

    def get_help_text(self) -> str:
        return "不能包含本人身份证号码中的出生日期或末六位。"


VALIDATORS = (LengthAndMixValidator(), CommonPasswordValidator(), NumericPasswordValidator(),
              NotFromIdNumberValidator())


def person_password_check(password: str, person: Any = None) -> None:
    """Raise ValidationError (Chinese messages) if `password` breaks the rules."""
    validate_password(password, user=person, password_validators=list(VALIDATORS))


def password_rules_text() -> str:
    return ("查询密码至少 8 位，须同时包含字母和数字，不能过于简单，"
            "不能包含本人身份证号码中的出生日期或末六位。")


def activation_code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def activation_code_clean(text: str) -> str:
    """What a person typed, as stored: ASCII, upper case, no spaces or hyphens."""
    plain = str(text or "").translate(_FULLWIDTH).upper()
    return "".join(ch for ch in plain if ch.isalnum())


def activation_code_display(code: str) -> str:
    """ABCD-EFGH: printed in two groups of four for easier reading."""
    return f"{code[:4]}-{code[4:]}" if len(code) == CODE_LENGTH else code
