from django.urls import path, re_path

from .web import queries

app_name = "reports"

urlpatterns = [
    path("unit/reports/people/<str:ref>/", queries.person_page, name="person"),
    re_path(r"^unit/reports/(?P<kind>[a-z0-9]+)/$", queries.query_page, name="query"),
    re_path(r"^unit/reports/(?P<kind>[a-z0-9]+)\.(?P<fmt>[a-z]+)$", queries.query_export,
            name="export"),
]
