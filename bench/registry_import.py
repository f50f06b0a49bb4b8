"""Benchmark of `import_registry` against a plain PostgreSQL COPY of the same file.

    python bench/registry_import.py [--count 1000000] [--workers N] [--seed S]

It generates a synthetic extract of N persons (registry.demo), creates a dedicated database
(mep_bench_registry, dropped at the end) on the server of DATABASE_URL, and measures in the
same run:

- a plain COPY of the file into a table of the same 19 text columns (the reference);
- the import into an empty registry, then the import of the same file again (every line
  already held), then of the file with 1 % of its lines changed (what a periodic full
  extract mostly is);
- the peak memory of the import for N/4 and N persons, each in its own process
  (getrusage maxrss), to show it does not grow with N.

Each import runs in a child process, which reports its own wall time, its CPU time and its
parsing processes', and the CPU time of its PostgreSQL backend (read from /proc when the
server runs on this machine). The machine is shared
(docs/decisions/speed-measured-in-server-cpu.md): rows per second are printed next to CPU time per
row. Results go to bench/results/registry_import-<date>.md.

Target: the import reaches at least 25 % of COPY's rows per second.
"""

import argparse
import datetime
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from provenance import commit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET = 0.25
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--workers", type=int, default=None, help="default: the import's own")
    parser.add_argument("--database", default="mep_bench_registry")
    parser.add_argument("--keep", action="store_true", help="keep the database and the files")
    parser.add_argument("--child", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child_import(Path(args.child), args.workers)
    return run(args)


def run(args) -> int:
    import psycopg

    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if not server.startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must point at a PostgreSQL server.")
    bench_url = with_database(server, args.database)
    admin_url = with_database(server, "postgres")
    started = datetime.datetime.now().astimezone()
    load_before = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="bench-registry-"))
    # Before the run: the code that is measured.
    figures: dict = {"count": args.count, "workers": args.workers, "commit": commit()}
    try:
        print(f"Generating {args.count:,} persons…", flush=True)
        full, quarter = work / "persons.csv", work / "persons-quarter.csv"
        began = time.perf_counter()
        from registry import demo

        demo.write(count=args.count, seed=args.seed, persons_path=full)
        figures["generate_s"] = time.perf_counter() - began
        head(full, quarter, args.count // 4)
        changed = work / "persons-changed.csv"
        figures["changed_lines"] = change_one_percent(full, changed)
        figures["file_mb"] = full.stat().st_size / 1e6

        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{args.database}"')
            admin.execute(f'CREATE DATABASE "{args.database}"')
        env = {
            **os.environ,
            "DATABASE_URL": bench_url,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
        }
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
            stderr=subprocess.DEVNULL,
        )
        with psycopg.connect(bench_url, autocommit=True) as bench:
            figures["postgresql"] = bench.execute("SHOW server_version").fetchone()[0]
            print("COPY of the same file into a table of the same columns…", flush=True)
            figures["copy"] = best_copy(bench, full, args.count)
            print_line("COPY", figures["copy"], args.count)

            print("Import into an empty registry…", flush=True)
            first = child(full, args.workers, env)
            figures["import"] = first
            print_line("import", first, args.count, reference=figures["copy"])

            print("Import of the same file again (every line already held)…", flush=True)
            again = child(full, args.workers, env)
            figures["reimport"] = again
            print_line("re-import", again, args.count, reference=figures["copy"])

            print("Import of the file with 1 % of its lines changed…", flush=True)
            figures["changed"] = child(changed, args.workers, env)
            print_line("1 % changed", figures["changed"], args.count, reference=figures["copy"])

            # COPY once more, now that the imports have run: the best of all is the reference.
            final = best_copy(bench, full, args.count, runs=1)
            if final["seconds"] < figures["copy"]["seconds"]:
                figures["copy"] = final

            print(f"Memory: import of N/4 = {args.count // 4:,} persons…", flush=True)
            bench.execute("TRUNCATE registry_person CASCADE")
            figures["import_quarter"] = child(quarter, args.workers, env)
        figures["load_average"] = {"before": load_before, "after": os.getloadavg()}
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{args.database}"')
    report, met = write_results(figures, started)
    print()
    print(report)
    return 0 if met else 1  # a missed target fails the run, as the login bench does


def best_copy(connection, path: Path, count: int, runs: int = 2) -> dict:
    """The faster of ``runs`` COPYs of the file (the first one also warms the cache)."""
    from registry.lines import COLUMNS, PERSONS

    columns = ", ".join(f"{name} text" for name in COLUMNS[PERSONS])
    connection.execute(f"CREATE TABLE copy_baseline ({columns})")
    backend = connection.execute("SELECT pg_backend_pid()").fetchone()[0]
    best = None
    for _run in range(runs):
        connection.execute("TRUNCATE copy_baseline")
        server_before, client_before = process_cpu(backend), own_cpu()
        began = time.perf_counter()
        with (
            connection.cursor() as cursor,
            cursor.copy(
                "COPY copy_baseline FROM STDIN (FORMAT csv, DELIMITER ';', HEADER true)"
            ) as copy,
            open(path, "rb") as file,
        ):
            while block := file.read(1 << 20):
                copy.write(block)
        seconds = time.perf_counter() - began
        rows = connection.execute("SELECT count(*) FROM copy_baseline").fetchone()[0]
        assert rows == count, f"COPY loaded {rows} rows, not {count}"
        result = {
            "seconds": seconds,
            "cpu_client_s": own_cpu() - client_before,
            "cpu_postgresql_s": subtract(process_cpu(backend), server_before),
        }
        if best is None or seconds < best["seconds"]:
            best = result
    connection.execute("DROP TABLE copy_baseline")
    return best


