"""What every import command does around registry.services.registry_import: check the file
and options, draw the progress bar, print the report. Shared by import_registry,
import_payments and import_contributions."""

import os
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from registry.models import RegistryImport
from registry.services import encoding_check, import_words, registry_import


def import_arguments_add(parser) -> None:
    """The options every import command takes."""
    parser.add_argument(
        "--encoding", default="utf-8", help="encoding of the file (default utf-8; latin-1)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="parsing processes (default: one per processor for large files)",
    )


def extract_import_run(
    command: BaseCommand, *, path: str, kind: str, what: str, encoding: str, workers: int | None
) -> RegistryImport:
    """Import ``path`` as an extract of ``kind``, printing the report on the command's output.

    Raises CommandError (exit status 1) when the file or an option is refused, or the import
    is interrupted; rejected lines are reported and do not change the status.
    """
    if not os.path.isfile(path):
        raise CommandError(_("Fichier introuvable : %(path)s") % {"path": path})
    if not os.access(path, os.R_OK):
        raise CommandError(_("Fichier illisible (droits insuffisants) : %(path)s") % {"path": path})
    try:
        encoding_check(encoding)
    except ValueError as error:
        raise CommandError(str(error)) from None
    if workers is not None and workers < 0:
        raise CommandError(_("--workers : un nombre positif ou nul."))

    progress = _TerminalProgress(command.stderr) if _is_terminal(command.stderr) else None
    started = time.monotonic()
    try:
        record = registry_import(
            path=path, kind=kind, encoding=encoding, progress=progress, workers=workers
        )
    except KeyboardInterrupt:
        raise CommandError(_(import_words(kind).interrupted)) from None
    finally:
        if progress:
            progress.close()
    if record.status == RegistryImport.Status.REFUSED:
        raise CommandError(_("Fichier refusé : %(reason)s") % {"reason": record.message})
    for entry in record.rejected_lines:
        column = f" [{entry['column']}]" if entry["column"] else ""
        command.stdout.write(
            _("Ligne %(line)s%(column)s : %(reason)s")
            % {"line": entry["line"], "column": column, "reason": entry["reason"]}
        )
    command.stdout.write(
        _("Import de l'extrait %(what)s « %(file)s » terminé en %(seconds).1f s : %(summary)s")
        % {
            "what": what,
            "file": record.file_name,
            "seconds": time.monotonic() - started,
            "summary": record.message,
        }
    )
    return record


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
