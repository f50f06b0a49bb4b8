"""Logins per second against gunicorn on PostgreSQL, next to Django's stock LoginView and argon2id.

    python bench/login_load.py [--clients 4] [--duration 20] [--accounts 200] [--workers 2]

What it does, in one run on this machine (docs/decisions/speed-measured-in-server-cpu.md):
1. a fresh PostgreSQL database (mep_bench_login), migrated, with N member accounts whose
   personal password is known;
2. the reference: argon2id hashes with the project's parameters (accounts.hashers), one
   process per core: hashes per second and CPU time per hash (each process's own, from its
   first hash on);
3. gunicorn (production settings, N workers) and C concurrent clients, each logging in again
   and again with a fresh cookie jar: the login page (GET), then the form (POST) that must
   answer with the redirect to the private space. A login is both requests.
4. The floor, on the same server: the same two requests to a bench-only page
   (bench/login_urls.py) behind the same middleware, whose POST verifies one argon2id hash and
   redirects, with no form and no database. The login's own work (lock check, account, new
   session, audit row) is the difference between the two.
4b. The reference a team would pick instead: a stock Django site (bench/login_stock_settings.py,
   django.contrib.auth's LoginView over Django's own user table, `startproject`'s middleware,
   the same hasher class and database sessions) in its own database (mep_bench_login_stock)
   with the same accounts and password hash, behind its own gunicorn with as many workers.
   Steps 2 to 4b take turns in 3 rounds, each for a third of the duration, so that all meet
   the same moments of a virtual machine whose speed drifts from one second to the next.
5. The server's CPU time (user + system of the gunicorn master and workers, from /proc) per
   login. The targets: the project's login costs at most TARGET_OVER_STOCK (1.10) times the
   stock LoginView's, and at most 1/TARGET_OVER_HASH (1/0.85) hashes. Raw rates and latency
   percentiles are printed too; everything, with the commit it ran on, goes to
   bench/results/; the exit status is 1 when a target is missed.

The load generator runs on the same cores, so the rates are skewed by its own CPU use: the
CPU-time ratio is the figure that counts.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import re
import secrets
import signal
import sys
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import provenance  # noqa: E402
from bench.harness import (  # noqa: E402
    PG,
    RESULTS,
    closed_loop,
    free_port,
    fresh_database,
    loop_summary,
    machine,
    run,
    start_gunicorn,
)

DATABASE = "mep_bench_login"
STOCK_DATABASE = "mep_bench_login_stock"
PASSWORD = "des cocotiers sous la pluie"
LOGIN_PATH = "/compte/connexion/"
FLOOR_PATH = "/bench/connexion/"  # bench/login_urls.py
ROUNDS = 3
TARGET_OVER_HASH = 0.85  # a login costs at most 1/0.85 hashes of CPU
TARGET_OVER_STOCK = 1.10  # ... and at most 1.10 times Django's stock LoginView


def environment(port: int) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.login_settings",
        "DATABASE_URL": f"{PG}/{DATABASE}",
        "SECRET_KEY": "bench-" + "k" * 50,
        "IDENTITY_HMAC_KEY": "bench-identity-key",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        # The bench logs in thousands of times from one address, on purpose.
        "LOGIN_CLIENT_FAILURE_LIMIT": "1000000",
    }


def stock_environment(port: int) -> dict:
    return {
        **environment(port),
        "DJANGO_SETTINGS_MODULE": "bench.login_stock_settings",
        "DATABASE_URL": f"{PG}/{STOCK_DATABASE}",
    }


# --- The database and its accounts --------------------------------------------------------------


def prepare_database(env: dict, stock_env: dict, accounts: int) -> None:
    for name in (DATABASE, STOCK_DATABASE):
        fresh_database(name)
    python = sys.executable
    run([python, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    run([python, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    run([python, str(Path(__file__)), "--make-accounts", str(accounts)], env)
    run([python, "manage.py", "migrate", "--noinput", "-v", "0"], stock_env)
    run([python, str(Path(__file__)), "--make-stock-accounts"], stock_env)


def make_stock_accounts() -> None:
    """The same accounts in the stock site's user table: the typed NIR as user name."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User

    encoded = make_password(PASSWORD)
    nirs = (RESULTS / "login_load.accounts.tmp").read_text().split()
    User.objects.bulk_create(User(username=nir, password=encoded) for nir in nirs)


