"""The agents' queue of Ma messagerie against the back-office's home page, in server CPU.

    python bench/messaging_queue.py [--threads 1000] [--clients 4] [--duration 30] [--workers 2]

What it does, in one run on this machine (docs/decisions/speed-measured-in-server-cpu.md):
1. a fresh PostgreSQL database (mep_bench_messaging), migrated, with N members who each wrote
   one thread of two messages with a PDF attached (files in a temporary ATTACHMENTS_ROOT),
   a third of them answered, a tenth closed, and one agent with a TOTP device;
2. gunicorn (production settings, W workers); the agent signs in as a person does (password,
   then the 6-digit code) and C clients share that session;
3. in 3 rounds, taking turns so that both meet the same moments of the machine: the
   back-office's home page (/agents/, the reference) and the queue as it opens (new threads,
   oldest waiting first, 50 a page, with the tabs' counts), then the queue's « Tous » tab;
4. the server's CPU time (user + system of the gunicorn master and workers, from /proc) per
   page. The target: the queue costs at most 2 × the home page's CPU. Rates and latency
   percentiles are printed too; the results go to bench/results/ with the commit they ran on.

Exit status 1 when the target is missed.
"""

import argparse
import http.client
import json
import os
import re
import signal
import sys
import tempfile
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

DATABASE = "mep_bench_messaging"
AGENT, PASSWORD = "agent.bench", "un mot de passe d'agent pour le banc"
TOTP_KEY = "3132333435363738393031323334353637383930"  # hex, the RFC 6238 test key
HOME, QUEUE, QUEUE_ALL = (
    "/agents/",
    "/agents/messaging/thread/",
    "/agents/messaging/thread/?file=tout",
)
ROUNDS = 3
TARGET = 2.0  # the queue costs at most twice the home page's server CPU


def environment(port: int, attachments: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": f"{PG}/{DATABASE}",
        "SECRET_KEY": "bench-" + "m" * 50,
        "IDENTITY_HMAC_KEY": "bench-messaging-identity-key",
        "BANK_DETAILS_KEY": "bench-messaging-bank-details-key",
        "ATTACHMENTS_ROOT": attachments,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "LOG_LEVEL": "WARNING",
    }


