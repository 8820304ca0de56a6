"""URL patterns for what officers log: visits, concerns, sanctions, action plans, escalation."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
