from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Paiements, cotisations et attestations"

    def ready(self):
        from core.retention import purger_register

        # Registers the payments' and contributions' extracts with the registry's import.
        from payments import lines  # noqa: F401
        from payments.retention import payments_purge

        purger_register(self.label, payments_purge)
