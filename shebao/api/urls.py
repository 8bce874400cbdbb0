from django.urls import path

from . import views

app_name = "apitokens"
urlpatterns = [
    path("unit/api-tokens/", views.tokens, name="tokens"),
    path("unit/api-tokens/revoke-all/", views.tokens_revoke_all, name="revoke_all"),
    path("unit/api-tokens/<str:handle>/revoke/", views.token_revoke, name="revoke"),
]
