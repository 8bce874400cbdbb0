"""Batch file uploads: the one sequence a file sent by a unit goes through (the web
page and the API alike, `upload_draft`), and on the web the short-lived row behind each
upload.

A refused file keeps its bytes and its error report, so that the operator can download
the file back with every bad cell marked (and nothing else can be done with it). A valid
file becomes a draft declaration at once; its row only points to the draft, and the
bytes are dropped. Rows are found by a random token *and* the unit of the session, so a
token of another unit is simply not found; they expire after UPLOAD_TTL.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import Http404, HttpRequest
from django.utils import timezone

from shebao.audit.services import Actor
from shebao.registry.models import Unit

from .batchfiles import KINDS, RowError, ValidationResult, batchfile_validate
from .batchfiles.readers import MAX_BYTES
from .errors import DuplicateFile
from .models import BatchUpload, Declaration, Status
from .submitting import file_draft
from .wagewindow import declaring_window

UPLOAD_TTL = dt.timedelta(hours=2)
# A request body this much larger than the file limit is refused unread (web and API).
REQUEST_MARGIN = 1024 * 1024
TOO_LARGE = f"文件超过 {MAX_BYTES // 1048576} MB 的上限，请分成几个文件上传"


def upload_purge(now: dt.datetime | None = None) -> int:
    """Delete the uploads older than UPLOAD_TTL (one indexed DELETE)."""
    cutoff = (now or timezone.now()) - UPLOAD_TTL
    deleted, _ = BatchUpload.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def upload_for(unit: Unit, token: str) -> BatchUpload:
    """The unit's own, unexpired upload; 404 for anything else."""
    upload = (BatchUpload.objects.select_related("declaration")
              .filter(token=token, unit=unit,
                      created_at__gte=timezone.now() - UPLOAD_TTL).first())
    if upload is None:
        raise Http404
    return upload


def submitted_with_digest(unit: Unit, kind: str, digest: str) -> Declaration | None:
    """The declaration this very file already became (submitted, not a draft), if any."""
    return (Declaration.objects.filter(unit=unit, kind=KINDS[kind].declaration,
                                       file_digest=digest)
            .exclude(status=Status.DRAFT).first())


def _report(result: ValidationResult) -> dict[str, object]:
    return {"rows": result.rows, "columns": result.columns,
            "errors": [e.as_dict() for e in result.errors],
            "warnings": [w.as_dict() for w in result.warnings]}


def upload_result(upload: BatchUpload) -> ValidationResult:
    """The validation result as it was shown, rebuilt from the row (for the workbook)."""
    report = upload.report
    return ValidationResult(
        kind=upload.kind, digest=upload.digest, rows=int(report.get("rows", 0)),
        errors=[RowError(**e) for e in report.get("errors", [])],
        warnings=[RowError(**w) for w in report.get("warnings", [])],
        columns=dict(report.get("columns", {})))


def upload_refused(*, unit: Unit, data: bytes, file_name: str,
                   result: ValidationResult) -> BatchUpload:
    """Keep a refused file and its report for the errors workbook."""
    upload_purge()
    return BatchUpload.objects.create(
        token=secrets.token_urlsafe(18), unit=unit, kind=result.kind,
        file_name=file_name[:200], digest=result.digest, data=data, report=_report(result))


def upload_accepted(*, unit: Unit, file_name: str, result: ValidationResult,
                    draft: Declaration) -> BatchUpload:
    """The row of a valid file, pointing to the draft it became (`upload_draft`)."""
    upload_purge()
    return BatchUpload.objects.create(
        token=secrets.token_urlsafe(18), unit=unit, kind=result.kind,
        file_name=file_name[:200], digest=result.digest, report=_report(result),
        declaration=draft)


@dataclass(frozen=True)
class FileReceived:
    """A batch file checked: the validation report and, when it passed, its draft
    (`created`: made now; False: the same bytes had already become this draft)."""

    result: ValidationResult
    draft: Declaration | None = None
    created: bool = False


def upload_draft(*, unit: Unit, kind: str, data: bytes, file_name: str, actor: Actor,
                 today: dt.date) -> FileReceived:
    """What a batch file sent by a unit (web page or API) becomes. Refused unread when
    it is 缴费工资 outside the yearly window (WindowClosed) or the very file already
    submitted (DuplicateFile: a file is applied once, not even validated again); else
    validated against the unit's registry as of `today`, and a valid file becomes its
    draft (`file_draft`: created with its audit event, or the one the same bytes
    became). Nothing is stored for a file with errors."""
    if kind == "wage":
        declaring_window(today)
    first = submitted_with_digest(unit, kind, hashlib.sha256(data).hexdigest())
    if first is not None:
        raise DuplicateFile(first)
    result = batchfile_validate(data, file_name, kind=kind, unit=unit, as_of=today)
    if not result.ok:
        return FileReceived(result)
    draft, created = file_draft(unit=unit, result=result, file_name=file_name, actor=actor)
    return FileReceived(result, draft, created)


class SizeLimit(FileUploadHandler):
    """Stops receiving any file of a request once it passes `max_bytes`: the rest is
    discarded unstored and the file's name kept in `too_big` (the form says which)."""

    def __init__(self, request: HttpRequest, max_bytes: int) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes
        self.too_big: list[str] = []

    @property
    def exceeded(self) -> bool:
        return bool(self.too_big)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.max_bytes:
            self.too_big.append(self.file_name or "")
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
