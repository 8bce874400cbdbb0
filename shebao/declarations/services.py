"""Declaration services: create from clean records, submit, review, apply. One function
per transition; each runs in one transaction with its audit event."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass, fields
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from shebao.audit.services import Actor, event_record
from shebao.contributions.backpay import BackpayError
from shebao.contributions.models import MonthStatus, UnitMonth
from shebao.lib.faults import fault_point
from shebao.lib.periods import Month, month_range
from shebao.registry.models import Unit
from shebao.registry.services import persons_lock

from . import effects
from .backpay import EvidenceFile, billed_refusal, wages_key
from .batchfiles import lines_recheck
from .batchfiles.kinds import KIND_OF_DECLARATION, KIND_OF_RECORD, BackpayRecord, Record
from .changes import change_needs_review
from .errors import DeclarationError, DuplicateFile, StaleDraft, new_draft_token
from .models import (
    CHANGE_KINDS,
    TRANSITIONS,
    Declaration,
    DeclarationKind,
    DeclarationLine,
    Evidence,
    Source,
    Status,
)
from .wagewindow import declaring_window, window_submit_refusal

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
REVIEWED_KINDS = {DeclarationKind.BACKPAY}


@dataclass(frozen=True)
class Signed:
    """What the unit's certificate signed: canonical content, signature, certificate."""

    signature: str
    certificate_pem: str
    fingerprint: str


def _line_data(record: Record) -> dict[str, Any]:
    data = {f.name: getattr(record, f.name) for f in fields(record)
            if f.name not in {"row", "id_number", "name"}}
    return {k: (str(v) if isinstance(v, Month) else v) for k, v in data.items()}


def declaration_create(*, unit: Unit, records: list[Record], source: str = Source.WEB,
                       file_digest: str = "", file_name: str = "",
                       actor: Actor, today: dt.date | None = None) -> Declaration:
    """A draft declaration of one kind from clean, validated records, made on `today`.

    缴费工资申报 only inside the yearly window open on that day, for its policy year
    (wagewindow.py): web form, batch file and API all come through here."""
    kinds = {KIND_OF_RECORD[type(r)].declaration for r in records}
    if len(kinds) != 1:
        raise DeclarationError("一份申报只能包含同一种业务，且至少一行")
    kind = kinds.pop()
    policy_year = None
    if kind == DeclarationKind.WAGE:
        policy_year = declaring_window(today or timezone.localdate()).policy_year
    with transaction.atomic():
        if file_digest:
            first = Declaration.objects.filter(unit=unit, kind=kind,
                                               file_digest=file_digest).first()
            if first is not None:
                raise DuplicateFile(first)
        declaration = Declaration.objects.create(
            unit=unit, kind=kind, source=source, file_digest=file_digest,
            file_name=file_name[:200], draft_token=new_draft_token(),
            policy_year=policy_year)
        DeclarationLine.objects.bulk_create([
            DeclarationLine(declaration=declaration, line_no=i, id_number=r.id_number,
                            name=r.name, data=_line_data(r))
            for i, r in enumerate(records, start=1)
        ], batch_size=2000)
        event_record(actor=actor, action="declaration_create", object_type="declaration",
                     object_ref=str(declaration.pk), after={"kind": declaration.kind,
                                                            "lines": len(records)})
    return declaration


def backpay_draft_create(*, unit: Unit, record: BackpayRecord, wages: dict[Month, int],
                         evidence: list[EvidenceFile], actor: Actor) -> Declaration:
    """A web 补缴 draft of one person with the wage of each month and the evidence files,
    all or nothing. Per-month wages are kept (and signed) only when they differ."""
    months = list(month_range(record.start, record.end))
    if sorted(wages) != months:
        raise ValueError("wages must name every month of the record's period")
    with transaction.atomic():
        draft = declaration_create(unit=unit, records=[record], source=Source.WEB, actor=actor)
        by_month = len(set(wages.values())) > 1
        if by_month:
            line = draft.lines.get()
            line.data = {**line.data, "wages": {wages_key(m): w for m, w in wages.items()}}
            line.save(update_fields=["data"])
        Evidence.objects.bulk_create([
            Evidence(declaration=draft, file_name=f.name, content_type=f.content_type,
                     size=f.size, digest=f.digest, data=f.data) for f in evidence])
        event_record(actor=actor, action="declaration_evidence_attach",
                     object_type="declaration", object_ref=str(draft.pk),
                     after={"files": [{"name": f.name, "type": f.content_type, "size": f.size,
                                       "digest": f.digest} for f in evidence],
                            "wages_by_month": by_month})
    return draft


