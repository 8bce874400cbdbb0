"""`/api/v1/declarations…`: a unit's declarations through its bearer token.

1. `POST /declarations/validate` (multipart: kind, file): the `shebao validate` report
   of a batch file against the unit's registry today. Nothing is stored.
2. `POST /declarations/drafts`: a draft, from a batch file (multipart) or from JSON rows
   `{"kind", "rows": [{field: value}]}`. Invalid → 422 with every error, nothing stored.
3. `GET /declarations/drafts/{draft}/content`: the exact text to sign (UTF-8).
4. `POST /declarations/drafts/{draft}/submit`: certificate, signature over that text and
   its SHA-256; the certificate must be the one the token was issued for.
5. `GET /declarations` and `GET /declarations/{receipt_no}`: the unit's submissions.

Every read and write is scoped by the token's unit (another unit's draft or receipt
number is a 404). Uploads share the web's size limit and count against a per-unit rate
limit. The rules are the services' (batchfiles, declarations.submitting); this module
only parses requests and shapes answers.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from ninja import Query, Router, Status

from shebao.accounts.principal import Principal
from shebao.accounts.ratelimit import ratelimit_hit
from shebao.certauth.selectors import unit_for
from shebao.declarations import uploads
from shebao.declarations.batchfiles import (
    KINDS,
    RowError,
    ValidationResult,
    batchfile_validate,
    records_validate,
)
from shebao.declarations.errors import DeclarationError, DuplicateFile
from shebao.declarations.models import Declaration, Source
from shebao.declarations.selectors import (
    declaration_for_unit,
    draft_for_unit,
    line_counts,
    unit_declarations,
)
from shebao.declarations.services import declaration_create, declaration_discard
from shebao.declarations.submitting import (
    SubmitRefused,
    content_digest,
    draft_submit_signed,
    signed_content,
)
from shebao.declarations.wagewindow import WindowClosed, declaring_window
from shebao.lib.periods import Month
from shebao.registry.models import Unit

from ..auth import unit_token_auth
from ..declaration_schemas import (
    FILE_BODY,
    KIND_CODES,
    KIND_TEXT,
    ROWS_BODY,
    TEXT_200,
    DeclarationDetailOut,
    DeclarationPage,
    DraftOut,
    InvalidOut,
    RefusalOut,
    SubmitIn,
    SubmitOut,
    ValidateOut,
    fields_text,
)
from ..errors import HTTP_ERRORS, ApiError, ErrorOut

router = Router(tags=["申报"], auth=unit_token_auth)

# Uploads (validate, drafts) per unit and hour, whatever their form.
UPLOAD_RATE_LIMIT = 60
UPLOAD_RATE_WINDOW = 3600
DECLARATIONS_PER_PAGE = 20
LINES_PER_PAGE = 1000
# Where the web confirm page's wording ("刷新页面") would mislead a program.
API_MESSAGES = {
    "content_changed": "申报内容已变化：请重新取得申报内容（content_url），重新签名后再提交",
    "signature_invalid": "签名验证失败：签名与本申报的内容或所提交的证书不符。请用该证书的私钥"
                         "对 content_url 返回的原始字节签名（ECDSA-SHA256，DER 编码后 Base64）",
    "certificate_not_session": "签名所用证书不是取得本访问令牌时登录所用的证书："
                               "请用登录证书及其私钥签名",
}


# --- reading requests -------------------------------------------------------------------


def _principal(request: HttpRequest) -> Principal:
    principal: Principal = request.auth  # type: ignore[attr-defined]
    return principal


def _kind(value: object) -> str:
    if value in (None, ""):
        raise ApiError(422, "invalid_request", f"缺少字段 kind：请填写业务类型 {KIND_TEXT}")
    if value not in KIND_CODES:
        raise ApiError(422, "invalid_request", f"业务类型“{value}”不正确：应为 {KIND_TEXT}")
    return str(value)


def _admit(request: HttpRequest, unit: Unit, *, json_too: bool = False) -> None:
    """Refuse a body of another type, or far over the file limit, unread; then count one
    upload of the unit."""
    accepted = ("multipart/form-data", "application/json") if json_too else (
        "multipart/form-data",)
    if request.content_type not in accepted:
        also = "，或以 application/json 提交申报行（字段 kind 和 rows）" if json_too else ""
        raise ApiError(415, "unsupported_media_type",
                       f"请以 multipart/form-data 上传报盘文件（字段 kind 和 file）{also}")
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > uploads.MAX_BYTES + uploads.REQUEST_MARGIN:
        raise ApiError(413, "file_too_large", uploads.TOO_LARGE)
    if not ratelimit_hit(f"api-upload-unit:{unit.number}", limit=UPLOAD_RATE_LIMIT,
                         window_seconds=UPLOAD_RATE_WINDOW):
        raise ApiError(429, "rate_limited", "上传过于频繁，请一小时后再试")


def _wage_window(kind: str, today: dt.date) -> None:
    """缴费工资 outside the yearly window: said before the rows are read (the service
    refuses such a draft anyway)."""
    if kind == "wage":
        try:
            declaring_window(today)
        except WindowClosed as exc:
            raise ApiError(409, "wage_window_closed", str(exc)) from exc


def _multipart(request: HttpRequest) -> tuple[str, str, bytes]:
    """(kind, file name, bytes) of a multipart upload, received under the size limit:
    the web upload's handler stops storing a file once it passes the limit."""
    limit = uploads.SizeLimit(request, uploads.MAX_BYTES)
    request.upload_handlers = [limit, *request.upload_handlers]
    try:
        files, post = request.FILES, request.POST
    except RequestDataTooBig:
        raise ApiError(413, "request_too_large", "请求中文件以外的内容过大") from None
    except (MultiPartParserError, SuspiciousOperation):
        raise ApiError(400, "bad_request", "multipart/form-data 请求格式不正确") from None
    if limit.exceeded:
        raise ApiError(413, "file_too_large", uploads.TOO_LARGE)
    kind = _kind(post.get("kind"))
    file = files.get("file")
    if file is None:
        raise ApiError(422, "invalid_request", "缺少字段 file：请上传报盘文件（.xlsx 或 CSV）")
    return kind, file.name or "报盘文件", file.read()


