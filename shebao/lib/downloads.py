"""Downloads with Chinese file names: the Content-Disposition header."""

from __future__ import annotations

from urllib.parse import quote


def attachment(filename: str, fallback: str) -> str:
    """`attachment` with an ASCII `filename` for old clients and the real name as
    RFC 5987 `filename*` (UTF-8, percent-encoded), which every current browser prefers.

    attachment("增员表样.xlsx", "add.xlsx") ==
    'attachment; filename="add.xlsx"; filename*=UTF-8''%E5%A2%9E%E5%91%98…%B7.xlsx'
    """
    if not fallback.isascii() or any(ch in fallback for ch in '"\\\r\n;'):
        raise ValueError("the fallback file name must be plain ASCII")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
