"""Benchmark: one batch of 10,000 letters, as `manage.py letters_batch` makes it (DESIGN §7).

    python bench/letters.py [--letters 10000]

Builds a throwaway database (SQLite in a temporary folder, or DATABASE_URL when set, e.g. a
PostgreSQL database of your own) with that many registry persons, accounts and pending
letters, then runs the real command in a child process and reports its wall time, its CPU time
and its peak memory (resource maxrss of the child), next to the cost of what a letter cannot
do without: making its one-time code and its keyed digest (DESIGN §4). Reads the PDF back
(pages, and the address, code and expiry of the first and last letters). Writes the figures
and the commit it ran on to bench/results/letters-<date>.txt, and exits non-zero when a target
is missed. Targets, for 10,000 letters on the project's 2-core machine: at most 15 s of wall
time and 400 MB; other sizes are measured without a target (the README states 100,000).
"""

import argparse
import datetime
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from provenance import commit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_LETTERS = 10_000
TARGET_SECONDS = 15.0
TARGET_MB = 400.0


def machine() -> str:
    cpu = "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.node()}: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def prepare(count: int) -> None:
    """Migrate the throwaway database and fill it with `count` pending letters."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from accounts.models import User
    from delivery.models import Letter
    from identity import make_nir, mask_nir
    from registry.digests import nir_digest
    from registry.models import Person

    streets = [
        "12 rue Samuel Fahlberg",
        "4 impasse des Raisins de Mer",
        "128 bis, avenue du Général-de-Gaulle",
        "7 route de Saline",
    ]
    persons, start = [], time.monotonic()
    for i in range(count):
        nir = make_nir(
            sex=1 + i % 2,
            year=1940 + i % 60,
            month=1 + i % 12,
            department="97",
            commune="701",
            order=1 + i % 999,
        )
        # Commune and order numbers from the letter's number: distinct NIRs up to 999,000.
        body = nir[:5] + "97" + f"{(i // 999) % 1000:03d}{1 + i % 999:03d}"
        persons.append(
            Person(
                nir_digest=nir_digest(body),
                nir_masked=mask_nir(body),
                nom=f"Greaux{i}",
                prenoms="Marie Louise",
                date_naissance=datetime.date(1980, 1, 1),
                adresse_2="Appartement 3" if i % 3 == 0 else "",
                adresse_4=streets[i % len(streets)],
                adresse_5="Lieu-dit Lorient" if i % 2 else "",
                code_postal="97133",
                commune="Saint-Barthélemy",
                profils="particulier",
                row_digest=str(i),
            )
        )
    Person.objects.bulk_create(persons, batch_size=1000)
    persons = list(Person.objects.order_by("pk"))
    User.objects.bulk_create(
        [
            User(
                login=p.nir_digest,
                kind=User.Kind.MEMBER,
                identifier_type=User.IdentifierType.NIR,
                identifier_masked=p.nir_masked,
                person=p,
                last_name=p.nom,
                first_name="Marie",
                language="en" if i % 10 == 0 else "fr",
                password="!",  # unusable: the letter brings the first password
            )
            for i, p in enumerate(persons)
        ],
        batch_size=1000,
    )
    Letter.objects.bulk_create(
        [Letter(user=u, language=u.language, reason="signup") for u in User.objects.all()],
        batch_size=1000,
    )
    print(f"prepared {count} letters in {time.monotonic() - start:.1f} s")


def code_seconds(samples: int = 20_000) -> float:
    """CPU seconds one letter's code takes here: drawn at random, then its keyed digest."""
    from accounts.passwords import code_digest, generate_temporary_password

    start = time.process_time()
    for number in range(samples):
        code_digest(user_id=number, code=generate_temporary_password())
    return (time.process_time() - start) / samples


