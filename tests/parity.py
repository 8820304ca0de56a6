"""Helpers for the parity tests (tests/<app>/test_parity.py): one action sent through the page and through the
API, as the same user, and the field errors each answers with, read the way each shows them."""

from __future__ import annotations

from django.test import Client
from rest_framework.test import APIClient


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def page_errors(response, field: str) -> list[str]:
    """The messages a page shows on ``field`` (the form is shown again: 200)."""
    assert response.status_code == 200, response.status_code
    return list(response.context["form"].errors[field])


def api_errors(response, field: str) -> list[str]:
    """The messages the API answers on ``field`` (400, in the one error format)."""
    assert response.status_code == 400, response.content
    return response.json()["errors"][field]
