from django.urls import path

from . import auditlog, declarations, persons, views, wagewindow

app_name = "backoffice"
urlpatterns = [
    path("", views.index, name="index"),
    path("payments/new/", views.payment_new, name="payment_new"),
    path("payments/import/", views.bankfile_upload, name="bankfile_upload"),
    path("arrears/", views.arrears, name="arrears"),
    path("persons/", persons.person_search, name="person_search"),
    path("persons/<str:ref>/", persons.person_detail, name="person_detail"),
    path("persons/<str:ref>/letter/", persons.person_letter, name="person_letter"),
    path("declarations/", declarations.declaration_queue, name="declaration_queue"),
    path("declarations/<str:receipt_no>/", declarations.declaration_detail,
         name="declaration_detail"),
    path("declarations/<str:receipt_no>/approve/", declarations.declaration_approve_view,
         name="declaration_approve"),
    path("declarations/<str:receipt_no>/return/", declarations.declaration_return_view,
         name="declaration_return"),
    path("declarations/<str:receipt_no>/evidence/<int:evidence_id>/",
         declarations.declaration_evidence, name="declaration_evidence"),
    path("wage-windows/", wagewindow.wage_windows, name="wage_windows"),
    path("audit/", auditlog.audit_search, name="audit_search"),
    path("audit/verify/", auditlog.audit_verify, name="audit_verify"),
]
