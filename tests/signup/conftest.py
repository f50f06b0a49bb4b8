import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate limits and failure counts live in the shared cache: each test starts from zero.
    cache.clear()
    yield
    cache.clear()
