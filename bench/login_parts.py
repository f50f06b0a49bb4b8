"""What each shortcut of the login path buys: CPU per operation, with it and without it.

    python bench/login_parts.py [--repeat 400]

Run after bench/login_load.py (it reuses its database, mep_bench_login, and its accounts), in
one process, on PostgreSQL, with the production settings.
docs/decisions/speed-measured-in-server-cpu.md: a shortcut that reaches into a library's internals
must buy at least 5 % of its operation, or it goes. Measured:

- the login page (GET) rendered by its template, against the page rendered once per language
  and patched with the visitor's CSRF token (the shortcut);
- the new session written at login by Django's database store (a key looked up, then an INSERT
  in a transaction, then an UPDATE), against one raw INSERT (the shortcut,
  accounts/session_store.py);
- a whole login (GET + POST) for scale, with the argon2id verification left out of both (its
  cost is the same whatever the shortcuts), so that the shares are of the login's own work and
  of the login with its hash (from bench/login_load.py's reference).

Each variant runs `--repeat` times in turns, in 9 rounds; the figure is the median round's CPU
per operation (the machine is shared: rounds differ). Results go to
bench/results/login_parts-<date>.json with the commit.
"""

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import provenance  # noqa: E402
from bench.login_load import DATABASE, PASSWORD, PG, RESULTS, environment  # noqa: E402

ROUNDS = 9


def cpu_per_call(action, repeat: int) -> float:
    start = time.process_time()
    for _ in range(repeat):
        action()
    return (time.process_time() - start) / repeat


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=400)
    parser.add_argument("--hash-ms", type=float, default=None, help="CPU of one hash, in ms")
    args = parser.parse_args()
    os.environ.update(environment(0))
    os.environ["DATABASE_URL"] = f"{PG}/{DATABASE}"
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore as DjangoStore
    from django.shortcuts import render
    from django.test import Client, RequestFactory, override_settings
    from django.utils import translation

    from accounts import views
    from accounts.forms import LoginForm
    from accounts.hashers import Argon2idHasher
    from accounts.session_store import SessionStore as ProjectStore
    from core.forms import full_keyboard

    nirs = (RESULTS / "login_load.accounts.tmp").read_text().split()
    factory = RequestFactory()
    translation.activate("fr")

    def page_rendered():
        request = factory.get("/compte/connexion/", HTTP_HOST="127.0.0.1")
        render(request, "accounts/login.html", {"form": LoginForm(request), "next": None})

    def page_patched():
        views.BLANK_LOGIN_PAGE.response(factory.get("/compte/connexion/", HTTP_HOST="127.0.0.1"))

    def session(store_class):
        def write():
            store = store_class()
            store["_auth_user_id"] = "1"
            store.create()
            store.delete()  # the same for both: keeps the table as it was

        return write

    # The whole login (GET + POST, a fresh visitor), its hash left out: verify answers at once.
    real_verify = Argon2idHasher.verify
    encoded = make_password(PASSWORD)
    counter = iter(range(10**9))

    def login_with(client):
        def login():
            client.cookies = SimpleCookie()  # a fresh visitor each time
            client.defaults["REMOTE_ADDR"] = f"10.{next(counter) % 250}.0.1"
            assert client.get("/compte/connexion/").status_code == 200
            response = client.post(
                "/compte/connexion/",
                {"identifier": nirs[next(counter) % len(nirs)], "password": PASSWORD},
            )
            assert response.status_code == 302, response.status_code

        return login

    def no_hash(hasher, password, stored):
        return password == PASSWORD

    class RenderedBlankPage:
        """The blank login page rendered by its template at every request."""

        def response(self, request):
            form = LoginForm(request)
            context = {
                "form": form,
                "next": None,
                "keyboard": full_keyboard(request, form, "identifier"),
            }
            return render(request, "accounts/login.html", context)

    # One handler per variant, as a server process has (SessionMiddleware reads its engine once).
    client = Client(HTTP_HOST="127.0.0.1")
    with override_settings(SESSION_ENGINE="django.contrib.sessions.backends.db"):
        client_django_sessions = Client(HTTP_HOST="127.0.0.1")
        client_django_sessions.get("/")
    patched_page = views.BLANK_LOGIN_PAGE
    logins = {
        "login_without_hash": (client, patched_page),
        "login_without_hash_django_sessions": (client_django_sessions, patched_page),
        "login_without_hash_page_rendered": (client, RenderedBlankPage()),
    }
    variants = {
        "page_rendered": page_rendered,
        "page_patched": page_patched,
        "session_django": session(DjangoStore),
        "session_raw_insert": session(ProjectStore),
    }
    figures = {name: [] for name in [*variants, *logins]}
    for _round in range(ROUNDS):
        for name, action in variants.items():
            figures[name].append(cpu_per_call(action, args.repeat))
        Argon2idHasher.verify = no_hash
        try:
            for name, (variant_client, page) in logins.items():
                views.BLANK_LOGIN_PAGE = page
                figures[name].append(
                    cpu_per_call(login_with(variant_client), max(args.repeat // 4, 20))
                )
        finally:
            Argon2idHasher.verify = real_verify
            views.BLANK_LOGIN_PAGE = patched_page
    ms = {name: round(1000 * statistics.median(values), 3) for name, values in figures.items()}
    if args.hash_ms is None:
        hasher = Argon2idHasher()
        args.hash_ms = 1000 * cpu_per_call(lambda: hasher.verify(PASSWORD, encoded), 50)
    login_with_hash = ms["login_without_hash"] + args.hash_ms
    base = ms["login_without_hash"]
    gains = {
        "blank_page_cache": ms["login_without_hash_page_rendered"] - base,
        "raw_session_insert": ms["login_without_hash_django_sessions"] - base,
    }
    report = {
        "benchmark": "login_parts",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": provenance.commit(),
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "repeat": args.repeat,
        "cpu_ms": ms,
        "hash_cpu_ms": round(args.hash_ms, 3),
        "gain_cpu_ms": {name: round(gain, 3) for name, gain in gains.items()},
        "gain_share_of_login_with_hash": {
            name: round(gain / login_with_hash, 4) for name, gain in gains.items()
        },
        "gain_share_of_login_without_hash": {
            name: round(gain / ms["login_without_hash"], 4) for name, gain in gains.items()
        },
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"login_parts-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    for name, value in ms.items():
        print(f"{name:22} {value:8.3f} ms CPU")
    print(f"{'one argon2id hash':22} {args.hash_ms:8.3f} ms CPU")
    for name, gain in gains.items():
        share = report["gain_share_of_login_with_hash"][name]
        own = report["gain_share_of_login_without_hash"][name]
        print(f"{name:22} buys {gain:6.3f} ms: {share:.1%} of a login, {own:.1%} of its own work")
    print(f"commit {report['commit']}; written to {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
