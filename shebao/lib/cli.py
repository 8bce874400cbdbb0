"""Command-line conventions shared by every `shebao` command.

Bad arguments give one line of Chinese on stderr and exit status 2; no usage dump, no
traceback. Commands raise `UsageError` for their own validation failures.
"""

from __future__ import annotations

import re
import sys
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser


class UsageError(Exception):
    """A bad argument; the message is Chinese."""


_PATTERNS = [
    (re.compile(r"the following arguments are required: (.+)"), "缺少必填参数：{0}"),
    (re.compile(r"unrecognized arguments: (.+)"), "无法识别的参数：{0}"),
    (re.compile(r"argument (\S+): expected one argument"), "参数 {0} 缺少取值"),
    (re.compile(r"argument (\S+): invalid choice: '?([^' ]+)'? \(choose from (.+)\)"),
     "参数 {0} 的取值“{1}”无效，可选：{2}"),
]


def chinese_usage_message(message: str) -> str:
    for pattern, template in _PATTERNS:
        m = pattern.search(message)
        if m:
            return template.format(*m.groups())
    return f"参数错误：{message}"


def fail(message: str) -> NoReturn:
    sys.stderr.write(message.rstrip() + "\n")
    raise SystemExit(2)


class ChineseParser(CommandParser):
    def error(self, message: str) -> NoReturn:
        fail(chinese_usage_message(message))


class ChineseCommand(BaseCommand):
    """A management command whose argument errors are one Chinese line, exit 2."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # Django builds a plain CommandParser; only its error() differs from ours.
        parser.__class__ = ChineseParser
        return parser

    def execute(self, *args: Any, **options: Any) -> Any:
        try:
            return super().execute(*args, **options)
        except UsageError as exc:
            fail(str(exc))
