"""Writing and verifying audit events. Only services call `event_record`."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from .models import ActorKind, Event

GENESIS = "0" * 64
_LOCK_KEY = 0x5E_BA0  # advisory lock serialising chain appends on PostgreSQL


@dataclass(frozen=True)
class Actor:
    kind: str
    ident: str
    source_ip: str = ""


SYSTEM = Actor(ActorKind.SYSTEM, "system")


def _digest(fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _content(event: Event) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor_kind": event.actor_kind,
        "actor": event.actor,
        "source_ip": event.source_ip,
        "action": event.action,
        "object_type": event.object_type,
        "object_ref": event.object_ref,
        "before": event.before,
        "after": event.after,
        "prev_hash": event.prev_hash,
    }


def event_record(*, actor: Actor, action: str, object_type: str = "", object_ref: str = "",
                 before: dict[str, Any] | None = None,
                 after: dict[str, Any] | None = None) -> Event:
    """Append one event to the chain (inside the caller's transaction, if any)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        last = Event.objects.order_by("-seq").only("seq", "hash").first()
        event = Event(
            seq=(last.seq + 1) if last else 1,
            at=timezone.now(),
            actor_kind=actor.kind,
            actor=actor.ident,
            source_ip=actor.source_ip,
            action=action,
            object_type=object_type,
            object_ref=object_ref,
            before=before,
            after=after,
            prev_hash=last.hash if last else GENESIS,
        )
        event.hash = _digest(_content(event))
        event.save()
        return event


def chain_verify() -> Event | int | None:
    """None when the chain is intact; else the first broken event, or the missing seq."""
    prev_hash = GENESIS
    expected_seq = 1
    for event in Event.objects.order_by("seq").iterator(chunk_size=5000):
        if event.seq != expected_seq:
            return expected_seq
        if event.prev_hash != prev_hash or _digest(_content(event)) != event.hash:
            return event
        prev_hash = event.hash
        expected_seq += 1
    return None
