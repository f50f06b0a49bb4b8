import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _french():
    """Import reports speak the site's language, whatever a previous test activated."""
    with translation.override("fr"):
        yield
