"""The agent who makes a batch of letters, as in the back-office's tests."""

from tests.backoffice.conftest import agent  # noqa: F401
