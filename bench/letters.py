"""Benchmark: one batch of 10,000 letters, as `manage.py letters_batch` makes it (DESIGN §7).

    python bench/letters.py [--letters 10000] [--workers N]

Builds a throwaway database (SQLite in a temporary folder, or DATABASE_URL when set, e.g. a
PostgreSQL database of your own) with that many registry persons, accounts and pending
letters, then runs the real command in a child process and reports its wall time, its CPU time
and its peak memory (resource maxrss of the child), next to the floor set by the password
hashing (argon2id, DESIGN §4: one hash per letter, made at print time). Writes the figures to
bench/results/letters-<date>.txt. Targets (issue 5): under 60 s and 400 MB.
"""

import argparse
import datetime
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


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
        # Vary the commune code too, so that 10,000 NIRs stay distinct.
        body = nir[:5] + f"{97 + (i // 999) % 3:02d}" + nir[7:13]
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


def hash_seconds(samples: int = 20) -> float:
    """CPU seconds one argon2id hash of the project takes here (the floor of a batch).

    CPU time, not wall time: other processes on a shared machine do not inflate it.
    """
    from django.contrib.auth.hashers import make_password

    make_password("warm-up-password")
    start = time.process_time()
    for _ in range(samples):
        make_password("AbCdEfGhJk34")
    return (time.process_time() - start) / samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-letters-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    database = os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ["DATABASE_URL"] = database
    prepare(args.letters)
    one_hash = hash_seconds()

    out = folder / "lot.pdf"
    command = [sys.executable, str(ROOT / "manage.py"), "letters_batch", "--out", str(out)]
    if args.workers:
        command += ["--workers", str(args.workers)]
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    subprocess.run(command, check=True, cwd=ROOT, env=os.environ)
    seconds = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peak_mb = after.ru_maxrss / 1024

    from delivery.models import Letter, LetterBatch

    batch = LetterBatch.objects.get()
    printed = Letter.objects.filter(status=Letter.Status.PRINTED).count()
    from pypdf import PdfReader

    pages = len(PdfReader(out).pages)
    cores = os.cpu_count() or 1
    floor = one_hash * args.letters / cores
    lines = [
        f"letters batch benchmark, {datetime.datetime.now():%Y-%m-%d %H:%M}",
        f"machine: {machine()}",
        f"database: {database.split('://', 1)[0]}",
        f"letters: {args.letters} (batch {batch.letter_count}, printed {printed}, pages {pages})",
        f"wall time: {seconds:.1f} s ({args.letters / seconds:.0f} letters/s) — target < 60 s",
        f"CPU time (user+system): {cpu:.1f} s",
        f"peak memory (maxrss): {peak_mb:.0f} MB — target < 400 MB",
        f"PDF: {out.stat().st_size / 1e6:.1f} MB",
        f"one argon2id hash: {one_hash * 1000:.1f} ms of CPU; {args.letters} hashes on {cores} "
        f"cores: at least {floor:.0f} s of wall time, whatever else the batch does",
        f"CPU per letter: {cpu / args.letters * 1000:.1f} ms, of which hashing "
        f"{one_hash * 1000:.1f} ms",
        f"load average before / after: {load_before} / {load_after}",
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / f"letters-{datetime.datetime.now():%Y%m%d-%H%M%S}.txt").write_text(report)
    out.unlink()


if __name__ == "__main__":
    main()
