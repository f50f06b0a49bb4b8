"""`make messages`: refresh the English catalogue from the source, then compile it.

One place for the options, so that `make messages` and the test that looks for untranslated
text (tests/core/test_translations.py) extract exactly the same strings.
"""

import re
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

LANGUAGES = ["en"]
# Not read by people using the service: tests, benchmarks, scripts, generated files.
IGNORE = ["tests/*", "bench/*", "scripts/*", "docs/*", "var/*", "staticfiles/*", "node_modules/*"]
# Changes on every run: dropping it keeps the catalogue's history (and merges) to real changes.
VOLATILE_HEADER = re.compile(r'^"POT-Creation-Date: [^"]*"\n', re.M)


class Command(BaseCommand):
    help = "Extract the translatable text into locale/<lang>/LC_MESSAGES/django.po and compile it."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-compile", action="store_true", help="only extract; leave the .mo files alone"
        )

    def handle(self, *args, no_compile: bool = False, **options):
        call_command(
            "makemessages",
            locale=LANGUAGES,
            no_obsolete=True,
            # File names without line numbers: an edit elsewhere in a file leaves the .po alone.
            add_location="file",
            ignore_patterns=IGNORE,
            verbosity=options["verbosity"],
        )
        for language in LANGUAGES:
            catalogue_strip_volatile_header(catalogue_path(language))
        if not no_compile:
            call_command("compilemessages", locale=LANGUAGES, verbosity=options["verbosity"])


def catalogue_path(language: str) -> Path:
    """The project's single catalogue for a language (settings.LOCALE_PATHS[0])."""
    return Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / "django.po"


def catalogue_strip_volatile_header(path: Path) -> None:
    """Remove the creation-date header line that xgettext rewrites on every run."""
    text = path.read_text(encoding="utf-8")
    path.write_text(VOLATILE_HEADER.sub("", text, count=1), encoding="utf-8")
