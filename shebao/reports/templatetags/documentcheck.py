"""`{% document_check_form %}`: the 证明核验 form, for the public check page (/verify/)."""

from __future__ import annotations

from django import template

from ..web.documents import DocumentCheckForm

register = template.Library()


@register.inclusion_tag("reports/_document_check_form.html")
def document_check_form(form: DocumentCheckForm | None = None) -> dict[str, object]:
    return {"doc_form": form or DocumentCheckForm()}
