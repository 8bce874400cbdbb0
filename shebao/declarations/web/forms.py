"""Forms of the declaration pages; every field gives a Chinese error at its place."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from shebao.accounts.forms import IdNumberField

from ..batchfiles import KINDS
from ..batchfiles.readers import MAX_BYTES
from ..models import DeclarationKind, Status
from ..selectors import CODE_LENGTH, normalize_code

ACCEPTED_SUFFIXES = (".xlsx", ".csv")
KIND_CHOICES = [(code, f"{kind.label}") for code, kind in KINDS.items()]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="业务类型", choices=[("", "请选择"), *KIND_CHOICES],
                             error_messages={"required": "请选择业务类型",
                                             "invalid_choice": "请选择增员、减员、缴费工资或补缴"})
    file = forms.FileField(label="报盘文件",
                           help_text=f"Excel 工作簿（.xlsx）或 CSV（UTF-8 或 GBK 编码），"
                                     f"不超过 {MAX_BYTES // 1048576} MB",
                           error_messages={"required": "请选择要上传的报盘文件",
                                           "empty": "所选文件为空"})

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["file"].widget.attrs["accept"] = ",".join(ACCEPTED_SUFFIXES)

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        # Decided on the size Django counted while receiving: the bytes are not read.
        if upload.size is not None and upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"文件超过 {MAX_BYTES // 1048576} MB 的上限，请分成几个文件上传")
        return upload


class VerifyForm(forms.Form):
    code = forms.CharField(label="回执验证码", max_length=40,
                           help_text=f"回执上的 {CODE_LENGTH} 位验证码，不区分大小写",
                           error_messages={"required": "请输入回执验证码"})

    def clean_code(self) -> str:
        code = normalize_code(self.cleaned_data["code"])
        if len(code) != CODE_LENGTH or not code.isalnum() or not code.isascii():
            raise forms.ValidationError(f"验证码应为 {CODE_LENGTH} 位字母和数字，请核对回执")
        return code


class ListFilterForm(forms.Form):
    """申报记录 filters (GET): business type, status, a person's ID number, and the
    submission date range. A field with an error is left out of the filter."""

    kind = forms.ChoiceField(label="业务类型", required=False,
                             choices=[("", "全部"), *DeclarationKind.choices],
                             error_messages={"invalid_choice": "请从列表中选择业务类型"})
    status = forms.ChoiceField(label="状态", required=False,
                               choices=[("", "全部"), *[(s, label) for s, label in Status.choices
                                                       if s != Status.DRAFT]],
                               error_messages={"invalid_choice": "请从列表中选择状态"})
    id_number = IdNumberField(label="含身份证号码", required=False,
                              widget=forms.TextInput(attrs={"autocomplete": "off"}))
    since = forms.DateField(label="提交日期自", required=False,
                            widget=forms.DateInput(attrs={"type": "date"}),
                            error_messages={"invalid": "请输入正确的日期，如 2026-01-31"})
    until = forms.DateField(label="至", required=False,
                            widget=forms.DateInput(attrs={"type": "date"}),
                            error_messages={"invalid": "请输入正确的日期，如 2026-01-31"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "结束日期不能早于开始日期")
        return data

    def filters(self) -> dict[str, Any]:
        """The valid, non-empty filters (call after is_valid())."""
        data = getattr(self, "cleaned_data", {})
        return {k: v for k, v in data.items() if v not in ("", None) and k not in self.errors}
