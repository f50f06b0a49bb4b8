from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Messagerie et demandes")

    def ready(self):
        from . import letters  # noqa: F401  (registers the bank-details notice letter)
