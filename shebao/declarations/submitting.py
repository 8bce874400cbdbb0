"""The steps every channel (the web confirm page, the API) takes the same way: a valid
batch file becomes a draft once, and a draft is submitted only over a signature that
holds.

`file_draft` turns a validated batch file into its draft, or finds the draft the same
bytes already became (a file's content is applied once per unit and kind).
`draft_submit_signed` runs the checks of the confirm step in order — still a draft, the
content the unit signed is the content now, the signature (signing.py), then
`declaration_submit` — and refuses with `SubmitRefused`: a stable code, a Chinese
message, the HTTP status that fits, and the receipt number the refusal points to.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone

from shebao.audit.services import Actor
from shebao.registry.models import Unit

from .batchfiles import KINDS, ValidationResult
from .errors import DeclarationError, DuplicateFile, StaleDraft
from .models import Declaration, Source, Status
from .services import canonical_content, declaration_create, declaration_submit
from .signing import SigningRefused, signed_content_verify


class SubmitRefused(Exception):
    """A submission refused; `receipt_no` names the declaration it points to, if any."""

    def __init__(self, code: str, message: str, status: int,
                 receipt_no: str | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.receipt_no = receipt_no


def content_digest(draft: Declaration) -> str:
    """SHA-256 (hex) of the UTF-8 canonical content: what the unit's signature covers."""
    return hashlib.sha256(canonical_content(draft).encode("utf-8")).hexdigest()


def signed_content(declaration: Declaration) -> bytes:
    """The exact bytes the unit signs (a draft: its canonical content now) or signed (a
    submitted declaration: the content recorded with its signature); UTF-8, no newline
    added. The web confirm step and the API serve them, each in its own response."""
    content = (canonical_content(declaration) if declaration.status == Status.DRAFT
               else declaration.content)
    return content.encode("utf-8")


def file_draft(*, unit: Unit, result: ValidationResult, file_name: str,
               actor: Actor) -> tuple[Declaration, bool]:
    """The draft of a valid batch file, and whether it was created now (False: the same
    bytes had already become this draft). DuplicateFile when they were submitted."""
    kind = KINDS[result.kind].declaration
    existing = Declaration.objects.filter(unit=unit, kind=kind,
                                          file_digest=result.digest).first()
    if existing is not None:
        if existing.status != Status.DRAFT:
            raise DuplicateFile(existing)
        return existing, False
    try:
        draft = declaration_create(unit=unit, records=result.records, source=Source.BATCH,
                                   file_digest=result.digest, file_name=file_name,
                                   actor=actor)
    except IntegrityError:  # the same file sent twice at the same moment
        existing = Declaration.objects.get(unit=unit, kind=kind, file_digest=result.digest)
        if existing.status != Status.DRAFT:
            raise DuplicateFile(existing) from None
        return existing, False
    return draft, True


def draft_submit_signed(draft: Declaration, *, session_fingerprint: str,
                        certificate_pem: str, signature: str, signed_digest: str | None,
                        actor: Actor, today: dt.date | None = None) -> Declaration:
    """Verify the unit's signature over the draft's canonical content and submit it.

    `session_fingerprint` is the certificate the unit logged in with (web session or
    API token): only that certificate may sign. `signed_digest` is the digest of the
    content the signer was shown; None skips that check (the signature still covers the
    content as computed now)."""
    if draft.status != Status.DRAFT:
        raise SubmitRefused("already_submitted", f"该申报已提交，回执号 {draft.receipt_no}",
                            409, draft.receipt_no)
    content = canonical_content(draft)
    if signed_digest is not None and (
            signed_digest != hashlib.sha256(content.encode("utf-8")).hexdigest()):
        raise SubmitRefused("content_changed", "申报内容已变化，请重新取得申报内容后再签名", 409)
    try:
        signed = signed_content_verify(
            unit=draft.unit, session_fingerprint=session_fingerprint,
            certificate_pem=certificate_pem, signature=signature, content=content)
    except SigningRefused as exc:
        raise SubmitRefused(exc.code, exc.message, 403) from exc
    try:
        return declaration_submit(draft, signed=signed, actor=actor,
                                  today=today or timezone.localdate(),
                                  cutoff_day=settings.DECLARATION_CUTOFF_DAY)
    except DuplicateFile as exc:
        raise SubmitRefused("duplicate_file", str(exc), 409, exc.first.receipt_no) from exc
    except StaleDraft as exc:
        raise SubmitRefused("stale_draft", str(exc), 409,
                            exc.first.receipt_no if exc.first else None) from exc
    except DeclarationError as exc:
        raise SubmitRefused("refused", str(exc), 409) from exc
