"""The agents' admin site: agents only, and only once a second factor (TOTP) has been checked.

Signing in takes two steps. The password step (with django-axes counting failures) only
remembers, for a few minutes, who passed it; the session is logged in once the TOTP code is
checked, or, on first sign-in, once an authenticator app has been enrolled by QR code. Until
then the person is not logged in at all (DESIGN §8).
"""

from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class AgentAdminSite(admin.AdminSite):
    site_header = _("Back-office Mon espace privé")
    site_title = _("Back-office")
    index_title = _("Accueil du back-office")
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

    def login(self, request, extra_context=None):
        from . import views

        return views.agent_login(request, site=self, extra_context=extra_context)
