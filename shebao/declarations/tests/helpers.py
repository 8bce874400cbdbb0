"""Helpers for tests of the declaration pages: a unit logged in through the real
certificate login, batch files as a unit prepares them, signed submissions, and
declarations made straight through the services (for lists, review and verification)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Sequence
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from shebao.audit.services import Actor
from shebao.certauth.certificates import certificate_parse, fingerprint
from shebao.certauth.tests.helpers import Holder
from shebao.declarations.batchfiles import KINDS, BackpayRecord
from shebao.declarations.models import Declaration, Source, WageWindow
from shebao.declarations.services import (
    Signed,
    canonical_content,
    declaration_create,
    declaration_submit,
)
from shebao.lib.periods import Month
from shebao.registry.models import Person, Unit

UPLOAD = "/unit/declarations/upload/"


def unit_login(client: Client, holder: Holder) -> None:
    """Log the unit in through /unit/login/ (challenge, signed nonce, verify)."""
    nonce = client.post("/unit/login/challenge/").json()["nonce"]
    response = client.post("/unit/login/verify/", {
        "certificate": holder.cert_pem, "nonce": nonce, "signature": holder.sign(nonce)},
        content_type="application/json")
    assert response.status_code == 200, response.content


def today() -> dt.date:
    return timezone.localdate()


def effective() -> Month:
    """The first month a 增员/减员 declared today can take effect."""
    day = today()
    month = Month.of(day)
    return month if day.day <= settings.DECLARATION_CUTOFF_DAY else month.add(1)


def csv_file(kind: str, rows: Sequence[Sequence[Any]]) -> bytes:
    """A UTF-8 CSV with the kind's header line and `rows`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in KINDS[kind].columns])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def upload(client: Client, kind: str, data: bytes, name: str = "报盘.csv") -> Any:
    return client.post(UPLOAD, {"kind": kind, "file": SimpleUploadedFile(name, data)})


def token_of(response: Any) -> str:
    """The upload (or draft) token of the redirect that follows an upload (a form)."""
    assert response.status_code == 302, response.content.decode()[:2000]
    return str(response["Location"]).rstrip("/").rsplit("/", 1)[-1]


def submit(client: Client, token: str, holder: Holder, *, content: str | None = None,
           signer: Holder | None = None, certificate: str | None = None,
           base: str | None = None, **extra: Any) -> Any:
    """Fetch the canonical content as the browser does, sign it, post the signature.

    `token` is an upload's (or, with base="drafts", a draft's); `content` signs other
    text instead; `signer` signs with another key; `certificate` posts another one."""
    base = f"/unit/declarations/{base or 'uploads'}/{token}/"
    text = client.get(f"{base}content/").content.decode("utf-8") if content is None else content
    body = {"certificate": certificate or holder.cert_pem,
            "signature": (signer or holder).sign(text),
            "content_digest": hashlib.sha256(text.encode("utf-8")).hexdigest(), **extra}
    return client.post(f"{base}submit/", body, content_type="application/json")


def signed_by(holder: Holder, declaration: Declaration) -> Signed:
    text = canonical_content(declaration)
    return Signed(signature=holder.sign(text), certificate_pem=holder.cert_pem,
                  fingerprint=fingerprint(certificate_parse(holder.cert_pem)))


def make_backpay(holder: Holder, person: Person, *, months: tuple[Month, Month] | None = None,
                 wage: int = 800_000) -> Declaration:
    """A signed, submitted 补缴 declaration of the holder's unit (审核中)."""
    current = Month.of(today())
    first, last = months or (current.add(-6), current.add(-5))
    record = BackpayRecord(row=2, id_number=person.id_number, name=person.name, start=first,
                           end=last, wage=wage, reason="入职当月漏报")
    return submitted(holder, [record])


def make_billed(person: Person, unit: Unit, *months: Month, kind: str = "regular",
                bill_month: Month | None = None) -> None:
    """Contribution rows as settlement (regular), a 补差 (difference) or an approved 补缴
    (backpay) leave them: the unit was billed for the person in each of `months`."""
    from shebao.contributions.models import Contribution

    Contribution.objects.bulk_create([
        Contribution(unit=unit, person=person, month=int(m), bill_month=int(bill_month or m),
                     kind=kind, pension_base=800_000, pension_employer=128_000,
                     pension_personal=64_000, medical_base=800_000, medical_employer=128_000,
                     medical_personal=64_000)
        for m in months])


def submitted(holder: Holder, records: list[Any], unit: Unit | None = None) -> Declaration:
    """Records declared as a batch file would be, signed by the holder and submitted."""
    actor = Actor("unit", holder.unit.number)
    draft = declaration_create(unit=unit or holder.unit, records=records, actor=actor,
                               source=Source.BATCH, file_name="补缴名单.xlsx")
    return declaration_submit(draft, signed=signed_by(holder, draft), actor=actor,
                              today=today(), cutoff_day=settings.DECLARATION_CUTOFF_DAY)


def wage_window_open(day: dt.date | None = None) -> WageWindow:
    """A 缴费工资申报 window open on `day` (default today) for the policy year of that day:
    wage declarations are accepted only inside one. From the first of the month to 45
    days after `day`; an existing window of that year is moved to cover `day`."""
    from shebao.policy.selectors import policy_at

    day = day or today()
    year = policy_at(Month.of(day)).year_label
    window, _ = WageWindow.objects.update_or_create(policy_year=year, defaults={
        "opens_on": day.replace(day=1), "closes_on": day + dt.timedelta(days=45),
        "set_by": "test"})
    return window


@pytest.fixture
def wage_window(db: None) -> WageWindow:
    """An open 缴费工资申报 window today (see `wage_window_open`)."""
    return wage_window_open()


# --- browser steps (Playwright): shared by the journeys clicked through in Chromium ----

def browser_cert_login(page: Any, holder: Holder) -> None:
    """Log the unit in at /unit/login/ with its certificate and key files."""
    from playwright.sync_api import expect

    page.goto("/unit/login/")
    page.get_by_label("证书文件（cert.pem）").set_input_files(str(holder.cert_path))
    page.get_by_label("私钥文件（key.pem）").set_input_files(str(holder.key_path))
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/unit/$"))


def browser_enrol(page: Any, id_number: str, *, wage: str = "12,000.50") -> None:
    """From the unit's home page: the 增员 form for 王小明 filled in and sent to the
    confirm step (or back with its errors)."""
    from playwright.sync_api import expect

    start = effective()
    page.get_by_role("link", name="增员", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("增员")
    page.get_by_label("身份证号码").fill(id_number)
    page.get_by_label("姓名").fill("王小明")
    page.get_by_label("户口性质").select_option("城镇")
    page.get_by_label("增员原因").select_option("新参保")
    page.get_by_label("起始年月").fill(f"{start.year}-{start.month:02d}")
    page.get_by_label("月缴费工资").fill(wage)
    page.get_by_label("联系电话").fill("13800138000")
    page.get_by_role("button", name="下一步：核对并签名").click()


def browser_sign(page: Any, holder: Holder) -> None:
    """On a confirm page: choose the key files, sign and submit, land on the receipt."""
    from playwright.sync_api import expect

    page.get_by_label("证书文件（cert.pem）").set_input_files(str(holder.cert_path))
    page.get_by_label("私钥文件（key.pem）").set_input_files(str(holder.key_path))
    page.get_by_role("button", name="签名并提交").click()
    expect(page).to_have_url(re.compile(r"/unit/declarations/\d{8}[0-9A-Z]{8}/$"))
