"""The unit's 缴费工资申报 page: the window, the people prefilled, errors at each input,
the bases clamped to the year's limits, the draft, the confirm page and the effect, and
a page of a 5,000-person unit in a constant number of queries; the prefilled file of the
unit's people."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shebao.certauth.tests.helpers import Holder
from shebao.declarations.batchfiles import WageRecord, batchfile_validate
from shebao.declarations.models import Declaration, DeclarationKind, Source, Status, WageWindow
from shebao.declarations.tests.helpers import submit, today, token_of
from shebao.declarations.wagebases import Limit, Limits, bases_for
from shebao.declarations.web.wage import PER_PAGE
from shebao.lib.idnumbers import valid_id_number
from shebao.lib.money import format_fen_grouped
from shebao.lib.periods import Month
from shebao.lib.spreadsheets import XLSX_CONTENT_TYPE, xlsx_read
from shebao.policy.models import PolicyRow
from shebao.policy.selectors import clear_cache, policy_at, policy_year_months
from shebao.registry.models import Enrolment, Person, Unit, WageBase
from shebao.tests.helpers import make_enrolment, make_person, make_unit

pytestmark = pytest.mark.django_db
URL = "/unit/declarations/wage/"


def year_limits(year: int) -> tuple[str, str]:
    """The pension lower and upper limit of a policy year as the page shows them (the
    year follows today: 2026 has 7,270.00 / 36,348.00, published in 2026)."""
    p = policy_at(policy_year_months(year)[0])
    return (format_fen_grouped(p.base_lower["pension"].value),
            format_fen_grouped(p.base_upper["pension"].value))


def employ(unit: Unit, name: str, **wages: int) -> Person:
    """A person enrolled at the unit since 2024 with wages by year: y2025=900_000, …"""
    person = make_person(name=name)
    make_enrolment(person, unit, first=Month(2024, 1))
    for key, wage in wages.items():
        year, _, source = key.removeprefix("y").partition("_")
        WageBase.objects.create(person=person, unit=unit, policy_year=int(year), wage=wage,
                                source=source or "declared")
    return person


def row_of(html: str, person: Person) -> str:
    """The table row of one person on the page."""
    match = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*wage-{person.ref}(?:(?!</tr>).)*</tr>", html,
                      re.S)
    assert match, f"no row for {person.name}"
    return match.group(0)


def input_value(html: str, person: Person) -> str:
    match = re.search(rf'id="wage-{person.ref}" name="wage-{person.ref}" value="([^"]*)"', html)
    assert match
    return match.group(1)


def post(client: Client, wages: dict[Person, str], action: str = "next",
         confirm: tuple[Person, ...] = (), **extra: str) -> Any:
    """The page posted back: every person's input, and the "本次申报" boxes ticked."""
    return client.post(URL, {"action": action, "page": "1",
                             **{f"wage-{p.ref}": v for p, v in wages.items()},
                             "confirm": [p.ref for p in confirm], **extra})


# --- the window --------------------------------------------------------------------------


def test_without_a_window_the_page_says_so_and_offers_no_form(unit_client: Client,
                                                              holder: Holder) -> None:
    employ(holder.unit, "张一", y2025=900_000)
    response = unit_client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "经办机构尚未设置本年度缴费工资申报期" in html
    assert 'id="wage-form"' not in html and "张一" not in html
    person = Person.objects.get(name="张一")
    response = post(unit_client, {person: "9000"})
    assert response.status_code == 400
    assert "经办机构尚未设置本年度缴费工资申报期" in response.content.decode()
    assert not Declaration.objects.exists()


def test_a_window_not_yet_open_is_announced_with_its_dates(unit_client: Client) -> None:
    day = today()
    WageWindow.objects.create(policy_year=2099, opens_on=day + dt.timedelta(days=3),
                              closes_on=day + dt.timedelta(days=40), set_by="test")
    opens = day + dt.timedelta(days=3)
    html = unit_client.get(URL).content.decode()
    assert "当前不在缴费工资申报期内：2099 年度申报期为" in html
    assert f"{opens.year}年{opens.month}月{opens.day}日至" in html


# --- the people and their prefilled wages ------------------------------------------------


