"""Shared pages (account, API tokens) and the API root; apps add their own API routes in api_urls."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
