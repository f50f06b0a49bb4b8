"""The accounts' fixtures, for the private space's tests."""

from tests.accounts.conftest import member, new_member  # noqa: F401
