"""`/api/v1/declarations…` as an enterprise client calls it: validate, draft (from a file
or JSON rows), fetch the content, sign and submit, then list and read back; with every
refusal, the limits, and another unit's identifiers."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from shebao.accounts.models import RateLimitBucket
from shebao.api.routers import declarations as api_declarations
from shebao.api.tests.helpers import bearer, post_token
from shebao.audit.models import Event
from shebao.certauth.certificates import certificate_parse, fingerprint
from shebao.certauth.tests.helpers import Holder, unit_with_certificate
from shebao.declarations import uploads as upload_views
from shebao.declarations.batchfiles import batchfile_validate
from shebao.declarations.models import BatchUpload, Declaration, Source, Status
from shebao.declarations.services import canonical_content
from shebao.declarations.tests.helpers import (
    csv_file,
    effective,
    make_backpay,
    make_billed,
    today,
    wage_window_open,
)
from shebao.declarations.tests.samples import add_row, person_id
from shebao.lib.periods import Month
from shebao.registry.models import Enrolment, WageBase
from shebao.tests.helpers import make_enrolment, make_person

pytestmark = pytest.mark.django_db

BASE = "/api/v1/declarations"


@pytest.fixture
def api(holder: Holder) -> Api:
    return Api(holder)


class Api:
    """A client program holding a unit's token: each call sends `Authorization: Bearer`."""

    def __init__(self, holder: Holder) -> None:
        self.holder = holder
        self.client = Client()
        response = post_token(self.client, holder)
        assert response.status_code == 200, response.content
        self.headers = bearer(response.json()["token"])

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(BASE + path, params, headers=self.headers)

    def upload(self, path: str, kind: str | None, data: bytes | None,
               name: str = "增员.csv") -> Any:
        body: dict[str, Any] = {}
        if kind is not None:
            body["kind"] = kind
        if data is not None:
            body["file"] = SimpleUploadedFile(name, data)
        return self.client.post(BASE + path, body, headers=self.headers)

    def rows(self, kind: Any, rows: Any) -> Any:
        return self.client.post(f"{BASE}/drafts", {"kind": kind, "rows": rows},
                                content_type="application/json", headers=self.headers)

    def content(self, token: str) -> str:
        response = self.get(f"/drafts/{token}/content")
        assert response.status_code == 200, response.content
        return str(response.content.decode("utf-8"))

    def submit(self, token: str, *, signer: Holder | None = None,
               certificate: str | None = None, content: str | None = None,
               digest: str | None = None) -> Any:
        """Fetch the content, sign it and post the signature; each part can be wrong."""
        text = self.content(token) if content is None else content
        body = {"certificate": certificate or self.holder.cert_pem,
                "signature": (signer or self.holder).sign(text),
                "content_digest": digest or hashlib.sha256(text.encode("utf-8")).hexdigest()}
        return self.client.post(f"{BASE}/drafts/{token}/submit", body,
                                content_type="application/json", headers=self.headers)


def add_file(*ns: int) -> bytes:
    return csv_file("add", [add_row(n, 起始年月=str(effective())) for n in ns or (1, 2)])


def add_item(n: int, **change: Any) -> dict[str, Any]:
    """A JSON row of 增员, numbers written as numbers."""
    item = {"id_number": person_id(n), "name": "张" + "〇一二三四五六七八九"[n],
            "hukou": "城镇", "reason": "新参保", "start": int(effective()), "wage": 12000,
            "phone": "13800138000"}
    item.update(change)
    return item


def enrolled(holder: Holder, n: int) -> bool:
    return Enrolment.objects.filter(unit=holder.unit, person__id_number=person_id(n),
                                    last_month__isnull=True).exists()


def nothing_stored() -> bool:
    return not Declaration.objects.exists() and not BatchUpload.objects.exists()


# --- validate ---------------------------------------------------------------------------