def _json_rows(request: HttpRequest) -> tuple[str, list[dict[str, object]]]:
    """(kind, rows) of a JSON body. Numbers become the text they were written as, so that
    a row reads exactly like a file's cells typed as text."""
    try:
        body = json.loads(request.body)
    except RequestDataTooBig:
        mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1048576
        raise ApiError(413, "request_too_large",
                       f"请求内容超过 {mb} MB 的上限：请分批提交，或以报盘文件上传") from None
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        raise ApiError(400, *HTTP_ERRORS[400])
    kind = _kind(body.get("kind"))
    rows = body.get("rows")
    if not isinstance(rows, list):
        raise ApiError(422, "invalid_request", "缺少字段 rows：应为申报行的列表，每行为 {字段: 值}")
    known = {c.field for c in KINDS[kind].columns}
    items: list[dict[str, object]] = []
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise ApiError(422, "invalid_request", f"第 {n} 行应为 {{字段: 值}} 形式的对象")
        unknown = sorted(set(row) - known)
        if unknown:
            raise ApiError(422, "unknown_field",
                           f"第 {n} 行含有{KINDS[kind].label}申报没有的字段 {'、'.join(unknown)}；"
                           f"可用字段：{fields_text(kind)}")
        item: dict[str, object] = {}
        for key, value in row.items():
            if isinstance(value, bool) or not isinstance(value, (str, int, float, type(None))):
                raise ApiError(422, "invalid_request", f"第 {n} 行字段 {key} 的值应为文字或数字")
            item[key] = value if value is None or isinstance(value, str) else str(value)
        items.append(item)
    return kind, items


# --- shaping answers --------------------------------------------------------------------


def _errors(kind: str, errors: list[RowError]) -> list[dict[str, object]]:
    fields = {c.header: c.field for c in KINDS[kind].columns}
    return [{**e.as_dict(), "field": fields.get(e.column, "")} for e in errors]


def _invalid(result: ValidationResult, what: str) -> Status[dict[str, object]]:
    return Status(422, {
        "code": "invalid_rows",
        "message": f"{what}校验未通过，共 {len(result.errors)} 处错误：未生成草稿，未受理任何数据",
        "ok": False, "kind": result.kind, "rows": result.rows,
        "errors": _errors(result.kind, result.errors)})


def _duplicate(first: Declaration) -> Status[dict[str, object]]:
    return Status(409, {"code": "duplicate_file", "message": str(DuplicateFile(first)),
                        "receipt_no": first.receipt_no})


