"""Benchmark of `import_payments` against the registry import's re-import, in the same run.

    python bench/payments_import.py [--lines 5000000] [--per-person 60] [--workers N]

It creates a dedicated database (mep_bench_payments, dropped at the end) on the server of
DATABASE_URL, generates a registry of lines / per-person persons (registry.demo) and a
payments extract of N lines (monthly payments of those persons), and measures:

- the reference: the registry import of the persons, then the same file again (a re-import,
  every line already held): its CPU time per line;
- the payments import into an empty table (a first import, read once), then the same file
  again: CPU time per line;
- the peak memory of the payments import for N/4 and N lines (getrusage maxrss, each import in
  its own process), to show that it does not grow with N;
- the N lines imported into a table holding the first N/4 (3/4 of the lines new, read twice:
  a monthly extract of the whole history): CPU time per line of the file.

CPU time is that of every process of the import (the import, its parsing processes and its
PostgreSQL backend, read from /proc: the server must run on this machine),
docs/decisions/speed-measured-in-server-cpu.md. Target: the payments import costs at most 2 × the
registry re-import's CPU per line. Results, with the commit, go to
bench/results/payments_import-<date>.json and .md; a missed target exits with status 1.
"""

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import provenance  # noqa: E402
from bench.registry_import import child_import as registry_child_import  # noqa: E402
from bench.registry_import import (  # noqa: E402
    cpu_total,
    machine,
    with_database,
)

TARGET = 2.0
RESULTS = ROOT / "bench" / "results"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=5_000_000)
    parser.add_argument("--per-person", type=int, default=60, help="payments per person")
    parser.add_argument("--workers", type=int, default=None, help="default: the import's own")
    parser.add_argument("--database", default="mep_bench_payments")
    parser.add_argument("--keep", action="store_true", help="keep the database and the files")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child_import(args.child[0], Path(args.child[1]), args.workers)
    return run(args)