def test_validate_lists_every_error_with_row_and_column_as_the_cli_does(
        api: Api, holder: Holder) -> None:
    bad_id = person_id(3)[:-1] + ("0" if person_id(3)[-1] != "0" else "1")
    data = csv_file("add", [add_row(1, 起始年月=str(effective())),
                            add_row(3, 身份证号码=bad_id, 起始年月=str(effective())),
                            add_row(4, 月缴费工资="12x00", 起始年月=str(effective()))])

    response = api.upload("/validate", "add", data)

    assert response.status_code == 200
    body = response.json()
    assert body == batchfile_validate(data, "增员.csv", kind="add", unit=holder.unit,
                                      as_of=today()).as_json()
    assert (body["ok"], body["kind"], body["rows"]) == (False, "add", 3)
    assert [(e["row"], e["column"], e["value"], e["code"]) for e in body["errors"]] == [
        (3, "身份证号码", bad_id, "id_check"), (4, "月缴费工资", "12x00", "wage_format")]
    assert set(body["errors"][0]) == {"row", "column", "value", "code", "message"}
    assert "校验位" in body["errors"][0]["message"]
    assert nothing_stored()


def test_validate_checks_against_the_units_registry(api: Api, holder: Holder) -> None:
    person = make_person(name="钱一")
    make_enrolment(person, holder.unit, first=Month.of(today()).add(-3))
    data = csv_file("add", [[person.id_number, "钱一", "城镇", "新参保", str(effective()),
                             "9000", "13800138000"]])
    body = api.upload("/validate", "add", data).json()
    assert body["ok"] is False
    assert [e["code"] for e in body["errors"]] == ["already_enrolled"]
    assert api.upload("/validate", "add", add_file(1, 2)).json() == {
        "ok": True, "kind": "add", "rows": 2, "errors": []}


def test_validate_of_a_file_that_is_no_spreadsheet_reports_the_whole_file(api: Api) -> None:
    body = api.upload("/validate", "wage", b"%PDF-1.4 not a table", "名单.pdf").json()
    assert body["ok"] is False and body["rows"] == 0
    assert body["errors"][0]["row"] is None and "PDF" in body["errors"][0]["message"]


@pytest.mark.parametrize(("kind", "data", "message"), [
    (None, b"x", "缺少字段 kind：请填写业务类型 add（增员）"),
    ("pension", b"x", "业务类型“pension”不正确：应为 add（增员）、remove（减员）"),
    ("add", None, "缺少字段 file：请上传报盘文件（.xlsx 或 CSV）"),
])
def test_incomplete_upload_is_422_in_chinese(api: Api, kind: str | None, data: bytes | None,
                                             message: str) -> None:
    for path in ("/validate", "/drafts"):
        response = api.upload(path, kind, data)
        assert response.status_code == 422, path
        assert response.json()["code"] == "invalid_request"
        assert response.json()["message"].startswith(message)
    assert nothing_stored()


def test_validate_takes_only_multipart(api: Api) -> None:
    response = api.client.post(f"{BASE}/validate", {"kind": "add"},
                               content_type="application/json", headers=api.headers)
    assert response.status_code == 415
    assert response.json()["message"] == (
        "请以 multipart/form-data 上传报盘文件（字段 kind 和 file）")
    response = api.client.post(f"{BASE}/drafts", "kind=add", content_type="text/plain",
                               headers=api.headers)
    assert response.status_code == 415 and "application/json" in response.json()["message"]


# --- drafts from files, signed submission -------------------------------------------------


