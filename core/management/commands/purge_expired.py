"""Delete personal data past its retention period (run daily, e.g. from cron)."""

from django.core.management.base import BaseCommand

from core.retention import retention_purge


class Command(BaseCommand):
    help = (
        "Delete sessions, passwords, requests, emails, letters, messages and their files, "
        "change requests, audit events, payments, contributions, attestations' records and "
        "dormant accounts past their retention period (see the « Données personnelles » page)."
    )

    def handle(self, *args, **options):
        counts = retention_purge()
        for kind, count in counts.items():
            self.stdout.write(f"{kind}: {count} deleted")
