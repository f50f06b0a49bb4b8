from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self):
        from core.retention import purger_register

        # Registers the maker of the email-confirmation link with the email task.
        from . import emails  # noqa: F401
        from .retention import accounts_purge

        purger_register(self.label, accounts_purge)
