"""Demo staff logins, one per role, and the view permissions their roles need in admin."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from shebao.accounts.models import StaffRole, User

# Printed by `shebao demo`; for demo databases only.
DEMO_PASSWORD = "Shebao-Demo-2026"  # noqa: S105 (printed on purpose)
# Apps whose data every staff role may look at in admin.
VIEW_APPS = ("registry", "pension", "policy")


@dataclass(frozen=True, slots=True)
class DemoLogin:
    username: str
    role: StaffRole
    full_name: str
    superuser: bool


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("admin", StaffRole.ADMIN, "演示管理员", True),
    DemoLogin("shouli", StaffRole.INTAKE, "演示受理员", False),
    DemoLogin("shenhe", StaffRole.REVIEW, "演示审核员", False),
)


def role_group_name(role: StaffRole) -> str:
    return f"{role.label}岗"


def role_groups_ensure() -> dict[str, Group]:
    """A group per staff role holding the view permissions of VIEW_APPS."""
    views = Permission.objects.filter(content_type__app_label__in=VIEW_APPS,
                                      codename__startswith="view_")
    groups = {}
    for role in StaffRole:
        group, _ = Group.objects.get_or_create(name=role_group_name(role))
        group.permissions.add(*views)
        groups[role.value] = group
    return groups


@transaction.atomic
def demo_staff_ensure() -> list[tuple[DemoLogin, bool]]:
    """Create the demo logins that do not exist yet; existing users are left as they are."""
    groups = role_groups_ensure()
    result = []
    for login in DEMO_LOGINS:
        user = User.objects.filter(username=login.username).first()
        created = user is None
        if user is None:
            user = User(username=login.username, role=login.role, full_name=login.full_name,
                        is_staff=True, is_superuser=login.superuser)
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.groups.add(groups[login.role.value])
        result.append((login, created))
    return result
