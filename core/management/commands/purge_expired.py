"""Delete personal data past its retention period (run daily, e.g. from cron)."""

from django.core.management.base import BaseCommand, CommandError

from core.retention import retention_purge_by_app


class Command(BaseCommand):
    help = (
        "Delete sessions, passwords, requests, emails, letters, messages and their files, "
        "change requests, audit events, payments, contributions, attestations' records and "
        "dormant accounts past their retention period (see the « Données personnelles » page). "
        "Each app purges its own data; if one fails, the others still run and the command "
        "exits with an error naming it."
    )

    def handle(self, *args, **options):
        failed = []
        for done in retention_purge_by_app():
            for kind, count in done.counts.items():
                self.stdout.write(f"{kind}: {count} deleted")
            if done.error is not None:
                failed.append(done.app_label)
                self.stderr.write(
                    f"{done.app_label}: the purge failed ({type(done.error).__name__}: "
                    f"{done.error}); the other apps' purges still ran"
                )
        if failed:
            raise CommandError(f"The purge failed in: {', '.join(failed)} (see above).")
