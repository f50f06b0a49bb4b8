"""Fixtures of the login tests: accounts in each state of docs/product.md §4."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from .factories import PERSONAL_PASSWORD, make_member

LOGIN_URL = "/compte/connexion/"


@pytest.fixture(autouse=True)
def _fresh_cache(request):
    # Rate limits and failure counts live in the shared cache (the database's by default):
    # each test that touches the database starts from zero.
    if request.node.get_closest_marker("django_db") is None:
        yield
        return
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def new_member(db):
    """Registered by email: a temporary password, no personal password yet."""
    return make_member()


@pytest.fixture
def member(db):
    """Has chosen a personal password; no temporary password pending."""
    return make_member(temporary=None, password=PERSONAL_PASSWORD)


def post_login(client, identifier, password, **extra):
    return client.post(
        reverse("accounts:login"), {"identifier": identifier, "password": password}, **extra
    )
