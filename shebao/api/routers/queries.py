"""`/api/v1/queries/{kind}`: the unit queries (员工基本信息, 员工缴费基数, 1992–1995
养老账户 …) through the unit's bearer token, as paginated JSON.

One route per query of the catalogue (`shebao.reports.queries.QUERIES`), each with its
own filter parameters and row schema in the OpenAPI document, built from the query's
column spec: a query added to the catalogue is served here with nothing more to write.
Amounts are yuan strings with two decimals, months YYYY-MM; rows are those of the
token's unit only.
"""

# No `from __future__ import annotations`: the route functions are made in a loop and
# django-ninja reads their annotations as objects.

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import create_model

from shebao.accounts.principal import Principal
from shebao.certauth.selectors import unit_for
from shebao.reports.filters import STATUS_CHOICES, FilterError, filters_read
from shebao.reports.output import filters_plain, plain_row, plain_totals
from shebao.reports.queries import QUERIES
from shebao.reports.tables import Query as ReportQuery

from ..auth import unit_token_auth
from ..errors import ApiError, ErrorOut

router = Router(tags=["查询"], auth=unit_token_auth)
PER_PAGE = 100

FILTER_FIELDS: dict[str, Any] = {
    "person": (str | None, Field(None, max_length=50,
                                 description="姓名（部分）或公民身份号码（开头）")),
    "status": (str | None, Field(None, description="人员状态：" + "、".join(
        f"{code}={label}" for code, label in STATUS_CHOICES if code))),
    "year": (int | None, Field(None, description="缴费年度（如 2024 表示 2024-07 至 2025-06）；"
                                                 "不填为今天所在的缴费年度")),
}
COLUMN_TYPES = {"count": int}


class FiltersOut(Schema):
    person: str
    status: str
    year: int | None
    as_of: str = Field(description="查询日期（在职与否按此日所在月份判断）")


def _schemas(query: ReportQuery) -> tuple[type[Schema], type[Schema]]:
    name = "".join(part.title() for part in query.kind.split("_"))
    filters = create_model(f"{name}Filters", __base__=Schema,
                           **{f: FILTER_FIELDS[f] for f in query.filters})
    row_fields: dict[str, Any] = {
        c.key: (COLUMN_TYPES.get(c.kind, str) | str, Field(description=c.label))
        for c in query.columns}
    total_fields: dict[str, Any] = {
        c.key: (str | int | None, Field(None, description=c.label)) for c in query.columns}
    row = create_model(f"{name}Row", __base__=Schema, **row_fields)
    totals = create_model(f"{name}Totals", __base__=Schema, **total_fields)
    page_fields: dict[str, Any] = {
        "unit": (str, Field(description="单位编号")), "kind": (str, ...), "title": (str, ...),
        "filters": (FiltersOut, ...), "count": (int, Field(description="符合条件的记录总数")),
        "page": (int, ...), "pages": (int, ...), "rows": (list[row], ...),  # type: ignore[valid-type]
        "totals": (totals | None, Field(description="全部符合条件记录的合计（不只本页）；"
                                                    "无合计的查询为 null"))}
    page = create_model(f"{name}Page", __base__=Schema, **page_fields)
    return filters, page


def _route(query: ReportQuery) -> None:
    filters_schema, page_schema = _schemas(query)

    def endpoint(request: HttpRequest, filters: Query[filters_schema],  # type: ignore[valid-type]
                 page: int = Query(1, ge=1, description="页码，从 1 起")) -> dict[str, Any]:
        principal: Principal = request.auth  # type: ignore[attr-defined]
        unit = unit_for(principal)
        try:
            chosen = filters_read(query.filters, filters.dict(  # type: ignore[attr-defined]
                exclude_none=True))
        except FilterError as exc:
            raise ApiError(422, "invalid_request", str(exc)) from exc
        listing = query.select(unit, chosen)
        count = listing.count()
        pages = max((count + PER_PAGE - 1) // PER_PAGE, 1)
        rows = listing[(page - 1) * PER_PAGE:page * PER_PAGE] if page <= pages else []
        return {"unit": unit.number, "kind": query.kind, "title": query.title,
                "filters": filters_plain(chosen), "count": count, "page": page,
                "pages": pages, "rows": [plain_row(query, r) for r in rows],
                "totals": plain_totals(query, listing.totals())}

    router.get(f"/{query.kind}", response={200: page_schema, 401: ErrorOut, 422: ErrorOut},
               summary=query.title, url_name=f"query_{query.kind}",
               operation_id=f"query_{query.kind}",
               description=f"{query.note}每页 {PER_PAGE} 条；金额为元（两位小数的字符串），"
                           "年月为 YYYY-MM。")(endpoint)


for _query in QUERIES.values():
    _route(_query)
