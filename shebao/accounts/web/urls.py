from django.urls import path

from . import person, staff

app_name = "accounts"
urlpatterns = [
    path("person/", person.person_home, name="person_home"),
    path("person/login/", person.person_login, name="person_login"),
    path("person/activate/", person.person_activate, name="person_activate"),
    path("person/password/", person.person_password, name="person_password"),
    path("person/logout/", person.person_logout, name="person_logout"),
    path("staff/login/", staff.staff_login, name="staff_login"),
    path("staff/totp/", staff.staff_totp_enrol, name="staff_totp_enrol"),
    path("staff/logout/", staff.staff_logout, name="staff_logout"),
]
