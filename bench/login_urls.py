"""The project's addresses plus the floor of bench/login_load.py.

The floor is what any login costs before its own work: the same middleware, the page with its
CSRF token, then a POST (its CSRF token checked) that verifies one argon2id hash with the
project's parameters and redirects. No form, no database: what a real login adds to it is the
lock check, the account, the new session and the audit row.
"""

from django.http import HttpResponse, HttpResponseForbidden
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.cache import never_cache

from accounts.hashers import Argon2idHasher
from bench.login_load import FLOOR_PATH, PASSWORD
from config.urls import urlpatterns as project_urlpatterns

_HASHER = Argon2idHasher()
_ENCODED = _HASHER.encode(PASSWORD, _HASHER.salt())
_PAGE = (
    '<!DOCTYPE html><title>bench</title><form method="post">'
    '<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
    '<input name="identifier"><input type="password" name="password"></form>'
)


@never_cache
def floor_login(request):
    if request.method == "POST":
        if not _HASHER.verify(request.POST.get("password", ""), _ENCODED):
            return HttpResponseForbidden()
        return redirect("/mon-espace/")
    return HttpResponse(_PAGE.format(token=get_token(request)))


urlpatterns = [*project_urlpatterns, path(FLOOR_PATH.lstrip("/"), floor_login)]
