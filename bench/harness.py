"""What the benches share: the machine's description, a fresh database, gunicorn, CPU time.

The method behind them is docs/decisions/speed-measured-in-server-cpu.md: work is compared in
CPU time per operation (user + system, read from /proc before and after), with the reference
measured in the same run; the commit comes from bench/provenance.py.
"""

import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PG = os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432")
TICKS = os.sysconf("SC_CLK_TCK")
_PSQL = ["psql", "-q", "-h", "127.0.0.1", "-U", "postgres"]


# --- The machine ----------


def machine() -> dict:
    """What the figures were measured on; other work on the machine skews CPU times too."""
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    with open("/proc/meminfo") as meminfo:
        memory_kb = int(meminfo.readline().split()[1])
    return {
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "host": platform.node(),
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "postgresql": sql("postgres", "SHOW server_version"),
        "kernel": platform.release(),
    }


# --- PostgreSQL ----------


def fresh_database(name: str) -> str:
    """Drop and create the throwaway database `name`; its URL."""
    quiet = {**os.environ, "PGOPTIONS": "-c client_min_messages=warning"}
    subprocess.run([*_PSQL, "-c", f"DROP DATABASE IF EXISTS {name}"], check=True, env=quiet)
    subprocess.run([*_PSQL, "-c", f"CREATE DATABASE {name}"], check=True)
    return f"{PG}/{name}"


def drop_database(name: str) -> None:
    quiet = {**os.environ, "PGOPTIONS": "-c client_min_messages=warning"}
    subprocess.run([*_PSQL, "-c", f"DROP DATABASE IF EXISTS {name}"], check=False, env=quiet)


def sql(database: str, query: str) -> str:
    """One query's result as text ('' when PostgreSQL cannot be reached)."""
    return subprocess.run(
        [*_PSQL, "-d", database, "-tAc", query], capture_output=True, text=True
    ).stdout.strip()


# --- Processes and their CPU time ----------


def run(cmd: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    """A command from the repository's root, failing the bench when it fails."""
    return subprocess.run(cmd, cwd=ROOT, env=env, check=True, **kwargs)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    """gunicorn serving config.wsgi with `env`, once it accepts connections."""
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--keep-alive", "30"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def _stat(pid: int | str) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes, from /proc (those gone count for nothing)."""
    total = 0
    for pid in pids:
        fields = _stat(pid)
        if fields is not None:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def family(master: int) -> list[int]:
    """A process and its children: the gunicorn master and its workers."""
    pids = [master]
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != master:
            fields = _stat(entry)
            if fields is not None and int(fields[1]) == master:
                pids.append(int(entry))
    return pids


def server_cpu_seconds(master: int) -> float:
    """User + system CPU of the gunicorn master and its workers."""
    return cpu_seconds(family(master))


def postgres_pids() -> list[int]:
    """Every PostgreSQL process of the machine (the server is shared: for information only)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as comm:
                    if comm.read().startswith("postgres"):
                        pids.append(int(entry))
            except (FileNotFoundError, ProcessLookupError):
                continue
    return pids


# --- Figures ----------


def percentiles(values: list[float]) -> dict:
    """p50, p95 and p99 of durations in seconds, in milliseconds."""
    ordered = sorted(values)
    if not ordered:
        return {"n": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None}
    cuts = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else []

    def at(p):
        return round(1000 * (cuts[p - 1] if cuts else ordered[0]), 1)

    return {"n": len(ordered), "p50_ms": at(50), "p95_ms": at(95), "p99_ms": at(99)}


# --- Closed-loop load ----------


def closed_loop(clients: int, duration: float, master: int, make_client) -> dict:
    """`clients` threads, each repeating its operation for `duration` seconds, against a server.

    `make_client(index)` returns one client's operation: a callable that does one operation
    (one login, one page) and says whether it succeeded. Returns each success's latency, the
    failures, the seconds, and the server's CPU seconds (master `master` and its workers).
    """
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    stop = threading.Event()

    def client_loop(operation) -> None:
        while not stop.is_set():
            start = time.perf_counter()
            ok = operation()
            took = time.perf_counter() - start
            with lock:
                if ok:
                    latencies.append(took)
                else:
                    failures[0] += 1

    threads = [
        threading.Thread(target=client_loop, args=(make_client(index),)) for index in range(clients)
    ]
    cpu_before, start = server_cpu_seconds(master), time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(duration)
    stop.set()
    for thread in threads:
        thread.join()
    return {
        "latencies": latencies,
        "failures": failures[0],
        "seconds": time.monotonic() - start,
        "cpu_seconds": server_cpu_seconds(master) - cpu_before,
    }


def loop_summary(rounds: list[dict], unit: str) -> dict:
    """The rounds of `closed_loop` together: counts, rate, latencies and CPU per `unit`."""
    latencies = [took for r in rounds for took in r["latencies"]]
    done, seconds = len(latencies), sum(r["seconds"] for r in rounds)
    cpu = sum(r["cpu_seconds"] for r in rounds)
    return {
        f"{unit}s": done,
        "failures": sum(r["failures"] for r in rounds),
        "seconds": round(seconds, 2),
        f"{unit}s_per_second": round(done / seconds, 1),
        "latency": percentiles(latencies),
        "server_cpu_seconds": round(cpu, 2),
        f"server_cpu_ms_per_{unit}": round(1000 * cpu / done, 2) if done else None,
    }
