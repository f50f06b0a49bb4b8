"""`manage.py import_payments FILE`: the fund's extract of payments (docs/product.md §6)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from payments.lines import PAYMENTS
from registry.command import extract_import_run, import_arguments_add


class Command(BaseCommand):
    help = (
        "Import the fund's extract of payments: UTF-8 CSV separated by ';' with a "
        "header line (docs/product.md §6). Upsert on the fund's reference; rejected lines are "
        "reported; a file refused as a whole changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="extract of payments (CSV)")
        import_arguments_add(parser)

    def handle(self, *args, file, encoding, workers, **options):
        extract_import_run(
            self,
            path=file,
            kind=PAYMENTS,
            what=_("des paiements"),
            encoding=encoding,
            workers=workers,
        )
