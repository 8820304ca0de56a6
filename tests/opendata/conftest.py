"""The open data files are API endpoints: the API's clients per role."""

from tests.api.conftest import api_client_for, api_user

__all__ = ["api_client_for", "api_user"]
