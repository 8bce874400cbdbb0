"""Audit actions written by the identity services, with their Chinese names.

Every login attempt (success, each failure, the start of a lock, refusals while locked
or throttled), activation, password change and 密码函 writes one event.
"""

from __future__ import annotations

from typing import Any

from shebao.audit.services import Actor, event_record

PERSON_LOGIN = "person_login"
PERSON_LOGIN_FAILED = "person_login_failed"
PERSON_LOGIN_LOCKED = "person_login_locked"
PERSON_LOGIN_REFUSED = "person_login_refused"
PERSON_LOGOUT = "person_logout"
PERSON_ACTIVATE = "person_activate"
PERSON_ACTIVATE_FAILED = "person_activate_failed"
PERSON_ACTIVATE_LOCKED = "person_activate_locked"
PERSON_PASSWORD_CHANGE = "person_password_change"  # noqa: S105 (an event name)
PERSON_PASSWORD_CHANGE_FAILED = "person_password_change_failed"  # noqa: S105 (an event name)
PERSON_PASSWORD_SET = "person_password_set"  # noqa: S105 (an event name)
PERSON_LETTER_ISSUE = "person_letter_issue"
STAFF_LOGIN = "staff_login"
STAFF_LOGIN_FAILED = "staff_login_failed"
STAFF_LOGIN_LOCKED = "staff_login_locked"
STAFF_LOGIN_REFUSED = "staff_login_refused"
STAFF_LOGOUT = "staff_logout"
STAFF_TOTP_ENROL = "staff_totp_enrol"
STAFF_TOTP_ENROL_FAILED = "staff_totp_enrol_failed"
STAFF_TOTP_REQUIRED = "staff_totp_required"
STAFF_TOTP_RESET = "staff_totp_reset"

LABELS: dict[str, str] = {
    PERSON_LOGIN: "参保人登录",
    PERSON_LOGIN_FAILED: "参保人登录失败",
    PERSON_LOGIN_LOCKED: "参保人登录锁定",
    PERSON_LOGIN_REFUSED: "参保人登录被拒（锁定或频繁）",
    PERSON_LOGOUT: "参保人退出",
    PERSON_ACTIVATE: "参保人设置查询密码",
    PERSON_ACTIVATE_FAILED: "参保人设置查询密码失败",
    PERSON_ACTIVATE_LOCKED: "参保人设置查询密码锁定",
    PERSON_PASSWORD_CHANGE: "参保人修改查询密码",
    PERSON_PASSWORD_CHANGE_FAILED: "参保人修改查询密码失败",
    PERSON_PASSWORD_SET: "设置参保人查询密码",
    PERSON_LETTER_ISSUE: "出具密码函",
    STAFF_LOGIN: "工作人员登录",
    STAFF_LOGIN_FAILED: "工作人员登录失败",
    STAFF_LOGIN_LOCKED: "工作人员登录锁定",
    STAFF_LOGIN_REFUSED: "工作人员登录被拒（锁定或频繁）",
    STAFF_LOGOUT: "工作人员退出",
    STAFF_TOTP_ENROL: "工作人员绑定动态口令",
    STAFF_TOTP_ENROL_FAILED: "工作人员绑定动态口令失败",
    STAFF_TOTP_REQUIRED: "工作人员密码正确，转绑定动态口令",
    STAFF_TOTP_RESET: "重置工作人员动态口令",
}

# Reasons stored in the event's `after`, so a search shows why an attempt failed.
REASON_UNKNOWN = "unknown_or_inactive"  # no such holder, or no password/code set
REASON_PASSWORD = "wrong_password"  # noqa: S105 (an event name)
REASON_CODE = "wrong_code"
REASON_EXPIRED = "expired_code"
REASON_TOTP = "wrong_totp"
REASON_TOTP_REUSED = "reused_totp"
REASON_LOCKED = "locked"
REASON_THROTTLED = "throttled"


def record(actor: Actor, action: str, object_type: str, object_ref: str = "",
           **after: Any) -> None:
    event_record(actor=actor, action=action, object_type=object_type, object_ref=object_ref,
                 after=after or None)
