"""`manage.py import_registry FILE` / `--companies FILE`: the fund's extract into the registry."""

import os
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from registry.lines import COMPANIES, PERSONS
from registry.models import RegistryImport
from registry.services import encoding_check, registry_import


class Command(BaseCommand):
    help = (
        "Import the fund's extract of persons (FILE) or companies (--companies FILE): "
        "UTF-8 CSV separated by ';' with a header line (DESIGN §6). Rejected lines are "
        "reported; a file refused as a whole changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="extract of persons (CSV)")
        parser.add_argument("--companies", metavar="FILE", help="extract of companies (CSV)")
        parser.add_argument(
            "--encoding", default="utf-8", help="encoding of the file (default utf-8; latin-1)"
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="parsing processes (default: one per processor for large files)",
        )

    def handle(self, *args, file, companies, encoding, workers, **options):
        if bool(file) == bool(companies):
            raise CommandError(
                _(
                    "Indiquez un fichier : l'extrait des personnes (FILE) ou celui des "
                    "entreprises (--companies FILE), un seul à la fois."
                )
            )
        path, kind = (file, PERSONS) if file else (companies, COMPANIES)
        if not os.path.isfile(path):
            raise CommandError(_("Fichier introuvable : %(path)s") % {"path": path})
        if not os.access(path, os.R_OK):
            raise CommandError(
                _("Fichier illisible (droits insuffisants) : %(path)s") % {"path": path}
            )
        try:
            encoding_check(encoding)
        except ValueError as error:
            raise CommandError(str(error)) from None
        if workers is not None and workers < 0:
            raise CommandError(_("--workers : un nombre positif ou nul."))

        progress = _TerminalProgress(self.stderr) if _is_terminal(self.stderr) else None
        started = time.monotonic()
        try:
            record = registry_import(
                path=path, kind=kind, encoding=encoding, progress=progress, workers=workers
            )
        except KeyboardInterrupt:
            raise CommandError(_("Import interrompu : le registre n'a pas changé.")) from None
        finally:
            if progress:
                progress.close()
        if record.status == RegistryImport.Status.REFUSED:
            raise CommandError(_("Fichier refusé : %(reason)s") % {"reason": record.message})
        for entry in record.rejected_lines:
            column = f" [{entry['column']}]" if entry["column"] else ""
            self.stdout.write(
                _("Ligne %(line)s%(column)s : %(reason)s")
                % {"line": entry["line"], "column": column, "reason": entry["reason"]}
            )
        what = _("des personnes") if kind == PERSONS else _("des entreprises")
        self.stdout.write(
            _("Import de l'extrait %(what)s « %(file)s » terminé en %(seconds).1f s : %(summary)s")
            % {
                "what": what,
                "file": record.file_name,
                "seconds": time.monotonic() - started,
                "summary": record.message,
            }
        )


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class _TerminalProgress:
    """A one-line bar on the terminal, redrawn at most a few times a second."""

    WIDTH = 30

    def __init__(self, stream):
        self.stream = stream
        self.drawn_at = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.drawn_at < 0.2 and done < total:
            return
        self.drawn_at = now
        share = done / total if total else 1
        filled = int(share * self.WIDTH)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.stream.write(f"\r[{bar}] {share:4.0%}", ending="")
        self.stream.flush()

    def close(self) -> None:
        if self.drawn_at:
            self.stream.write("", ending="\n")
            self.stream.flush()
