from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self):
        # Registers the maker of the email-confirmation link with the email task.
        from . import emails  # noqa: F401
