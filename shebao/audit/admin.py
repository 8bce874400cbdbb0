"""Django admin for the audit log: read-only, and nothing can be deleted.

The log is append-only and hash-chained (`shebao audit verify`); the admin only lists.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("seq", "at", "actor_kind", "actor", "action", "object_type", "object_ref",
                    "source_ip")
    # No filters on free-text columns: each would scan the whole log for its values.
    list_filter = ("actor_kind",)
    search_fields = ("=actor", "=object_ref", "=action")
    ordering = ("-seq",)
    show_full_result_count = False
    fields = ("seq", "at", "actor_kind", "actor", "source_ip", "action", "object_type",
              "object_ref", "before_text", "after_text", "prev_hash_text", "hash_text")
    readonly_fields = ("before_text", "after_text", "prev_hash_text", "hash_text")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="变更前")
    def before_text(self, obj: Event) -> str:
        return _json(obj.before)

    @admin.display(description="变更后")
    def after_text(self, obj: Event) -> str:
        return _json(obj.after)

    @admin.display(description="前一事件哈希")
    def prev_hash_text(self, obj: Event) -> str:
        return obj.prev_hash

    @admin.display(description="本事件哈希")
    def hash_text(self, obj: Event) -> str:
        return obj.hash


def _json(value: Any) -> str:
    # Chinese stays readable (the default admin display escapes it as \uXXXX).
    return "—" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