def test_file_becomes_a_draft_whose_content_is_signed_and_submitted(
        api: Api, holder: Holder) -> None:
    response = api.upload("/drafts", "add", add_file(1, 2), "九月增员.csv")

    assert response.status_code == 201, response.content
    body = response.json()
    draft = Declaration.objects.get()
    content = canonical_content(draft)
    token = str(draft.draft_token)
    assert body == {
        "draft": token, "kind": "add", "kind_label": "增员", "lines": 2,
        "content_digest": hashlib.sha256(content.encode()).hexdigest(),
        "content_url": f"{BASE}/drafts/{token}/content",
        "submit_url": f"{BASE}/drafts/{token}/submit", "warnings": []}
    assert (draft.status, draft.source, draft.file_name) == (
        Status.DRAFT, Source.BATCH, "九月增员.csv")
    assert draft.file_digest == hashlib.sha256(add_file(1, 2)).hexdigest()
    fetched = api.get(f"/drafts/{token}/content")
    assert fetched["Content-Type"] == "text/plain; charset=utf-8"
    assert "no-store" in fetched["Cache-Control"]
    assert fetched.content.decode("utf-8") == content
    assert not enrolled(holder, 1)

    submitted = api.submit(token)

    assert submitted.status_code == 200, submitted.content
    draft.refresh_from_db()
    assert submitted.json() == {
        "receipt_no": draft.receipt_no, "verification_code": draft.verification_code,
        "status": "effective", "status_label": "已生效", "effective_month": str(effective()),
        "submitted_at": submitted.json()["submitted_at"],
        "content_digest": body["content_digest"],
        "detail_url": f"{BASE}/{draft.receipt_no}"}
    assert draft.status == Status.EFFECTIVE and draft.content == content
    assert holder.binding is not None
    assert draft.certificate_fingerprint == holder.binding.fingerprint
    assert enrolled(holder, 1) and enrolled(holder, 2)
    event = Event.objects.get(action="declaration_submit", object_ref=draft.receipt_no)
    assert (event.actor_kind, event.actor) == ("unit", holder.unit.number)
    # the content of a submitted declaration is what was signed
    assert api.content(token) == content


def test_same_file_before_submitting_returns_the_same_draft(api: Api) -> None:
    first = api.upload("/drafts", "add", add_file())
    again = api.upload("/drafts", "add", add_file(), "改名.csv")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["draft"] == first.json()["draft"]
    assert Declaration.objects.count() == 1


def test_same_file_after_submitting_is_409_pointing_to_the_first_receipt(
        api: Api, holder: Holder) -> None:
    token = api.upload("/drafts", "add", add_file(1, 2)).json()["draft"]
    receipt = api.submit(token).json()["receipt_no"]
    enrolments = Enrolment.objects.count()

    response = api.upload("/drafts", "add", add_file(1, 2), "再次上传.csv")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "duplicate_file" and body["receipt_no"] == receipt
    assert f"回执号 {receipt}" in body["message"] and "本次未重复办理" in body["message"]
    assert Declaration.objects.count() == 1 and Enrolment.objects.count() == enrolments


def test_file_with_errors_is_422_with_every_error_and_no_draft(api: Api) -> None:
    data = csv_file("add", [add_row(1, 起始年月=str(effective())),
                            add_row(2, 户口性质="外地", 起始年月=str(effective()))])
    response = api.upload("/drafts", "add", data)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_rows"
    assert body["message"] == "报盘文件校验未通过，共 1 处错误：未生成草稿，未受理任何数据"
    assert (body["ok"], body["kind"], body["rows"]) == (False, "add", 2)
    assert [(e["row"], e["column"], e["field"], e["value"], e["code"]) for e in body["errors"]] \
        == [(3, "户口性质", "hukou", "外地", "choice")]
    assert nothing_stored()


def test_backpay_submitted_through_the_api_waits_for_review(api: Api, holder: Holder) -> None:
    person = make_person(name="赵一")
    current = Month.of(today())
    make_enrolment(person, holder.unit, first=current.add(-12))
    data = csv_file("backpay", [[person.id_number, "赵一", str(current.add(-6)),
                                 str(current.add(-5)), "8000", "入职当月漏报"]])
    token = api.upload("/drafts", "backpay", data).json()["draft"]
    body = api.submit(token).json()
    assert (body["status"], body["status_label"]) == ("reviewing", "审核中")


def test_backpay_of_months_already_billed_is_422_by_file_and_by_rows(
        api: Api, holder: Holder) -> None:
    person = make_person(name="赵一")
    current = Month.of(today())
    make_enrolment(person, holder.unit, first=current.add(-12))
    make_billed(person, holder.unit, current.add(-6))
    row = [person.id_number, "赵一", str(current.add(-6)), str(current.add(-5)), "8000",
           "入职当月漏报"]
    expected = {"row": 2, "column": "起始年月", "code": "month_already_billed"}
    for response in (api.upload("/validate", "backpay", csv_file("backpay", [row])),
                     api.upload("/drafts", "backpay", csv_file("backpay", [row]))):
        errors = response.json()["errors"]
        assert [{k: e[k] for k in expected} for e in errors] == [expected]
        assert errors[0]["message"].startswith(f"{current.add(-6).label} 已核定缴费")
    response = api.rows("backpay", [dict(zip(
        ("id_number", "name", "start", "end", "wage", "reason"), row, strict=True))])
    assert response.status_code == 422
    assert [e["code"] for e in response.json()["errors"]] == ["month_already_billed"]
    assert nothing_stored()


