"""The open data files are API endpoints: the API's clients per role. The public files are cached, so each
test starts with an empty cache."""

import pytest
from django.core.cache import cache

from tests.api.conftest import api_client_for, api_user

__all__ = ["api_client_for", "api_user"]


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()