def canonical_content(declaration: Declaration) -> str:
    """The exact text the unit signs: sorted-key JSON of what is declared."""
    lines = [{"line_no": ln.line_no, "id_number": ln.id_number, "name": ln.name,
              "data": ln.data} for ln in declaration.lines.order_by("line_no")]
    payload: dict[str, Any] = {"unit": declaration.unit.number, "kind": declaration.kind,
                               "file_digest": declaration.file_digest, "lines": lines}
    if declaration.policy_year is not None:  # 缴费工资申报: the year is part of what is signed
        payload["policy_year"] = declaration.policy_year
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _transition(declaration: Declaration, target: str) -> None:
    if target not in TRANSITIONS[declaration.status]:
        raise DeclarationError(f"申报当前状态为“{declaration.get_status_display()}”，"
                               f"不能变为“{Status(target).label}”")
    declaration.status = target


def needs_review(declaration: Declaration) -> bool:
    """补缴 always; information changes when they hold a reviewed item."""
    if declaration.kind in CHANGE_KINDS:
        return change_needs_review(declaration)
    return declaration.kind in REVIEWED_KINDS


def _new_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def _apply(declaration: Declaration, today: dt.date) -> None:
    effects.declaration_apply(declaration, today)
    declaration.decided_at = timezone.now()


def effective_month(submitted: dt.date, cutoff_day: int) -> Month:
    """Declarations submitted by the monthly cut-off take effect this month, later ones
    next month [decision, DOMAIN.md]."""
    month = Month.of(submitted)
    return month if submitted.day <= cutoff_day else month.add(1)


def declaration_submit(declaration: Declaration, *, signed: Signed | None, actor: Actor,
                       today: dt.date, cutoff_day: int) -> Declaration:
    """Submit: fix the content and signature, give a receipt; apply at once unless the
    kind needs review.

    The lines are checked again against the registry as it is now, inside the
    transaction and after locking the persons they name, so that of two drafts of the
    same change only the first takes effect (StaleDraft names its receipt). A
    concurrent submission that commits first despite that (persons created by both)
    trips a unique constraint; the IntegrityError becomes the same refusal."""
    try:
        return _submit(declaration, signed=signed, actor=actor, today=today,
                       cutoff_day=cutoff_day)
    except IntegrityError as exc:
        raise _conflict(declaration, today) from exc


def _submit(declaration: Declaration, *, signed: Signed | None, actor: Actor,
            today: dt.date, cutoff_day: int) -> Declaration:
    with transaction.atomic():
        declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
        _transition(declaration, Status.SUBMITTED)
        if declaration.kind == DeclarationKind.WAGE:
            refusal = window_submit_refusal(declaration.policy_year, today)
            if refusal:
                raise DeclarationError(refusal)
        if declaration.kind == DeclarationKind.BACKPAY:
            refusal = billed_refusal(declaration)
            if refusal:
                raise DeclarationError(f"{refusal}。请放弃本草稿，另行填报未缴费的月份")
        stale = _lines_recheck(declaration, today, lock=True)
        if stale is not None:
            raise stale
        declaration.content = canonical_content(declaration)
        declaration.content_digest = hashlib.sha256(declaration.content.encode()).hexdigest()
        if signed is not None:
            declaration.signature = signed.signature
            declaration.certificate_pem = signed.certificate_pem
            declaration.certificate_fingerprint = signed.fingerprint
        declaration.submitted_at = timezone.now()
        declaration.effective_month = int(effective_month(today, cutoff_day))
        declaration.receipt_no = f"{today:%Y%m%d}{_new_code(8)}"
        declaration.verification_code = _new_code(12)
        if needs_review(declaration):
            _transition(declaration, Status.REVIEWING)
        else:
            _apply(declaration, today)
            _transition(declaration, Status.EFFECTIVE)
        declaration.save()
        event_record(actor=actor, action="declaration_submit", object_type="declaration",
                     object_ref=declaration.receipt_no or "",
                     after={"kind": declaration.kind, "status": declaration.status,
                            "content_digest": declaration.content_digest})
        fault_point("declaration_submit")
    return declaration


# Declarations whose lines have been declared: a later draft of the same change is stale.
DECLARED = (Status.SUBMITTED, Status.REVIEWING, Status.EFFECTIVE)


def _lines_recheck(declaration: Declaration, today: dt.date, *,
                   lock: bool) -> StaleDraft | None:
    """The draft's lines against the registry as it is now, by the batch file rules
    (`lines_recheck`). With `lock`, the persons the lines name are locked first
    (PostgreSQL; SQLite's IMMEDIATE transactions are serial anyway), so that a
    concurrent submission about the same people waits until this one is decided and
    then sees what it changed."""
    file_kind = KIND_OF_DECLARATION.get(declaration.kind)
    if file_kind is None:
        return None
    lines = list(declaration.lines.order_by("line_no")
                 .values_list("line_no", "id_number", "name", "data"))
    if lock:
        persons_lock([line[1] for line in lines])
    errors = lines_recheck(lines, kind=file_kind.code, unit=declaration.unit, as_of=today)
    if not errors:
        return None
    by_line = {line[0]: line[1] for line in lines}
    first = (Declaration.objects.filter(
        unit_id=declaration.unit_id, kind=declaration.kind, status__in=DECLARED,
        lines__id_number__in={by_line[e.row] for e in errors if e.row in by_line})
        .exclude(pk=declaration.pk).order_by("-submitted_at").first())
    return StaleDraft(declaration, errors, first)


