"""A page that is the same for every visitor but for its CSRF token, rendered once per language.

The login page as a visitor first sees it (no form data, no message) is such a page: rendering
its template costs about 2 ms of CPU, 6 % of a whole login with its argon2id hash
(bench/login_parts.py, README « How fast »), above the 5 % that docs/product.md §12 asks of a
shortcut. So it is rendered once per language and process with a placeholder in place of the token,
and each response is that text with the visitor's own token put in.

This relies on one thing Django does not promise: that `{% csrf_token %}` writes the context's
`csrf_token` into the page verbatim. tests/accounts/test_blank_page.py pins the Django version
it was checked with and compares the result with Django's own rendering, byte for byte.
"""

from collections.abc import Callable

from django.core.signals import setting_changed
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.translation import get_language

_TOKEN_PLACEHOLDER = "csrftokenplaceholder0123456789"


class BlankPage:
    """`template_name` rendered with `context(request)`, once per language."""

    def __init__(self, template_name: str, context: Callable[..., dict]):
        self.template_name = template_name
        self.context = context
        self._pages: dict[str, str] = {}
        # Tests change settings (language, templates): the pages are made again.
        setting_changed.connect(self._forget, weak=False)

    def _forget(self, **kwargs) -> None:
        self._pages.clear()

    def response(self, request) -> HttpResponse:
        language = get_language()
        page = self._pages.get(language)
        if page is None:
            context = {**self.context(request), "csrf_token": _TOKEN_PLACEHOLDER}
            page = self._pages[language] = render_to_string(self.template_name, context, request)
        return HttpResponse(page.replace(_TOKEN_PLACEHOLDER, get_token(request)))
