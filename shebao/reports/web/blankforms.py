"""Printable blank forms (public: they hold no data)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from shebao.lib.downloads import attachment

from ..blankforms import BY_SLUG


@require_GET
def paper_form(request: HttpRequest, slug: str) -> HttpResponse:
    form = BY_SLUG.get(slug)
    if form is None:
        raise Http404
    response = HttpResponse(form.build(), content_type="application/pdf")
    response["Content-Disposition"] = attachment(f"{form.title}.pdf", f"{slug}-form.pdf")
    return response
