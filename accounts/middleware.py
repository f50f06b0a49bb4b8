"""Session timeouts, and the personal password a member must choose before anything else."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .sessions import Expiry, session_expiry, session_touch

# What a member who logged in with a temporary password may reach before choosing their own:
# the choice itself, logging out, and the public texts anyone can read.
REACHABLE_BEFORE_PASSWORD_CHOICE = frozenset(
    {
        "accounts:password_choose",
        "accounts:logout",
        "set_language",
        "core:theme_css",
        "core:cgu",
        "core:mentions_legales",
        "core:accessibilite",
        "core:donnees_personnelles",
        "core:contact",
    }
)


class SessionTimeoutMiddleware:
    """End a logged-in session idle for SESSION_IDLE_TIMEOUT, or older than SESSION_COOKIE_AGE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        # Looking into the session costs a query only when the browser sent a session cookie.
        if SESSION_KEY in session:
            now = time.time()
            expiry = session_expiry(session, now)
            if expiry is not None:
                logout(request)
                if expiry == Expiry.IDLE:
                    message = _(
                        "Par sécurité, vous avez été déconnecté après %(minutes)d minutes sans "
                        "activité. Connectez-vous à nouveau."
                    ) % {"minutes": settings.SESSION_IDLE_TIMEOUT // 60}
                else:
                    message = _(
                        "Par sécurité, une session dure au plus %(hours)d heures : "
                        "connectez-vous à nouveau."
                    ) % {"hours": settings.SESSION_COOKIE_AGE // 3600}
                messages.info(request, message)
            else:
                session_touch(session, now)
        return self.get_response(request)


class PasswordChoiceRequiredMiddleware:
    """After a login with a temporary password, every page leads to « Choisir mon mot de passe »."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if SESSION_KEY not in request.session:
            return None
        user = request.user
        if not (user.is_authenticated and user.is_member and user.must_change_password):
            return None
        if request.resolver_match.view_name in REACHABLE_BEFORE_PASSWORD_CHOICE:
            return None
        return redirect("accounts:password_choose")
