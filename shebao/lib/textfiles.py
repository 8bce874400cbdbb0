"""Decoding uploaded text files: UTF-8 (with or without BOM) or GB18030/GBK.

Chinese Excel saves CSV as GBK by default; GB18030 is its superset, so it decodes both.
"""

from __future__ import annotations


class DecodeError(ValueError):
    """The bytes are not text in a supported encoding; the message is Chinese."""


def decode_text(data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise DecodeError("文件不是文本格式（CSV），请另存为 CSV 或使用 .xlsx 模板")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise DecodeError("无法识别文件编码，请使用 UTF-8 或 GBK/GB18030 编码的 CSV") from exc
