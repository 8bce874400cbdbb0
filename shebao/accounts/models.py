"""Users. A custom model from the first migration so identity can grow without pain.

Staff (经办机构工作人员) are users with a role. Unit operators and insured persons get
their own principals in the identity issue; they are not Django users.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class StaffRole(models.TextChoices):
    INTAKE = "intake", "受理"
    REVIEW = "review", "审核"
    ADMIN = "admin", "管理员"


class User(AbstractUser):
    role = models.CharField("岗位", max_length=16, choices=StaffRole.choices, blank=True)
    full_name = models.CharField("姓名", max_length=50, blank=True)

    class Meta:
        verbose_name = "工作人员"
        verbose_name_plural = "工作人员"

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        return self.full_name or self.username
