"""The authorization matrix: every URL pattern and API route, as every kind of caller.

Callers: anonymous, unit A, unit B, person A, person B and staff of each role
(受理 intake, 审核 review, 管理员 admin). Routes with identifiers are called with the
identifiers of another tenant too. Each cell states the exact status. A route that is
added without a row here fails `test_every_route_is_in_the_matrix`.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from shebao.accounts.models import StaffRole
from shebao.accounts.tests.helpers import give_password, make_staff, person_client_login
from shebao.api.tests.helpers import bearer, post_token
from shebao.audit.services import SYSTEM
from shebao.certauth.tests.helpers import Holder, unit_with_certificate
from shebao.lib.periods import Month
from shebao.tests.helpers import make_enrolment, make_person

CALLERS = ("anon", "unit_a", "unit_b", "person_a", "person_b", "intake", "review", "admin")
R = 302  # to the login page of the route's kind
F = 403
N = 404
A = 405  # method not allowed: the route only takes POST


def row(*codes: int) -> dict[str, int]:
    assert len(codes) == len(CALLERS)
    return dict(zip(CALLERS, codes, strict=True))


PUBLIC = row(200, 200, 200, 200, 200, 200, 200, 200)
UNIT_ONLY = row(R, 200, 200, F, F, F, F, F)
PERSON_ONLY = row(R, F, F, 200, 200, F, F, F)
ANY_STAFF = row(R, F, F, F, F, 200, 200, 200)
INTAKE = row(R, F, F, F, F, 200, F, 200)
REVIEW = row(R, F, F, F, F, F, 200, 200)
POST_ONLY = row(A, A, A, A, A, A, A, A)
OWN_UNIT_B = row(R, N, 200, F, F, F, F, F)  # unit B's own object; unit A's guess is a 404
NOBODYS_UNIT = row(R, N, N, F, F, F, F, F)


@dataclass(frozen=True)
class Route:
    path: str  # with {ref_a}/{ref_b} placeholders for another tenant's identifiers
    expect: dict[str, int]
    api: bool = False


# name -> the calls made (GET) and the expected status of each caller.
MATRIX: dict[str, list[Route]] = {
    "portal:home": [Route("/", PUBLIC)],
    "portal:policy": [Route("/policy/?month=2025-03", PUBLIC)],
    "portal:favicon": [Route("/favicon.ico", PUBLIC)],
    "contributions:calculator": [Route("/calculator/", PUBLIC)],
    "accounts:person_home": [Route("/person/", PERSON_ONLY)],
    "accounts:person_login": [Route("/person/login/", row(200, 200, 200, R, R, 200, 200, 200))],
    "accounts:person_activate": [Route("/person/activate/", PUBLIC)],
    "accounts:person_password": [Route("/person/password/", PERSON_ONLY)],
    "accounts:person_logout": [Route("/person/logout/", POST_ONLY)],
    "accounts:staff_login": [Route("/staff/login/", row(200, 200, 200, 200, 200, R, R, R))],
    "accounts:staff_totp_enrol": [Route("/staff/totp/", row(R, R, R, R, R, R, R, R))],
    "accounts:staff_logout": [Route("/staff/logout/", POST_ONLY)],
    "backoffice:index": [Route("/backoffice/", ANY_STAFF)],
    "backoffice:payment_new": [Route("/backoffice/payments/new/", INTAKE)],
    "backoffice:bankfile_upload": [Route("/backoffice/payments/import/", INTAKE)],
    "backoffice:arrears": [Route("/backoffice/arrears/", ANY_STAFF)],
    "backoffice:person_search": [Route("/backoffice/persons/", INTAKE)],
    "backoffice:person_detail": [
        Route("/backoffice/persons/{ref_b}/", INTAKE),
        Route("/backoffice/persons/0000000000000000/", row(R, F, F, F, F, N, F, N)),
    ],
    "backoffice:person_letter": [Route("/backoffice/persons/{ref_b}/letter/", POST_ONLY)],
    "backoffice:declaration_queue": [Route("/backoffice/declarations/", REVIEW)],
    "backoffice:declaration_detail": [
        Route("/backoffice/declarations/{receipt_b}/", REVIEW),
        Route("/backoffice/declarations/20260101AAAAAAAA/", row(R, F, F, F, F, F, N, N)),
    ],
    "backoffice:declaration_approve": [
        Route("/backoffice/declarations/{receipt_b}/approve/", POST_ONLY)],
    "backoffice:declaration_return": [
        Route("/backoffice/declarations/{receipt_b}/return/", POST_ONLY)],
    "backoffice:declaration_evidence": [
        Route("/backoffice/declarations/{receipt_b}/evidence/{evidence_b}/", REVIEW),
        # an evidence id under another declaration's receipt, or none at all
        Route("/backoffice/declarations/20260101AAAAAAAA/evidence/{evidence_b}/",
              row(R, F, F, F, F, F, N, N)),
        Route("/backoffice/declarations/{receipt_b}/evidence/987654321/",
              row(R, F, F, F, F, F, N, N)),
    ],
    "backoffice:wage_windows": [
        Route("/backoffice/wage-windows/", row(R, F, F, F, F, F, F, 200)),
        Route("/backoffice/wage-windows/?year=2026", row(R, F, F, F, F, F, F, 200)),
    ],
    "backoffice:audit_search": [Route("/backoffice/audit/", REVIEW)],
    "backoffice:audit_verify": [Route("/backoffice/audit/verify/", POST_ONLY)],
    "certauth:unit_home": [Route("/unit/", UNIT_ONLY)],
    "certauth:login": [Route("/unit/login/", row(200, R, R, 200, 200, 200, 200, 200))],
    "certauth:login_challenge": [Route("/unit/login/challenge/", POST_ONLY)],
    "certauth:login_verify": [Route("/unit/login/verify/", POST_ONLY)],
    "certauth:logout": [Route("/unit/logout/", POST_ONLY)],
    # Blank forms are public: no data in them, and units prepare files before logging in.
    "declarations:forms": [Route("/unit/forms/", PUBLIC)],
    "declarations:form_download": [
        Route("/unit/forms/add.xlsx", PUBLIC),
        Route("/unit/forms/backpay.csv", PUBLIC),
        Route("/unit/forms/add.pdf", row(N, N, N, N, N, N, N, N)),
    ],
    "declarations:list": [Route("/unit/declarations/", UNIT_ONLY)],
    "declarations:upload": [Route("/unit/declarations/upload/", UNIT_ONLY)],
    "declarations:backpay": [Route("/unit/declarations/backpay/", UNIT_ONLY)],
    "declarations:wage": [Route("/unit/declarations/wage/", UNIT_ONLY)],
    "declarations:wage_prefilled": [Route("/unit/declarations/wage/prefilled.xlsx", UNIT_ONLY)],
    "declarations:upload_page": [
        Route("/unit/declarations/uploads/{refused_b}/", OWN_UNIT_B),
        Route("/unit/declarations/uploads/{draft_b}/", OWN_UNIT_B),
        Route("/unit/declarations/uploads/guessed-token/", NOBODYS_UNIT),
    ],
    "declarations:upload_errors_file": [
        Route("/unit/declarations/uploads/{refused_b}/errors.xlsx", OWN_UNIT_B),
        Route("/unit/declarations/uploads/{draft_b}/errors.xlsx", NOBODYS_UNIT),
    ],
    "declarations:upload_content": [
        Route("/unit/declarations/uploads/{draft_b}/content/", OWN_UNIT_B),
        Route("/unit/declarations/uploads/{refused_b}/content/", NOBODYS_UNIT),
    ],
    "declarations:upload_submit": [
        Route("/unit/declarations/uploads/{draft_b}/submit/", POST_ONLY)],
    "declarations:enrol": [Route("/unit/declarations/enrol/", UNIT_ONLY)],
    "declarations:leave": [
        Route("/unit/declarations/leave/", UNIT_ONLY),
        Route("/unit/declarations/leave/?person={ref_b}", OWN_UNIT_B),
    ],
    "declarations:unit_change": [Route("/unit/declarations/unit-change/", UNIT_ONLY)],
    "declarations:person_change_lookup": [
        Route("/unit/declarations/person-change/", UNIT_ONLY)],
    "declarations:person_change": [
        Route("/unit/declarations/person-change/{ref_b}/", OWN_UNIT_B),
        Route("/unit/declarations/person-change/0000000000000000/", NOBODYS_UNIT),
    ],
    "declarations:draft": [
        Route("/unit/declarations/drafts/{token_b}/", OWN_UNIT_B),
        Route("/unit/declarations/drafts/guessed-token/", NOBODYS_UNIT),
    ],
    "declarations:draft_content": [
        Route("/unit/declarations/drafts/{token_b}/content/", OWN_UNIT_B),
        Route("/unit/declarations/drafts/guessed-token/content/", NOBODYS_UNIT),
    ],
    "declarations:draft_submit": [
        Route("/unit/declarations/drafts/{token_b}/submit/", POST_ONLY)],
    "declarations:draft_discard": [
        Route("/unit/declarations/drafts/{token_b}/discard/", POST_ONLY)],
    "declarations:detail": [
        Route("/unit/declarations/{receipt_b}/", OWN_UNIT_B),
        Route("/unit/declarations/20260101AAAAAAAA/", NOBODYS_UNIT),
    ],
    "declarations:receipt_pdf": [
        Route("/unit/declarations/{receipt_b}/receipt.pdf", OWN_UNIT_B),
        Route("/unit/declarations/20260101AAAAAAAA/receipt.pdf", NOBODYS_UNIT),
    ],
    "declarations:verify": [Route("/verify/", PUBLIC)],
    "apitokens:tokens": [Route("/unit/api-tokens/", UNIT_ONLY)],
    "apitokens:revoke": [Route("/unit/api-tokens/0123456789abcdef/revoke/", POST_ONLY)],
    "apitokens:revoke_all": [Route("/unit/api-tokens/revoke-all/", POST_ONLY)],
    "api:openapi-json": [Route("/api/v1/openapi.json", PUBLIC, api=True)],
    "api:challenge": [Route("/api/v1/auth/challenge", POST_ONLY, api=True)],
    "api:token": [Route("/api/v1/auth/token", POST_ONLY, api=True)],
    "api:token_revoke": [Route("/api/v1/auth/token", POST_ONLY, api=True)],  # DELETE
    "api:me": [Route("/api/v1/auth/me", row(401, 200, 200, 401, 401, 401, 401, 401), api=True)],
    # Declarations by token: a session (person, staff, even a unit's) is no token: 401.
    "api:declaration_validate": [
        Route("/api/v1/declarations/validate", POST_ONLY, api=True)],
    "api:draft_create": [Route("/api/v1/declarations/drafts", POST_ONLY, api=True)],
    "api:draft_content": [
        Route("/api/v1/declarations/drafts/{token_b}/content",
              row(401, N, 200, 401, 401, 401, 401, 401), api=True),
        Route("/api/v1/declarations/drafts/guessed-token/content",
              row(401, N, N, 401, 401, 401, 401, 401), api=True),
    ],
    "api:draft_discard": [
        Route("/api/v1/declarations/drafts/{token_b}", row(A, A, A, A, A, A, A, A), api=True)],
    "api:draft_submit": [
        Route("/api/v1/declarations/drafts/{token_b}/submit", POST_ONLY, api=True)],
    "api:declaration_list": [
        Route("/api/v1/declarations", row(401, 200, 200, 401, 401, 401, 401, 401), api=True)],
    "api:declaration_detail": [
        Route("/api/v1/declarations/{receipt_b}",
              row(401, N, 200, 401, 401, 401, 401, 401), api=True),
        Route("/api/v1/declarations/20260101AAAAAAAA",
              row(401, N, N, 401, 401, 401, 401, 401), api=True),
    ],
    # Queries (reports): the unit's own rows; unit A guessing unit B's person, by public
    # reference or by ID number in a filter, gets a 404 or nothing.
    "reports:query": [
        Route("/unit/reports/people/", UNIT_ONLY),
        Route("/unit/reports/people/?person={id_b}", UNIT_ONLY),
        Route("/unit/reports/bases/?person={id_b}", UNIT_ONLY),
        Route("/unit/reports/account1992/?person={id_b}", UNIT_ONLY),
        Route("/unit/reports/nosuch/", NOBODYS_UNIT),
    ],
    "reports:export": [
        Route("/unit/reports/people.xlsx?person={id_b}", UNIT_ONLY),
        Route("/unit/reports/bases.xlsx", UNIT_ONLY),
        Route("/unit/reports/account1992.pdf?person={id_b}", UNIT_ONLY),
        Route("/unit/reports/people.csv", NOBODYS_UNIT),
    ],
    "reports:person": [
        Route("/unit/reports/people/{ref_b}/", OWN_UNIT_B),
        Route("/unit/reports/people/0000000000000000/", NOBODYS_UNIT),
    ],
    "api:query_people": [
        Route("/api/v1/queries/people", row(401, 200, 200, 401, 401, 401, 401, 401), api=True),
        Route("/api/v1/queries/people?person={id_b}",
              row(401, 200, 200, 401, 401, 401, 401, 401), api=True),
    ],
    "api:query_bases": [
        Route("/api/v1/queries/bases?person={id_b}",
              row(401, 200, 200, 401, 401, 401, 401, 401), api=True)],
    "api:query_account1992": [
        Route("/api/v1/queries/account1992?person={id_b}",
              row(401, 200, 200, 401, 401, 401, 401, 401), api=True)],
    "api:api-root": [Route("/api/v1/", row(N, N, N, N, N, N, N, N), api=True)],
    # Printed documents: a unit's own prints; the public check shows nothing without both
    # codes (a serial in the URL, as in the QR code, only fills in the form).
    "reports:documents": [Route("/unit/documents/", UNIT_ONLY)],
    "reports:document_print": [Route("/unit/documents/print/", POST_ONLY)],
    "reports:document_verify": [
        Route("/verify/document/", PUBLIC),
        Route("/verify/document/?serial={serial_b}", PUBLIC),
    ],
    "reports:paper_form": [
        Route("/unit/forms/paper/application.pdf", PUBLIC),
        Route("/unit/forms/paper/person-change.pdf", PUBLIC),
        Route("/unit/forms/paper/nothing.pdf", row(N, N, N, N, N, N, N, N)),
    ],
    # The 操作指南 is public help, like the blank forms.
    "reports:guide": [Route("/guide/", PUBLIC)],
    "reports:guide_page": [
        Route("/guide/login/", PUBLIC),
        Route("/guide/no-such-journey/", row(N, N, N, N, N, N, N, N)),
    ],
}


def _walk(patterns: list[Any], ns: str = "") -> list[str]:
    names = []
    for p in patterns:
        if isinstance(p, URLResolver):
            names += _walk(p.url_patterns, ns + (f"{p.namespace}:" if p.namespace else ""))
        elif isinstance(p, URLPattern):
            names.append(ns + (p.name or f"<unnamed {p.pattern}>"))
    return names


def test_every_route_is_in_the_matrix():
    names = {n for n in _walk(get_resolver().url_patterns) if not n.startswith("admin:")}
    assert names - MATRIX.keys() == set(), "routes without a row in the matrix"
    assert MATRIX.keys() - names == set(), "matrix rows for routes that no longer exist"


@pytest.fixture
def callers(db: None, tmp_path: Path, local_ca: Any) -> dict[str, Any]:
    """One client per caller, each signed in through the real login paths."""
    holders: dict[str, Holder] = {
        "unit_a": unit_with_certificate(tmp_path, name="北京甲单位有限公司"),
        "unit_b": unit_with_certificate(tmp_path, name="北京乙单位有限公司"),
    }
    persons = {"person_a": give_password(make_person(name="张甲")),
               "person_b": give_password(make_person(name="李乙"))}
    for person, holder in ((persons["person_a"], holders["unit_a"]),
                           (persons["person_b"], holders["unit_b"])):
        make_enrolment(person, holder.unit, first=Month(2025, 1))
    clients: dict[str, Any] = {"anon": (Client(), None)}
    for name, holder in holders.items():
        client = Client()
        nonce = client.post("/unit/login/challenge/").json()["nonce"]
        response = client.post("/unit/login/verify/", {
            "certificate": holder.cert_pem, "nonce": nonce, "signature": holder.sign(nonce)},
            content_type="application/json")
        assert response.status_code == 200, response.content
        token = post_token(Client(), holder).json()["token"]
        clients[name] = (client, token)
    for name, person in persons.items():
        client = Client()
        person_client_login(client, person)
        clients[name] = (client, None)
    for name, role in (("intake", StaffRole.INTAKE), ("review", StaffRole.REVIEW),
                       ("admin", StaffRole.ADMIN)):
        client = Client()
        client.force_login(make_staff(role, f"matrix-{name}"))
        clients[name] = (client, None)
    clients["refs"] = {"ref_a": persons["person_a"].ref, "ref_b": persons["person_b"].ref,
                       "id_b": persons["person_b"].id_number,
                       **_declarations_of(holders["unit_b"], persons["person_b"])}
    clients["names"] = {"unit_a": holders["unit_a"].unit.name,
                        "unit_b": holders["unit_b"].unit.name,
                        "person_a": "张甲", "person_b": "李乙"}
    return clients


def _declarations_of(holder: Holder, person: Any) -> dict[str, str]:
    """Unit B's submitted 补缴 (审核中) with an evidence file, a refused upload and a
    draft from a valid one."""
    from django.utils import timezone

    from shebao.declarations.batchfiles import WageRecord, batchfile_validate
    from shebao.declarations.models import BatchUpload, Evidence
    from shebao.declarations.services import declaration_create
    from shebao.declarations.tests.helpers import make_backpay, wage_window_open
    from shebao.declarations.uploads import upload_refused
    from shebao.reports.documents import document_issue
    from shebao.reports.models import DocumentKind

    backpay = make_backpay(holder, person)
    receipt = backpay.receipt_no
    evidence = Evidence.objects.create(declaration=backpay, file_name="乙单位劳动合同.pdf",
                                       content_type="application/pdf", size=9,
                                       digest="e" * 64, data=b"%PDF-1.4\n")
    result = batchfile_validate(b"\xff", "x.csv", kind="wage", unit=holder.unit,
                                as_of=timezone.localdate())
    refused = upload_refused(unit=holder.unit, data=b"\xff", file_name="x.csv", result=result)
    wage_window_open()
    draft = declaration_create(unit=holder.unit, records=[WageRecord(
        row=2, id_number=person.id_number, name=person.name, wage=900_000)], actor=SYSTEM)
    kept = BatchUpload.objects.create(token="draft-of-unit-b", unit=holder.unit, kind="wage",
                                      file_name="w.csv", digest="0" * 64, declaration=draft)
    printed = document_issue(unit=holder.unit, kind=DocumentKind.UNIT_ENROLMENT, actor=SYSTEM)
    return {"receipt_b": str(receipt), "refused_b": refused.token, "draft_b": kept.token,
            "token_b": str(draft.draft_token), "evidence_b": str(evidence.pk),
            "serial_b": printed.document.serial}


def _body_text(response: Any) -> str:
    """What a caller can read in a response: JSON, a page, or every part of a workbook."""
    content_type = response["Content-Type"]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content_type.startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    if content_type.startswith("application/vnd.openxmlformats"):
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            return "".join(book.read(n).decode("utf-8") for n in book.namelist())
    if content_type.startswith(("application/pdf", "image/")):
        # Glyph-encoded, compressed text: the tenant check of PDFs is their 404 rows.
        # An image (the site icon) holds no data of anyone.
        return ""
    return content.decode("utf-8")


CASES = [(name, i, caller) for name, routes in MATRIX.items()
         for i in range(len(routes)) for caller in CALLERS]


@pytest.mark.parametrize(("name", "index", "caller"), CASES)
def test_route_as_caller(callers: dict[str, Any], name: str, index: int, caller: str) -> None:
    route = MATRIX[name][index]
    client, token = callers[caller]
    path = route.path.format(**callers["refs"])
    headers = bearer(token) if route.api and token else {}
    response = client.get(path, headers=headers)
    assert response.status_code == route.expect[caller], (path, caller)
    if response.status_code == 200 and caller in callers["names"]:
        own = callers["names"][caller]
        other = callers["names"][{"unit_a": "unit_b", "unit_b": "unit_a",
                                  "person_a": "person_b", "person_b": "person_a"}[caller]]
        body = _body_text(response)
        assert other not in body, f"{caller} sees {other} on {path}"
        if caller == "unit_a" and name.startswith("reports:"):
            assert callers["refs"]["serial_b"] not in body.replace(
                f"value=\"{callers['refs']['serial_b']}\"", ""), "unit A sees unit B's print"
        if caller == "unit_a":  # nor the name of unit B's employee
            assert "李乙" not in body, f"unit_a sees 李乙 on {path}"
        if name in ("certauth:unit_home", "accounts:person_home", "api:me"):
            assert own in body