def run(args) -> int:
    import psycopg

    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if not server.startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must point at a PostgreSQL server.")
    bench_url, admin_url = with_database(server, args.database), with_database(server, "postgres")
    started = datetime.datetime.now().astimezone()
    load_before = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="bench-payments-"))
    persons_count = max(5, args.lines // args.per_person)
    # Read before the run: the checkout may move while a long run goes on.
    figures: dict = {
        "lines": args.lines,
        "persons": persons_count,
        "workers": args.workers,
        "commit": provenance.commit(),
    }
    try:
        print(f"Generating {persons_count:,} persons and {args.lines:,} payments…", flush=True)
        from registry import demo

        persons, payments = work / "persons.csv", work / "payments.csv"
        demo.write(count=persons_count, seed=2026, persons_path=persons)
        write_payments(persons, payments, args.lines, args.per_person)
        quarter = work / "payments-quarter.csv"
        head(payments, quarter, args.lines // 4)
        figures["file_mb"] = payments.stat().st_size / 1e6

        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{args.database}"')
            admin.execute(f'CREATE DATABASE "{args.database}"')
        env = {**os.environ, "DATABASE_URL": bench_url}
        env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
            stderr=subprocess.DEVNULL,
        )
        print("Registry import, then the same file again (the reference)…", flush=True)
        figures["registry_import"] = child("persons", persons, args.workers, env)
        figures["registry_reimport"] = child("persons", persons, args.workers, env)
        show("registry re-import", figures["registry_reimport"], persons_count)
        print("Payments import into an empty table…", flush=True)
        figures["payments_import"] = child("payments", payments, args.workers, env)
        show("payments import", figures["payments_import"], args.lines)
        print("Payments import of the same file again…", flush=True)
        figures["payments_reimport"] = child("payments", payments, args.workers, env)
        show("payments re-import", figures["payments_reimport"], args.lines)
        print(f"Memory: payments import of N/4 = {args.lines // 4:,} lines…", flush=True)
        with psycopg.connect(bench_url, autocommit=True) as bench:
            figures["postgresql"] = bench.execute("SHOW server_version").fetchone()[0]
            bench.execute("TRUNCATE payments_payment")
        figures["payments_quarter"] = child("payments", quarter, args.workers, env)
        print(
            "Payments import of all N lines into the N/4 held (3/4 of the lines new)…", flush=True
        )
        figures["payments_mostly_new"] = child("payments", payments, args.workers, env)
        show("payments import, 3/4 new", figures["payments_mostly_new"], args.lines)
        figures["load_average"] = {"before": load_before, "after": os.getloadavg()}
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{args.database}"')
    report, met = write_results(figures, started)
    print()
    print(report)
    return 0 if met else 1


def write_payments(persons: Path, target: Path, lines: int, per_person: int) -> None:
    """``lines`` monthly pension payments, ``per_person`` each, going back from last month."""
    with open(persons, encoding="utf-8") as source:
        source.readline()
        nirs = [line.split(";", 1)[0] for line in source]
    today = datetime.date.today().replace(day=1)
    months = []
    for back in range(per_person):
        year, month = divmod(today.year * 12 + today.month - 1 - back - 1, 12)
        start = datetime.date(year, month + 1, 1)
        end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
        paid = end + datetime.timedelta(days=5)
        months.append((paid.isoformat(), start.isoformat(), end.isoformat()))
    header = "nir;reference;date_paiement;montant;nature;libelle;periode_debut;periode_fin\n"
    with open(target, "w", encoding="utf-8") as out:
        out.write(header)
        batch = []
        for number in range(lines):
            nir = nirs[number // per_person % len(nirs)]
            paid, start, end = months[number % per_person]
            euros = 300 + number * 7919 % 1500
            batch.append(
                f"{nir};PAI{number:010d};{paid};{euros},{number % 100:02d};retraite;"
                f"Pension de retraite de base;{start};{end}\n"
            )
            if len(batch) == 10_000:
                out.write("".join(batch))
                batch = []
        out.write("".join(batch))


def head(source: Path, target: Path, lines: int) -> None:
    with open(source, "rb") as full, open(target, "wb") as part:
        part.write(full.readline())
        for _line, text in zip(range(lines), full, strict=False):
            part.write(text)


def child(kind: str, path: Path, workers, env) -> dict:
    """Run one import in a fresh process; return what it measured of itself."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", kind, str(path)]
    if workers is not None:
        command += ["--workers", str(workers)]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"The import failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def child_import(kind: str, path: Path, workers) -> int:
    """In the child process: import the file and print the measures as one JSON line, as the
    registry's bench does (the same measure on both sides of the ratio)."""
    return registry_child_import(path, workers, kind=kind)


def per_line_us(figure: dict, lines: int) -> float | None:
    cpu = cpu_total(figure)
    return None if cpu is None else cpu / lines * 1e6


def show(label: str, figure: dict, lines: int) -> None:
    cpu = per_line_us(figure, lines)
    cpu_text = f"{cpu:.1f} µs of CPU a line" if cpu is not None else "CPU n/a"
    print(f"  {label}: {figure['seconds']:.1f} s, {lines / figure['seconds']:,.0f} lines/s, "
          f"{cpu_text}", flush=True)  # fmt: skip


def write_results(figures: dict, started: datetime.datetime) -> tuple[str, bool]:
    lines, persons = figures["lines"], figures["persons"]
    reference = per_line_us(figures["registry_reimport"], persons)
    first = per_line_us(figures["payments_import"], lines)
    again = per_line_us(figures["payments_reimport"], lines)
    mostly_new = per_line_us(figures["payments_mostly_new"], lines)
    met = reference is not None and first is not None and first <= TARGET * reference
    quarter, full = figures["payments_quarter"], figures["payments_import"]
    about = machine() | {"postgresql": figures.get("postgresql", "?")}
    load = figures["load_average"]
    text = [
        f"# Payments import benchmark — {started:%Y-%m-%d %H:%M %Z}",
        "",
        f"Commit: {figures['commit']}",
        "",
        *[f"- {key}: {value}" for key, value in about.items()],
        f"- load average before: {', '.join(f'{v:.1f}' for v in load['before'])}; after: "
        f"{', '.join(f'{v:.1f}' for v in load['after'])}",
        "",
        f"Payments extract: {lines:,} lines ({figures['file_mb']:.0f} MB) for {persons:,} "
        f"persons; parsing processes: {figures['workers'] or 'the import default'}.",
        "",
        "| run | lines | wall s | lines/s | CPU µs a line (all processes) |",
        "|---|---|---|---|---|",
    ]
    for label, key, count in (
        ("registry import (persons)", "registry_import", persons),
        ("registry re-import, same file (reference)", "registry_reimport", persons),
        ("payments import, empty table", "payments_import", lines),
        ("payments re-import, same file", "payments_reimport", lines),
        ("payments import of N/4 lines (memory)", "payments_quarter", lines // 4),
        ("payments import of N lines, N/4 held (3/4 new)", "payments_mostly_new", lines),
    ):
        figure = figures[key]
        cpu = per_line_us(figure, count)
        text.append(
            f"| {label} | {count:,} | {figure['seconds']:.1f} | {count / figure['seconds']:,.0f} "
            f"| {f'{cpu:.1f}' if cpu is not None else 'n/a'} |"
        )
    text += [
        "",
        f"Payments import: {full['created']:,} created, {full['rejected']} rejected; "
        f"re-import: {figures['payments_reimport']['unchanged']:,} unchanged.",
        "",
        "Peak memory (maxrss): "
        f"N/4 lines: import {quarter['maxrss_import_mib']:.0f} MiB, parsing process "
        f"{quarter['maxrss_parser_mib']:.0f} MiB; N lines: import "
        f"{full['maxrss_import_mib']:.0f} MiB, parsing process "
        f"{full['maxrss_parser_mib']:.0f} MiB.",
        "",
        f"Target: payments import ≤ {TARGET:.0f} × the registry re-import's CPU a line: "
        + (
            f"{first:.1f} µs against {TARGET:.0f} × {reference:.1f} = {TARGET * reference:.1f} µs"
            f" ({first / reference:.2f} ×): {'met' if met else 'MISSED'}."
            if met or (first and reference)
            else "the PostgreSQL backend's CPU could not be read: not measured."
        ),
        f"Payments re-import: {again:.1f} µs a line ({again / reference:.2f} × the reference)."
        if again and reference
        else "",
        f"Payments import with 3/4 of the lines new: {mostly_new:.1f} µs a line "
        f"({mostly_new / reference:.2f} × the reference)."
        if mostly_new and reference
        else "",
    ]
    report = "\n".join(text) + "\n"
    RESULTS.mkdir(exist_ok=True)
    stamp = started.strftime("%Y%m%d-%H%M")
    (RESULTS / f"payments_import-{stamp}.md").write_text(report, encoding="utf-8")
    (RESULTS / f"payments_import-{stamp}.json").write_text(
        json.dumps({**figures, "met": met}, indent=2),
        encoding="utf-8",
    )
    return report, met


if __name__ == "__main__":
    sys.exit(main())
