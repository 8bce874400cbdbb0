"""`{% paper_form_list %}`: the printable blank forms, on the 表样下载 page."""

from __future__ import annotations

from django import template

from ..blankforms import PAPER_FORMS

register = template.Library()


@register.inclusion_tag("reports/_paper_forms.html")
def paper_form_list() -> dict[str, object]:
    return {"paper_forms": PAPER_FORMS}
