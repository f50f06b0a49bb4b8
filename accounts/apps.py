from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self):
        # Registers with delivery what only accounts makes or knows: the secrets of its emails
        # (the temporary password, the email-confirmation link) and, for the letter batches,
        # the temporary passwords and the postal addresses on file.
        from . import emails, letters  # noqa: F401