def test_wage_declaration_only_inside_the_yearly_window(api: Api, holder: Holder) -> None:
    person = make_person(name="吴一")
    make_enrolment(person, holder.unit, first=Month.of(today()).add(-14))
    row = {"id_number": person.id_number, "name": "吴一", "wage": "9800.50"}
    data = csv_file("wage", [[person.id_number, "吴一", "9800.50"]])
    for response in (api.rows("wage", [row]), api.upload("/drafts", "wage", data)):
        assert response.status_code == 409
        assert response.json() == {"code": "wage_window_closed",
                                   "message": "经办机构尚未设置本年度缴费工资申报期"}
    assert nothing_stored()

    window = wage_window_open()
    response = api.rows("wage", [row])

    assert response.status_code == 201, response.content
    draft = Declaration.objects.get()
    assert draft.policy_year == window.policy_year
    assert f'"policy_year":{window.policy_year}' in api.content(response.json()["draft"])
    assert api.submit(response.json()["draft"]).json()["status"] == "effective"
    assert WageBase.objects.get(person=person, policy_year=window.policy_year).wage == 980_050


# --- drafts from JSON rows ------------------------------------------------------------------


def test_json_rows_become_a_draft_and_the_enrolment_takes_effect(api: Api,
                                                                 holder: Holder) -> None:
    response = api.rows("add", [add_item(5), add_item(6, wage="9800.50", start=str(effective()))])

    assert response.status_code == 201, response.content
    body = response.json()
    draft = Declaration.objects.get(draft_token=body["draft"])
    assert (draft.source, draft.file_digest, body["lines"]) == (Source.API, "", 2)
    assert [ln.data["wage"] for ln in draft.lines.order_by("line_no")] == [1_200_000, 980_050]
    assert api.submit(body["draft"]).status_code == 200
    assert enrolled(holder, 5) and enrolled(holder, 6)
    assert Declaration.objects.get().status == Status.EFFECTIVE


def test_json_rows_with_errors_name_the_row_column_and_field(api: Api) -> None:
    response = api.rows("add", [add_item(1), add_item(2, hukou="外地", wage=-5),
                                add_item(3, id_number=None)])
    assert response.status_code == 422
    body = response.json()
    assert body["message"] == "申报行校验未通过，共 3 处错误：未生成草稿，未受理任何数据"
    assert [(e["row"], e["column"], e["field"], e["code"]) for e in body["errors"]] == [
        (2, "户口性质", "hukou", "choice"), (2, "月缴费工资", "wage", "wage_range"),
        (3, "身份证号码", "id_number", "required")]
    assert nothing_stored()


def test_json_rows_of_no_data_are_refused(api: Api) -> None:
    body = api.rows("remove", []).json()
    assert [(e["row"], e["code"]) for e in body["errors"]] == [(None, "no_data")]
    assert nothing_stored()


@pytest.mark.parametrize(("kind", "rows", "code", "message"), [
    ("add", [{"id_numbr": "1"}], "unknown_field",
     "第 1 行含有增员申报没有的字段 id_numbr；可用字段：id_number（身份证号码）、name（姓名）"),
    ("add", {"id_number": "1"}, "invalid_request", "缺少字段 rows：应为申报行的列表"),
    ("add", ["x"], "invalid_request", "第 1 行应为 {字段: 值} 形式的对象"),
    ("wage", [{"wage": True}], "invalid_request", "第 1 行字段 wage 的值应为文字或数字"),
    ("wage", [{"wage": [1]}], "invalid_request", "第 1 行字段 wage 的值应为文字或数字"),
    ("enrol", [], "invalid_request", "业务类型“enrol”不正确"),
])
def test_malformed_json_rows_are_422_in_chinese(api: Api, kind: str, rows: Any, code: str,
                                                message: str) -> None:
    response = api.rows(kind, rows)
    assert response.status_code == 422
    assert response.json()["code"] == code
    assert response.json()["message"].startswith(message)
    assert nothing_stored()


