from django.urls import path

from . import views

app_name = "backoffice"
urlpatterns = [
    path("", views.index, name="index"),
    path("payments/new/", views.payment_new, name="payment_new"),
    path("payments/import/", views.bankfile_upload, name="bankfile_upload"),
    path("arrears/", views.arrears, name="arrears"),
]
