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


class RateLimitBucket(models.Model):
    """Hits of one rate-limit key in one fixed window (see accounts.ratelimit).

    Counted with one INSERT … ON CONFLICT DO UPDATE, so gunicorn processes and threads
    share the count without races; expired rows are deleted now and then.
    """

    bucket_key = models.CharField("键", max_length=200)
    window_start = models.BigIntegerField("窗口起点（Unix 秒）")
    expires_at = models.BigIntegerField("窗口终点（Unix 秒）")
    hits = models.PositiveIntegerField("次数", default=0)

    class Meta:
        verbose_name = "访问频率计数"
        verbose_name_plural = "访问频率计数"
        constraints = [
            # serves: the upsert of every hit (its conflict target)
            models.UniqueConstraint(fields=["bucket_key", "window_start"],
                                    name="acc_ratelimit_key_window"),
        ]
        # serves: the periodic cleanup of expired windows
        indexes = [models.Index(fields=["expires_at"], name="acc_ratelimit_expires")]


class LoginLock(models.Model):
    """Consecutive login failures and the lock of one typed identifier in one realm.

    Keyed by a keyed hash of what was typed (ID number or username), not by a person
    or user row: an ID number nobody holds locks exactly like a registered one, so the
    lock message reveals nothing. Failures reset on success and when a lock expires.
    """

    realm = models.CharField("登录类型", max_length=16)
    ident = models.CharField("标识摘要", max_length=64)
    failures = models.PositiveSmallIntegerField("连续失败次数", default=0)
    locked_until = models.DateTimeField("锁定至", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间")

    class Meta:
        verbose_name = "登录锁定"
        verbose_name_plural = "登录锁定"
        constraints = [
            # serves: the lookup on every login attempt
            models.UniqueConstraint(fields=["realm", "ident"], name="acc_loginlock_realm_ident"),
        ]
        # serves: the periodic cleanup of stale rows
        indexes = [models.Index(fields=["updated_at"], name="acc_loginlock_updated")]


class PersonCredential(models.Model):
    """参保人 query password and the one-time activation code of the last 密码函.

    Both are stored as Django password hashes; the code is shown once, on the letter.
    """

    person = models.OneToOneField("registry.Person", on_delete=models.CASCADE,
                                  primary_key=True, related_name="credential",
                                  verbose_name="参保人")
    password = models.CharField("查询密码（摘要）", max_length=128, blank=True)
    password_set_at = models.DateTimeField("密码设置时间", null=True, blank=True)
    activation_code = models.CharField("激活码（摘要）", max_length=128, blank=True)
    activation_issued_at = models.DateTimeField("密码函出具时间", null=True, blank=True)
    activation_expires_at = models.DateTimeField("激活码有效期至", null=True, blank=True)
    last_login_at = models.DateTimeField("最近登录时间", null=True, blank=True)

    class Meta:
        verbose_name = "参保人查询密码"
        verbose_name_plural = "参保人查询密码"

    @property
    def has_password(self) -> bool:
        return bool(self.password)

    @property
    def has_activation_code(self) -> bool:
        return bool(self.activation_code)


class StaffCredential(models.Model):
    """A staff member's TOTP secret (encrypted, accounts.secretbox) and its last used step.

    `totp_last_step` makes each code good once: a code is accepted only for a step
    later than the last accepted one (a conditional UPDATE, so two requests racing with
    the same code cannot both pass).
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, primary_key=True,
                                related_name="staff_credential", verbose_name="工作人员")
    totp_secret = models.TextField("动态口令密钥（加密）", blank=True)
    totp_confirmed_at = models.DateTimeField("动态口令绑定时间", null=True, blank=True)
    totp_last_step = models.BigIntegerField("最近使用的时间步", default=0)

    class Meta:
        verbose_name = "工作人员动态口令"
        verbose_name_plural = "工作人员动态口令"

    @property
    def totp_confirmed(self) -> bool:
        return self.totp_confirmed_at is not None and bool(self.totp_secret)
