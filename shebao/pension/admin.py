"""Django admin for pension accounts: read-only; the year-end close writes them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from shebao.lib.money import format_fen_grouped, format_ppm_percent
from shebao.registry.admin import ReadOnlyAdminMixin

from .models import Account1992, AccountYear


class StatementYearFilter(admin.SimpleListFilter):
    """Account years 1996 to this year: no DISTINCT scan over the account table."""

    title = "年度"
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(y), f"{y}年") for y in range(timezone.localdate().year, 1995, -1)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value() or ""
        return queryset.filter(year=int(value)) if value.isdigit() else queryset


@admin.register(Account1992)
class Account1992Admin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("person", "personal_text", "transferred_text", "balance_text", "months")
    list_select_related = ("person",)
    raw_id_fields = ("person",)
    search_fields = ("=person__id_number", "person__name")
    ordering = ("person_id",)
    show_full_result_count = False
    fields = ("person", "personal_text", "transferred_text", "balance_text", "months")
    readonly_fields = ("personal_text", "transferred_text", "balance_text")

    @admin.display(description="个人缴费部分（元）", ordering="personal_part")
    def personal_text(self, obj: Account1992) -> str:
        return format_fen_grouped(obj.personal_part)

    @admin.display(description="单位划转部分（元）", ordering="unit_transferred_part")
    def transferred_text(self, obj: Account1992) -> str:
        return format_fen_grouped(obj.unit_transferred_part)

    @admin.display(description="合计（元）")
    def balance_text(self, obj: Account1992) -> str:
        return format_fen_grouped(obj.balance)


@admin.register(AccountYear)
class AccountYearAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("person", "year", "opening_text", "months_paid", "credits_text",
                    "interest_text", "closing_text", "cumulative_months", "rate_text",
                    "source")
    list_filter = (StatementYearFilter, "source")
    list_select_related = ("person",)
    raw_id_fields = ("person",)
    search_fields = ("=person__id_number", "person__name")
    ordering = ("person_id", "year")
    show_full_result_count = False
    fields = ("person", "year", "source", "rate_text", "opening_text", "months_paid",
              "average_base_text", "credits_text", "interest_opening_text",
              "interest_credits_text", "closing_text", "cumulative_months")
    readonly_fields = ("rate_text", "opening_text", "average_base_text", "credits_text",
                       "interest_opening_text", "interest_credits_text", "closing_text")

    @admin.display(description="记账利率")
    def rate_text(self, obj: AccountYear) -> str:
        return f"{format_ppm_percent(obj.rate_ppm)}%"

    @admin.display(description="上年结转余额（元）", ordering="opening")
    def opening_text(self, obj: AccountYear) -> str:
        return format_fen_grouped(obj.opening)

    @admin.display(description="本年平均缴费基数（元）")
    def average_base_text(self, obj: AccountYear) -> str:
        return format_fen_grouped(obj.average_base)

    @admin.display(description="本年记账额（元）")
    def credits_text(self, obj: AccountYear) -> str:
        return format_fen_grouped(obj.credits)

    @admin.display(description="上年结转利息（元）")
    def interest_opening_text(self, obj: AccountYear) -> str:
        return format_fen_grouped(obj.interest_opening)

    @admin.display(description="本年记账利息（元）")
    def interest_credits_text(self, obj: AccountYear) -> str:
        return format_fen_grouped(obj.interest_credits)

    @admin.display(description="本年利息合计（元）")
    def interest_text(self, obj: AccountYear) -> str:
        return format_fen_grouped(obj.interest_opening + obj.interest_credits)

    @admin.display(description="年末余额（元）", ordering="closing")
    def closing_text(self, obj: AccountYear) -> str:
        return format_fen_grouped(obj.closing)
