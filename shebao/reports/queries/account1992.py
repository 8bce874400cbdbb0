"""1992–1995 养老账户: the imported 1992–1995 pension account of each of the unit's
people who has one (personal part, unit-transferred part, months), carried into 1996."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Sum

from shebao.pension.models import Account1992
from shebao.registry.models import Unit

from ..filters import Filters
from ..scope import unit_people
from ..tables import Column, Listing, Query, Row

COLUMNS = (
    Column("name", "姓名", width=10),
    Column("id_number", "公民身份号码", width=21),
    Column("personal_part", "个人缴费部分", "money", width=14),
    Column("unit_transferred_part", "单位划转部分", "money", width=14),
    Column("balance", "账户合计", "money", width=14),
    Column("months", "缴费月数", "count", width=9),
)


def _rows(accounts: Iterable[Account1992]) -> list[Row]:
    return [{"_ref": a.person.ref, "name": a.person.name, "id_number": a.person.id_number,
             "personal_part": a.personal_part,
             "unit_transferred_part": a.unit_transferred_part, "balance": a.balance,
             "months": a.months} for a in accounts]


def account1992_select(unit: Unit, filters: Filters) -> Listing:
    accounts = (Account1992.objects.filter(person__in=unit_people(unit, filters).values("pk"))
                .select_related("person").order_by("person__name", "person__id_number"))

    def totals() -> Row:
        sums = accounts.order_by().aggregate(
            personal_part=Sum("personal_part"),
            unit_transferred_part=Sum("unit_transferred_part"))  # months do not add up
        row: Row = {k: v or 0 for k, v in sums.items()}
        row["balance"] = row["personal_part"] + row["unit_transferred_part"]
        return row

    return Listing(accounts, _rows, totals=totals, summary=lambda n: f"共 {n:,} 人有该账户")


def _empty(filters: Filters) -> str:
    if filters.person or filters.status:
        return "没有符合条件人员的1992年至1995年养老账户，请调整查询条件。"
    return ("本单位人员均无1992年至1995年养老账户：该账户只记载1996年以前"
            "在本市参加养老保险人员的历史储存额。")


QUERY = Query(
    kind="account1992", title="1992年至1995年养老账户", columns=COLUMNS,
    select=account1992_select, filters=("person", "status"), empty=_empty,
    note="1992年至1995年期间建立的养老保险个人账户历史储存额，1996年起结转入个人账户。",
)
