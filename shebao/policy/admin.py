"""Django admin for policy rows: a read-only list.

Figures are corrected through policy upkeep (a new row with its source, the old one
retired), never edited in place here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import PolicyRow


@admin.register(PolicyRow)
class PolicyRowAdmin(admin.ModelAdmin):
    list_display = ("key", "insurance", "party", "variant", "value", "unit", "first_month",
                    "last_month", "confidence", "origin", "active")
    list_filter = ("key", "insurance", "confidence", "active", "origin")
    search_fields = ("source", "document", "note", "note_zh")
    ordering = ("key", "insurance", "party", "variant", "first_month")
    list_per_page = 100
    readonly_fields = ("updated_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
