from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("policy/", views.policy, name="policy"),
    path("favicon.ico", views.favicon, name="favicon"),
]
