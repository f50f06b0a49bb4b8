from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self):
        from core.cookies import cookie_names_register
        from core.retention import purger_register

        # Registers with delivery what only accounts makes or knows: the secrets of its emails
        # (the temporary password, the email-confirmation link) and, for the letter batches,
        # the temporary passwords and the postal addresses on file.
        from . import emails, letters  # noqa: F401
        from .device_cookies import device_cookie_names
        from .retention import accounts_purge

        purger_register(self.label, accounts_purge)
        # The « Données personnelles » page names the login's device cookies (core/cookies.py).
        cookie_names_register("device", device_cookie_names)
