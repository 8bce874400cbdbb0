from django.contrib import admin
from django.urls import include, path

from shebao.accounts.web.staff import admin_login_redirect
from shebao.api.api import api

admin.site.site_header = "北京市社会保险网上申报查询系统 · 经办机构"
admin.site.site_title = "社保经办"
admin.site.index_title = "参保登记数据"
# The admin's own login form knows nothing of TOTP: send it to the staff login.
admin.site.login = admin_login_redirect  # type: ignore[method-assign]

urlpatterns = [
    path("", include("shebao.portal.urls")),
    path("", include("shebao.contributions.urls")),
    path("", include("shebao.accounts.web.urls")),
    path("backoffice/", include("shebao.backoffice.urls")),
    path("", include("shebao.certauth.urls")),
    path("", include("shebao.declarations.web.urls")),
    path("", include("shebao.reports.urls")),
    path("", include("shebao.api.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
