"""The agents' admin site: agents only, and only once a second factor (TOTP) has been checked.

Signing in takes two steps. The password step (with failures counted by accounts.lockout) only
remembers, for a few minutes, who passed it; the session is logged in once the TOTP code is
checked, or, on first sign-in, once an authenticator app has been enrolled by QR code. Until
then the person is not logged in at all (docs/product.md §8).
"""

from functools import update_wrapper

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_record
from core.clients import request_client

# What an agent whose password was chosen by a supervisor may open before choosing their own.
REACHABLE_BEFORE_PASSWORD_CHANGE = frozenset({"password_change", "password_change_done", "logout"})


class AgentAdminSite(admin.AdminSite):
    site_header = gettext_lazy("Back-office Mon espace privé")
    site_title = gettext_lazy("Back-office")
    index_title = gettext_lazy("Accueil du back-office")
    index_template = "backoffice/index.html"
    enable_nav_sidebar = False

    def has_permission(self, request):
        """Active staff agents whose session passed the second factor; never a member."""
        user = request.user
        return bool(
            user.is_authenticated
            and user.is_active
            and user.is_staff
            and user.kind == User.Kind.AGENT
            and getattr(user, "is_verified", lambda: False)()
        )

    def admin_view(self, view, cacheable=False):
        """Django's guard, and then: a password a supervisor chose must be replaced first."""
        guarded = super().admin_view(view, cacheable)

        def inner(request, *args, **kwargs):
            user = request.user
            if (
                self.has_permission(request)
                and user.must_change_password
                and request.resolver_match.url_name not in REACHABLE_BEFORE_PASSWORD_CHANGE
            ):
                messages.info(
                    request,
                    _(
                        "Le mot de passe que vous avez reçu ne sert qu'une fois : choisissez "
                        "le vôtre pour continuer."
                    ),
                )
                return redirect("admin:password_change")
            return guarded(request, *args, **kwargs)

        return update_wrapper(inner, guarded)

    def password_change(self, request, extra_context=None):
        """Django's page (old password, new one twice, the password validators) with a new
        password that must differ from the old one; it ends the obligation to choose a
        password, and is audited."""
        from django.contrib.auth.views import PasswordChangeView
        from django.urls import reverse

        from .forms import AgentPasswordChangeForm

        class AgentPasswordChangeView(PasswordChangeView):
            def get_form_kwargs(self):
                return {**super().get_form_kwargs(), "request": self.request}

            def form_valid(self, form):
                response = super().form_valid(form)
                audit_record(
                    AuditEvent.Type.PASSWORD_CHANGED,
                    client=request_client(self.request),
                    actor=self.request.user,
                    subject=self.request.user,
                    area="back-office",
                )
                return response

        request.current_app = self.name
        return AgentPasswordChangeView.as_view(
            form_class=AgentPasswordChangeForm,
            success_url=reverse("admin:password_change_done", current_app=self.name),
            extra_context={**self.each_context(request), **(extra_context or {})},
        )(request)

    def get_urls(self):
        from . import views

        return [
            path("verification/", views.second_factor, {"site": self}, name="otp_verify"),
            path("enrolement/", views.second_factor_enrol, {"site": self}, name="otp_enrol"),
            path(
                "tableau-de-bord/",
                self.admin_view(views.dashboard),
                {"site": self},
                name="dashboard",
            ),
            *super().get_urls(),
        ]

    def index(self, request, extra_context=None):
        """The home page; supervisors also see the agents with an unusual day
        (docs/product.md §8)."""
        from .selectors import agent_volume_alerts

        extra_context = dict(extra_context or {})
        if request.user.has_perm("delivery.approve_letter"):
            extra_context["volume_alerts"] = agent_volume_alerts()
        return super().index(request, extra_context)

    def login(self, request, extra_context=None):
        from . import views

        return views.agent_login(request, site=self, extra_context=extra_context)
