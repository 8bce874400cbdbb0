"""Refusals of identity services: str() is the Chinese message shown to the user."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

THROTTLED = "登录尝试过于频繁，请 15 分钟后再试。"


class IdentityError(ValueError):
    """A login, activation or password change refused; the message is for the user."""


class Locked(IdentityError):
    def __init__(self, until: dt.datetime, what: str = "登录") -> None:
        self.until = until
        super().__init__(locked_message(until, what))


def locked_message(until: dt.datetime, what: str = "登录") -> str:
    local = timezone.localtime(until)
    return (f"因连续 5 次输入错误，已暂停{what} 15 分钟，"
            f"请于 {local.month}月{local.day}日 {local:%H:%M} 后再试。")
