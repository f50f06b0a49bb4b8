"""`manage.py import_registry FILE` / `--companies FILE`: the fund's extract into the registry."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from registry.command import extract_import_run, import_arguments_add
from registry.lines import COMPANIES, PERSONS


class Command(BaseCommand):
    help = (
        "Import the fund's extract of persons (FILE) or companies (--companies FILE): "
        "UTF-8 CSV separated by ';' with a header line (docs/product.md §6). Rejected lines are "
        "reported; a file refused as a whole changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="extract of persons (CSV)")
        parser.add_argument("--companies", metavar="FILE", help="extract of companies (CSV)")
        import_arguments_add(parser)

    def handle(self, *args, file, companies, encoding, workers, **options):
        if bool(file) == bool(companies):
            raise CommandError(
                _(
                    "Indiquez un fichier : l'extrait des personnes (FILE) ou celui des "
                    "entreprises (--companies FILE), un seul à la fois."
                )
            )
        path, kind = (file, PERSONS) if file else (companies, COMPANIES)
        what = _("des personnes") if kind == PERSONS else _("des entreprises")
        extract_import_run(
            self, path=path, kind=kind, what=what, encoding=encoding, workers=workers
        )
