"""Benchmark: one batch of 10,000 letters, as `manage.py letters_batch` makes it
(docs/product.md §7).

    python bench/letters.py [--letters 10000] [--rounds 3]

Builds a throwaway database (SQLite in a temporary folder, or DATABASE_URL when set, e.g. a
PostgreSQL database of your own) with that many registry persons, accounts and pending
letters, then runs the real command in a child process and reports its wall time, its CPU time
and its peak memory (resource maxrss of the child), next to the cost of what a letter cannot
do without: making its one-time code and its keyed digest (docs/product.md §4). Reads the PDF back
(pages, and the address, code and expiry of the first and last letters). Writes the figures
and the commit it ran on to bench/results/letters-<date>.txt, and exits non-zero when a target
is missed. Targets, for 10,000 letters on the project's 2-core machine: at most 15 s of wall
time and 400 MB; other sizes are measured without a target (the README states 100,000).

`--rounds` runs the batch that many times on the same database (its letters set pending again
between runs), to see through the load of a shared machine. The PDF writers compared in
docs/decisions/letters-pdf.md were measured by this bench at commit de79ea3 (`--pdf own
reportlab`).
"""

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import machine
from provenance import commit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_LETTERS = 10_000
TARGET_SECONDS = 15.0
TARGET_MB = 400.0


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


def reset() -> None:
    """Set the printed letters pending again, as before the first run: no batch, no code."""
    import django

    django.setup()
    from accounts.models import TemporaryPassword
    from delivery.models import Letter, LetterBatch

    Letter.objects.update(status=Letter.Status.PENDING, batch=None)
    LetterBatch.objects.all().delete()
    TemporaryPassword.objects.all().delete()


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
    from tests.delivery.pdf_reading import read_letters

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


def measure(count: int, folder: Path) -> dict:
    """One run of the command in a child process: its wall time, CPU time and peak memory."""
    subprocess.run([sys.executable, __file__, "--reset-only"], check=True)
    out = folder / "lot.pdf"
    command = [sys.executable, str(ROOT / "manage.py"), "letters_batch", "--out", str(out)]
    load_before = os.getloadavg()
    start = time.monotonic()
    child = subprocess.Popen(command, cwd=ROOT, env=os.environ)
    _pid, status, usage = os.wait4(child.pid, 0)  # the batch's own CPU time and peak memory
    seconds = time.monotonic() - start
    if os.waitstatus_to_exitcode(status):
        sys.exit("letters_batch failed")
    # Read back by another child: this process stays small (see main()).
    checked = subprocess.run(
        [sys.executable, __file__, "--check-only", str(out), "--letters", str(count)],
        check=True,
        capture_output=True,
        text=True,
    )
    printed, verdict = checked.stdout.strip().split(" ", 1)
    run = {
        "seconds": seconds,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,
        "pdf_mb": out.stat().st_size / 1e6,
        "printed": int(printed),
        "checked": verdict,
        "load": (load_before, os.getloadavg()),
    }
    out.unlink()
    targeted = count == TARGET_LETTERS
    run["met"] = run["printed"] == count and run["checked"] == "right"
    if targeted:
        run["met"] = run["met"] and seconds <= TARGET_SECONDS and run["peak_mb"] <= TARGET_MB
    return run


def run_lines(run: dict, count: int) -> list[str]:
    targeted = count == TARGET_LETTERS
    target = (
        f" — target ≤ {TARGET_SECONDS:.0f} s"
        if targeted
        else f" (no target at this size: ≤ {TARGET_SECONDS:.0f} s for {TARGET_LETTERS:,})"
    )
    before, after = (" ".join(f"{x:.2f}" for x in load) for load in run["load"])
    return [
        f"printed {run['printed']}; PDF read back: {run['checked']}",
        f"  wall time: {run['seconds']:.1f} s ({count / run['seconds']:.0f} letters/s){target}",
        f"  CPU time (user+system): {run['cpu']:.1f} s "
        f"({run['cpu'] / count * 1000:.2f} ms a letter)",
        f"  peak memory (maxrss): {run['peak_mb']:.0f} MB"
        + (f" — target ≤ {TARGET_MB:.0f} MB" if targeted else ""),
        f"  PDF: {run['pdf_mb']:.1f} MB",
        f"  load average before / after: {before} / {after}",
        f"  result: {'every target met' if run['met'] else 'TARGET MISSED'}",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=TARGET_LETTERS)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--prepare-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--reset-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--check-only", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    if args.prepare_only:
        prepare(args.letters)
        return 0
    if args.reset_only:
        reset()
        return 0
    if args.check_only:
        import django

        django.setup()
        from delivery.models import Letter

        printed = Letter.objects.filter(status=Letter.Status.PRINTED).count()
        print(printed, pdf_checked(Path(args.check_only), args.letters))
        return 0
    ran_on = commit()  # before the run: the code that is measured

    folder = Path(tempfile.mkdtemp(prefix="bench-letters-"))
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ["DATABASE_URL"] = database
    # The database is filled by a process of its own, and this one loads nothing before the
    # batches run: a child started by fork counts its parent's memory in its own peak.
    subprocess.run(
        [sys.executable, __file__, "--letters", str(args.letters), "--prepare-only"], check=True
    )
    runs = []
    for round_number in range(args.rounds):
        runs.append(measure(args.letters, folder))
        print("\n".join([f"round {round_number + 1}", *run_lines(runs[-1], args.letters)]))

    import django

    django.setup()
    one_code = code_seconds()
    lines = [
        f"letters batch benchmark, {datetime.datetime.now():%Y-%m-%d %H:%M}",
        f"commit: {ran_on}",
        "machine: {host}: {cores} cores, {cpu}, Python {python}, load {load_average}".format(
            **machine()
        ),
        f"database: {database.split('://', 1)[0]}",
        f"letters: {args.letters}; rounds: {args.rounds}",
        f"one code and its keyed digest: {one_code * 1e6:.1f} µs of CPU "
        f"({one_code * args.letters:.2f} s for {args.letters} letters)",
    ]
    for round_number, run in enumerate(runs, start=1):
        lines += [f"round {round_number}", *run_lines(run, args.letters)]
    if args.rounds > 1:
        lines.append(
            f"median of the rounds: wall {statistics.median(r['seconds'] for r in runs):.1f} s, "
            f"CPU {statistics.median(r['cpu'] for r in runs):.1f} s, "
            f"peak {statistics.median(r['peak_mb'] for r in runs):.0f} MB"
        )
    met = all(run["met"] for run in runs)
    lines.append(f"result: {'every target met' if met else 'TARGET MISSED'}")
    report = "\n".join(lines) + "\n"
    print(report)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / f"letters-{datetime.datetime.now():%Y%m%d-%H%M%S}.txt").write_text(report)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
