from django.urls import path, re_path

from . import upload_views, views

app_name = "declarations"
urlpatterns = [
    path("unit/forms/", views.forms_index, name="forms"),
    re_path(r"^unit/forms/(?P<kind>[a-z]+)\.(?P<fmt>[a-z]+)$", views.form_download,
            name="form_download"),
    path("unit/declarations/", views.declaration_list, name="list"),
    path("unit/declarations/upload/", upload_views.upload, name="upload"),
    path("unit/declarations/uploads/<str:token>/", upload_views.upload_page,
         name="upload_page"),
    path("unit/declarations/uploads/<str:token>/errors.xlsx", upload_views.upload_errors_file,
         name="upload_errors_file"),
    path("unit/declarations/uploads/<str:token>/content/", upload_views.upload_content,
         name="upload_content"),
    path("unit/declarations/uploads/<str:token>/submit/", upload_views.upload_submit,
         name="upload_submit"),
    path("unit/declarations/<str:receipt_no>/", views.declaration_detail, name="detail"),
    path("unit/declarations/<str:receipt_no>/receipt.pdf", views.declaration_receipt_pdf,
         name="receipt_pdf"),
    path("verify/", views.receipt_verify, name="verify"),
]
