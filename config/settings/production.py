"""Production: the base settings as they are. They refuse to start without their secrets."""

from .base import *  # noqa: F403