def prepare_database(env: dict, threads: int) -> None:
    fresh_database(DATABASE)
    python = sys.executable
    run([python, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    run([python, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    run([python, str(Path(__file__)), "--make-threads", str(threads)], env)


def make_threads(count: int) -> None:
    """N members with one thread each (two messages, one PDF), and the agent (this process)."""
    import io
    from datetime import timedelta

    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from reportlab.pdfgen import canvas

    from accounts.models import User
    from identity import make_nir, mask_nir
    from messaging.models import Attachment, Message, Thread, attachments_storage
    from registry.digests import nir_digest
    from registry.models import Person

    agent = User.objects.create_user(AGENT, PASSWORD, kind=User.Kind.AGENT, is_staff=True)
    agent.groups.add(Group.objects.get(name="agent"))
    TOTPDevice.objects.create(user=agent, name="bench", key=TOTP_KEY, confirmed=True)

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(100, 750, "Justificatif")
    page.save()
    pdf = out.getvalue()
    storage = attachments_storage()
    now = timezone.now()
    nirs = [
        make_nir(sex=1 + n % 2, year=1950 + n // 999, month=1 + n % 12, department="977",
                 commune="01", order=1 + n % 999)[:13]
        for n in range(count)
    ]  # fmt: skip
    Person.objects.bulk_create(
        Person(nir_digest=nir_digest(nir), nir_masked=mask_nir(nir), nom=f"BENCH{n}",
               prenoms="MESSAGERIE", date_naissance="1970-01-01", profils="particulier",
               code_postal="97133", commune="SAINT-BARTHELEMY")
        for n, nir in enumerate(nirs)
    )  # fmt: skip
    people = list(Person.objects.order_by("pk"))
    User.objects.bulk_create(
        User(login=person.nir_digest, kind=User.Kind.MEMBER, identifier_type="nir",
             identifier_masked=person.nir_masked, person=person, first_name="Messagerie",
             last_name=person.nom, password="!")
        for person in people
    )  # fmt: skip
    members = list(User.objects.filter(kind=User.Kind.MEMBER).order_by("pk"))
    statuses = []
    for n, _member in enumerate(members):
        if n % 10 == 0:
            statuses.append(Thread.Status.CLOSED)
        elif n % 3 == 0:
            statuses.append(Thread.Status.ANSWERED)
        elif n % 4 == 0:
            statuses.append(Thread.Status.IN_PROGRESS)
        else:
            statuses.append(Thread.Status.NEW)
    Thread.objects.bulk_create(
        Thread(member=member, subject=["paiements", "affiliation", "autre"][n % 3], status=status,
               assigned_to=agent if status != Thread.Status.NEW else None,
               created_at=now - timedelta(hours=count - n), last_message_at=now,
               waiting_since=now - timedelta(hours=count - n)
               if status in (Thread.Status.NEW, Thread.Status.IN_PROGRESS) else None)
        for n, (member, status) in enumerate(zip(members, statuses, strict=True))
    )  # fmt: skip
    threads = list(Thread.objects.order_by("pk"))
    Message.objects.bulk_create(
        Message(thread=thread, author=thread.member, body="Bonjour, voici mon justificatif. " * 8)
        for thread in threads
    )
    Message.objects.bulk_create(
        Message(thread=thread, author=agent, from_fund=True, body="Bien reçu, merci.")
        for thread in threads
    )
    first = list(Message.objects.filter(from_fund=False).order_by("pk"))
    rows = []
    for message in first:
        name = storage.save(f"{message.thread.member_id}/bench.pdf", _content(pdf))
        rows.append(
            Attachment(owner_id=message.thread.member_id, message=message, file=name,
                       name="justificatif.pdf", content_type="application/pdf", size=len(pdf))
        )  # fmt: skip
    Attachment.objects.bulk_create(rows)


def _content(data: bytes):
    from django.core.files.base import ContentFile

    return ContentFile(data)


# --- The server ----------------------------------------------------------------------------------


_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """One connection with the agent's cookies."""

    def __init__(self, port: int, cookies: dict):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies = cookies

    def request(self, method: str, path: str, fields: dict | None = None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if fields is not None:
            body = urllib.parse.urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location"), data.decode()

    def post_form(self, path: str, fields: dict):
        _status, _location, page = self.request("GET", path)
        token = _CSRF_INPUT.search(page).group(1)
        return self.request("POST", path, {"csrfmiddlewaretoken": token, **fields})


def sign_in(port: int) -> dict:
    """The agent's two steps, as in the browser; returns the session's cookies."""
    from django_otp.oath import totp

    browser = Browser(port, {})
    status, location, _ = browser.post_form(
        "/agents/login/", {"username": AGENT, "password": PASSWORD}
    )
    assert status == 302, "the password step failed"
    code = f"{totp(bytes.fromhex(TOTP_KEY), step=30, t0=0, digits=6):06d}"
    status, location, _ = browser.post_form("/agents/verification/", {"code": code})
    assert status == 302 and location == HOME, f"the code step failed ({status} {location})"
    return browser.cookies


def load(port: int, cookies: dict, path: str, clients: int, duration: float, master: int):
    expected = "Raccourcis" if path == HOME else "Nouveaux ("

    def make_client(_index: int):
        browser = Browser(port, dict(cookies))

        def one_page() -> bool:
            status, _location, page = browser.request("GET", path)
            return status == 200 and expected in page

        return one_page

    warm = Browser(port, dict(cookies))
    for _ in range(6):
        status, _location, page = warm.request("GET", path)
        assert status == 200 and expected in page, f"{path} answered {status}"
    return closed_loop(clients, duration, master, make_client)


def summary(rounds: list[dict]) -> dict:
    return loop_summary(rounds, "page")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of each page")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--make-threads", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make_threads:
        make_threads(args.make_threads)
        return 0

    RESULTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-attachments-") as attachments:
        env = environment(port, attachments)
        print(f"Preparing {DATABASE} with {args.threads} threads and their files…", flush=True)
        prepare_database(env, args.threads)
        os.environ.update({k: env[k] for k in ("SECRET_KEY", "IDENTITY_HMAC_KEY")})
        print(f"{args.clients} clients against gunicorn ({args.workers} workers), "
              f"{args.duration:.0f} s a page in {ROUNDS} rounds…", flush=True)  # fmt: skip
        server = start_gunicorn(env, port, args.workers)
        homes, queues, alls = [], [], []
        share = args.duration / ROUNDS
        try:
            cookies = sign_in(port)
            for _ in range(ROUNDS):
                homes.append(load(port, cookies, HOME, args.clients, share, server.pid))
                queues.append(load(port, cookies, QUEUE, args.clients, share, server.pid))
                alls.append(load(port, cookies, QUEUE_ALL, args.clients, share, server.pid))
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    home, queue, everything = summary(homes), summary(queues), summary(alls)
    ratio = queue["server_cpu_ms_per_page"] / home["server_cpu_ms_per_page"]
    ratio_all = everything["server_cpu_ms_per_page"] / home["server_cpu_ms_per_page"]
    report = {
        "benchmark": "messaging_queue",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": provenance.commit(),
        "machine": machine(),
        "settings": {"threads": args.threads, "clients": args.clients, "workers": args.workers},
        "home": home,
        "queue_new": queue,
        "queue_all": everything,
        "queue_new_cpu_over_home_cpu": round(ratio, 3),
        "queue_all_cpu_over_home_cpu": round(ratio_all, 3),
        "target": TARGET,
        "target_met": ratio <= TARGET and ratio_all <= TARGET,
    }
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = RESULTS / f"messaging_queue-{stamp}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")

    print()
    for label, figures in (
        ("home page ", home),
        ("queue (new)", queue),
        ("queue (all)", everything),
    ):
        latency = figures["latency"]
        print(f"{label}: {figures['pages_per_second']:7.1f} pages/s, "
              f"{figures['server_cpu_ms_per_page']:.2f} ms server CPU a page, "
              f"p50 {latency['p50_ms']} / p95 {latency['p95_ms']} / p99 {latency['p99_ms']} ms, "
              f"{figures['failures']} failed")  # fmt: skip
    verdict = "met" if report["target_met"] else "NOT met"
    print(f"queue CPU / home CPU: new {ratio:.2f}×, all {ratio_all:.2f}× "
          f"(target ≤ {TARGET:.0f}×: {verdict})")  # fmt: skip
    print(f"load average: {report['machine']['load_average']}")
    print(f"Written to {path.relative_to(ROOT)} (commit {report['commit']})")
    return 0 if report["target_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
