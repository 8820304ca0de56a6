import pytest

from commissioning.drf import reset_throttles


@pytest.fixture(autouse=True)
def _no_counts_from_other_tests():
    """Throttle counts live in Redis when REDIS_URL is set: each test starts from none."""
    reset_throttles()
    yield
    reset_throttles()
