from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Paiements, cotisations et attestations"

    def ready(self):
        # Registers the payments' and contributions' extracts with the registry's import.
        from payments import lines  # noqa: F401
