from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "verification"
    verbose_name = _("Vérification de votre identité")  # the back-office's headings
