from django.urls import path

from . import web

app_name = "apitokens"
urlpatterns = [
    path("unit/api-tokens/", web.tokens, name="tokens"),
    path("unit/api-tokens/revoke-all/", web.tokens_revoke_all, name="revoke_all"),
    path("unit/api-tokens/<str:handle>/revoke/", web.token_revoke, name="revoke"),
]
