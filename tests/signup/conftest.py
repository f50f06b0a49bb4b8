import pytest


@pytest.fixture(autouse=True)
def _fresh_cache(fresh_cache):
    """Rate limits and failure counts live in the shared cache: each test starts from zero."""
