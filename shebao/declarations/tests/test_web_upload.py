"""报盘文件上传 on the web: refusals, every error listed, the marked file, the confirm
step with its signature checks, duplicates and other units' tokens."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from shebao.accounts.models import RateLimitBucket
from shebao.audit.models import Event
from shebao.audit.services import SYSTEM
from shebao.certauth.services import certificate_unbind
from shebao.certauth.tests.helpers import Holder, unit_with_certificate
from shebao.declarations.batchfiles.readers import MAX_BYTES
from shebao.declarations.errors import DuplicateFile
from shebao.declarations.models import BatchUpload, Declaration, Status
from shebao.declarations.services import canonical_content
from shebao.declarations.tests.helpers import (
    UPLOAD,
    csv_file,
    effective,
    submit,
    today,
    token_of,
    unit_login,
    upload,
)
from shebao.declarations.tests.samples import add_row, person_id, wage_row
from shebao.declarations.uploads import upload_draft
from shebao.declarations.web import upload as upload_views
from shebao.lib.periods import Month
from shebao.registry.models import Enrolment
from shebao.tests.helpers import make_enrolment, make_person

pytestmark = pytest.mark.django_db


def good_add_file(*ns: int) -> bytes:
    return csv_file("add", [add_row(n, 起始年月=str(effective())) for n in ns or (1, 2)])


def page(client: Client, token: str) -> str:
    return client.get(f"/unit/declarations/uploads/{token}/").content.decode()


# --- the form and its refusals ----------------------------------------------------------


def test_upload_page_preselects_the_kind_of_the_home_tile(unit_client: Client) -> None:
    html = unit_client.get(f"{UPLOAD}?kind=backpay").content.decode()
    assert '<option value="backpay" selected>补缴</option>' in html
    assert 'accept=".xlsx,.csv"' in html and 'enctype="multipart/form-data"' in html


@pytest.mark.parametrize(("kind", "message"), [("", "请选择业务类型"),
                                                ("pension", "请选择增员、减员、缴费工资或补缴")])
def test_missing_or_unknown_kind_is_refused(unit_client: Client, kind: str, message: str) -> None:
    response = upload(unit_client, kind, good_add_file())
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Declaration.objects.exists() and not BatchUpload.objects.exists()


def test_missing_file_is_refused(unit_client: Client) -> None:
    response = unit_client.post(UPLOAD, {"kind": "add"})
    assert response.status_code == 400
    assert "请选择要上传的报盘文件" in response.content.decode()


def test_file_of_another_kind_is_explained(unit_client: Client) -> None:
    data = csv_file("wage", [wage_row(1)])
    html = page(unit_client, token_of(upload(unit_client, "add", data)))
    assert "报盘文件校验未通过" in html
    assert "这似乎是缴费工资文件，请确认选择的业务类型" in html
    assert not Declaration.objects.exists()


def test_a_file_that_is_no_spreadsheet_is_listed_as_a_whole_file_error(
        unit_client: Client) -> None:
    token = token_of(upload(unit_client, "add", b"%PDF-1.4 not a table", "名单.pdf"))
    html = page(unit_client, token)
    assert "<td class=\"nowrap\">整个文件</td>" in html and "PDF 文档" in html
    response = unit_client.get(f"/unit/declarations/uploads/{token}/errors.xlsx")
    assert response.status_code == 200
    summary = load_workbook(io.BytesIO(response.content))["错误说明"]
    assert summary["A2"].value == "整个文件"


def test_every_error_is_listed_with_its_row_and_nothing_is_applied(unit_client: Client) -> None:
    bad_id = person_id(3)[:-1] + ("0" if person_id(3)[-1] != "0" else "1")
    rows = [add_row(1, 起始年月=str(effective())),
            add_row(2, 身份证号码=bad_id, 起始年月=str(effective())),
            add_row(3, 起始年月=str(effective())),
            add_row(4, 月缴费工资="12x00", 户口性质="外地", 起始年月=str(effective()))]
    response = upload(unit_client, "add", csv_file("add", rows), "增员-九月.csv")
    html = page(unit_client, token_of(response))

    assert "有 <strong>3</strong> 处错误，未受理任何数据" in html
    table = html.split('id="errors"')[1].split("</table>")[0]
    cells = table.split("<tr>")[2:]
    assert "第 3 行" in cells[0] and "身份证号码" in cells[0] and bad_id in cells[0]
    assert "校验位" in cells[0]
    assert "第 5 行" in cells[1] and "户口性质" in cells[1] and "外地" in cells[1]
    assert "第 5 行" in cells[2] and "月缴费工资" in cells[2] and "12x00" in cells[2]
    assert "下载标注错误的文件" in html
    assert not Declaration.objects.exists() and not Enrolment.objects.exists()


def test_errors_workbook_marks_the_cells_and_has_a_chinese_file_name(
        unit_client: Client) -> None:
    rows = [add_row(1, 月缴费工资="-5", 起始年月=str(effective()))]
    token = token_of(upload(unit_client, "add", csv_file("add", rows), "增员.csv"))
    response = unit_client.get(f"/unit/declarations/uploads/{token}/errors.xlsx")
    assert response["Content-Disposition"] == (
        "attachment; filename=\"errors.xlsx\"; filename*=UTF-8''"
        "%E5%A2%9E%E5%91%98-%E9%94%99%E8%AF%AF%E6%A0%87%E6%B3%A8.xlsx")  # 增员-错误标注.xlsx
    book = load_workbook(io.BytesIO(response.content))
    summary = book["错误说明"]
    assert [c.value for c in summary[2]][:3] == [2, "月缴费工资", "-5"]
    data = book.worksheets[1]
    assert data["F2"].comment is not None and "大于零" in data["F2"].comment.text


def test_a_valid_upload_has_no_errors_file(unit_client: Client) -> None:
    token = token_of(upload(unit_client, "add", good_add_file()))
    assert unit_client.get(f"/unit/declarations/uploads/{token}/errors.xlsx").status_code == 404
    assert bytes(BatchUpload.objects.get(token=token).data) == b""  # bytes not kept


# --- size and rate limits ----------------------------------------------------------------


def test_file_over_20_mb_is_refused_without_being_read(unit_client: Client) -> None:
    response = upload(unit_client, "add", b"x" * (MAX_BYTES + 1))
    assert response.status_code == 413, response.content.decode()
    assert "文件超过 20 MB 的上限" in response.content.decode()
    assert not BatchUpload.objects.exists()


def test_request_far_over_the_limit_is_refused_before_the_body_is_parsed(
        unit_client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(upload_views, "MAX_BYTES", 1000)
    monkeypatch.setattr(upload_views, "REQUEST_MARGIN", 100)
    response = upload(unit_client, "add", b"x" * 5000)
    assert response.status_code == 413
    assert not RateLimitBucket.objects.filter(bucket_key__startswith="batch-upload").exists()


def test_uploads_are_rate_limited_per_unit(unit_client: Client,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(upload_views, "UPLOAD_RATE_LIMIT", 2)
    for _ in range(2):
        assert upload(unit_client, "add", b"\xff").status_code == 302
    response = upload(unit_client, "add", b"\xff")
    assert response.status_code == 429
    assert "上传过于频繁" in response.content.decode()


# --- confirm, sign, submit ----------------------------------------------------------------


def test_valid_file_shows_what_will_happen_and_the_digest_it_signs(
        unit_client: Client, holder: Holder) -> None:
    token = token_of(upload(unit_client, "add", good_add_file(1, 2, 3), "增员.csv"))
    html = page(unit_client, token)
    draft = Declaration.objects.get()
    content = canonical_content(draft)
    assert draft.status == Status.DRAFT
    for text in ("确认并签名提交", "校验通过，共 3 行", "增员", "3 行", effective().label,
                 "为 3 人办理参保登记", hashlib.sha256(content.encode()).hexdigest(),
                 person_id(1), "张一"):
        assert text in html, text
    response = unit_client.get(f"/unit/declarations/uploads/{token}/content/")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode("utf-8") == content
    assert "no-store" in response["Cache-Control"]


def test_signed_submission_applies_and_gives_a_receipt(unit_client: Client,
                                                       holder: Holder) -> None:
    token = token_of(upload(unit_client, "add", good_add_file(1, 2)))

    response = submit(unit_client, token, holder)

    assert response.status_code == 200, response.content
    declaration = Declaration.objects.get()
    assert response.json() == {"receipt_no": declaration.receipt_no,
                               "next": f"/unit/declarations/{declaration.receipt_no}/"}
    assert declaration.status == Status.EFFECTIVE
    assert holder.binding is not None
    assert declaration.certificate_fingerprint == holder.binding.fingerprint
    assert declaration.content == canonical_content(declaration)
    assert declaration.effective_month == int(effective())
    assert Enrolment.objects.filter(unit=holder.unit).values("person").distinct().count() == 2
    assert Event.objects.filter(action="declaration_submit",
                                object_ref=declaration.receipt_no).exists()
    html = unit_client.get(response.json()["next"]).content.decode()
    for text in (declaration.receipt_no, declaration.verification_code,
                 declaration.content_digest, holder.binding.fingerprint, "已生效"):
        assert str(text) in html, text
    # the upload page of a submitted draft leads to its receipt
    assert unit_client.get(f"/unit/declarations/uploads/{token}/")["Location"] == (
        f"/unit/declarations/{declaration.receipt_no}/")


def test_backpay_waits_for_review(unit_client: Client, holder: Holder) -> None:
    person = make_person(name="赵一")
    current = Month.of(today())
    make_enrolment(person, holder.unit, first=current.add(-12))
    rows = [[person.id_number, "赵一", str(current.add(-6)), str(current.add(-5)), "8000",
             "入职当月漏报"]]
    token = token_of(upload(unit_client, "backpay", csv_file("backpay", rows)))
    assert "提交后须经社保经办机构审核" in page(unit_client, token)
    assert submit(unit_client, token, holder).status_code == 200
    declaration = Declaration.objects.get()
    assert declaration.status == Status.REVIEWING
    html = unit_client.get(f"/unit/declarations/{declaration.receipt_no}/").content.decode()
    assert "正在等待社保经办机构审核" in html and "审核中" in html


def _refused(response: Any, code: str, status: int = 403) -> str:
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert Declaration.objects.get().status == Status.DRAFT
    assert not Enrolment.objects.exists()
    return str(response.json()["message"])


def test_signature_by_another_key_is_refused(unit_client: Client, holder: Holder,
                                             tmp_path: Path) -> None:
    other = unit_with_certificate(tmp_path, unit=holder.unit)  # same unit, other key
    token = token_of(upload(unit_client, "add", good_add_file()))
    message = _refused(submit(unit_client, token, holder, signer=other), "signature_invalid")
    assert "签名验证失败" in message


def test_signature_over_other_content_is_refused(unit_client: Client, holder: Holder) -> None:
    token = token_of(upload(unit_client, "add", good_add_file()))
    content = unit_client.get(f"/unit/declarations/uploads/{token}/content/").content.decode()
    forged = content.replace("12000", "1200")  # the wage as someone else would have it
    _refused(submit(unit_client, token, holder, content=forged, content_digest=hashlib.sha256(
        content.encode()).hexdigest()), "signature_invalid")


def test_content_digest_other_than_the_drafts_is_refused(unit_client: Client,
                                                         holder: Holder) -> None:
    token = token_of(upload(unit_client, "add", good_add_file()))
    response = submit(unit_client, token, holder, content="{}")
    assert _refused(response, "content_changed", 409) == "申报内容已变化，请刷新页面后重新签名"


def test_certificate_of_another_unit_is_refused(unit_client: Client, holder: Holder,
                                                tmp_path: Path) -> None:
    other = unit_with_certificate(tmp_path, name="北京别家单位有限公司")
    token = token_of(upload(unit_client, "add", good_add_file()))
    content = unit_client.get(f"/unit/declarations/uploads/{token}/content/").content.decode()
    response = submit(unit_client, token, holder, content=content, signer=other,
                      certificate=other.cert_pem)
    assert "不是本次登录所用的证书" in _refused(response, "certificate_not_session")


def test_certificate_unbound_after_login_cannot_submit(unit_client: Client,
                                                       holder: Holder) -> None:
    token = token_of(upload(unit_client, "add", good_add_file()))
    assert holder.binding is not None
    certificate_unbind(holder.binding, actor=SYSTEM)
    response = submit(unit_client, token, holder, content="{}")
    assert "绑定已解除" in _refused(response, "session_invalid")


@pytest.mark.parametrize("body", [{}, {"certificate": 1, "signature": "x"}])
def test_incomplete_submission_is_400(unit_client: Client, body: dict[str, Any]) -> None:
    token = token_of(upload(unit_client, "add", good_add_file()))
    response = unit_client.post(f"/unit/declarations/uploads/{token}/submit/", body,
                                content_type="application/json")
    _refused(response, "bad_request", 400)


def test_submitting_twice_points_to_the_receipt(unit_client: Client, holder: Holder) -> None:
    token = token_of(upload(unit_client, "add", good_add_file()))
    first = submit(unit_client, token, holder).json()
    again = submit(unit_client, token, holder)
    assert again.status_code == 409
    assert again.json()["next"] == first["next"]
    assert first["receipt_no"] in again.json()["message"]


# --- the same file twice ----------------------------------------------------------------


def test_same_file_before_submitting_reuses_the_draft(unit_client: Client) -> None:
    first = token_of(upload(unit_client, "add", good_add_file()))
    second = token_of(upload(unit_client, "add", good_add_file(), "改名.csv"))
    assert first != second
    assert Declaration.objects.count() == 1


def test_same_file_after_submitting_points_to_the_first_receipt(
        unit_client: Client, holder: Holder) -> None:
    data = good_add_file(1, 2)
    submit(unit_client, token_of(upload(unit_client, "add", data)), holder)
    receipt = Declaration.objects.get().receipt_no
    enrolments = Enrolment.objects.count()

    response = upload(unit_client, "add", data, "再次上传.csv")

    html = response.content.decode()
    assert response.status_code == 200
    assert f"回执号 {receipt}" in html and "本次未重复办理" in html
    assert f'href="/unit/declarations/{receipt}/"' in html
    assert Declaration.objects.count() == 1 and Enrolment.objects.count() == enrolments


# --- other units ---------------------------------------------------------------------------


def test_tokens_of_another_unit_are_not_found(unit_client: Client, holder: Holder,
                                              tmp_path: Path) -> None:
    refused = token_of(upload(unit_client, "add", b"\xff"))
    draft = token_of(upload(unit_client, "add", good_add_file()))
    other = unit_with_certificate(tmp_path, name="北京别家单位有限公司")
    outsider = Client()
    unit_login(outsider, other)
    for url in (f"/unit/declarations/uploads/{refused}/",
                f"/unit/declarations/uploads/{refused}/errors.xlsx",
                f"/unit/declarations/uploads/{draft}/",
                f"/unit/declarations/uploads/{draft}/content/"):
        assert outsider.get(url).status_code == 404, url
    content = unit_client.get(f"/unit/declarations/uploads/{draft}/content/").content.decode()
    response = submit(outsider, draft, other, content=content)
    assert response.status_code == 404
    assert Declaration.objects.get().status == Status.DRAFT


def test_expired_uploads_are_gone(unit_client: Client) -> None:
    import datetime as dt

    token = token_of(upload(unit_client, "add", b"\xff"))
    BatchUpload.objects.update(created_at=BatchUpload.objects.get().created_at
                               - dt.timedelta(hours=3))
    assert unit_client.get(f"/unit/declarations/uploads/{token}/").status_code == 404
    upload(unit_client, "add", b"\xfe")  # each upload purges the expired ones
    assert not BatchUpload.objects.filter(token=token).exists()


def test_upload_and_submit_need_the_csrf_token(holder: Holder) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    strict = Client(enforce_csrf_checks=True)
    unit_login_strict(strict, holder)
    response = strict.post(UPLOAD, {"kind": "add",
                                    "file": SimpleUploadedFile("a.csv", good_add_file())})
    assert response.status_code == 403
    assert not BatchUpload.objects.exists()
    lenient = Client()
    unit_login(lenient, holder)
    token = token_of(upload(lenient, "add", good_add_file()))
    response = strict.post(f"/unit/declarations/uploads/{token}/submit/", {},
                           content_type="application/json")
    assert response.status_code == 403
    assert Declaration.objects.get().status == Status.DRAFT


def unit_login_strict(client: Client, holder: Holder) -> None:
    """The certificate login with the CSRF token, as the login page's script sends it."""
    client.get("/unit/login/")
    token = client.cookies["csrftoken"].value
    nonce = client.post("/unit/login/challenge/", HTTP_X_CSRFTOKEN=token).json()["nonce"]
    response = client.post("/unit/login/verify/", {
        "certificate": holder.cert_pem, "nonce": nonce, "signature": holder.sign(nonce)},
        content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200


def test_one_upload_service_checks_a_file_once_and_makes_its_draft_once(holder: Holder) -> None:
    """upload_draft, the sequence the web upload and the API's drafts share: a file with
    errors makes nothing, a valid one its draft (found again, not made twice), and once
    submitted the same bytes are refused unread."""
    unit, day = holder.unit, today()
    bad = upload_draft(unit=unit, kind="add", data=csv_file("add", [add_row(1, 姓名="")]),
                       file_name="bad.csv", actor=SYSTEM, today=day)
    assert bad.draft is None and bad.result.errors
    assert not Declaration.objects.exists()
    first = upload_draft(unit=unit, kind="add", data=good_add_file(), file_name="a.csv",
                         actor=SYSTEM, today=day)
    again = upload_draft(unit=unit, kind="add", data=good_add_file(), file_name="a.csv",
                         actor=SYSTEM, today=day)
    assert first.draft is not None and (first.created, again.created) == (True, False)
    assert again.draft == first.draft and Declaration.objects.count() == 1
    Declaration.objects.filter(pk=first.draft.pk).update(status=Status.EFFECTIVE,
                                                          receipt_no="R1")
    with pytest.raises(DuplicateFile) as refused:
        upload_draft(unit=unit, kind="add", data=good_add_file(), file_name="a.csv",
                     actor=SYSTEM, today=day)
    assert refused.value.first.receipt_no == "R1"