def test_people_are_prefilled_and_their_bases_shown(unit_client: Client, holder: Holder,
                                                    wage_window: WageWindow) -> None:
    year, unit = wage_window.policy_year, holder.unit
    last, this = f"y{year - 1}", f"y{year}"
    usual = employ(unit, "张一", **{last: 900_000})
    low = employ(unit, "王二", **{last: 500_000})
    declared = employ(unit, "李三", **{last: 1_000_000, this: 1_200_000})
    defaulted = employ(unit, "赵四", **{last: 1_000_000, f"{this}_late_default": 1_100_000})
    high = employ(unit, "钱五", **{last: 5_000_000})
    new = employ(unit, "孙六")
    left = make_person(name="周七")
    make_enrolment(left, unit, first=Month(2024, 1), last=Month(2024, 12))
    elsewhere = employ(make_unit(name="北京别家单位有限公司"), "吴八", **{last: 800_000})

    html = unit_client.get(URL).content.decode()

    lower, upper = year_limits(year)
    assert f"{year} 缴费年度" in html and lower in html and upper in html
    assert "本单位在册参保人员 <strong>6</strong> 人" in html
    assert f"{year} 缴费年度已申报 <strong>1</strong> 人" in html
    assert "周七" not in html and "吴八" not in html and elsewhere.id_number not in html
    assert input_value(html, usual) == "9000.00"
    assert input_value(html, declared) == "12000.00"  # this year's declared wage
    assert input_value(html, defaulted) == "10000.00"  # last year's, not the 110% default
    assert input_value(html, new) == ""
    assert "9,000.00" in row_of(html, usual) and "按上下限核定" not in row_of(html, usual)
    assert "按上下限核定（低于下限）" in row_of(html, low)
    assert lower in row_of(html, low)
    assert "按上下限核定（高于上限）" in row_of(html, high)
    assert "未申报按上年110%" in row_of(html, defaulted)
    assert "本次不申报" in row_of(html, new)
    assert 'href="/unit/declarations/upload/?kind=wage"' in html
    assert 'href="/unit/declarations/wage/prefilled.xlsx"' in html
    assert "<script>" not in html and "style=" not in html


def test_search_finds_own_people_only(unit_client: Client, holder: Holder,
                                      wage_window: WageWindow) -> None:
    mine = employ(holder.unit, "欧阳明")
    employ(holder.unit, "张三")
    other = employ(make_unit(), "欧阳亮")
    html = unit_client.get(URL, {"q": "欧阳"}).content.decode()
    assert "欧阳明" in html and "张三" not in html and "欧阳亮" not in html
    html = unit_client.get(URL, {"q": other.id_number}).content.decode()
    assert "欧阳亮" not in html and "没有姓名包含或身份证号码以" in html
    assert "欧阳明" in unit_client.get(URL, {"q": mine.id_number[:10]}).content.decode()


def test_pending_shows_only_people_not_yet_declared_this_year(
        unit_client: Client, holder: Holder, wage_window: WageWindow) -> None:
    year = wage_window.policy_year
    done = employ(holder.unit, "钱已报", **{f"y{year}": 900_000})
    hired = employ(holder.unit, "孙新入", **{f"y{year}_new_hire": 800_000})
    todo = employ(holder.unit, "李未报", **{f"y{year - 1}": 700_000})
    html = unit_client.get(URL, {"pending": "1"}).content.decode()
    assert todo.name in html and hired.name in html and done.name not in html
    assert "在册参保人员 <strong>3</strong> 人" in html
    assert 'name="pending" value="1" checked' in html
    assert "均已申报" not in html
    token = token_of(post(unit_client, {todo: "7500", hired: "8000"}, confirm=(hired,),
                          pending="1"))
    assert submit(unit_client, token, holder, base="drafts").status_code == 200
    html = unit_client.get(URL, {"pending": "1"}).content.decode()
    assert "均已申报" in html and todo.name not in html


# --- checking, errors at each input, the draft ---------------------------------------------


def test_errors_are_shown_at_each_persons_input_and_nothing_is_made(
        unit_client: Client, holder: Holder, wage_window: WageWindow) -> None:
    good = employ(holder.unit, "张一")
    words = employ(holder.unit, "王二")
    zero = employ(holder.unit, "李三")

    response = post(unit_client, {good: "9000", words: "一万二", zero: "0"})

    html = response.content.decode()
    assert response.status_code == 400
    assert "有 2 处填写需要修改" in html
    assert 'aria-invalid="true"' in row_of(html, words)
    assert f'id="wage-{words.ref}-error"' in row_of(html, words)
    assert "月缴费工资：" in row_of(html, words)
    assert "月缴费工资必须大于零" in row_of(html, zero)
    assert "aria-invalid" not in row_of(html, good) and "9,000.00" in row_of(html, good)
    assert input_value(html, words) == "一万二"  # what was typed stays
    assert not Declaration.objects.exists()


