"""Shared pages (account, API tokens) and the API root; apps add their own API routes in api_urls."""

from django.urls import path

from . import token_views

urlpatterns = [
    path("account/tokens/", token_views.tokens, name="tokens"),
    path("account/tokens/create/", token_views.token_create, name="token-create"),
    path("account/tokens/revoke/", token_views.token_revoke, name="token-revoke"),
]
