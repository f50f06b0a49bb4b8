"""« Mes paiements » for a member with 20 years of monthly payments, against the space's home.

    python bench/space_load.py [--requests 600] [--clients 4] [--workers 2] [--rounds 3]

In one run on this machine (docs/decisions/speed-measured-in-server-cpu.md): a fresh PostgreSQL
database (mep_bench_space), migrated, with one member whose registry person has 240 monthly pension
payments (20 years) and a few health refunds and recoveries; gunicorn with the production settings
(plain http); C clients, each logged in through the login page with its own session, then the
space's home page (/mon-espace/, the reference) and « Mes paiements » (/mon-espace/paiements/) take
turns in R rounds of N requests each, after an unmeasured warm-up of every worker. The server's CPU
time per request (user + system of the gunicorn master and workers, from /proc) is compared:
target, « Mes paiements » costs at most 2 × the home page. Requests per second and latencies
are printed too (the clients share the 2 cores). Results, with the commit, go to
bench/results/space_load-<date>.json; a missed target exits with status 1.
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import provenance  # noqa: E402
from bench.harness import (  # noqa: E402
    PG,
    RESULTS,
    drop_database,
    free_port,
    fresh_database,
    machine,
    percentiles,
    start_gunicorn,
)
from bench.signup_load import Browser, Phase, drive  # noqa: E402

DATABASE = "mep_bench_space"
TARGET = 2.0
PASSWORD = "cocotiers bleus sous la pluie"
PAGES = {"home": "/mon-espace/", "payments": "/mon-espace/paiements/"}


def prepare(clients: int) -> list[str]:
    """In a child process with Django: one member per client, 20 years of payments each."""
    import django

    django.setup()
    from accounts.models import User
    from identity import make_nir, mask_nir
    from payments.models import Payment
    from registry.digests import nir_digest
    from registry.models import Person

    today = datetime.date.today()
    identifiers = []
    for number in range(clients):
        nir = make_nir(sex=1, year=1950, month=3, department="977", commune="01", order=number + 1)
        body = nir[:13]
        person = Person.objects.create(
            nir_digest=nir_digest(body),
            nir_masked=mask_nir(body),
            nom="QUESTEL",
            prenoms="JEAN, MARIE",
            date_naissance=datetime.date(1950, 3, 14),
            profils="particulier",
            adresse_5="Lorient",
            code_postal="97133",
            commune="SAINT-BARTHELEMY",
        )
        user = User(
            login=nir_digest(body),
            kind=User.Kind.MEMBER,
            identifier_type=User.IdentifierType.NIR,
            identifier_masked=mask_nir(body),
            profile="particulier",
            person=person,
            first_name="Jean",
            last_name="Questel",
            email=f"jean{number}@example.org",
            email_confirmed=True,
        )
        user.set_password(PASSWORD)
        user.save()
        payments = []
        for back in range(240):
            year, month = divmod(today.year * 12 + today.month - 2 - back, 12)
            start = datetime.date(year, month + 1, 1)
            end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(1)
            payments.append(
                Payment(
                    person=person,
                    reference=f"B{number}-{back:04d}",
                    date_paiement=end + datetime.timedelta(days=5),
                    montant=812 + back % 7,
                    nature="retraite",
                    libelle="Pension de retraite de base",
                    periode_debut=start,
                    periode_fin=end,
                )
            )
            if back % 9 == 0:
                payments.append(
                    Payment(
                        person=person,
                        reference=f"B{number}-M{back:04d}",
                        date_paiement=end - datetime.timedelta(days=9),
                        montant=-35 if back % 45 == 0 else 23,
                        nature="maladie",
                        libelle="Remboursement pharmacie",
                    )
                )
        Payment.objects.bulk_create(payments)
        identifiers.append(body)
    return identifiers


def log_in(port: int, identifier: str, address: str) -> Browser:
    browser = Browser(port, address)
    status, *_ = browser.request("GET", "/compte/connexion/")
    assert status == 200, status
    status, location, *_ = browser.request(
        "POST", "/compte/connexion/", {"identifier": identifier, "password": PASSWORD}
    )
    assert status == 302 and location == "/mon-espace/", (status, location)
    return browser


def page_work(browsers: list, name: str):
    path = PAGES[name]

    def work(n, timings):
        status, _, content, elapsed = browsers[n % len(browsers)].request("GET", path)
        assert status == 200, status
        if name == "payments":
            assert b"Pension de retraite de base" in content
        timings[name].append(elapsed)

    return work


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=600, help="per page and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--prepare", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare is not None:
        print(json.dumps(prepare(args.prepare)))
        return 0

    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": f"{PG}/{DATABASE}",
        "SECRET_KEY": "bench-space-" + "s" * 50,
        "IDENTITY_HMAC_KEY": "bench-space-identity-key",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "EMAIL_URL": "smtp://127.0.0.1:9",
        "TRUSTED_PROXY_COUNT": "1",
        "LOG_LEVEL": "WARNING",
    }
    fresh_database(DATABASE)
    started = datetime.datetime.now().astimezone()
    commit = provenance.commit()  # before the run: the checkout may move meanwhile
    run = {"cwd": ROOT, "env": env, "check": True}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], **run)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], **run)
    made = subprocess.run(
        [sys.executable, __file__, "--prepare", str(args.clients)], capture_output=True, **run
    )
    identifiers = json.loads(made.stdout.decode().strip().splitlines()[-1])
    server = start_gunicorn(env, port, args.workers)
    phases = {"home": Phase(), "payments": Phase()}
    try:
        browsers = [
            log_in(port, identifier, f"10.201.0.{n + 1}")
            for n, identifier in enumerate(identifiers)
        ]
        for name in phases:  # warm-up, not measured: every worker renders every page
            drive(args.clients, list(range(20 * args.workers)), page_work(browsers, name))
        for _round in range(args.rounds):
            for name, phase in phases.items():
                jobs = list(range(args.requests))
                phase.run(server.pid, args.clients, jobs, page_work(browsers, name))
    finally:
        server.terminate()
        server.wait()
        if not args.keep_database:
            drop_database(DATABASE)
    summary = {
        name: {
            "requests": phase.requests,
            "requests_per_second": round(phase.requests / phase.wall, 1),
            "server_cpu_ms_per_request": round(1000 * phase.cpu / phase.requests, 3),
            "postgres_cpu_ms_per_request": round(1000 * phase.pg / phase.requests, 3),
            "latency": percentiles(phase.timings[name]),
        }
        for name, phase in phases.items()
    }
    ratio = (
        summary["payments"]["server_cpu_ms_per_request"]
        / summary["home"]["server_cpu_ms_per_request"]
    )
    met = ratio <= TARGET
    result = {
        "date": started.isoformat(timespec="seconds"),
        "commit": commit,
        "machine": machine(),
        "load_average_after": os.getloadavg(),
        "settings": vars(args) | {"payments_per_member": "240 monthly + refunds"},
        "pages": summary,
        "target": f"Mes paiements ≤ {TARGET} × the home page's server CPU per request",
        "ratio": round(ratio, 3),
        "met": met,
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"space_load-{started:%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(result, indent=2), encoding="utf-8")
    for name, figures in summary.items():
        print(
            f"{name:9} {figures['requests_per_second']:7.1f} req/s, server CPU "
            f"{figures['server_cpu_ms_per_request']:.2f} ms a request, PostgreSQL (all, info) "
            f"{figures['postgres_cpu_ms_per_request']:.2f} ms, latency p50/p95/p99 "
            f"{figures['latency']['p50_ms']}/{figures['latency']['p95_ms']}/"
            f"{figures['latency']['p99_ms']} ms"
        )
    print(
        f"« Mes paiements » costs {ratio:.2f} × the home page (target ≤ {TARGET}): "
        f"{'met' if met else 'MISSED'}. Commit {result['commit']}. Written to {out}."
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