def _conflict(declaration: Declaration, today: dt.date) -> DeclarationError:
    """Why a submission that hit a unique constraint was refused (after its rollback,
    so what the other submission committed is visible)."""
    if declaration.file_digest:
        first = Declaration.objects.filter(
            unit_id=declaration.unit_id, kind=declaration.kind,
            file_digest=declaration.file_digest).exclude(pk=declaration.pk).first()
        if first is not None:
            return DuplicateFile(first)
    with transaction.atomic():
        stale = _lines_recheck(declaration, today, lock=False)
    return stale or DeclarationError(
        "申报涉及的人员刚刚由其他申报办理，本申报未提交，未作任何变更。请刷新页面核对后重新提交")


def declaration_approve(declaration: Declaration, *, actor: Actor,
                        today: dt.date) -> Declaration:
    with transaction.atomic():
        declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
        if declaration.status != Status.REVIEWING:
            raise DeclarationError("只有审核中的申报可以审核通过")
        if declaration.kind == DeclarationKind.BACKPAY and UnitMonth.objects.filter(
                unit_id=declaration.unit_id, month=int(Month.of(today)),
                status=MonthStatus.CLOSED).exists():
            raise DeclarationError(f"该单位 {Month.of(today).label}的应缴已关账，补缴费用无法计入，"
                                   "请在下月审核")
        if declaration.kind == DeclarationKind.BACKPAY:
            _backpay_apply(declaration, today)
        else:
            _apply(declaration, today)
        _transition(declaration, Status.EFFECTIVE)
        declaration.decided_by = actor.ident
        declaration.save()
        event_record(actor=actor, action="declaration_approve", object_type="declaration",
                     object_ref=declaration.receipt_no or "",
                     before={"status": Status.REVIEWING}, after={"status": declaration.status})
    return declaration


def _backpay_apply(declaration: Declaration, today: dt.date) -> None:
    """Apply an approved 补缴 unless a month it names was billed since it was drafted: the
    check runs in the approval's transaction, and the unique constraint on 补缴 rows
    (backpay_month_once) refuses a concurrent approval of the same months that the check
    could not yet see. Money is never charged twice."""
    refusal = billed_refusal(declaration)
    if refusal:
        raise DeclarationError(f"{refusal}。不能审核通过，请退回本申报")
    try:
        with transaction.atomic():
            _apply(declaration, today)
    except BackpayError as exc:  # the quote rules refuse it now (e.g. a registry gap)
        raise DeclarationError(
            f"{exc}。不能审核通过，请退回本申报或待登记信息更正后再审核") from exc
    except IntegrityError as exc:
        refusal = billed_refusal(declaration)
        raise DeclarationError(f"{refusal or '补缴的月份刚由另一份补缴申报核定'}。"
                               "不能审核通过，请退回本申报") from exc


def declaration_discard(declaration: Declaration, *, actor: Actor) -> None:
    """Drop a draft the unit does not want to submit: nothing was declared."""
    with transaction.atomic():
        declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
        if declaration.status != Status.DRAFT:
            raise DeclarationError("只能放弃尚未提交的草稿")
        event_record(actor=actor, action="declaration_discard", object_type="declaration",
                     object_ref=str(declaration.pk), before={"kind": declaration.kind})
        declaration.delete()


# [decision] A draft nobody submitted is dropped after this long (with its lines and
# evidence files): it declared nothing, and it holds personal data.
DRAFT_TTL = dt.timedelta(days=30)


def drafts_purge(*, now: dt.datetime | None = None, actor: Actor) -> int:
    """Delete the drafts older than DRAFT_TTL (set-based; lines, evidence and upload
    records go with them). One audit event tells how many."""
    cutoff = (now or timezone.now()) - DRAFT_TTL
    with transaction.atomic():
        stale = Declaration.objects.filter(status=Status.DRAFT, created_at__lt=cutoff)
        count = stale.count()
        if count:
            stale.delete()
            event_record(actor=actor, action="declaration_drafts_purge",
                         object_type="declaration",
                         after={"drafts": count, "created_before": cutoff.isoformat()})
    return count


def declaration_return(declaration: Declaration, *, reason: str, actor: Actor) -> Declaration:
    reason = reason.strip()
    if not reason:
        raise DeclarationError("退回时必须填写退回原因")
    with transaction.atomic():
        declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
        _transition(declaration, Status.RETURNED)
        declaration.return_reason = reason
        declaration.decided_at = timezone.now()
        declaration.decided_by = actor.ident
        declaration.save()
        event_record(actor=actor, action="declaration_return", object_type="declaration",
                     object_ref=declaration.receipt_no or "", after={"reason": reason})
    return declaration