def make_accounts(count: int) -> None:
    """N member accounts with PASSWORD, written to stdout as their typed NIRs (in this process)."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password

    from accounts.models import User
    from identity import make_nir, mask_nir
    from registry.digests import nir_digest
    from registry.models import Person

    encoded = make_password(PASSWORD)  # one hash for all: the accounts differ, not the cost
    people, users, nirs = [], [], []
    for n in range(count):
        nir = make_nir(
            sex=1 + n % 2,
            year=1960 + n % 40,
            month=1 + n % 12,
            department="977",
            commune="01",
            order=1 + n,
        )[:13]
        nirs.append(nir)
        people.append(
            Person(
                nir_digest=nir_digest(nir),
                nir_masked=mask_nir(nir),
                nom="BENCH",
                prenoms="LOGIN",
                date_naissance=f"{1960 + n % 40}-{1 + n % 12:02d}-01",
                profils="particulier",
                code_postal="97133",
                commune="SAINT-BARTHELEMY",
            )
        )
    Person.objects.bulk_create(people)
    for person, nir in zip(Person.objects.order_by("pk"), nirs, strict=True):
        users.append(
            User(
                login=nir_digest(nir),
                kind=User.Kind.MEMBER,
                identifier_type="nir",
                identifier_masked=mask_nir(nir),
                person=person,
                first_name="Login",
                last_name="Bench",
                password=encoded,
                email_confirmed=False,
            )
        )
    User.objects.bulk_create(users)
    (ROOT / "bench" / "results" / "login_load.accounts.tmp").write_text("\n".join(nirs))


# --- The reference: argon2id hashes -------------------------------------------------------------


def _hash_loop(duration: float, counter, cpu_total) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    from accounts.hashers import Argon2idHasher

    hasher = Argon2idHasher()
    encoded = hasher.encode(PASSWORD, hasher.salt())
    # The process's own CPU from here: its start-up and imports are not a hash's.
    done, cpu_start, end = 0, time.process_time(), time.monotonic() + duration
    while time.monotonic() < end:
        hasher.verify(PASSWORD, encoded)  # what a login does: check a stored hash
        done += 1
    with counter.get_lock():
        counter.value += done
    with cpu_total.get_lock():
        cpu_total.value += time.process_time() - cpu_start


def hash_reference(processes: int, duration: float) -> dict:
    """Hashes on `processes` processes for `duration` seconds: how many, and their CPU time."""
    counter, cpu_total = multiprocessing.Value("l", 0), multiprocessing.Value("d", 0.0)
    workers = [
        multiprocessing.Process(target=_hash_loop, args=(duration, counter, cpu_total))
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return {"hashes": counter.value, "seconds": duration, "cpu_seconds": cpu_total.value}


# --- The clients ----------------------------------------------------------------------------------

_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class LoginClient:
    """A browser-like client: one connection, its own cookies, logging in again and again."""

    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method, path, cookies, body=None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                cookies[name] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location"), data

    def login(self, nir: str, path: str = LOGIN_PATH, field: str = "identifier") -> bool:
        cookies: dict[str, str] = {}  # a fresh visitor each time
        status, _, page = self.request("GET", path, cookies)
        token = _CSRF_INPUT.search(page.decode())
        if status != 200 or token is None:
            return False
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token.group(1), field: nir, "password": PASSWORD}
        )
        status, location, _ = self.request("POST", path, cookies, body)
        return status == 302 and location == "/mon-espace/"


def load(
    port: int,
    nirs: list[str],
    clients: int,
    duration: float,
    master: int,
    path: str = LOGIN_PATH,
    field: str = "identifier",
) -> dict:
    # Warm up: every worker's connections, templates and caches.
    warm = LoginClient(port)
    for nir in nirs[:10]:
        assert warm.login(nir, path, field), "a warm-up login failed: is the database prepared?"

    def make_client(index: int):
        client, turn = LoginClient(port), [index]

        def one_login() -> bool:
            nir = nirs[turn[0] % len(nirs)]
            turn[0] += clients
            return client.login(nir, path, field)

        return one_login

    return closed_loop(clients, duration, master, make_client)


def reference_summary(rounds: list[dict], processes: int) -> dict:
    hashes = sum(r["hashes"] for r in rounds)
    seconds = sum(r["seconds"] for r in rounds)
    return {
        "processes": processes,
        "hashes": hashes,
        "seconds": round(seconds, 2),
        "hashes_per_second": round(hashes / seconds, 1),
        "cpu_ms_per_hash": round(1000 * sum(r["cpu_seconds"] for r in rounds) / hashes, 2),
    }


def load_summary(rounds: list[dict], clients: int) -> dict:
    return {"clients": clients, **loop_summary(rounds, "login")}


# --- The run --------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of each phase")
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--make-accounts", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--make-stock-accounts", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make_accounts:
        make_accounts(args.make_accounts)
        return 0
    if args.make_stock_accounts:
        make_stock_accounts()
        return 0

    RESULTS.mkdir(parents=True, exist_ok=True)
    port, stock_port = free_port(), free_port()
    env, stock_env = environment(port), stock_environment(stock_port)
    print(f"Preparing {DATABASE} and {STOCK_DATABASE} with {args.accounts} accounts…", flush=True)
    prepare_database(env, stock_env, args.accounts)
    nirs = (RESULTS / "login_load.accounts.tmp").read_text().split()
    secrets.SystemRandom().shuffle(nirs)

    # The reference and the load take turns, ROUNDS times, each for a share of the duration:
    # both meet the same moments of a machine whose speed drifts
    # (docs/decisions/speed-measured-in-server-cpu.md).
    processes = os.cpu_count() or 1
    print(f"argon2id on {processes} processes, then {args.clients} clients against gunicorn "
          f"({args.workers} workers), {args.duration:.0f} s each in {ROUNDS} rounds…",
          flush=True)  # fmt: skip
    server = start_gunicorn(env, port, args.workers)
    stock_server = start_gunicorn(stock_env, stock_port, args.workers)
    references, loads, floors, stocks = [], [], [], []
    share = args.duration / ROUNDS
    try:
        for _ in range(ROUNDS):
            references.append(hash_reference(processes, share))
            loads.append(load(port, nirs, args.clients, share, server.pid))
            stocks.append(
                load(stock_port, nirs, args.clients, share, stock_server.pid, field="username")
            )
            floors.append(load(port, nirs, args.clients, share, server.pid, FLOOR_PATH))
    finally:
        for running in (server, stock_server):
            running.send_signal(signal.SIGTERM)
            running.wait(timeout=30)
    reference = reference_summary(references, processes)
    result = load_summary(loads, args.clients)
    stock = load_summary(stocks, args.clients)
    floor = load_summary(floors, args.clients)

    over_stock = result["server_cpu_ms_per_login"] / stock["server_cpu_ms_per_login"]
    ratio_cpu = reference["cpu_ms_per_hash"] / result["server_cpu_ms_per_login"]
    ratio_floor = reference["cpu_ms_per_hash"] / floor["server_cpu_ms_per_login"]
    own_work = result["server_cpu_ms_per_login"] - floor["server_cpu_ms_per_login"]
    # What a login may cost on top of the floor and still meet the target.
    room = reference["cpu_ms_per_hash"] / TARGET_OVER_HASH - floor["server_cpu_ms_per_login"]
    ratio_rate = result["logins_per_second"] / reference["hashes_per_second"]
    report = {
        "benchmark": "login_load",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": provenance.commit(),
        "machine": machine(),
        "settings": {"workers": args.workers, "accounts": args.accounts},
        "reference": reference,
        "logins": result,
        "stock_login_view": stock,
        "floor": floor,
        "login_cpu_over_stock_cpu": round(over_stock, 3),
        "hash_cpu_over_floor_cpu": round(ratio_floor, 3),
        "login_own_work_cpu_ms": round(own_work, 2),
        "room_for_own_work_cpu_ms": round(room, 2),
        "hash_cpu_over_login_cpu": round(ratio_cpu, 3),
        "logins_per_second_over_hashes_per_second": round(ratio_rate, 3),
        "targets": {
            "login_cpu_over_stock_cpu_at_most": TARGET_OVER_STOCK,
            "hash_cpu_over_login_cpu_at_least": TARGET_OVER_HASH,
        },
        "targets_met": {
            "login_cpu_over_stock_cpu": over_stock <= TARGET_OVER_STOCK,
            "hash_cpu_over_login_cpu": ratio_cpu >= TARGET_OVER_HASH,
        },
    }
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = RESULTS / f"login_load-{stamp}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")

    print()
    print(f"argon2id reference : {reference['hashes_per_second']:8.1f} hashes/s, "
          f"{reference['cpu_ms_per_hash']:.2f} ms CPU per hash")  # fmt: skip
    print(f"logins (GET + POST): {result['logins_per_second']:8.1f} logins/s, "
          f"{result['server_cpu_ms_per_login']:.2f} ms server CPU per login, "
          f"{result['failures']} failed")  # fmt: skip
    print(f"stock LoginView    : {stock['logins_per_second']:8.1f} logins/s, "
          f"{stock['server_cpu_ms_per_login']:.2f} ms server CPU per login, "
          f"{stock['failures']} failed")  # fmt: skip
    print(
        f"floor (GET + POST) : {floor['logins_per_second']:8.1f} logins/s, "
        f"{floor['server_cpu_ms_per_login']:.2f} ms server CPU per login "
        f"(the middleware and one hash, no form, no database: {ratio_floor:.1%} of a hash)"
    )
    print(f"the login's own work (lock, account, session, audit): {own_work:.2f} ms of CPU; "
          f"the target leaves it {room:.2f} ms")  # fmt: skip
    latency = result["latency"]
    print(f"latency            : p50 {latency['p50_ms']} ms, p95 {latency['p95_ms']} ms, "
          f"p99 {latency['p99_ms']} ms")  # fmt: skip
    met = report["targets_met"]

    def verdict(name):
        return "met" if met[name] else "NOT met"

    print(f"CPU per login / stock LoginView's: {over_stock:.3f} "
          f"(target ≤ {TARGET_OVER_STOCK:.2f}: {verdict('login_cpu_over_stock_cpu')})")  # fmt: skip
    print(f"CPU per hash / CPU per login: {ratio_cpu:.1%} (target ≥ {TARGET_OVER_HASH:.0%}: "
          f"{verdict('hash_cpu_over_login_cpu')}); raw rate ratio {ratio_rate:.1%}")  # fmt: skip
    print(f"load average       : {report['machine']['load_average']}")
    print(f"commit             : {report['commit']}")
    print(f"Written to {path.relative_to(ROOT)}")
    return 0 if all(met.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
