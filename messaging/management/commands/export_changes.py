"""The changes accepted on a day, as CSV for the fund's core system (run daily, e.g. from cron).

The registry is not edited here: the core system records the changes, and the next registry
import settles the requests (docs/product.md §13). The file holds new IBANs in clear: written with
owner-only permissions, to be moved to the core system and not kept.
"""

import datetime
import os
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from messaging.services import change_requests_export


class Command(BaseCommand):
    help = "Write the change requests accepted on a day (default today) as CSV."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day, YYYY-MM-DD (default: today)")
        parser.add_argument("--out", help="the CSV file to write (default: standard output)")

    def handle(self, *args, date=None, out=None, **options):
        try:
            day = datetime.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError("--date : une date AAAA-MM-JJ, par exemple 2026-12-06.") from None
        if out is None:
            count = change_requests_export(day=day, out=sys.stdout)
        else:
            try:
                descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            except OSError as error:
                raise CommandError(f"Écriture impossible : {error.strerror}") from None
            with open(descriptor, "w", encoding="utf-8", newline="") as file:
                count = change_requests_export(day=day, out=file)
        self.stderr.write(f"{count} changement(s) accepté(s) le {day.isoformat()}.")
