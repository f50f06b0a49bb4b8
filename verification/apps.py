from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "verification"
    verbose_name = _("Vérification de votre identité")  # the back-office's headings

    def ready(self):
        from core.retention import purger_register

        from .retention import verification_purge

        # Its expired data, for `manage.py purge_expired` (core/retention.py).
        purger_register(self.label, verification_purge)