def child(path: Path, workers, env) -> dict:
    """Run one import in a fresh process; return what it measured of itself."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", str(path)]
    if workers is not None:
        command += ["--workers", str(workers)]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"The import failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def child_import(path: Path, workers, kind: str = "persons") -> int:
    """In the child process: import the file (an extract of ``kind``) and print the measures
    as one JSON line; bench/payments_import.py measures its extracts with it too."""
    import multiprocessing
    import types

    import django

    django.setup()
    from django.db import connection

    from registry import services

    # The import starts its parsing processes from a fork server, whose children this
    # process never waits for, so getrusage would not count them: fork them directly here
    # (the same work, measured).
    services.multiprocessing = types.SimpleNamespace(
        get_context=lambda _method: multiprocessing.get_context("fork")
    )

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    server_before = process_cpu(backend)
    self_before = resource.getrusage(resource.RUSAGE_SELF)
    began = time.perf_counter()
    record = services.registry_import(path=path, kind=kind, workers=workers)
    seconds = time.perf_counter() - began
    own = resource.getrusage(resource.RUSAGE_SELF)
    parsers = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "status": record.status,
                "created": record.created,
                "updated": record.updated,
                "unchanged": record.unchanged,
                "rejected": record.rejected,
                "cpu_import_s": own.ru_utime
                + own.ru_stime
                - self_before.ru_utime
                - self_before.ru_stime,
                "cpu_parsers_s": parsers.ru_utime + parsers.ru_stime,
                "cpu_postgresql_s": subtract(process_cpu(backend), server_before),
                # Linux reports maxrss in kibibytes.
                "maxrss_import_mib": own.ru_maxrss / 1024,
                "maxrss_parser_mib": parsers.ru_maxrss / 1024,
            }
        )
    )
    return 0


def process_cpu(pid: int) -> float | None:
    """User + system seconds of a process of this machine (None if it is elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def subtract(after, before):
    return None if after is None or before is None else after - before


def cpu_total(figure: dict) -> float | None:
    server = figure.get("cpu_postgresql_s")
    if server is None:
        return None
    local = figure.get("cpu_client_s", 0) + figure.get("cpu_import_s", 0)
    return local + figure.get("cpu_parsers_s", 0) + server


def change_one_percent(source: Path, target: Path) -> int:
    """Copy the extract with the last payment of every 100th person changed."""
    changed = 0
    with open(source, encoding="utf-8") as full, open(target, "w", encoding="utf-8") as out:
        out.write(full.readline())
        for number, line in enumerate(full):
            if number % 100 == 0:
                fields = line.rstrip("\n").split(";")
                fields[17] = "9999,99"  # the generator pays 2,500.99 at most
                line = ";".join(fields) + "\n"
                changed += 1
            out.write(line)
    return changed


def head(source: Path, target: Path, lines: int) -> None:
    with open(source, "rb") as full, open(target, "wb") as part:
        part.write(full.readline())
        for _line, text in zip(range(lines), full, strict=False):
            part.write(text)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def print_line(label: str, figure: dict, count: int, reference: dict | None = None) -> None:
    rate = count / figure["seconds"]
    text = f"  {label}: {figure['seconds']:.1f} s, {rate:,.0f} rows/s"
    if reference:
        text += f" ({rate / (count / reference['seconds']):.1%} of COPY)"
    print(text, flush=True)


def machine() -> dict:
    import django
    import psycopg

    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory_kib = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "processors": os.cpu_count(),
        "memory": f"{memory_kib / 1024 / 1024:.1f} GiB",
        "cpu": cpu,
        "system": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "psycopg": psycopg.__version__,
    }


