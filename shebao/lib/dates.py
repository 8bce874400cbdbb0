"""Parsing dates as people type them: 2025-03-05, 2025/3/5, 20250305, 2025年3月5日."""

from __future__ import annotations

import datetime as dt
import re

_FULLWIDTH = str.maketrans("０１２３４５６７８９－／．", "0123456789-/.")
_DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


class DateError(ValueError):
    """Not a date; the message is Chinese."""


def parse_date(text: str) -> dt.date:
    cleaned = str(text).strip().translate(_FULLWIDTH)
    parts: tuple[str, ...]
    if re.fullmatch(r"\d{8}", cleaned):
        parts = (cleaned[:4], cleaned[4:6], cleaned[6:])
    else:
        m = _DATE_RE.match(cleaned)
        if not m:
            raise DateError(f"“{str(text).strip()}”不是有效日期，应写作 YYYY-MM-DD")
        parts = m.groups()
    try:
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError as exc:
        raise DateError(f"“{str(text).strip()}”不是有效日期（该日不存在）") from exc
