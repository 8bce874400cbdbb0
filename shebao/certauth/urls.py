from django.urls import path

from . import views

app_name = "certauth"
urlpatterns = [
    path("unit/", views.unit_home, name="unit_home"),
    path("unit/login/", views.login_page, name="login"),
    path("unit/login/challenge/", views.login_challenge, name="login_challenge"),
    path("unit/login/verify/", views.login_verify, name="login_verify"),
    path("unit/logout/", views.logout, name="logout"),
]
