"""`manage.py letters_batch --out FILE.pdf`: the pending letters as one PDF (DESIGN §7, §10).

The same as the back-office's « Générer le lot de courriers », for a scheduled print run. The
batch is recorded; confirm the posting in the back-office once the letters are in the post.
"""

import os
import time

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from delivery.letters import SKIP_REASONS, letters_batch_generate


class Command(BaseCommand):
    help = "Print every pending letter into one PDF (A4, one page a letter) and record the batch."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="the PDF to write (not overwritten)")
        parser.add_argument("--agent", help="agent login the batch is recorded under")
        parser.add_argument(
            "--workers", type=int, default=None, help="threads hashing passwords (default: cores)"
        )

    def handle(self, *args, out, agent, workers, **options):
        by = None
        if agent:
            by = User.objects.filter(login=agent, kind=User.Kind.AGENT).first()
            if by is None:
                raise CommandError(f"No agent with the login {agent!r}.")
        if os.path.exists(out):
            raise CommandError(f"{out} exists: choose another file name.")
        started = time.monotonic()
        # The file holds passwords in clear until printed: readable by its owner only.
        descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as pdf:
                report = letters_batch_generate(out=pdf, agent=by, workers=workers)
        except BaseException:
            os.unlink(out)
            raise
        for letter_id, reason in report.skipped.items():
            self.stderr.write(f"Letter {letter_id} not printed: {SKIP_REASONS[reason]}.")
        if report.batch is None:
            os.unlink(out)
            self.stdout.write("No letter to print.")
            return
        self.stdout.write(
            f"Batch {report.batch.pk}: {report.printed} letter(s) in {out} "
            f"({time.monotonic() - started:.1f} s). Confirm the posting in the back-office."
        )
