from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"

    def ready(self):
        from audit.retention import audit_purge

        from . import checks  # noqa: F401  (registers the system checks)
        from .retention import core_purge, purger_register

        # Each app registers its own purge (docs/decisions/each-app-purges-its-own-data.md);
        # audit sits below core and cannot reach this registry, so core registers it.
        purger_register(self.label, core_purge)
        purger_register("audit", audit_purge)
