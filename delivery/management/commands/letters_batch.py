"""`manage.py letters_batch --out FILE.pdf`: the pending letters as one PDF (docs/product.md §7,
§10).

The same as the back-office's « Générer le lot de courriers », for a scheduled print run. The
batch is recorded; confirm the posting in the back-office once the letters are in the post.

The PDF is written to a hidden file beside FILE.pdf and renamed to FILE.pdf once the batch is
recorded: a run killed halfway leaves no FILE.pdf (its batch is rolled back, its letters stay
pending), and running the same command again prints them. The hidden file of a killed run
holds void passwords; the next run into the same folder removes it.
"""

import contextlib
import fcntl
import glob
import os
import tempfile
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from delivery.letters import SKIP_REASONS, letters_batch_generate


class Command(BaseCommand):
    help = "Print every pending letter into one PDF (A4, one page a letter) and record the batch."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="the PDF to write (not overwritten)")
        parser.add_argument("--agent", help="agent login the batch is recorded under")

    def handle(self, *args, out, agent, **options):
        by = None
        if agent:
            User = get_user_model()
            by = User.objects.filter(login=agent, kind=User.Kind.AGENT).first()
            if by is None:
                raise CommandError(f"No agent with the login {agent!r}.")
        if os.path.exists(out):
            raise CommandError(f"{out} exists: choose another file name.")
        folder, name = os.path.split(os.path.abspath(out))
        _remove_abandoned(folder, name)
        started = time.monotonic()
        # Passwords in clear until printed: readable by the file's owner only (mkstemp: 0600).
        # The lock tells a later run that this file is being written, not abandoned.
        descriptor, partial = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            with os.fdopen(descriptor, "wb") as pdf:
                report = letters_batch_generate(out=pdf, agent=by)
                pdf.flush()
                os.fsync(pdf.fileno())
                if report.batch is not None:
                    _publish(partial, out)
        except FileExistsError:
            raise CommandError(
                f"{out} appeared while the batch was printed; the batch is recorded: print it "
                "again from the back-office (« Réimprimer »)."
            ) from None
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(partial)
        for letter_id, reason in report.skipped.items():
            self.stderr.write(f"Letter {letter_id} not printed: {SKIP_REASONS[reason]}.")
        if report.batch is None:
            self.stdout.write("No letter to print.")
            return
        self.stdout.write(
            f"Batch {report.batch.pk}: {report.printed} letter(s) in {out} "
            f"({time.monotonic() - started:.1f} s). Confirm the posting in the back-office."
        )


def _publish(partial: str, out: str) -> None:
    """Give the finished PDF its name, at once."""
    try:
        # A link, not a rename: it refuses a file made under that name meanwhile.
        os.link(partial, out)
    except FileExistsError:
        raise
    except OSError:
        os.rename(partial, out)  # a file system without hard links


def _remove_abandoned(folder: str, name: str) -> None:
    """Remove the hidden files of killed runs into `name`; leave those of a running one."""
    for path in glob.glob(os.path.join(glob.escape(folder), f".{glob.escape(name)}.*.part")):
        try:
            descriptor = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            continue
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # its run is alive: the kernel drops a lock with its process
        else:
            os.unlink(path)
        finally:
            os.close(descriptor)
