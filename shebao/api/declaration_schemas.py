"""Input and output schemas of `/api/v1/declarations…` (routers/declarations.py), with
the Chinese descriptions the OpenAPI document shows."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

from shebao.certauth.certificates import MAX_PEM_CHARS
from shebao.declarations.batchfiles import KINDS
from shebao.declarations.batchfiles.readers import MAX_BYTES

from .errors import ErrorOut

KIND_CODES = tuple(KINDS)
KIND_TEXT = "add（增员）、remove（减员）、wage（缴费工资）或 backpay（补缴）"


def fields_text(code: str) -> str:
    """The JSON fields of a kind's rows: 'id_number（身份证号码）、name（姓名）…'."""
    return "、".join(f"{c.field}（{c.header}）" for c in KINDS[code].columns)


class RowErrorOut(Schema):
    row: int | None = Field(description="行号：报盘文件为电子表格的行号（表头为第 1 行），"
                                        "JSON 为第几行（从 1 起）；null 表示整个文件")
    column: str = Field(description="列名（表头名称）")
    value: str = Field(description="所填的值")
    code: str = Field(description="错误代码")
    message: str = Field(description="中文说明")


class FieldErrorOut(RowErrorOut):
    field: str = Field(description="该列对应的 JSON 字段名；整个文件的错误为空")


class ValidateOut(Schema):
    """The shape printed by `shebao validate`."""

    ok: bool = Field(description="是否全部通过")
    kind: str = Field(description="报盘类型 add/remove/wage/backpay")
    rows: int = Field(description="数据行数（空行不计）")
    errors: list[RowErrorOut]


class InvalidOut(ErrorOut):
    ok: bool = False
    kind: str = ""
    rows: int = 0
    errors: list[FieldErrorOut] = []


class RowsIn(Schema):
    kind: Literal["add", "remove", "wage", "backpay"] = Field(
        description=f"业务类型：{KIND_TEXT}")
    rows: list[dict[str, str | int | float | None]] = Field(
        description="申报行，每行为 {字段: 值}，值按报盘文件的写法填写（如起始年月 202507、"
                    "月缴费工资 12000.00）。各类型的字段——"
                    + "；".join(f"{code}：{fields_text(code)}" for code in KIND_CODES))


class DraftOut(Schema):
    draft: str = Field(description="草稿令牌")
    kind: str = Field(description="业务类型 add/remove/wage/backpay")
    kind_label: str = Field(description="业务类型名称")
    lines: int = Field(description="申报人数（行数）")
    content_digest: str = Field(description="待签名内容的 SHA-256（十六进制）")
    content_url: str = Field(description="取得待签名内容的地址")
    submit_url: str = Field(description="签名提交的地址")
    warnings: list[FieldErrorOut] = Field(
        description="提示（不影响受理），如多余的列、户口性质与登记信息不一致")


class RefusalOut(ErrorOut):
    receipt_no: str | None = Field(
        None, description="相关申报的回执号（如重复报盘文件首次提交的回执号）")


class SubmitIn(Schema):
    certificate: str = Field(min_length=1, max_length=MAX_PEM_CHARS,
                             description="签名证书（PEM），须为取得访问令牌时登录所用的证书")
    signature: str = Field(min_length=1, max_length=2048,
                           description="对待签名内容 UTF-8 字节的 ECDSA-SHA256 签名，"
                                       "DER 编码后 Base64")
    content_digest: str = Field(min_length=64, max_length=64, pattern="^[0-9a-f]{64}$",
                                description="所签内容的 SHA-256（小写十六进制）")


class SubmitOut(Schema):
    receipt_no: str = Field(description="回执号")
    verification_code: str = Field(description="回执验证码，任何人可在“回执验证”页面核验")
    status: str = Field(description="状态：effective 已生效、reviewing 审核中")
    status_label: str
    effective_month: str | None = Field(description="生效年月 YYYY-MM")
    submitted_at: dt.datetime
    content_digest: str
    detail_url: str = Field(description="申报详情的地址")


class DeclarationOut(Schema):
    receipt_no: str = Field(description="回执号")
    kind: str = Field(description="申报业务：enrol 增员、leave 减员、wage 缴费工资申报、"
                                  "backpay 补缴、unit_change 单位信息变更、"
                                  "person_change 个人信息变更")
    kind_label: str
    source: str = Field(description="来源：web 网上填报、batch 报盘文件、api 接口")
    status: str = Field(description="状态：submitted 已提交、reviewing 审核中、"
                                    "effective 已生效、returned 已退回")
    status_label: str
    submitted_at: dt.datetime | None
    effective_month: str | None = Field(description="生效年月 YYYY-MM")
    lines: int = Field(description="申报人数（行数）")
    return_reason: str = Field(description="退回原因（已退回时）")


class DeclarationPage(Schema):
    count: int = Field(description="申报总数")
    page: int
    pages: int
    items: list[DeclarationOut]


class LineOut(Schema):
    line_no: int
    id_number: str
    name: str
    data: dict[str, Any] = Field(description="申报项目：金额为分（整数），年月为 YYYY-MM")


class DeclarationDetailOut(DeclarationOut):
    verification_code: str
    content_digest: str
    certificate_fingerprint: str = Field(description="签名证书指纹（SHA-256）")
    decided_at: dt.datetime | None
    page: int = Field(description="明细页码，每页 1000 行")
    pages: int
    line_items: list[LineOut]


FILE_BODY = {"multipart/form-data": {"schema": {
    "type": "object", "required": ["kind", "file"],
    "properties": {
        "kind": {"type": "string", "enum": list(KIND_CODES),
                 "description": f"业务类型：{KIND_TEXT}"},
        "file": {"type": "string", "format": "binary",
                 "description": "报盘文件：Excel 工作簿（.xlsx）或 CSV（UTF-8 或 GBK），"
                                f"不超过 {MAX_BYTES // 1048576} MB"}}}}}
ROWS_BODY = {"application/json": {"schema": RowsIn.model_json_schema()}}
TEXT_200 = {"200": {"description": "待签名的申报内容",
                    "content": {"text/plain": {"schema": {"type": "string"}}}}}
