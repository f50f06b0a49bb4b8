"""`letters_batch` killed halfway: no PDF left under the name asked for, nothing recorded, and
the same command run again prints every letter (docs/product.md §7; what an operator does at
night)."""

import fcntl
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from pypdf import PdfReader

from accounts.models import TemporaryPassword, User
from delivery.models import Letter, LetterBatch
from identity import make_nir, mask_nir
from registry.digests import nir_digest
from registry.models import Person
from tests.backoffice import factories

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)


def _pending_letters(count: int) -> list[Letter]:
    """`count` pending letters to as many people, made in a few statements."""
    persons = Person.objects.bulk_create(
        Person(
            **{
                **factories.PERSON_FIELDS,
                "nir_digest": nir_digest(body := _body(number)),
                "nir_masked": mask_nir(body),
            }
        )
        for number in range(count)
    )
    users = User.objects.bulk_create(
        User(
            login=person.nir_digest,
            kind=User.Kind.MEMBER,
            identifier_type=User.IdentifierType.NIR,
            identifier_masked=person.nir_masked,
            person=person,
            last_name=person.nom,
            password="!",  # unusable: the letter brings the first password
        )
        for person in persons
    )
    return Letter.objects.bulk_create(Letter(user=user, reason="signup") for user in users)


def _body(number: int) -> str:
    return make_nir(
        sex=2, year=1950 + number // 900, month=3, department="97", commune="701",
        order=1 + number % 900,
    )[:13]  # fmt: skip


def _partials(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.*.part"))


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a second process needs a database it can reach: the tests' SQLite is in memory",
)
@pytest.mark.django_db(transaction=True)
def test_a_batch_killed_halfway_leaves_no_pdf_and_a_rerun_prints_every_letter(tmp_path):
    letters = _pending_letters(1500)
    out = tmp_path / "lot.pdf"
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT'] or 5432}"
            f"/{database['NAME']}"
        ),
    }
    if database["PASSWORD"]:
        env["PGPASSWORD"] = database["PASSWORD"]
    process = subprocess.Popen(
        [sys.executable, "manage.py", "letters_batch", "--out", str(out)], cwd=ROOT, env=env
    )
    # Killed once pages are being written, well before the last one.
    deadline = time.monotonic() + 60
    while not any(p.stat().st_size > 0 for p in _partials(out)):
        assert process.poll() is None, "the batch ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()

    assert process.returncode == -signal.SIGKILL
    assert not out.exists()
    assert len(_partials(out)) == 1  # the killed run's hidden file, its passwords void
    assert not LetterBatch.objects.exists()
    assert not TemporaryPassword.objects.exists()
    assert Letter.objects.filter(status=Letter.Status.PENDING).count() == len(letters)

    call_command("letters_batch", out=str(out), stdout=io.StringIO())

    assert len(PdfReader(out).pages) == len(letters)
    assert Letter.objects.filter(status=Letter.Status.PRINTED).count() == len(letters)
    assert _partials(out) == []  # the killed run's file went with the rerun


def test_the_hidden_file_of_a_run_still_writing_is_left_alone(tmp_path):
    factories.letter()
    out = tmp_path / "lot.pdf"
    running = out.parent / f".{out.name}.other.part"
    running.write_bytes(b"%PDF-")
    with open(running, "rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as the writing run holds it
        call_command("letters_batch", out=str(out), stdout=io.StringIO())
    assert running.exists()
    assert out.exists() and _partials(out) == [running]


def test_the_command_never_overwrites_a_file(tmp_path):
    factories.letter()
    out = tmp_path / "lot.pdf"
    out.write_bytes(b"someone's file")
    with pytest.raises(CommandError, match="exists"):
        call_command("letters_batch", out=str(out), stdout=io.StringIO())
    assert out.read_bytes() == b"someone's file"
    assert Letter.objects.get().status == Letter.Status.PENDING


def test_on_a_file_system_without_hard_links_the_pdf_is_renamed_into_place(tmp_path, monkeypatch):
    import errno

    factories.letter()
    out = tmp_path / "lot.pdf"

    def no_links(source, target):
        raise OSError(errno.EPERM, "hard links not supported")

    monkeypatch.setattr(os, "link", no_links)
    call_command("letters_batch", out=str(out), stdout=io.StringIO())
    assert out.read_bytes().startswith(b"%PDF-") and _partials(out) == []
    assert Letter.objects.get().status == Letter.Status.PRINTED
