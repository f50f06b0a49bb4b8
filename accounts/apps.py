from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self):
        from core.cookies import cookie_names_register
        from core.retention import purger_register

        # Registers the maker of the email-confirmation link with the email task.
        from . import emails  # noqa: F401
        from .device_cookies import device_cookie_names
        from .retention import accounts_purge

        purger_register(self.label, accounts_purge)
        # The « Données personnelles » page names the login's device cookies (core/cookies.py).
        cookie_names_register("device", device_cookie_names)
