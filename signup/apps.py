from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SignupConfig(AppConfig):
    name = "signup"
    verbose_name = _("Inscriptions")  # the back-office's headings

    def ready(self):
        from core.retention import purger_register

        from .retention import signup_purge

        # Its expired data, for `manage.py purge_expired` (core/retention.py).
        purger_register(self.label, signup_purge)