def write_results(figures: dict, started: datetime.datetime) -> tuple[str, bool]:
    """The report, written to bench/results/, and whether every target was met."""
    count = figures["count"]
    copy_rate = count / figures["copy"]["seconds"]
    lines = [
        f"# Registry import benchmark — {started:%Y-%m-%d %H:%M %Z}",
        "",
        "Machine (shared by the whole team while it ran, see the load average):",
        "",
    ]
    about = {"commit": figures["commit"]} | machine() | {"postgresql": figures["postgresql"]}
    lines += [f"- {key}: {value}" for key, value in about.items()]
    load = figures["load_average"]
    lines += [
        f"- load average (1, 5, 15 min) before: {', '.join(f'{v:.1f}' for v in load['before'])}"
        f"; after: {', '.join(f'{v:.1f}' for v in load['after'])}",
        "",
        f"Extract: {count:,} persons (registry.demo), {figures['file_mb']:.0f} MB, "
        f"generated in {figures['generate_s']:.0f} s. Parsing processes: "
        f"{figures['workers'] if figures['workers'] is not None else 'the import default'}.",
        "",
        "| run | wall s | rows/s | % of COPY rows/s | CPU µs/row (all processes) "
        "| % of COPY by CPU |",
        "|---|---|---|---|---|---|",
    ]
    copy_cpu = cpu_total(figures["copy"])
    for label, key in (
        ("plain COPY (reference)", "copy"),
        ("import, empty registry", "import"),
        ("import again, same file", "reimport"),
        ("import again, 1 % of lines changed", "changed"),
    ):
        figure = figures[key]
        rate = count / figure["seconds"]
        cpu = cpu_total(figure)
        cpu_text = f"{cpu / count * 1e6:.1f}" if cpu is not None else "n/a"
        share = f"{copy_cpu / cpu:.1%}" if cpu and copy_cpu else "n/a"
        lines.append(
            f"| {label} | {figure['seconds']:.1f} | {rate:,.0f} | {rate / copy_rate:.1%} "
            f"| {cpu_text} | {share} |"
        )
    first, again = figures["import"], figures["reimport"]
    lines += [
        "",
        f"Import, empty registry: {first['created']:,} created, {first['rejected']} rejected; "
        f"CPU: import process {first['cpu_import_s']:.1f} s, parsing processes "
        f"{first['cpu_parsers_s']:.1f} s, PostgreSQL backend "
        f"{fmt_seconds(first['cpu_postgresql_s'])}.",
        f"Import again: {again['unchanged']:,} unchanged, {again['created']} created, "
        f"{again['updated']} updated; CPU: import process {again['cpu_import_s']:.1f} s, "
        f"PostgreSQL backend {fmt_seconds(again['cpu_postgresql_s'])}.",
        f"Import with 1 % changed: {figures['changed']['updated']:,} updated "
        f"({figures['changed_lines']:,} lines changed), {figures['changed']['unchanged']:,} "
        f"unchanged.",
        f"COPY: CPU client {figures['copy']['cpu_client_s']:.1f} s, PostgreSQL backend "
        f"{fmt_seconds(figures['copy']['cpu_postgresql_s'])}.",
        "",
        "Peak memory (maxrss, each import in its own process):",
        "",
        "| persons | import process MiB | largest parsing process MiB |",
        "|---|---|---|",
    ]
    for key, persons in (("import_quarter", count // 4), ("import", count)):
        figure = figures[key]
        lines.append(
            f"| {persons:,} | {figure['maxrss_import_mib']:.0f} "
            f"| {figure['maxrss_parser_mib']:.0f} |"
        )
    first_wall = (count / first["seconds"]) / copy_rate
    again_wall = (count / again["seconds"]) / copy_rate
    changed = figures["changed"]
    changed_wall = (count / changed["seconds"]) / copy_rate
    first_cpu, again_cpu, changed_cpu = cpu_total(first), cpu_total(again), cpu_total(changed)
    if copy_cpu and first_cpu and again_cpu and changed_cpu:
        shares = [copy_cpu / first_cpu, copy_cpu / again_cpu, copy_cpu / changed_cpu]
        basis = "CPU time"
    else:  # the server's CPU time cannot be read from here: fall back on wall-clock
        shares, basis = [first_wall, again_wall, changed_wall], "wall-clock rows/s"
    lines += [
        "",
        f"Target: the import reaches {TARGET:.0%} of COPY, computed from {basis} per row "
        "(docs/decisions/speed-measured-in-server-cpu.md):",
        f"- import into an empty registry: {shares[0]:.1%}, {verdict(shares[0])};",
        f"- import of an unchanged extract: {shares[1]:.1%}, {verdict(shares[1])};",
        f"- import with 1 % of lines changed: {shares[2]:.1%}, {verdict(shares[2])}.",
        f"By wall-clock rows/s on this shared machine: {first_wall:.1%}, {again_wall:.1%} and "
        f"{changed_wall:.1%}.",
    ]
    text = "\n".join(lines) + "\n"
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    path = results / f"registry_import-{started:%Y%m%d-%H%M}.md"
    path.write_text(text, encoding="utf-8")
    # The raw figures too, to follow progress from one run to the next.
    raw = {"started": started.isoformat(), "machine": about, **figures}
    path.with_suffix(".json").write_text(json.dumps(raw, indent=2) + "\n", encoding="utf-8")
    met = all(share >= TARGET for share in shares)
    return text + f"\nWritten to {path.relative_to(ROOT)}\n", met


def verdict(share: float) -> str:
    return "met" if share >= TARGET else f"missed ({share / TARGET:.0%} of the target)"


def fmt_seconds(value) -> str:
    return "n/a (server elsewhere)" if value is None else f"{value:.1f} s"


if __name__ == "__main__":
    sys.exit(main())
