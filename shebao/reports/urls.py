from django.urls import URLPattern, URLResolver, path, re_path

from .guide import views as guide
from .web import blankforms, documents, queries

app_name = "reports"

urlpatterns: list[URLPattern | URLResolver] = [
    path("unit/reports/people/<str:ref>/", queries.person_page, name="person"),
    re_path(r"^unit/reports/(?P<kind>[a-z0-9]+)/$", queries.query_page, name="query"),
    re_path(r"^unit/reports/(?P<kind>[a-z0-9]+)\.(?P<fmt>[a-z]+)$", queries.query_export,
            name="export"),
    path("unit/documents/", documents.documents, name="documents"),
    path("unit/documents/print/", documents.document_print, name="document_print"),
    path("verify/document/", documents.document_verify, name="document_verify"),
    path("guide/", guide.guide_index, name="guide"),
    path("guide/<slug:slug>/", guide.guide_page, name="guide_page"),
    path("unit/forms/paper/<slug:slug>.pdf", blankforms.paper_form, name="paper_form"),
]