def test_body_that_is_not_json_is_400(api: Api) -> None:
    response = api.client.post(f"{BASE}/drafts", "{kind: add", content_type="application/json",
                               headers=api.headers)
    assert response.status_code == 400
    assert response.json() == {"code": "bad_request",
                               "message": "请求内容无法解析，请以 JSON 格式提交"}


# --- refusals of the signature ----------------------------------------------------------------


def draft_token(api: Api, n: int = 1) -> str:
    response = api.rows("add", [add_item(n)])
    assert response.status_code == 201, response.content
    return str(response.json()["draft"])


def refused(response: Any, status: int, code: str) -> str:
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert Declaration.objects.get().status == Status.DRAFT
    assert not Enrolment.objects.exists()
    return str(response.json()["message"])


def test_tampered_signature_is_403(api: Api, tmp_path: Path) -> None:
    token = draft_token(api)
    content = api.content(token)
    forged = content.replace("1200000", "120000")  # signed: a wage the draft does not hold
    message = refused(api.submit(token, content=forged, digest=hashlib.sha256(
        content.encode()).hexdigest()), 403, "signature_invalid")
    assert message.startswith("签名验证失败") and "content_url" in message
    other_key = unit_with_certificate(tmp_path, unit=api.holder.unit)  # same unit, other key
    refused(api.submit(token, signer=other_key), 403, "signature_invalid")


def test_certificate_of_another_unit_is_403(api: Api, tmp_path: Path) -> None:
    other = unit_with_certificate(tmp_path, name="北京别家单位有限公司")
    token = draft_token(api)
    message = refused(api.submit(token, signer=other, certificate=other.cert_pem), 403,
                      "certificate_not_session")
    assert "不是取得本访问令牌时登录所用的证书" in message


def test_another_certificate_of_the_same_unit_is_not_the_tokens(api: Api,
                                                               tmp_path: Path) -> None:
    second = unit_with_certificate(tmp_path, unit=api.holder.unit)
    assert second.binding is not None and second.binding.unit == api.holder.unit
    token = draft_token(api)
    refused(api.submit(token, signer=second, certificate=second.cert_pem), 403,
            "certificate_not_session")


def test_malformed_certificate_is_403(api: Api) -> None:
    token = draft_token(api)
    refused(api.submit(token, certificate="-----BEGIN CERTIFICATE-----\nx\n"), 403,
            "certificate_malformed")


def test_content_digest_other_than_the_drafts_is_409(api: Api) -> None:
    token = draft_token(api)
    message = refused(api.submit(token, digest="0" * 64), 409, "content_changed")
    assert message.startswith("申报内容已变化")


def test_submitting_twice_is_409_with_the_receipt(api: Api) -> None:
    token = draft_token(api)
    first = api.submit(token).json()
    again = api.submit(token)
    assert again.status_code == 409
    assert again.json() == {"code": "already_submitted",
                            "message": f"该申报已提交，回执号 {first['receipt_no']}",
                            "receipt_no": first["receipt_no"]}


@pytest.mark.parametrize("body", [{}, {"certificate": "x", "signature": "y",
                                       "content_digest": "abc"}])
def test_incomplete_submission_is_422(api: Api, body: dict[str, str]) -> None:
    token = draft_token(api)
    response = api.client.post(f"{BASE}/drafts/{token}/submit", body,
                               content_type="application/json", headers=api.headers)
    assert response.status_code == 422
    assert response.json()["message"].startswith("请求内容不正确：")
    assert Declaration.objects.get().status == Status.DRAFT


def test_a_draft_is_discarded_once_and_a_submitted_one_never(api: Api, tmp_path: Path) -> None:
    token = draft_token(api)
    other = Api(unit_with_certificate(tmp_path, name="北京别家单位有限公司"))
    assert other.client.delete(f"{BASE}/drafts/{token}", headers=other.headers).status_code \
        == 404
    response = api.client.delete(f"{BASE}/drafts/{token}", headers=api.headers)
    assert response.status_code == 204
    assert not Declaration.objects.exists()
    assert api.client.delete(f"{BASE}/drafts/{token}", headers=api.headers).status_code == 404
    submitted = draft_token(api, 2)
    api.submit(submitted)
    response = api.client.delete(f"{BASE}/drafts/{submitted}", headers=api.headers)
    assert response.status_code == 409 and response.json()["code"] == "already_submitted"
    assert Declaration.objects.get().status == Status.EFFECTIVE


