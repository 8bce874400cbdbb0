from django.urls import URLPattern, path

from .guide import views as guide
from .web import blankforms, documents

app_name = "reports"

urlpatterns: list[URLPattern] = [
    path("unit/documents/", documents.documents, name="documents"),
    path("unit/documents/print/", documents.document_print, name="document_print"),
    path("verify/document/", documents.document_verify, name="document_verify"),
    path("guide/", guide.guide_index, name="guide"),
    path("guide/<slug:slug>/", guide.guide_page, name="guide_page"),
    path("unit/forms/paper/<slug:slug>.pdf", blankforms.paper_form, name="paper_form"),
]
