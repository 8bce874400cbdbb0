"""The project's single NinjaAPI, mounted at /api/v1/ (shebao/urls.py).

The api app holds only routing, authentication (auth.py), the error format (errors.py)
and tokens; every rule lives in the services of the other apps. The OpenAPI document is
at /api/v1/openapi.json. The interactive docs page is off: ninja's Swagger page loads
its scripts from a CDN, which the site's Content-Security-Policy (script-src 'self')
forbids; it works once "ninja" is in INSTALLED_APPS (then it is served locally).
"""

from __future__ import annotations

from ninja import NinjaAPI

from .errors import errors_install
from .routers.auth import router as auth_router
from .routers.declarations import router as declarations_router
from .routers.queries import router as queries_router

api = NinjaAPI(
    title="北京市社会保险网上申报查询系统接口",
    version="1",
    description="参保单位以数字证书登录后，通过访问令牌调用的接口。错误统一为 "
                '{"code": "…", "message": "中文说明"}。',
    urls_namespace="api",
    docs_url=None,
)
errors_install(api)
api.add_router("/auth/", auth_router)
api.add_router("/declarations", declarations_router)
api.add_router("/queries", queries_router)
