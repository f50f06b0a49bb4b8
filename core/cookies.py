"""The cookies the site sets, named as the « Données personnelles » page lists them (§8).

Django's own (session, CSRF, language) are named by the settings. An app that sets cookies of
its own registers, in its `AppConfig.ready`, how their names read (`cookie_names_register`):
the page names them without core importing the app above it, as the apps' purges are asked
(core/retention.py, docs/decisions/each-app-purges-its-own-data.md).
"""

from collections.abc import Callable

from django.conf import settings

# The page's key -> how the cookies' names read, asked at each page (they may depend on settings).
_contributed: dict[str, Callable[[], str]] = {}


def cookie_names_register(key: str, names: Callable[[], str]) -> None:
    """Register how the names of an app's cookies read, under the page's `key`."""
    _contributed[key] = names


def cookie_names() -> dict[str, str]:
    """Every cookie the site sets: the page's key -> its name, or how its names read."""
    return {
        "session": settings.SESSION_COOKIE_NAME,
        "csrf": settings.CSRF_COOKIE_NAME,
        "language": settings.LANGUAGE_COOKIE_NAME,
        **{key: names() for key, names in _contributed.items()},
    }