def pdf_checked(path: Path, count: int) -> str:
    """The PDF read back as the tests read it: page count, and the first and last letters'
    address block, code and expiry."""
    from pypdf import PdfReader

    from accounts.passwords import looks_temporary
    from tests.backoffice.pdf_reading import read_letters

    reader = PdfReader(path)
    pages = len(reader.pages)
    problems = [] if pages == count else [f"{pages} pages for {count} letters"]
    for index in (0, pages - 1):
        writer_bytes = _single_page(reader, index)
        letter = read_letters(writer_bytes)[0]
        if not (
            3 <= len(letter.address_lines) <= 6 and letter.address_lines[-1].startswith("97133")
        ):
            problems.append(f"page {index + 1}: address block {letter.address_lines}")
        if not looks_temporary(letter.password):
            problems.append(f"page {index + 1}: no code in the box")
        if "Valable jusqu'au" not in letter.text and "Valid until" not in letter.text:
            problems.append(f"page {index + 1}: no expiry")
    return "; ".join(problems) or "right"


def _single_page(reader, index: int) -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_page(reader.pages[index])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=TARGET_LETTERS)
    parser.add_argument("--prepare-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    if args.prepare_only:
        prepare(args.letters)
        return 0
    ran_on = commit()  # before the run: the code that is measured

    folder = Path(tempfile.mkdtemp(prefix="bench-letters-"))
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ["DATABASE_URL"] = database
    # The database is filled by a process of its own, and this one loads nothing before the
    # batch runs: a child started by fork counts its parent's memory in its own peak.
    subprocess.run(
        [sys.executable, __file__, "--letters", str(args.letters), "--prepare-only"], check=True
    )

    out = folder / "lot.pdf"
    command = [sys.executable, str(ROOT / "manage.py"), "letters_batch", "--out", str(out)]
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    start = time.monotonic()
    child = subprocess.Popen(command, cwd=ROOT, env=os.environ)
    _pid, status, usage = os.wait4(child.pid, 0)  # the batch's own CPU time and peak memory
    seconds = time.monotonic() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        sys.exit(f"letters_batch failed ({child.returncode})")
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    cpu = usage.ru_utime + usage.ru_stime
    peak_mb = usage.ru_maxrss / 1024

    import django

    django.setup()
    one_code = code_seconds()
    from delivery.models import Letter, LetterBatch

    batch = LetterBatch.objects.get()
    printed = Letter.objects.filter(status=Letter.Status.PRINTED).count()
    pdf = pdf_checked(out, args.letters)
    targeted = args.letters == TARGET_LETTERS
    met = printed == args.letters and pdf == "right"
    if targeted:
        met = met and seconds <= TARGET_SECONDS and peak_mb <= TARGET_MB
    target = (
        f" — target ≤ {TARGET_SECONDS:.0f} s"
        if targeted
        else f" (no target at this size: ≤ {TARGET_SECONDS:.0f} s for {TARGET_LETTERS:,})"
    )
    lines = [
        f"letters batch benchmark, {datetime.datetime.now():%Y-%m-%d %H:%M}",
        f"commit: {ran_on}",
        f"machine: {machine()}",
        f"database: {database.split('://', 1)[0]}",
        f"letters: {args.letters} (batch {batch.letter_count}, printed {printed})",
        f"PDF read back: {pdf}",
        f"wall time: {seconds:.1f} s ({args.letters / seconds:.0f} letters/s){target}",
        f"CPU time (user+system): {cpu:.1f} s ({cpu / args.letters * 1000:.2f} ms a letter)",
        f"peak memory (maxrss): {peak_mb:.0f} MB"
        + (f" — target ≤ {TARGET_MB:.0f} MB" if targeted else ""),
        f"PDF: {out.stat().st_size / 1e6:.1f} MB",
        f"one code and its keyed digest: {one_code * 1e6:.1f} µs of CPU "
        f"({one_code * args.letters:.2f} s for {args.letters} letters)",
        f"load average before / after: {load_before} / {load_after}",
        f"result: {'every target met' if met else 'TARGET MISSED'}",
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / f"letters-{datetime.datetime.now():%Y%m%d-%H%M%S}.txt").write_text(report)
    out.unlink()
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
