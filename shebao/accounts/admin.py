from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import User
from .principal import principal_of
from .staff import staff_totp_reset


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    list_display = ("username", "full_name", "role", "is_staff", "is_active", "last_login")
    list_filter = ("role", "is_staff", "is_active")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("岗位", {"fields": ("role", "full_name")}),
    )
    actions = ("totp_reset",)

    @admin.action(description="重置动态口令（下次登录时重新绑定）", permissions=["change"])
    def totp_reset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        actor = principal_of(request).actor(request)
        for user in queryset:
            staff_totp_reset(user, actor=actor)
        self.message_user(request, f"已重置 {queryset.count()} 名工作人员的动态口令。",
                          messages.SUCCESS)
