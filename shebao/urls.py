from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "北京市社会保险网上申报查询系统 · 经办机构"
admin.site.site_title = "社保经办"
admin.site.index_title = "参保登记数据"

urlpatterns = [
    path("", include("shebao.portal.urls")),
    path("", include("shebao.contributions.urls")),
    path("backoffice/", include("shebao.backoffice.urls")),
    path("admin/", admin.site.urls),
]