# --- scope: another unit ------------------------------------------------------------------


def test_another_units_draft_and_receipt_are_not_found(api: Api, tmp_path: Path) -> None:
    token = draft_token(api)
    other_holder = unit_with_certificate(tmp_path, name="北京别家单位有限公司")
    other = Api(other_holder)
    person = make_person(name="孙一")
    make_enrolment(person, api.holder.unit, first=Month.of(today()).add(-12))
    receipt = make_backpay(api.holder, person).receipt_no

    assert other.get(f"/drafts/{token}/content").status_code == 404
    response = other.submit(token, content=api.content(token))
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "请求的资源不存在"}
    assert other.get(f"/{receipt}").status_code == 404
    assert other.get("").json() == {"count": 0, "page": 1, "pages": 1, "items": []}
    assert Declaration.objects.get(draft_token=token).status == Status.DRAFT
    assert api.get(f"/{receipt}").status_code == 200


def test_without_a_token_every_operation_is_401(api: Api) -> None:
    anonymous = Client()
    token = draft_token(api)
    for method, path in (("post", "/validate"), ("post", "/drafts"), ("get", ""),
                         ("get", f"/drafts/{token}/content"),
                         ("post", f"/drafts/{token}/submit"), ("get", "/20260101AAAAAAAA")):
        response = getattr(anonymous, method)(BASE + path)
        assert response.status_code == 401, path
        assert response.json()["code"] == "unauthenticated"


# --- list and detail ------------------------------------------------------------------------


