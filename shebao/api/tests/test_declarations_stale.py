"""The API's side of issue 9, item 5: a second draft of the same change, from JSON rows
or a file, is refused with 409 {code, message} naming the first receipt, never a 500."""

from __future__ import annotations

import pytest

from shebao.api.tests.test_declarations_api import Api, add_file, add_item, enrolled
from shebao.certauth.tests.helpers import Holder
from shebao.declarations.models import Declaration, Status
from shebao.declarations.tests.helpers import csv_file, effective
from shebao.declarations.tests.samples import person_id, remove_row
from shebao.lib.periods import Month
from shebao.registry.models import Enrolment, Person
from shebao.tests.helpers import make_enrolment

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(holder: Holder) -> Api:
    return Api(holder)


def _stale(response, receipt: str) -> None:
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "stale_draft" and body["receipt_no"] == receipt
    assert f"回执号 {receipt}" in body["message"] and "未作任何变更" in body["message"]


def test_second_json_enrol_draft_of_one_person_is_409_naming_the_first(
        api: Api, holder: Holder) -> None:
    one = api.rows("add", [add_item(3)]).json()["draft"]
    two = api.rows("add", [add_item(3, wage=15000)]).json()["draft"]
    receipt = api.submit(one).json()["receipt_no"]

    _stale(api.submit(two), receipt)

    assert enrolled(holder, 3)
    assert Enrolment.objects.filter(person__id_number=person_id(3)).count() == 5
    assert Declaration.objects.get(draft_token=two).status == Status.DRAFT


def test_second_leave_file_of_one_person_is_409_naming_the_first(
        api: Api, holder: Holder) -> None:
    person = Person.objects.create(id_number=person_id(4), name="李四", sex="M",
                                   birth_date="1988-03-08", hukou="urban")
    make_enrolment(person, holder.unit, first=Month(2024, 1))
    end = str(effective())
    one = api.upload("/drafts", "remove", csv_file("remove", [remove_row(4, 终止年月=end)]),
                     "减员.csv").json()["draft"]
    two = api.upload("/drafts", "remove", csv_file("remove", [
        remove_row(4, 终止年月=end, 减员原因="其他")]), "减员2.csv").json()["draft"]
    receipt = api.submit(one).json()["receipt_no"]

    _stale(api.submit(two), receipt)

    assert Declaration.objects.filter(status=Status.EFFECTIVE).count() == 1
    assert set(Enrolment.objects.filter(person=person).values_list("end_reason", flat=True)) \
        == {"contract_terminated"}


def test_enrol_file_already_applied_by_json_rows_is_409(api: Api, holder: Holder) -> None:
    file_draft = api.upload("/drafts", "add", add_file(7)).json()["draft"]
    receipt = api.submit(api.rows("add", [add_item(7)]).json()["draft"]).json()["receipt_no"]

    _stale(api.submit(file_draft), receipt)
