from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "delivery"
    verbose_name = _("Courriers et emails")  # the back-office's headings

    def ready(self):
        from core.retention import purger_register

        from .retention import delivery_purge

        # Its expired data, for `manage.py purge_expired` (core/retention.py).
        purger_register(self.label, delivery_purge)
