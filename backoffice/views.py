"""Back-office pages outside the models' own admin pages: sign-in steps and the dashboard."""

import base64
import io
import time

import segno
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.device_cookies import device_remember
from accounts.lockout import agent_key
from accounts.models import User
from messaging.selectors import change_requests_pending_count, threads_waiting

from . import charts, selectors, services
from .forms import AgentLoginForm, TotpCodeForm

# Who passed the password step, and when: the second factor must follow within this time.
PENDING_KEY = "backoffice_pending_agent"
PENDING_SECONDS = 300


@sensitive_post_parameters("password")
@never_cache
def agent_login(request, *, site, extra_context=None):
    """Step 1: agent name and password; then the TOTP code, or the enrolment on first sign-in."""
    if request.method == "GET" and site.has_permission(request):
        return redirect("admin:index")
    form = AgentLoginForm(request, data=request.POST if request.method == "POST" else None)
    next_url = _safe_next(request)
    if form.is_bound and form.is_valid():
        user = form.get_user()
        if request.user.is_authenticated:
            auth.logout(request)
        request.session.cycle_key()
        request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "at": int(time.time()),
            "next": next_url,
        }
        if services.agent_has_totp(user=user):
            return redirect("admin:otp_verify")
        return redirect("admin:otp_enrol")
    if form.is_bound:
        services.agent_login_failed(request=request, reason="password")
    context = {
        **site.each_context(request),
        "title": _("Connexion au back-office"),
        "form": form,
        "next": next_url,
        **(extra_context or {}),
    }
    request.current_app = site.name
    return TemplateResponse(request, "backoffice/login.html", context)


@sensitive_post_parameters("code")
@never_cache
def second_factor(request, *, site):
    """Step 2: the code of the agent's authenticator app."""
    user = _pending_agent(request)
    if user is None:
        return redirect("admin:login")
    device = services.agent_totp_device(user=user)
    if device is None:
        return redirect("admin:otp_enrol")
    form = TotpCodeForm(request.POST if request.method == "POST" else None, device=device)
    if form.is_bound and form.is_valid():
        return _complete_login(request, user, device)
    if form.is_bound:
        services.agent_login_failed(request=request, reason="second_factor", subject=user)
    context = {
        **site.each_context(request),
        "title": _("Vérification en deux étapes"),
        "form": form,
    }
    request.current_app = site.name
    return TemplateResponse(request, "backoffice/otp_verify.html", context)


@sensitive_post_parameters("code")
@never_cache
def second_factor_enrol(request, *, site):
    """First sign-in: scan the QR code (or type the key), then prove it with a first code."""
    user = _pending_agent(request)
    if user is None:
        return redirect("admin:login")
    if services.agent_has_totp(user=user):
        return redirect("admin:otp_verify")
    if not services.agent_enrolment_open(user=user):
        request.session.pop(PENDING_KEY, None)
        services.agent_login_failed(request=request, reason="enrolment_expired", subject=user)
        context = {
            **site.each_context(request),
            "title": _("Délai d'activation dépassé"),
            "days": settings.AGENT_ENROLMENT_DAYS,
        }
        request.current_app = site.name
        return TemplateResponse(request, "backoffice/otp_enrol_closed.html", context, status=403)
    device = services.agent_totp_enrolment_device(user=user)
    form = TotpCodeForm(request.POST if request.method == "POST" else None, device=device)
    if form.is_bound and form.is_valid():
        services.agent_totp_confirm(device=device, request=request)
        return _complete_login(request, user, device)
    context = {
        **site.each_context(request),
        "title": _("Activer la vérification en deux étapes"),
        "form": form,
        "qr_data_uri": _qr_data_uri(device),
        "secret_groups": _secret_groups(device),
    }
    request.current_app = site.name
    return TemplateResponse(request, "backoffice/otp_enrol.html", context)


def dashboard(request, *, site):
    """Registrations per day by channel over 30 days, and the funnel of the last 30 days."""
    data = selectors.dashboard_data()
    context = {
        **site.each_context(request),
        "title": _("Tableau de bord"),
        "data": data,
        "waiting": threads_waiting(),
        "changes_pending": change_requests_pending_count(),
        "registrations_chart": charts.registrations_chart(data.registrations),
        "funnel_chart": charts.funnel_chart(data.funnel),
    }
    request.current_app = site.name
    return TemplateResponse(request, "backoffice/dashboard.html", context)


def _pending_agent(request) -> User | None:
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    user = User.objects.filter(pk=pending["user"], kind=User.Kind.AGENT, is_staff=True).first()
    if user is None or not user.is_active:
        return None
    user.backend = pending["backend"]
    return user


def _complete_login(request, user, device):
    next_url = request.session.get(PENDING_KEY, {}).get("next") or reverse("admin:index")
    request.session.pop(PENDING_KEY, None)
    auth.login(request, user, backend=user.backend)
    services.agent_login_succeeded(request=request, user=user, device=device)
    response = redirect(next_url)
    # This browser is now one of the agent's known devices: a stranger who locks the agent's
    # name out of unknown browsers does not lock it out (accounts.lockout).
    device_remember(request, response, key=agent_key(user.login))
    return response


def _safe_next(request) -> str:
    candidate = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _qr_data_uri(device: TOTPDevice) -> str:
    # An <img> with a data: URI: the CSP allows data: images, not inline SVG styles or scripts.
    buffer = io.BytesIO()
    segno.make(device.config_url, error="m").save(buffer, kind="svg", scale=5, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _secret_groups(device: TOTPDevice) -> list[str]:
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return [secret[i : i + 4] for i in range(0, len(secret), 4)]
