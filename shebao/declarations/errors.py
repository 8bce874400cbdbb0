"""What the declaration rules refuse, as exceptions with Chinese messages, and the
draft token every kind of draft gets. The lowest module of the app but its models:
services, changes, wagewindow and the web import it, and it imports none of them.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Protocol

from django.utils import timezone

from .models import Declaration


class LineProblem(Protocol):
    """What a refusal says of a line: a batch file rule's RowError (batchfiles.errors)."""

    @property
    def row(self) -> int | None: ...

    @property
    def message(self) -> str: ...


class DeclarationError(ValueError):
    """A transition the rules refuse; the message is Chinese."""


class DuplicateFile(DeclarationError):
    def __init__(self, first: Declaration) -> None:
        if first.submitted_at is None:
            message = "该报盘文件已有一份未提交的申报草稿，请继续办理该草稿，本次未重复办理"
        else:
            when = timezone.localtime(first.submitted_at)
            message = (f"该报盘文件已于 {when:%Y-%m-%d %H:%M} 提交，"
                       f"回执号 {first.receipt_no}，本次未重复办理")
        super().__init__(message)
        self.first = first


class StaleDraft(DeclarationError):
    """A draft whose lines no longer hold against the registry: most often the same
    change already declared by `first` (None when no earlier declaration of this unit
    names those persons). Nothing is changed."""

    LISTED = 5

    def __init__(self, draft: Declaration, errors: Sequence[LineProblem],
                 first: Declaration | None) -> None:
        details = "；".join(f"第 {e.row} 行：{e.message}" for e in errors[:self.LISTED])
        if len(errors) > self.LISTED:
            details += f"（等共 {len(errors)} 处）"
        if first is not None and first.submitted_at is not None:
            when = timezone.localtime(first.submitted_at)
            message = (f"该{draft.get_kind_display()}已由回执号 {first.receipt_no} 的申报"
                       f"（{when:%Y-%m-%d %H:%M} 提交）办理，不能重复提交：{details}。"
                       "本草稿未提交，未作任何变更，请放弃该草稿")
        else:
            message = (f"申报内容与当前登记信息不符，本草稿未提交，未作任何变更：{details}。"
                       "请放弃该草稿，按当前登记信息重新申报")
        super().__init__(message)
        self.errors = errors
        self.first = first


def new_draft_token() -> str:
    return secrets.token_urlsafe(24)
