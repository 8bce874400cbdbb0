"""Django admin for the registry: a read-only staff data tool.

Staff look records up here; every change goes through services and declarations (which
validate and write audit events), so the admin grants no add, change or delete.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from shebao.lib.money import format_fen_grouped
from shebao.policy.selectors import policy_years

from .models import Enrolment, MedicalUnitInfo, Person, Unit, UnitInjuryRate, WageBase


class ReadOnlyAdminMixin:
    """View permission only: writes go through services, never through the admin."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PolicyYearFilter(admin.SimpleListFilter):
    """Policy years from the policy table: no DISTINCT scan over the wage-base table."""

    title = "缴费年度"
    parameter_name = "policy_year"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(f.value), f"{f.value} 年度") for f in reversed(policy_years())]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value() or ""
        return queryset.filter(policy_year=int(value)) if value.isdigit() else queryset


class MedicalUnitInfoInline(ReadOnlyAdminMixin, admin.StackedInline):
    model = MedicalUnitInfo
    fields = ("registration_no", "district", "unit_type", "org_code", "synced_at",
              "mismatch_text")
    readonly_fields = ("synced_at", "mismatch_text")

    @admin.display(description="与四险系统不一致的项目")
    def mismatch_text(self, obj: MedicalUnitInfo) -> str:
        labels = {f.name: str(f.verbose_name) for f in MedicalUnitInfo._meta.fields}
        return "、".join(labels[f] for f in obj.mismatches()) or "无"


class UnitInjuryRateInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = UnitInjuryRate
    fields = ("first_month", "last_month", "injury_class", "floating_pct")
    ordering = ("first_month",)


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("number", "name", "district", "unit_type", "size", "settlement_cycle",
                    "enrolment_mode", "online_status")
    list_filter = ("district", "unit_type", "size", "online_status", "enrolment_mode")
    search_fields = ("=number", "name", "=uscc")
    ordering = ("number",)
    readonly_fields = ("created_at",)
    fieldsets = (
        ("基本信息", {"fields": ("number", "name", "uscc", "org_code", "registration_no",
                             "district", "unit_type", "size", "created_at")}),
        ("参保情况", {"fields": ("settlement_cycle", "enrolment_mode", "parent", "insurances",
                             "has_violation")}),
        ("网上申报", {"fields": ("online_status", "online_opened_at")}),
        ("联系与托收", {"fields": ("address", "contact_name", "contact_phone", "bank_name",
                               "bank_account")}),
    )
    inlines = (MedicalUnitInfoInline, UnitInjuryRateInline)


@admin.register(Person)
class PersonAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "masked_id", "sex", "birth_date", "hukou")
    list_filter = ("sex", "hukou")
    # Exact ID number (indexed, unique) or part of a name.
    search_fields = ("=id_number", "name")
    ordering = ("id",)
    show_full_result_count = False  # millions of rows: one COUNT per page is enough
    fields = ("id_number", "name", "sex", "birth_date", "hukou", "phone", "address",
              "created_at")
    readonly_fields = ("created_at",)

    @admin.display(description="公民身份号码", ordering="id_number")
    def masked_id(self, obj: Person) -> str:
        return obj.masked_id_number


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("person", "unit", "insurance", "first_month", "last_month",
                    "start_reason", "end_reason")
    list_filter = ("insurance", "start_reason", "end_reason")
    list_select_related = ("person", "unit")
    raw_id_fields = ("person", "unit")
    search_fields = ("=person__id_number", "=unit__number")
    ordering = ("-id",)  # newest first, by primary key: no join or sort over the table
    show_full_result_count = False


@admin.register(WageBase)
class WageBaseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("person", "unit", "policy_year", "wage_text", "source")
    list_filter = (PolicyYearFilter, "source")
    list_select_related = ("person", "unit")
    raw_id_fields = ("person", "unit")
    search_fields = ("=person__id_number", "=unit__number")
    ordering = ("-id",)
    show_full_result_count = False
    fields = ("person", "unit", "policy_year", "wage_text", "source", "recorded_at")
    readonly_fields = ("wage_text", "recorded_at")

    @admin.display(description="月缴费工资（元）", ordering="wage")
    def wage_text(self, obj: WageBase) -> str:
        return format_fen_grouped(obj.wage)
