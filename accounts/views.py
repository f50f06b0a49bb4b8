"""Logging in and out, and the first personal password (docs/product.md §4)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.messages import get_messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.clients import client_network
from core.forms import full_keyboard
from core.wizard import done_page

from . import reset
from .blank_page import BlankPage
from .decorators import member_required
from .device_cookies import device_remember
from .forms import LoginForm, NewPasswordForm
from .services import (
    ResetPage,
    TooManyResets,
    login_failure_record,
    member_login,
    member_logout,
    password_choose,
    password_reset_request,
)


def _next_url(request) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def _login_context(request, form) -> dict:
    return {
        "form": form,
        "next": _next_url(request),
        "keyboard": full_keyboard(request, form, "identifier"),
    }


# The login page as a visitor first sees it: the same for everyone but for its CSRF token.
BLANK_LOGIN_PAGE = BlankPage(
    "accounts/login.html", lambda request: _login_context(request, LoginForm(request))
)


@sensitive_post_parameters("identifier", "password")
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request):
    """« Se connecter à Mon espace privé »."""
    if request.user.is_authenticated:
        if request.user.is_member:
            return redirect(settings.LOGIN_REDIRECT_URL)
    elif request.method == "GET" and not request.GET and not get_messages(request):
        return BLANK_LOGIN_PAGE.response(request)
    form = LoginForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            member_login(
                request=request,
                user=form.user,
                temporary_password=form.finding.temporary_password,
            )
            if form.user.must_change_password:
                response = redirect("accounts:password_choose")
            else:
                response = redirect(_next_url(request) or settings.LOGIN_REDIRECT_URL)
            device_remember(request, response, key=form.user.login)
            return response
        if form.attempted:
            login_failure_record(request=request, finding=form.finding)
    return render(request, "accounts/login.html", _login_context(request, form))


@require_POST
def logout_view(request):
    member_logout(request=request)
    messages.success(request, _("Vous êtes déconnecté. À bientôt !"))
    return redirect(settings.LOGOUT_REDIRECT_URL)


@sensitive_post_parameters("new_password", "new_password_confirm")
@never_cache
@member_required
@require_http_methods(["GET", "POST"])
def password_choose_view(request):
    """« Choisir mon mot de passe », the only page after a login with a temporary password."""
    if not request.user.must_change_password:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = NewPasswordForm(
        request.user, data=request.POST if request.method == "POST" else None, request=request
    )
    if request.method == "POST" and form.is_valid():
        password_choose(
            request=request, user=request.user, password=form.cleaned_data["new_password"]
        )
        messages.success(
            request,
            _(
                "Votre mot de passe est enregistré. Désormais, connectez-vous avec votre "
                "identifiant et ce mot de passe."
            ),
        )
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/password_choose.html", {"form": form})


# --- « Mot de passe oublié » ----------------------------------------------------------------


def _reset_url(page: reset.Page) -> str:
    return reverse(f"accounts:{page.url_name}")


@sensitive_post_parameters("identifier", "birth_date", "serial", "iban", "amount", "account")
@never_cache
@require_http_methods(["GET", "POST"])
def password_reset_step(request, slug: str):
    """One page of « Mot de passe oublié »; a page out of order goes to the first one open."""
    page = reset.BY_SLUG[slug]
    state = reset.ResetState(request)
    if not reset.is_open(state.answers, page):
        return redirect(_reset_url(reset.first_open(state.answers)))
    if request.method == "POST":
        form = state.form(page, data=request.POST)
        if form.is_valid():
            state.store(page, form.stored())
            following = reset.following(state.answers, page)
            if following is not None:
                return redirect(_reset_url(following))
            return _reset_finish(request, state)
    else:
        form = state.form(page)
    previous = reset.previous(state.answers, page)
    context = {
        "page": page,
        "form": form,
        "previous_url": _reset_url(previous) if previous else None,
        "card_url": _reset_url(reset.VITALE_CARD),
        "keyboard": full_keyboard(request, form, "identifier"),
    }
    return render(request, page.template, context)


def _reset_finish(request, state: reset.ResetState):
    try:
        page = password_reset_request(
            reset=reset.reset_request(state.answers),
            client=client_network(request),
            request=request,
        )
    except TooManyResets:
        return render(request, "accounts/reset_too_many.html", status=429)
    state.finish(str(page))
    return redirect("accounts:password_reset_done")


@require_GET
def password_reset_done(request):
    """The last page. The same bytes for everyone on the same path: nothing personal, no token."""
    page = done_page(request, reset.DONE_KEY)
    if page is None:
        return redirect("accounts:password_reset")
    return render(request, "accounts/reset_done.html", {"by_post": page == ResetPage.POST})


@require_POST
def password_reset_abandon(request):
    """« Abandonner »: what was entered is forgotten; back to the login page."""
    reset.ResetState(request).clear()
    messages.info(request, _("Votre demande est abandonnée : ce que vous aviez saisi est effacé."))
    return redirect("accounts:login")
