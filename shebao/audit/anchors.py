"""Anchors of the audit chain kept outside the database, so that deleting the newest
events is detected too.

The hash chain finds an edited event and a gap in `seq`, but not the newest events cut
off the end: the chain that is left is intact. An anchor is a line appended to a file
outside the database (settings.AUDIT_ANCHOR_FILE): the newest event's seq and hash at
that time, with an HMAC-SHA256 over them under a key the database does not hold
(settings.AUDIT_ANCHOR_KEY), so an anchor cannot be forged by someone who can only
write the database. `shebao audit anchor` appends one (run it from a timer, and after
each monthly step); `shebao audit verify` checks that every anchored event is still
there with the same hash. For protection against someone who can also edit the file,
ship the file (or each line) to append-only storage elsewhere; DEPLOYMENT.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .models import Event


class AnchorFileError(ValueError):
    """The anchor file is damaged or was tampered with; the message is Chinese."""


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    at: str  # ISO time the anchor was written

    def payload(self) -> bytes:
        return f"{self.seq}|{self.hash}|{self.at}".encode()

    def mac(self, key: bytes) -> str:
        return hmac.new(key, self.payload(), hashlib.sha256).hexdigest()


def _key() -> bytes:
    key = getattr(settings, "AUDIT_ANCHOR_KEY", "")
    if not key:
        raise AnchorFileError("未配置审计锚点密钥（SHEBAO_AUDIT_ANCHOR_KEY）")
    return str(key).encode()


def _path() -> Path:
    return Path(settings.AUDIT_ANCHOR_FILE)


def anchor_write(*, now: dt.datetime | None = None) -> Anchor | None:
    """Append an anchor of the newest event (None when the log is empty). The line is
    flushed and synced before this returns."""
    last = Event.objects.order_by("-seq").only("seq", "hash").first()
    if last is None:
        return None
    anchor = Anchor(last.seq, last.hash, (now or timezone.now()).isoformat())
    line = json.dumps({"seq": anchor.seq, "hash": anchor.hash, "at": anchor.at,
                       "mac": anchor.mac(_key())}, separators=(",", ":"))
    path = _path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return anchor


def anchors_read(path: Path | None = None) -> list[Anchor]:
    """Every anchor of the file, checked: each line well-formed, its MAC right, seqs
    never decreasing. No file: no anchors."""
    path = path or _path()
    if not path.exists():
        return []
    key = _key()
    anchors: list[Anchor] = []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            raw = json.loads(text)
            anchor = Anchor(int(raw["seq"]), str(raw["hash"]), str(raw["at"]))
            mac = str(raw["mac"])
        except (ValueError, KeyError, TypeError) as exc:
            raise AnchorFileError(f"审计锚点文件第 {number} 行格式错误") from exc
        if not hmac.compare_digest(mac, anchor.mac(key)):
            raise AnchorFileError(f"审计锚点文件第 {number} 行签名不符（锚点被篡改或密钥不同）")
        if anchors and anchor.seq < anchors[-1].seq:
            raise AnchorFileError(f"审计锚点文件第 {number} 行的序号小于前一行（锚点被篡改）")
        anchors.append(anchor)
    return anchors


@dataclass(frozen=True)
class AnchorBreak:
    anchor: Anchor
    found: str | None  # the event's hash now, None when the event is gone

    def message(self) -> str:
        when = self.anchor.at[:19].replace("T", " ")
        if self.found is None:
            return (f"审计日志被截断：第 {self.anchor.seq} 号事件（{when} 锚定）已不存在，"
                    "最新的事件被删除")
        return f"审计日志与锚点不符：第 {self.anchor.seq} 号事件（{when} 锚定）的哈希已改变"


def anchors_verify(anchors: list[Anchor]) -> AnchorBreak | None:
    """Whether the newest anchor's event is still there with the same hash (one query).

    Checked with an intact chain (`chain_verify`), that is enough: an event's hash
    commits to every event before it, so the events up to each earlier anchor are as
    they were too."""
    if not anchors:
        return None
    newest = anchors[-1]
    found = (Event.objects.filter(seq=newest.seq).values_list("hash", flat=True).first())
    return None if found == newest.hash else AnchorBreak(newest, found)