def _draft_out(draft: Declaration, kind: str, result: ValidationResult) -> dict[str, object]:
    token = str(draft.draft_token)
    return {"draft": token, "kind": kind, "kind_label": KINDS[kind].label,
            "lines": len(result.records), "content_digest": content_digest(draft),
            "content_url": reverse("api:draft_content", kwargs={"token": token}),
            "submit_url": reverse("api:draft_submit", kwargs={"token": token}),
            "warnings": _errors(kind, result.warnings)}


def _month(value: int | None) -> str | None:
    return str(Month.from_int(value)) if value else None


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(value) if value else None


def _declaration_out(d: Declaration, lines: int) -> dict[str, object]:
    return {"receipt_no": d.receipt_no, "kind": d.kind, "kind_label": d.get_kind_display(),
            "source": d.source, "status": d.status, "status_label": d.get_status_display(),
            "submitted_at": _local(d.submitted_at), "effective_month": _month(d.effective_month),
            "lines": lines, "return_reason": d.return_reason}


# --- operations (the literal paths before /{receipt_no}) --------------------------------


@router.post("/validate", response={200: ValidateOut, 400: ErrorOut, 401: ErrorOut,
                                    413: ErrorOut, 415: ErrorOut, 422: ErrorOut,
                                    429: ErrorOut},
             summary="校验报盘文件（不保存）",
             description="按本单位今天的社保登记信息校验报盘文件，列出全部错误（行、列、所填的"
                         "值、错误代码、中文说明），与命令 shebao validate 的输出相同。"
                         "不保存任何数据。",
             openapi_extra={"requestBody": {"required": True, "content": FILE_BODY}})
def declaration_validate(request: HttpRequest) -> dict[str, object]:
    unit = unit_for(_principal(request))
    _admit(request, unit)
    kind, name, data = _multipart(request)
    result = batchfile_validate(data, name, kind=kind, unit=unit, as_of=timezone.localdate())
    return result.as_json()


@router.post("/drafts", response={200: DraftOut, 201: DraftOut, 400: ErrorOut, 401: ErrorOut,
                                  409: RefusalOut, 413: ErrorOut, 415: ErrorOut,
                                  422: InvalidOut, 429: ErrorOut},
             summary="生成申报草稿（报盘文件或 JSON 申报行）",
             description="以 multipart 上传报盘文件（kind、file），或以 JSON 提交 {kind, rows}。"
                         "全部通过校验时生成草稿（201），返回草稿令牌和待签名内容的摘要；同一报盘文件"
                         "已生成的草稿原样返回（200），已提交过的返回 409 和首次提交的回执号；"
                         "缴费工资申报不在申报期内时返回 409。"
                         "有任何错误时返回 422 和全部错误，不保存任何数据。",
             openapi_extra={"requestBody": {"required": True,
                                            "content": {**FILE_BODY, **ROWS_BODY}}})
def draft_create(request: HttpRequest) -> Status[dict[str, object]]:
    principal = _principal(request)
    unit = unit_for(principal)
    _admit(request, unit, json_too=True)
    today = timezone.localdate()
    if request.content_type != "application/json":
        kind, name, data = _multipart(request)
        try:
            received = uploads.upload_draft(unit=unit, kind=kind, data=data, file_name=name,
                                            actor=principal.actor(request), today=today)
        except WindowClosed as exc:
            raise ApiError(409, "wage_window_closed", str(exc)) from exc
        except DuplicateFile as exc:
            return _duplicate(exc.first)
        except DeclarationError as exc:
            raise ApiError(409, "refused", str(exc)) from exc
        if received.draft is None:
            return _invalid(received.result, "报盘文件")
        return Status(201 if received.created else 200,
                      _draft_out(received.draft, kind, received.result))
    kind, items = _json_rows(request)
    _wage_window(kind, today)
    result = records_validate(items, kind=kind, unit=unit, as_of=today)
    if not result.ok:
        return _invalid(result, "申报行")
    try:
        draft = declaration_create(unit=unit, records=result.records, source=Source.API,
                                   actor=principal.actor(request))
    except DeclarationError as exc:
        raise ApiError(409, "refused", str(exc)) from exc
    return Status(201, _draft_out(draft, kind, result))


@router.get("/drafts/{token}/content", response={401: ErrorOut, 404: ErrorOut},
            summary="取得待签名的申报内容",
            description="草稿的规范化申报内容（text/plain，UTF-8，末尾不加换行），请对这些原始字节"
                        "签名；已提交的申报返回当时签名的内容。",
            openapi_extra={"responses": TEXT_200})
