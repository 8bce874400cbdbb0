"""The 操作指南 pages: public, like the blank forms (help before logging in)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import BY_SLUG, JOURNEYS


@require_GET
def guide_index(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/guide_index.html", {"journeys": JOURNEYS})


@require_GET
def guide_page(request: HttpRequest, slug: str) -> HttpResponse:
    journey = BY_SLUG.get(slug)
    if journey is None:
        raise Http404
    return render(request, "reports/guide_page.html", {"journey": journey,
                                                       "journeys": JOURNEYS})
