"""Registrations per second over HTTP, and emails per second by one worker, against references.

    python bench/signup_load.py [--persons 100000] [--registrations 300] [--clients 6]
                                [--workers 3] [--cache-url redis://127.0.0.1:6379/3]

What it does, in one run on this machine (docs/decisions/speed-measured-in-server-cpu.md):
1. a fresh PostgreSQL database (mep_bench_signup), migrated, with a generated registry of N
   persons (keyed digests computed as the import does), and a local SMTP server (aiosmtpd);
2. gunicorn (the production settings, over plain http, N workers) with one bench-only page,
   /bench/session/, that reads and writes the session and nothing else: the first reference,
   driven by the same clients, gives requests per second and the server's CPU time per request;
3. R complete registrations by C concurrent clients, each with its own cookie jar and its own
   address (X-Forwarded-For, TRUSTED_PROXY_COUNT=1, so that the per-client limit of 10 an hour
   is not what is measured): every page is fetched (GET) then answered (POST), then page 7.
   Eight in ten take the Vitale path and end with an email, one in ten says « aucune
   information » (letter), one in ten has a NIR the registry does not know (review queue).
   First, unmeasured, two registrations per gunicorn worker and a few reference requests warm
   every worker up; then the reference page and the registrations take turns in 3 rounds, so
   that both meet the same moments of a machine whose speed drifts (a virtual machine on a
   shared host: argon2id alone varies by ±10 % from one second to the next here);
4. one email worker (`manage.py email_worker --batch`) sends the queued emails to the local SMTP
   server: emails per second and CPU time per email, timed from the first measured email
   received to the last (the worker's CPU read from /proc at both moments), so its start-up and
   the warm-up's emails are left out;
5. the second reference, over the same seconds: argon2id hashes with the project's parameters
   (accounts.hashers) in one process beside the worker (one core each): hashes per second and
   CPU time per hash. Then, for information only, the same alone for a few seconds.

The ratios of the targets use CPU time per operation, as
docs/decisions/speed-measured-in-server-cpu.md says: the user + system time of the gunicorn master
and workers (from /proc, before and after) divided by the requests served, against the same for the
reference page; the worker's CPU per email against the CPU per hash. The load generator shares the
two cores, so raw rates are printed too but are skewed by it. Results go to
bench/results/signup_load-<date>.json.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import queue
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path

import harness
from harness import (
    PG,
    RESULTS,
    cpu_seconds,
    family,
    free_port,
    fresh_database,
    machine,
    percentiles,
    postgres_pids,
    run,
    start_gunicorn,
)
from provenance import commit

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "mep_bench_signup"
LAST_NAMES = ["Questel", "Gréaux", "Lédée", "Magras", "Bernier", "Aubin", "Danet", "Blanchard"]
FIRST_NAMES = ["Marie-Hélène", "Jean", "Léa", "Hugo", "Éloïse", "Noël", "Anaïs", "Théo"]
TARGET_STEPS = 0.50
TARGET_EMAILS = 0.80
ROUNDS = 3


def shard(count: int, round_: int) -> list[int]:
    """The job numbers of one round out of ROUNDS (0…count-1 in all)."""
    return list(range(count))[round_::ROUNDS]


# --- The generated registry: person i is the same in the generator and in the clients -----------


def person_typed(i: int, *, known: bool = True) -> dict:
    """What person number ``i`` types; ``known=False`` gives a NIR the registry lacks."""
    from identity import make_nir

    year, month = 1940 + i % 60, 1 + (i // 60) % 12
    nir = make_nir(
        sex=1 + i % 2,
        year=year,
        month=month,
        department="75" if known else "76",
        commune=f"{1 + i // 999:03d}",
        order=1 + i % 999,
    )[:13]
    return {
        "nir": nir,
        "nom": LAST_NAMES[i % len(LAST_NAMES)],
        "prenom": FIRST_NAMES[(i // 8) % len(FIRST_NAMES)],
        "birth_date": date(year, month, 1 + i % 28),
        "serial": f"{i:011d}",  # the 11 digits after 802500002 that a photo card holder types
    }


def make_registry(count: int) -> None:
    """Insert ``count`` persons (run in a child process with the bench's environment)."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from identity import mask_nir
    from registry.digests import amount_digest, nir_digest, vitale_digest
    from registry.models import Person

    batch = []
    for i in range(count):
        person = person_typed(i)
        batch.append(
            Person(
                nir_digest=nir_digest(person["nir"]),
                nir_masked=mask_nir(person["nir"]),
                nom=person["nom"],
                prenoms=f"{person['prenom']}, Louise",
                date_naissance=person["birth_date"],
                affilie_sante=True,
                carte_vitale="photo",
                vitale_serial_digest=vitale_digest(person["serial"]),
                last_payment_digest=amount_digest("123.45"),
                profils="particulier" if i % 5 else "particulier,exploitant",
                adresse_4="12 rue du Roi Oscar II",
                code_postal="97133",
                commune="SAINT-BARTHELEMY",
            )
        )
        if len(batch) == 5000:
            Person.objects.bulk_create(batch)
            batch = []
    Person.objects.bulk_create(batch)


def prepare_database(env: dict, persons: int) -> None:
    fresh_database(DATABASE)
    python = sys.executable
    run([python, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    run([python, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    run([python, str(Path(__file__)), "--make-registry", str(persons)], env)


def sql(query: str) -> str:
    return harness.sql(DATABASE, query)


# --- Processes and their CPU time ---


def start_smtp(port: int):
    from aiosmtpd.controller import Controller

    class Sink:
        count = 0

        async def handle_DATA(self, server, session, envelope):
            Sink.count += 1
            return "250 OK"

    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    return controller, Sink


# --- The clients ---


class Browser:
    """One person's browser: a cookie jar, an address, one connection per request."""

    def __init__(self, port: int, address: str):
        self.port = port
        self.address = address
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None):
        headers = {"X-Forwarded-For": self.address}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            form = {**form, "csrfmiddlewaretoken": self.cookies.get("__Host-csrftoken", "")}
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        start = time.perf_counter()
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        elapsed = time.perf_counter() - start
        connection.close()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                cookie_value = rest.split(";", 1)[0]
                if "max-age=0" in value.lower() or not cookie_value:
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = cookie_value
        return response.status, response.getheader("Location"), content, elapsed


def registration_pages(k: int, persons: int) -> tuple[str, list[tuple[str, str, dict]]]:
    """The pages of registration number ``k`` and the outcome it should have."""
    index = (k * 7919) % persons  # spread over the registry
    kind = {8: "post", 9: "review"}.get(k % 10, "email")
    person = person_typed(index, known=kind != "review")
    pages = [
        ("1 profil", "/inscription/", {"profile": "particulier"}),
        ("2 identifiant", "/inscription/identifiant/", {"nir": person["nir"]}),
        (
            "3 coordonnees",
            "/inscription/coordonnees/",
            {
                "last_name": person["nom"],
                "first_name": person["prenom"],
                "birth_date": person["birth_date"].strftime("%d/%m/%Y"),
                "email": f"bench{k}@example.org",
                "mobile": "0690 12 34 56",
            },
        ),
    ]
    if kind == "post":
        pages += [
            ("4 verification", "/inscription/verification/", {"affiliated": "non"}),
            ("4 autre-information", "/inscription/verification/autre-information/",
             {"proof": "none"}),
        ]  # fmt: skip
    else:
        pages += [
            ("4 verification", "/inscription/verification/", {"affiliated": "oui"}),
            ("4 carte-vitale", "/inscription/verification/carte-vitale/", {"card": "photo"}),
            ("4 numero-de-serie", "/inscription/verification/numero-de-serie/",
             {"serial": person["serial"]}),
        ]  # fmt: skip
    pages += [
        ("5 reception", "/inscription/reception/", {}),
        ("6 conditions", "/inscription/conditions/", {}),
    ]
    return kind, pages


def register(port: int, k: int, persons: int, timings: dict) -> str:
    kind, pages = registration_pages(k, persons)
    browser = Browser(port, f"10.{k // 65536 % 256}.{k // 256 % 256}.{k % 256}")
    for name, path, form in pages:
        status, _, _, elapsed = browser.request("GET", path)
        assert status == 200, (name, "GET", status)
        timings[(name, "GET")].append(elapsed)
        status, location, content, elapsed = browser.request("POST", path, form)
        assert status == 302, (name, "POST", status, content[:2000])
        timings[(name, "POST")].append(elapsed)
    assert location == "/inscription/terminee/", location
    status, _, content, elapsed = browser.request("GET", location)
    assert status == 200 and "Inscription terminée".encode() in content
    timings[("7 terminee", "GET")].append(elapsed)
    said = "email" if b"dans quelques instants" in content else "post"
    assert said == ("email" if kind == "email" else "post"), (k, kind, said)
    return kind


def drive(clients: int, jobs: list, work) -> tuple[float, dict, list]:
    """Run ``work(job, timings)`` for every job on ``clients`` threads; wall time, timings."""
    todo: queue.Queue = queue.Queue()
    for job in jobs:
        todo.put(job)
    timings: dict = defaultdict(list)
    outcomes, errors = [], []

    def client():
        while True:
            try:
                job = todo.get_nowait()
            except queue.Empty:
                return
            try:
                outcomes.append(work(job, timings))
            except Exception as error:  # reported, and the run fails below
                errors.append(repr(error))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit(f"{len(errors)} errors, e.g. {errors[:3]}")
    return time.monotonic() - start, timings, outcomes


# --- The references ---


class Phase:
    """What one kind of load cost the server, summed over the rounds it ran in."""

    def __init__(self):
        self.wall = self.cpu = self.pg = 0.0
        self.timings: dict = defaultdict(list)
        self.outcomes: list = []

    def run(self, master: int, clients: int, jobs: list, work) -> None:
        pids = family(master)
        cpu_before, pg_before = cpu_seconds(pids), cpu_seconds(postgres_pids())
        wall, timings, outcomes = drive(clients, jobs, work)
        self.cpu += cpu_seconds(pids) - cpu_before
        self.pg += cpu_seconds(postgres_pids()) - pg_before
        self.wall += wall
        for key, values in timings.items():
            self.timings[key].extend(values)
        self.outcomes.extend(outcomes)

    @property
    def requests(self) -> int:
        return sum(len(values) for values in self.timings.values())


def session_work(browsers: list):
    """Requests to the reference page, spread over the clients' sessions."""
    for browser in browsers:  # each client's session exists, as a registration's does
        browser.request("GET", "/bench/session/")

    def work(n, timings):
        status, _, _, elapsed = browsers[n % len(browsers)].request("GET", "/bench/session/")
        assert status == 200, status
        timings["session page"].append(elapsed)

    return work


def session_summary(phase: Phase) -> dict:
    requests = phase.requests
    return {
        "requests": requests,
        "seconds": round(phase.wall, 2),
        "requests_per_second": round(requests / phase.wall, 1),
        "server_cpu_ms_per_request": round(1000 * phase.cpu / requests, 3),
        "postgres_cpu_ms_per_request": round(1000 * phase.pg / requests, 3),
        "latency": percentiles(phase.timings["session page"]),
    }


def _hash_loop(duration: float, result) -> None:
    sys.path.insert(0, str(ROOT))
    from accounts.hashers import Argon2idHasher

    hasher = Argon2idHasher()
    salt = hasher.salt()
    done, cpu_start = 0, time.process_time()
    end = time.monotonic() + duration
    while time.monotonic() < end:
        hasher.encode("AbCdEfGhJkMn", salt)  # what the task does: hash a new password
        done += 1
    result.put((done, time.process_time() - cpu_start))


def _hash_until(stop, result) -> None:
    sys.path.insert(0, str(ROOT))
    from accounts.hashers import Argon2idHasher

    hasher = Argon2idHasher()
    salt = hasher.salt()
    hasher.encode("AbCdEfGhJkMn", salt)  # loaded and warm before counting
    done, cpu_start, start = 0, time.process_time(), time.monotonic()
    while not stop.is_set():
        hasher.encode("AbCdEfGhJkMn", salt)
        done += 1
    result.put((done, time.process_time() - cpu_start, time.monotonic() - start))


class HashesAlongside:
    """argon2id hashes in a process of their own, for as long as the `with` block lasts."""

    def __enter__(self):
        self.stop, self.result = multiprocessing.Event(), multiprocessing.Queue()
        self.process = multiprocessing.Process(target=_hash_until, args=(self.stop, self.result))
        self.process.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        done, cpu, seconds = self.result.get()
        self.process.join()
        self.summary = {
            "processes": 1,
            "hashes": done,
            "seconds": round(seconds, 2),
            "hashes_per_second": round(done / seconds, 1),
            "cpu_ms_per_hash": round(1000 * cpu / done, 2),
        }


def hash_reference(duration: float) -> dict:
    result = multiprocessing.Queue()
    process = multiprocessing.Process(target=_hash_loop, args=(duration, result))
    process.start()
    done, cpu = result.get()
    process.join()
    return {
        "processes": 1,
        "hashes": done,
        "seconds": duration,
        "hashes_per_second": round(done / duration, 1),
        "cpu_ms_per_hash": round(1000 * cpu / done, 2),
    }


def worker_run(env: dict, sink, expected: int, timed_from: int = 0) -> dict:
    """One `email_worker --batch` sends the queued emails: rate and CPU time between the email
    number ``timed_from + 1`` received and the last, so that the worker's start-up (and the
    warm-up's emails) are left out."""
    process = subprocess.Popen(
        [sys.executable, "manage.py", "email_worker", "--batch", "--interval", "0", "-v", "0"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    first = last = None
    received = sink.count
    while process.poll() is None and last is None:
        count = sink.count - received
        if first is None and count >= timed_from + 1:
            first = (time.monotonic(), cpu_seconds([process.pid]), count)
        if count >= expected:
            last = (time.monotonic(), cpu_seconds([process.pid]), count)
        time.sleep(0.002)
    if process.wait() != 0 or first is None or last is None:
        raise SystemExit(f"email_worker failed or sent {sink.count - received} of {expected}")
    emails = last[2] - first[2]
    return {
        "sent": expected - timed_from,
        "timed_emails": emails,
        "seconds": round(last[0] - first[0], 2),
        "emails_per_second": round(emails / (last[0] - first[0]), 1),
        "worker_cpu_ms_per_email": round(1000 * (last[1] - first[1]) / emails, 2),
    }


# --- The run ---


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--registrations", type=int, default=300)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--reference-requests", type=int, default=3000)
    parser.add_argument("--hash-seconds", type=float, default=10.0)
    parser.add_argument("--cache-url", default="", help="e.g. redis://127.0.0.1:6379/3")
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--make-registry", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make_registry is not None:
        make_registry(args.make_registry)
        return 0
    ran_on = commit()  # before the run: the code that is measured

    sys.path.insert(0, str(ROOT))
    port, smtp_port = free_port(), free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.signup_settings",
        "DATABASE_URL": f"{PG}/{DATABASE}",
        "SECRET_KEY": "bench-signup-" + "s" * 50,
        "IDENTITY_HMAC_KEY": "bench-signup-identity-key",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "TRUSTED_PROXY_COUNT": "1",
        "LOG_LEVEL": "WARNING",
    }
    if args.cache_url:
        env["CACHE_URL"] = args.cache_url
    os.environ.update({k: env[k] for k in ("SECRET_KEY", "IDENTITY_HMAC_KEY")})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

    print(f"Preparing {DATABASE} with {args.persons} persons…", flush=True)
    started = time.monotonic()
    prepare_database(env, args.persons)
    print(f"  done in {time.monotonic() - started:.0f} s", flush=True)
    smtp, sink = start_smtp(smtp_port)
    server = start_gunicorn(env, port, args.workers)
    try:
        # Warm-up, not measured: every worker renders every page once (templates, imports).
        warm = args.registrations  # persons after the measured ones, their emails not timed
        drive(
            args.clients,
            list(range(warm, warm + 2 * args.workers)),
            lambda k, timings: register(port, k, args.persons, timings),
        )
        reference_browsers = [Browser(port, f"10.200.0.{n + 1}") for n in range(args.clients)]
        session_page = session_work(reference_browsers)
        drive(args.clients, list(range(10 * args.workers)), session_page)

        # The reference page and the registrations take turns, ROUNDS times, so that both
        # meet the same moments of a shared machine whose speed drifts
        # (docs/decisions/speed-measured-in-server-cpu.md).
        print(f"Reference page ({args.reference_requests} requests) and registrations "
              f"({args.registrations} by {args.clients} clients), in {ROUNDS} rounds…",
              flush=True)  # fmt: skip
        reference_phase, steps = Phase(), Phase()
        for round_ in range(ROUNDS):
            reference_phase.run(
                server.pid, args.clients, shard(args.reference_requests, round_), session_page
            )
            steps.run(
                server.pid,
                args.clients,
                shard(args.registrations, round_),
                lambda k, timings: register(port, k, args.persons, timings),
            )
        reference = session_summary(reference_phase)
        wall, timings, kinds, cpu, pg = (
            steps.wall, steps.timings, steps.outcomes, steps.cpu, steps.pg
        )  # fmt: skip
        requests = steps.requests
        expected_emails = kinds.count("email")
        warm_kinds = [
            registration_pages(k, args.persons)[0] for k in range(warm, warm + 2 * args.workers)
        ]
        assert int(sql("SELECT count(*) FROM accounts_user")) == (
            args.registrations
            + len(warm_kinds)
            - kinds.count("review")
            - warm_kinds.count("review")
        )

        # The warm-up's emails are sent first, untimed (the worker leaves them in its queue
        # order); then the measured ones, with the argon2id reference running beside the
        # worker on the other core, over the same seconds.
        expected_all = expected_emails + warm_kinds.count("email")
        print(f"One worker sends {expected_all} emails, argon2id hashes alongside…", flush=True)
        with HashesAlongside() as alongside:
            emails = worker_run(env, sink, expected_all, timed_from=expected_all - expected_emails)
        hashes = alongside.summary
        sent = int(sql("SELECT count(*) FROM delivery_emaildelivery WHERE status = 'sent'"))
        assert sent == expected_all == sink.count, (sent, expected_all, sink.count)

        print(f"argon2id hashes alone for {args.hash_seconds:.0f} s (for information)…", flush=True)
        hashes_alone = hash_reference(args.hash_seconds)
        host = machine()
    finally:
        server.terminate()
        server.wait(timeout=30)
        smtp.stop()
        if not args.keep_database:
            harness.drop_database(DATABASE)

    step_cpu_ms = 1000 * cpu / requests
    email_cpu_ms = emails["worker_cpu_ms_per_email"]
    results = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": ran_on,
        "machine": host,
        "settings": {
            "persons": args.persons,
            "registrations": args.registrations,
            "clients": args.clients,
            "gunicorn_workers": args.workers,
            "cache": args.cache_url or "database cache",
        },
        "reference_session_page": reference,
        "registrations": {
            "completed": args.registrations,
            "outcomes": {kind: kinds.count(kind) for kind in ("email", "post", "review")},
            "requests": requests,
            "seconds": round(wall, 2),
            "registrations_per_second": round(args.registrations / wall, 2),
            "requests_per_second": round(requests / wall, 1),
            "server_cpu_ms_per_request": round(step_cpu_ms, 3),
            "server_cpu_ms_per_registration": round(1000 * cpu / args.registrations, 1),
            "postgres_cpu_ms_per_request": round(1000 * pg / requests, 3),
            "latency_per_page": {
                f"{name} {method}": percentiles(values)
                for (name, method), values in sorted(timings.items())
            },
        },
        "reference_argon2id": hashes,
        "argon2id_alone": hashes_alone,
        "emails": emails,
        "targets": {
            "steps_vs_session_page_by_cpu": round(
                reference["server_cpu_ms_per_request"] / step_cpu_ms, 3
            ),
            "steps_target": TARGET_STEPS,
            "steps_vs_session_page_by_rate": round(
                (requests / wall) / reference["requests_per_second"], 3
            ),
            "emails_vs_hashes_by_cpu": round(hashes["cpu_ms_per_hash"] / email_cpu_ms, 3),
            "emails_target": TARGET_EMAILS,
            "emails_vs_hashes_by_rate": round(
                emails["emails_per_second"] / hashes["hashes_per_second"], 3
            ),
        },
    }
    report(results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"signup_load-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"\nWritten to {out.relative_to(ROOT)}")
    targets = results["targets"]
    met = (
        targets["steps_vs_session_page_by_cpu"] >= TARGET_STEPS
        and targets["emails_vs_hashes_by_cpu"] >= TARGET_EMAILS
    )
    return 0 if met else 1  # a missed target fails the run, as the login bench does


def report(r: dict) -> None:
    ref, reg, em, hs, t = (
        r["reference_session_page"],
        r["registrations"],
        r["emails"],
        r["reference_argon2id"],
        r["targets"],
    )
    m = r["machine"]
    print(f"\n{m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, PostgreSQL {m['postgresql']}")
    print(
        f"{r['settings']['persons']} persons in the registry, gunicorn "
        f"{r['settings']['gunicorn_workers']} workers, {r['settings']['clients']} clients, "
        f"cache: {r['settings']['cache']}"
    )
    print("\nReference: a page that writes the session")
    print(
        f"  {ref['requests_per_second']} requests/s, server CPU {ref['server_cpu_ms_per_request']}"
        f" ms/request, p50/p95/p99 {ref['latency']['p50_ms']}/{ref['latency']['p95_ms']}/"
        f"{ref['latency']['p99_ms']} ms"
    )
    print(f"\nRegistrations: {reg['completed']} ({reg['outcomes']}), {ROUNDS} rounds")
    print(
        f"  {reg['registrations_per_second']} registrations/s, {reg['requests_per_second']} "
        f"requests/s ({reg['requests']} requests)"
    )
    print(
        f"  server CPU {reg['server_cpu_ms_per_request']} ms/request, "
        f"{reg['server_cpu_ms_per_registration']} ms/registration "
        f"(PostgreSQL, for information: {reg['postgres_cpu_ms_per_request']} ms/request, "
        f"reference {ref['postgres_cpu_ms_per_request']})"
    )
    print(f"  {'page':28} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for name, p in reg["latency_per_page"].items():
        print(f"  {name:28} {p['n']:5} {p['p50_ms']:8} {p['p95_ms']:8} {p['p99_ms']:8}")
    print("\nEmails by one worker")
    print(
        f"  {em['sent']} emails; from the first received to the last: {em['timed_emails']} in "
        f"{em['seconds']} s, {em['emails_per_second']} emails/s, "
        f"CPU {em['worker_cpu_ms_per_email']} ms/email"
    )
    alone = r["argon2id_alone"]
    print("Reference: argon2id with the project's parameters, one process beside the worker")
    print(f"  {hs['hashes_per_second']} hashes/s, CPU {hs['cpu_ms_per_hash']} ms/hash")
    print(
        f"  (alone afterwards, for information: {alone['hashes_per_second']} hashes/s, "
        f"CPU {alone['cpu_ms_per_hash']} ms/hash)"
    )
    print("\nTargets (CPU time per operation, docs/decisions/speed-measured-in-server-cpu.md)")
    steps_ok = "met" if t["steps_vs_session_page_by_cpu"] >= TARGET_STEPS else "NOT met"
    emails_ok = "met" if t["emails_vs_hashes_by_cpu"] >= TARGET_EMAILS else "NOT met"
    print(
        f"  steps: {100 * t['steps_vs_session_page_by_cpu']:.0f} % of the session page "
        f"(target {100 * TARGET_STEPS:.0f} %): {steps_ok}; by raw rate "
        f"{100 * t['steps_vs_session_page_by_rate']:.0f} %"
    )
    print(
        f"  emails: {100 * t['emails_vs_hashes_by_cpu']:.0f} % of the hashes "
        f"(target {100 * TARGET_EMAILS:.0f} %): {emails_ok}; by raw rate "
        f"{100 * t['emails_vs_hashes_by_rate']:.0f} %"
    )


if __name__ == "__main__":
    sys.exit(main())
