from django.urls import path

from . import person_views, staff_views

app_name = "accounts"
urlpatterns = [
    path("person/", person_views.person_home, name="person_home"),
    path("person/login/", person_views.person_login, name="person_login"),
    path("person/activate/", person_views.person_activate, name="person_activate"),
    path("person/password/", person_views.person_password, name="person_password"),
    path("person/logout/", person_views.person_logout, name="person_logout"),
    path("staff/login/", staff_views.staff_login, name="staff_login"),
    path("staff/totp/", staff_views.staff_totp_enrol, name="staff_totp_enrol"),
    path("staff/logout/", staff_views.staff_logout, name="staff_logout"),
]