def test_list_and_detail_show_the_units_submissions(api: Api, holder: Holder,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    file_receipt = api.submit(api.upload("/drafts", "add", add_file(1, 2)).json()["draft"]
                              ).json()["receipt_no"]
    json_receipt = api.submit(api.rows("add", [add_item(7)]).json()["draft"]
                              ).json()["receipt_no"]
    draft_token(api, 9)  # a draft is not listed

    body = api.get("").json()

    assert (body["count"], body["page"], body["pages"]) == (2, 1, 1)
    newest, oldest = body["items"]
    assert newest["receipt_no"] == json_receipt and oldest["receipt_no"] == file_receipt
    assert {k: newest[k] for k in newest if k != "submitted_at"} == {
        "receipt_no": json_receipt, "kind": "enrol", "kind_label": "增员", "source": "api",
        "status": "effective", "status_label": "已生效", "effective_month": str(effective()),
        "lines": 1, "return_reason": ""}
    assert oldest["lines"] == 2 and oldest["source"] == "batch"
    assert newest["submitted_at"].endswith("+08:00")

    detail = api.get(f"/{file_receipt}").json()
    declaration = Declaration.objects.get(receipt_no=file_receipt)
    assert (detail["verification_code"], detail["content_digest"], detail["lines"]) == (
        declaration.verification_code, declaration.content_digest, 2)
    assert holder.binding is not None
    assert detail["certificate_fingerprint"] == holder.binding.fingerprint == fingerprint(
        certificate_parse(holder.cert_pem))
    assert [(ln["line_no"], ln["id_number"], ln["data"]["wage"])
            for ln in detail["line_items"]] == [(1, person_id(1), 1_200_000),
                                                (2, person_id(2), 1_200_000)]

    monkeypatch.setattr(api_declarations, "DECLARATIONS_PER_PAGE", 1)
    monkeypatch.setattr(api_declarations, "LINES_PER_PAGE", 1)
    second = api.get("", page=2).json()
    assert (second["pages"], [i["receipt_no"] for i in second["items"]]) == (2, [file_receipt])
    assert api.get("", page=3).json()["items"] == []
    lines = api.get(f"/{file_receipt}", page=2).json()
    assert (lines["pages"], [ln["line_no"] for ln in lines["line_items"]]) == (2, [2])
    response = api.get("", page=0)
    assert response.status_code == 422
    assert response.json()["message"] == "请求内容不正确：字段 page 的值不正确"


def test_list_reads_a_page_in_queries_independent_of_its_size(api: Api, holder: Holder) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get("").status_code == 200
        return len(captured)

    api.submit(api.rows("add", [add_item(1), add_item(2)]).json()["draft"])
    one = queries()
    for n in (3, 4, 5):
        api.submit(api.rows("add", [add_item(n)]).json()["draft"])
    assert api.get("").json()["count"] == 4
    assert queries() == one <= 8


def test_a_returned_declaration_shows_its_reason(api: Api, holder: Holder) -> None:
    from shebao.audit.services import SYSTEM
    from shebao.declarations.services import declaration_return

    person = make_person(name="周一")
    make_enrolment(person, holder.unit, first=Month.of(today()).add(-12))
    declaration = make_backpay(holder, person)
    declaration_return(declaration, reason="缺少劳动合同", actor=SYSTEM)
    item = api.get("").json()["items"][0]
    assert (item["status"], item["return_reason"]) == ("returned", "缺少劳动合同")


# --- limits ---------------------------------------------------------------------------------


def test_file_over_the_limit_is_413(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(upload_views, "MAX_BYTES", 1000)
    response = api.upload("/drafts", "add", b"x" * 1001)  # within the margin: received, cut
    assert response.status_code == 413
    assert response.json() == {"code": "file_too_large",
                               "message": upload_views.TOO_LARGE}
    assert nothing_stored()


def test_request_far_over_the_limit_is_refused_unread_and_uncounted(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(upload_views, "MAX_BYTES", 1000)
    monkeypatch.setattr(upload_views, "REQUEST_MARGIN", 100)
    for path in ("/validate", "/drafts"):
        assert api.upload(path, "add", b"x" * 5000).status_code == 413
    assert not RateLimitBucket.objects.filter(bucket_key__startswith="api-upload").exists()
    assert nothing_stored()


def test_json_body_over_the_request_limit_is_413(api: Api, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    response = api.rows("add", [add_item(1, phone="1" * 100)] * 6000)
    assert response.status_code == 413
    assert response.json()["message"] == (
        "请求内容超过 1 MB 的上限：请分批提交，或以报盘文件上传")
    assert nothing_stored()


def test_uploads_are_rate_limited_per_unit(api: Api, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api_declarations, "UPLOAD_RATE_LIMIT", 2)
    assert api.upload("/validate", "add", b"\xff").status_code == 200
    assert api.rows("add", []).status_code == 422
    response = api.upload("/validate", "add", add_file())
    assert response.status_code == 429
    assert response.json() == {"code": "rate_limited", "message": "上传过于频繁，请一小时后再试"}
    assert api.get("").status_code == 200  # reads are not uploads
    other = Api(unit_with_certificate(tmp_path, name="北京别家单位有限公司"))
    assert other.upload("/validate", "add", add_file()).status_code == 200


# --- documentation --------------------------------------------------------------------------


def test_openapi_lists_the_declaration_operations_in_chinese(client: Client) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    paths = doc["paths"]
    expected = {
        (f"{BASE}/validate", "post"): "校验报盘文件（不保存）",
        (f"{BASE}/drafts", "post"): "生成申报草稿（报盘文件或 JSON 申报行）",
        (f"{BASE}/drafts/{{token}}/content", "get"): "取得待签名的申报内容",
        (f"{BASE}/drafts/{{token}}/submit", "post"): "签名提交申报",
        (BASE, "get"): "本单位已提交的申报",
        (f"{BASE}/{{receipt_no}}", "get"): "申报详情及明细",
    }
    for (path, method), summary in expected.items():
        operation = paths[path][method]
        assert operation["summary"] == summary
        assert operation["tags"] == ["申报"] and operation["description"]
        assert operation["security"] == [{"UnitTokenAuth": []}]
    drafts = paths[f"{BASE}/drafts"]["post"]["requestBody"]["content"]
    assert set(drafts) == {"multipart/form-data", "application/json"}
    assert "id_number（身份证号码）" in drafts["application/json"]["schema"][
        "properties"]["rows"]["description"]
    content = paths[f"{BASE}/drafts/{{token}}/content"]["get"]["responses"]["200"]
    assert "text/plain" in content["content"]
