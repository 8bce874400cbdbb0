"""The API's one error format: `{"code": "...", "message": "中文说明"}`, never a stack
trace. Installed on the project's NinjaAPI by `errors_install`."""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError, ValidationError

from shebao.certauth.errors import LoginRefused, RefusalCode

logger = logging.getLogger(__name__)


class ErrorOut(Schema):
    code: str
    message: str


class ApiError(Exception):
    """An error answered as `{"code", "message"}` with `status`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        self.status = status
        self.code = code
        self.message = message
        super().__init__(f"{status} {code}: {message}")


HTTP_ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "请求内容无法解析，请以 JSON 格式提交"),
    401: ("unauthenticated", "未提供访问令牌或令牌无效，请先以单位证书登录取得令牌"),
    403: ("forbidden", "无权访问该接口"),
    404: ("not_found", "请求的资源不存在"),
    429: ("rate_limited", "请求过于频繁，请稍后再试"),
}
PARAM_SOURCES = {"body", "query", "path", "header", "cookie", "form"}


def _validation_message(errors: list[dict[str, Any]]) -> str:
    parts = []
    for error in errors[:5]:
        loc = [str(p) for p in error.get("loc", ()) if str(p) not in PARAM_SOURCES]
        field = loc[-1] if loc else "请求内容"
        kind = str(error.get("type", ""))
        if kind == "missing":
            parts.append(f"缺少字段 {field}")
        elif kind.endswith("too_long"):
            parts.append(f"字段 {field} 过长")
        elif kind.endswith("too_short"):
            parts.append(f"字段 {field} 不能为空")
        else:
            parts.append(f"字段 {field} 的值不正确")
    return "请求内容不正确：" + "；".join(parts)


def errors_install(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
        return api.create_response(request, {"code": code, "message": message}, status=status)

    def on_api_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, exc.status, exc.code, exc.message)

    def on_login_refused(request: HttpRequest, exc: Any) -> HttpResponse:
        status = 429 if exc.code == RefusalCode.RATE_LIMITED else 401
        return respond(request, status, str(exc.code), exc.message)

    def on_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, 422, "invalid_request", _validation_message(exc.errors))

    def on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        code, message = HTTP_ERRORS.get(exc.status_code, ("http_error", "请求无法处理"))
        return respond(request, exc.status_code, code, message)

    def on_404(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, 404, *HTTP_ERRORS[404])

    def on_exception(request: HttpRequest, exc: Any) -> HttpResponse:
        logger.exception("API %s %s failed", request.method, request.path)
        return respond(request, 500, "server_error", "系统内部错误，请稍后再试")

    api.add_exception_handler(ApiError, on_api_error)
    api.add_exception_handler(LoginRefused, on_login_refused)
    api.add_exception_handler(ValidationError, on_validation)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_404)
    api.add_exception_handler(Exception, on_exception)