def draft_content(request: HttpRequest, token: str) -> HttpResponse:
    response = HttpResponse(signed_content(draft_for_unit(unit_for(_principal(request)), token)),
                            content_type="text/plain; charset=utf-8")
    add_never_cache_headers(response)
    return response


@router.delete("/drafts/{token}", response={204: None, 401: ErrorOut, 404: ErrorOut,
                                            409: ErrorOut},
               summary="放弃申报草稿",
               description="删除尚未提交的草稿（不作任何申报）；已提交的申报不能删除，返回 409。"
                           "未提交的草稿保留 30 天后自动清除。")
def draft_discard(request: HttpRequest, token: str) -> Status[None]:
    principal = _principal(request)
    draft = draft_for_unit(unit_for(principal), token)
    try:
        declaration_discard(draft, actor=principal.actor(request))
    except DeclarationError as exc:
        raise ApiError(409, "already_submitted", str(exc)) from exc
    return Status(204, None)


@router.post("/drafts/{token}/submit",
             response={200: SubmitOut, 401: ErrorOut, 403: RefusalOut, 404: ErrorOut,
                       409: RefusalOut, 422: ErrorOut},
             summary="签名提交申报",
             description="用取得访问令牌时登录所用的证书对待签名内容签名后提交。内容已变化、已提交过"
                         "或报盘文件重复时返回 409，签名或证书不符时返回 403。增员、减员、缴费工资"
                         "申报提交后即时生效，补缴须经经办机构审核。")
def draft_submit(request: HttpRequest, token: str, body: SubmitIn) -> Any:
    principal = _principal(request)
    draft = draft_for_unit(unit_for(principal), token)
    try:
        submitted = draft_submit_signed(
            draft, session_fingerprint=principal.credential, certificate_pem=body.certificate,
            signature=body.signature, signed_digest=body.content_digest,
            actor=principal.actor(request))
    except SubmitRefused as exc:
        return Status(exc.status, {"code": exc.code,
                                   "message": API_MESSAGES.get(exc.code, exc.message),
                                   "receipt_no": exc.receipt_no})
    return {"receipt_no": submitted.receipt_no,
            "verification_code": submitted.verification_code,
            "status": submitted.status, "status_label": submitted.get_status_display(),
            "effective_month": _month(submitted.effective_month),
            "submitted_at": _local(submitted.submitted_at),
            "content_digest": submitted.content_digest,
            "detail_url": reverse("api:declaration_detail",
                                  kwargs={"receipt_no": submitted.receipt_no})}


@router.get("", response={200: DeclarationPage, 401: ErrorOut, 422: ErrorOut},
            summary="本单位已提交的申报",
            description="按提交时间从新到旧，每页 20 条；不含未提交的草稿。")
def declaration_list(request: HttpRequest,
                     page: int = Query(1, ge=1, description="页码，从 1 起")) -> dict[str, object]:
    unit = unit_for(_principal(request))
    paginator = Paginator(unit_declarations(unit), DECLARATIONS_PER_PAGE)
    items = list(paginator.page(page).object_list) if page <= paginator.num_pages else []
    counts = line_counts(items)
    return {"count": paginator.count, "page": page, "pages": paginator.num_pages,
            "items": [_declaration_out(d, counts.get(d.pk, 0)) for d in items]}


@router.get("/{receipt_no}", response={200: DeclarationDetailOut, 401: ErrorOut,
                                       404: ErrorOut, 422: ErrorOut},
            summary="申报详情及明细",
            description="一份已提交申报的状态、回执信息和明细行（每页 1000 行）。")
def declaration_detail(request: HttpRequest, receipt_no: str,
                       page: int = Query(1, ge=1, description="明细页码，从 1 起")
                       ) -> dict[str, object]:
    declaration = declaration_for_unit(unit_for(_principal(request)), receipt_no)
    paginator = Paginator(declaration.lines.order_by("line_no"), LINES_PER_PAGE)
    lines = list(paginator.page(page).object_list) if page <= paginator.num_pages else []
    return {**_declaration_out(declaration, paginator.count),
            "verification_code": declaration.verification_code or "",
            "content_digest": declaration.content_digest,
            "certificate_fingerprint": declaration.certificate_fingerprint,
            "decided_at": _local(declaration.decided_at), "page": page,
            "pages": paginator.num_pages,
            "line_items": [{"line_no": ln.line_no, "id_number": ln.id_number, "name": ln.name,
                            "data": ln.data} for ln in lines]}
