from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Messagerie et demandes")

    def ready(self):
        from core.retention import purger_register
        from registry.services import import_done_hook

        from . import letters  # noqa: F401  (registers the bank-details notice letter)
        from .services import change_requests_settle, messaging_purge

        # The accepted change requests that an import shows are settled (docs/product.md §13).
        import_done_hook(change_requests_settle)
        # Threads, change requests and their files past their time (core/retention.py).
        purger_register(self.label, messaging_purge)