def test_nothing_filled_is_refused(unit_client: Client, holder: Holder,
                                   wage_window: WageWindow) -> None:
    person = employ(holder.unit, "张一")
    response = post(unit_client, {person: "  "})
    assert response.status_code == 400
    assert "请修改或勾选确认至少一名人员的月缴费工资" in response.content.decode()
    assert not Declaration.objects.exists()


def test_another_units_person_is_never_declared(unit_client: Client, holder: Holder,
                                                wage_window: WageWindow) -> None:
    mine = employ(holder.unit, "张一")
    foreign = employ(make_unit(), "外单位人员")
    response = post(unit_client, {mine: "9000", foreign: "9000"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "有 1 人已不在本单位参保名单中，未列入本次申报" in html
    assert "外单位人员" not in html and foreign.id_number not in html
    assert not Declaration.objects.exists()


def test_check_shows_the_bases_without_making_a_draft(unit_client: Client, holder: Holder,
                                                      wage_window: WageWindow) -> None:
    low = employ(holder.unit, "王二")
    response = post(unit_client, {low: "5000"}, action="check")
    html = response.content.decode()
    assert response.status_code == 200
    assert "已核对" in html and "按上下限核定（低于下限）" in row_of(html, low)
    assert not Declaration.objects.exists()


def test_next_makes_a_draft_of_the_windows_year_and_submit_sets_the_bases(
        unit_client: Client, holder: Holder, wage_window: WageWindow) -> None:
    year = wage_window.policy_year
    usual = employ(holder.unit, "张一", **{f"y{year - 1}": 900_000})
    low = employ(holder.unit, "王二", **{f"y{year - 1}": 500_000})
    skipped = employ(holder.unit, "李三", **{f"y{year - 1}": 800_000})

    response = post(unit_client, {usual: "9,500.50", low: "5000", skipped: ""},
                    confirm=(low,))

    assert response.status_code == 302
    draft = Declaration.objects.get()
    assert (draft.kind, draft.source, draft.policy_year, draft.status) == (
        DeclarationKind.WAGE, Source.WEB, year, Status.DRAFT)
    assert [(ln.id_number, ln.data["wage"]) for ln in draft.lines.order_by("line_no")] == [
        (usual.id_number, 950_050), (low.id_number, 500_000)]
    assert response["Location"] == f"/unit/declarations/drafts/{draft.draft_token}/"

    html = unit_client.get(response["Location"]).content.decode()
    assert f"{year} 缴费年度核定缴费基数" in html
    assert "缴费基数（元）<span class=\"th-note\">各险种相同</span>" in html
    assert "共 2 人，其中 1 人月缴费工资低于缴费基数下限、按下限核定" in html
    assert "按上下限核定（低于下限）" in html and "9,500.50" in html

    response = submit(unit_client, str(draft.draft_token), holder, base="drafts")
    assert response.status_code == 200, response.content
    wage = WageBase.objects.get(person=usual, unit=holder.unit, policy_year=year)
    assert (wage.wage, wage.source) == (950_050, "declared")
    assert WageBase.objects.get(person=low, policy_year=year).wage == 500_000
    assert not WageBase.objects.filter(person=skipped, policy_year=year).exists()
    html = unit_client.get(URL).content.decode()
    assert f"{year} 缴费年度已申报 <strong>2</strong> 人" in html
    assert input_value(html, usual) == "9500.50"


def test_the_confirm_page_of_a_draft_whose_window_closed_says_it_cannot_be_submitted(
        unit_client: Client, holder: Holder, wage_window: WageWindow) -> None:
    person = employ(holder.unit, "张一")
    token = post(unit_client, {person: "9000"})["Location"].rstrip("/").rsplit("/", 1)[-1]
    wage_window.opens_on = wage_window.closes_on = today() - dt.timedelta(days=1)
    wage_window.save()
    html = unit_client.get(f"/unit/declarations/drafts/{token}/").content.decode()
    assert "当前不在申报期内，该草稿不能提交" in html
    response = submit(unit_client, token, holder, base="drafts")
    assert response.status_code == 409 and "已经截止" in response.json()["message"]


# --- bases per insurance ----------------------------------------------------------------


def test_limits_that_differ_by_insurance_give_a_column_each(
        unit_client: Client, holder: Holder, wage_window: WageWindow) -> None:
    first, _ = policy_year_months(wage_window.policy_year)
    PolicyRow.objects.filter(key="base_upper", insurance="medical",
                             first_month__lte=int(first), active=True).filter(
        Q(last_month__isnull=True) | Q(last_month__gte=int(first))).update(value="30000")
    clear_cache()
    person = employ(holder.unit, "张一")

    html = unit_client.get(URL).content.decode()
    lower, _ = year_limits(wage_window.policy_year)
    assert f'<td>医疗保险</td><td class="num">{lower}</td><td class="num">30,000.00</td>' in html
    response = post(unit_client, {person: "32000"}, action="check")
    row = row_of(response.content.decode(), person)
    assert "养老保险 32,000.00" in row and "医疗保险 30,000.00" in row
    assert "按上下限核定（高于上限）" in row

    token = post(unit_client, {person: "32000"})["Location"].rstrip("/").rsplit("/", 1)[-1]
    html = unit_client.get(f"/unit/declarations/drafts/{token}/").content.decode()
    assert "养老保险基数（元）" in html and "医疗保险基数（元）" in html
    assert '<td class="num clamped-cell">30,000.00</td>' in html
    assert '<td class="num">32,000.00</td>' in html
    assert "1 人高于上限、按上限核定" in html



def test_bases_are_clamped_per_insurance():
    limits = Limits(2026, Month(2026, 7), Month(2027, 6), (
        Limit("pension", "养老保险", 700_000, 3_500_000),
        Limit("medical", "医疗保险", 600_000, 3_000_000)), provisional=False)
    bases = bases_for(650_000, limits)
    assert [(b.base, b.clamped) for b in bases.items] == [(700_000, "下限"), (650_000, "")]
    assert bases.uniform is None and bases.note == "按上下限核定（低于下限）"
    both = bases_for(3_200_000, limits)
    assert [b.base for b in both.items] == [3_200_000, 3_000_000]
    assert both.note == "按上下限核定（高于上限）"
    assert bases_for(800_000, limits).note == "" and bases_for(800_000, limits).uniform


# --- a large unit: one page, constant queries ---------------------------------------------


def _crowd(unit: Unit, count: int, year: int, start: int) -> None:
    """`count` people enrolled at the unit with last year's wage, in three statements."""
    persons = Person.objects.bulk_create([
        Person(id_number=valid_id_number(dt.date(1970, 1, 1) + dt.timedelta(days=n // 500),
                                         n % 500 * 2 + 1, area="110108"),
               name=f"职工{n:05d}", sex="M", birth_date=dt.date(1970, 1, 1), hukou="urban")
        for n in range(start, start + count)])
    persons = list(Person.objects.filter(name__startswith="职工").order_by("-id")[:count])
    Enrolment.objects.bulk_create([
        Enrolment(person=p, unit=unit, insurance="pension", first_month=202401,
                  start_reason="new") for p in persons])
    WageBase.objects.bulk_create([
        WageBase(person=p, unit=unit, policy_year=year - 1, wage=800_000 + p.pk,
                 source="declared") for p in persons])


def _queries(client: Client, **params: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_a_page_costs_the_same_queries_for_3_people_as_for_5000(
        unit_client: Client, holder: Holder, wage_window: WageWindow) -> None:
    year = wage_window.policy_year
    _crowd(holder.unit, 3, year, 0)
    unit_client.get(URL)  # sessions and the policy table warmed up
    few, _ = _queries(unit_client)
    _crowd(holder.unit, 4_997, year, 3)
    many, html = _queries(unit_client)
    assert many == few <= 12
    assert html.count('inputmode="decimal"') == PER_PAGE
    assert "本单位在册参保人员 <strong>5000</strong> 人" in html
    assert "第 1 / 50 页" in html
    last, html = _queries(unit_client, page="50")
    assert last == few and html.count('inputmode="decimal"') == PER_PAGE


# --- the prefilled file --------------------------------------------------------------------

PREFILLED = "/unit/declarations/wage/prefilled.xlsx"


def _sheet(response: Any) -> list[list[Any]]:
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    return xlsx_read(response.content, max_rows=10_000).rows


def test_the_prefilled_file_lists_the_units_people_with_the_pages_prefill(
        unit_client: Client, holder: Holder, wage_window: WageWindow) -> None:
    year = wage_window.policy_year
    unit = holder.unit
    employ(unit, "甲", **{f"y{year - 1}": 812_345})
    employ(unit, "乙", **{f"y{year - 1}": 700_000, f"y{year}": 950_050})
    blank = employ(unit, "丙")
    gone = make_person(name="丁")
    make_enrolment(gone, unit, first=Month(2020, 1), last=Month(year - 2, 12))
    other = make_unit()
    employ(other, "戊", **{f"y{year - 1}": 600_000})

    response = unit_client.get(PREFILLED)
    assert f"{unit.number}_{year}%E5%B9%B4%E5%BA%A6" in response["Content-Disposition"]
    rows = _sheet(response)
    assert rows[0] == ["身份证号码", "姓名", "月缴费工资"]
    by_name = {r[1]: r for r in rows[1:]}
    assert set(by_name) == {"甲", "乙", "丙"}  # not who left, not another unit's people
    assert by_name["甲"][2] == 8123.45 and by_name["乙"][2] == 9500.5
    assert by_name["丙"][2] in (None, "")

    # Uploaded back as it is, it passes except for the person without a wage.
    result = batchfile_validate(response.content, "w.xlsx", kind="wage", unit=unit,
                                as_of=today())
    assert [(e.row, e.column, e.code) for e in result.errors] == [
        (rows.index(by_name["丙"]) + 1, "月缴费工资", "required")]
    # With a wage for 丙 too, the whole file passes with the exact wages.
    WageBase.objects.create(person=blank, unit=unit, policy_year=year - 1, wage=1_000_001,
                            source="declared")
    result = batchfile_validate(unit_client.get(PREFILLED).content, "w.xlsx", kind="wage",
                                unit=unit, as_of=today())
    wages = sorted(r.wage for r in result.records if isinstance(r, WageRecord))
    assert result.ok and wages == [812_345, 950_050, 1_000_001]


def test_the_prefilled_file_costs_the_same_queries_for_3_people_as_for_300(
        unit_client: Client, holder: Holder, wage_window: WageWindow) -> None:
    year = wage_window.policy_year
    _crowd(holder.unit, 3, year, 0)
    unit_client.get(PREFILLED)  # sessions and the policy table warmed up
    with CaptureQueriesContext(connection) as few:
        assert len(_sheet(unit_client.get(PREFILLED))) == 4
    _crowd(holder.unit, 297, year, 3)
    with CaptureQueriesContext(connection) as many:
        assert len(_sheet(unit_client.get(PREFILLED))) == 301
    assert len(many) == len(few) <= 8


def test_without_an_open_window_the_prefilled_file_leads_to_the_page(
        unit_client: Client, holder: Holder) -> None:
    employ(holder.unit, "张一", y2025=900_000)
    response = unit_client.get(PREFILLED)
    assert response.status_code == 302 and response["Location"] == URL


def test_only_the_people_edited_or_confirmed_are_declared_and_the_page_says_so(
        unit_client: Client, holder: Holder, wage_window: WageWindow) -> None:
    """The inputs are prefilled: a prefill left as it was is not declared unless its
    "本次申报" box is ticked; an edited wage is declared; a box ticked on a blank input
    is an error at that person."""
    year = wage_window.policy_year
    edited = employ(holder.unit, "张改", **{f"y{year - 1}": 900_000})
    untouched = employ(holder.unit, "王原", **{f"y{year - 1}": 800_000})
    confirmed = employ(holder.unit, "李确", **{f"y{year - 1}": 700_000})
    blank = employ(holder.unit, "赵新")

    html = unit_client.get(URL).content.decode()
    assert "只申报修改了月缴费工资或勾选“本次申报”的人员" in html
    assert "留空的人员本次不申报" not in html and "已填写的人员" not in html
    assert f'name="confirm" value="{untouched.ref}"' in row_of(html, untouched)
    assert "checked" not in row_of(html, untouched)

    response = post(unit_client, {edited: "9500", untouched: "8000.00", confirmed: "7000",
                                  blank: ""}, action="check", confirm=(confirmed,))
    html = response.content.decode()
    assert "本次申报 2 人" in html
    assert "本次不申报" in row_of(html, untouched) and "checked" not in row_of(html, untouched)
    assert "checked" in row_of(html, edited) and "checked" in row_of(html, confirmed)

    response = post(unit_client, {edited: "9500", untouched: "8000.00", confirmed: "7000",
                                  blank: ""}, confirm=(confirmed,))
    draft = Declaration.objects.get()
    assert response["Location"] == f"/unit/declarations/drafts/{draft.draft_token}/"
    assert sorted(draft.lines.values_list("name", flat=True)) == ["张改", "李确"]
    draft.delete()

    response = post(unit_client, {edited: "9000", blank: ""}, confirm=(blank,))
    assert response.status_code == 400
    assert "已勾选本次申报，请填写月缴费工资" in row_of(response.content.decode(), blank)
    assert not Declaration.objects.exists()
