"""Real processes for the fault suite: email workers under a supervisor, gunicorn, an SMTP
server that can stop or refuse, PostgreSQL connections cut, and the ledger checked after.

Everything runs against the test database of the pytest run (PostgreSQL), with the production
settings; the workers' lease and retry delays are shortened (a few seconds) so that a run
settles in seconds rather than minutes.
"""

import asyncio
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from accounts.models import TemporaryPassword, User
from accounts.passwords import ALPHABET, temporary_password_match
from delivery.models import EmailDelivery, Letter
from tests.smtp import Mailbox, free_port

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = re.compile(rf"Mot de passe provisoire : ([{ALPHABET}]{{12}})")
LEASE_SECONDS = 2
RETRY_SECONDS = "1,1,2,2"
# Addresses the SMTP server refuses for good (550 to RCPT TO): their password goes by post.
REFUSED = "refuse"


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


def process_env(smtp_port: int) -> dict:
    """The production settings, pointed at the test database and the local SMTP server."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.faults.settings",
        "DATABASE_URL": database_url(),
        "SECRET_KEY": settings.SECRET_KEY,
        "IDENTITY_HMAC_KEY": os.environ["IDENTITY_HMAC_KEY"],
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "EMAIL_TIMEOUT": "5",
        "EMAIL_LEASE_SECONDS": str(LEASE_SECONDS),
        "EMAIL_RETRY_SECONDS": RETRY_SECONDS,
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


# --- The SMTP server ----------------------------------------------------------------------------


@dataclass
class FaultyMailbox(Mailbox):
    """A mailbox that takes its time over each message and refuses some addresses for good."""

    delay: float = 0.02

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if REFUSED in address:
            return "550 5.1.1 No such user here"
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(random.uniform(0, 2 * self.delay))
        return await super().handle_DATA(server, session, envelope)


class FaultySMTP:
    """An SMTP server on a fixed local port that can be stopped and started again."""

    def __init__(self, delay: float = 0.02):
        self.mailbox = FaultyMailbox(delay=delay)
        self.port = free_port()
        self.controller = None
        self.lock = threading.Lock()

    def up(self) -> None:
        with self.lock:
            if self.controller is None:
                self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
                self.controller.start()

    def down(self) -> None:
        with self.lock:
            if self.controller is not None:
                self.controller.stop()
                self.controller = None


# --- Workers under a supervisor -----------------------------------------------------------------


class Supervisor:
    """Keeps ``count`` email workers running, restarting one that dies, as systemd would
    (README: Restart=always). A worker that exits by itself is noted: it should not."""

    def __init__(self, env: dict, count: int, log_dir: Path):
        self.env, self.count, self.log_dir = env, count, log_dir
        self.workers: list[subprocess.Popen] = []
        self.started = 0
        self.exited_by_themselves: list[int] = []
        self.killed: set[int] = set()
        self.restart_delay = 0.3

    def start_one(self) -> None:
        self.started += 1
        log = open(self.log_dir / f"worker-{self.started}.log", "w")  # noqa: SIM115
        self.workers.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "email_worker",
                    "--interval",
                    "0.2",
                    "--worker-id",
                    f"worker-{self.started}",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        )

    def keep_running(self) -> None:
        for worker in list(self.workers):
            if worker.poll() is not None:
                self.workers.remove(worker)
                if worker.pid not in self.killed:
                    self.exited_by_themselves.append(worker.returncode)
        while len(self.workers) < self.count:
            self.start_one()

    def kill_one(self, rng: random.Random) -> None:
        alive = [w for w in self.workers if w.poll() is None]
        if alive:
            victim = rng.choice(alive)
            self.killed.add(victim.pid)
            victim.send_signal(signal.SIGKILL)
            victim.wait()

    def stop(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker in self.workers:
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
            if worker.returncode != 0 and worker.pid not in self.killed:
                self.exited_by_themselves.append(worker.returncode)
        self.workers = []


def connections_cut() -> int:
    """pg_terminate_backend on every other connection to the test database: the workers',
    gunicorn's; return how many were cut."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend'"
        )
        return cursor.fetchone()[0]


# --- The ledger ---------------------------------------------------------------------------------


def accounts_with_password_emails(tag: str, count: int, rng: random.Random) -> list[User]:
    """``count`` accounts of verified registrations, each with its temporary-password email
    queued as registration_complete queues it; one in ten at an address refused for good."""
    users = User.objects.bulk_create(
        User(
            login=f"fault-{tag}-{n}",
            kind=User.Kind.MEMBER,
            first_name="Ann",
            last_name=f"Lee{n}",
            email=(f"{REFUSED if rng.random() < 0.1 else 'ok'}-{tag}-{n}@example.org"),
            channel=User.Channel.EMAIL,
            password="!",
        )
        for n in range(count)
    )
    EmailDelivery.objects.bulk_create(
        EmailDelivery(
            kind=EmailDelivery.Kind.TEMPORARY_PASSWORD,
            user=user,
            to_address=user.email,
            language="fr",
        )
        for user in users
    )
    return users


@dataclass
class Ledger:
    """What a run left: every figure the README reports, and what went wrong (nothing)."""

    accounts: int = 0
    delivered: int = 0
    by_letter: int = 0
    emails_received: int = 0
    second_emails: int = 0
    lost: list[str] = field(default_factory=list)
    lying: list[str] = field(default_factory=list)
    stranded: list[str] = field(default_factory=list)


def ledger_check(users: list[User], mailbox: Mailbox) -> Ledger:
    """Every account has exactly one working credential delivered, or one letter pending;
    no email is left queued or held; no outbox row says what did not happen."""
    ledger = Ledger(accounts=len(users))
    received: dict[str, list[str]] = {}
    for message in list(mailbox.messages):
        match = PASSWORD.search(Mailbox.text_of(message))
        received.setdefault(str(message["To"]), []).append(match.group(1) if match else "")
    deliveries = {d.user_id: d for d in EmailDelivery.objects.filter(user__in=users)}
    for user in users:
        delivery = deliveries[user.pk]
        passwords = received.get(user.email, [])
        ledger.emails_received += len(passwords)
        ledger.second_emails += max(0, len(passwords) - 1)
        if len(set(passwords)) != len(passwords) or "" in passwords:
            ledger.lying.append(f"{user.email}: one password in two emails, or none in one")
        working = [p for p in passwords if temporary_password_match(user=user, password=p)]
        valid = [
            t for t in TemporaryPassword.objects.filter(user=user, used_at=None) if t.is_valid()
        ]
        if delivery.status == EmailDelivery.Status.QUEUED or delivery.lease_token:
            ledger.stranded.append(f"{user.email}: {delivery.status}, lease {delivery.leased_by}")
        letter = delivery.fallback_letter
        if len(working) == 1 and len(valid) == 1:
            ledger.delivered += 1
            if delivery.status != EmailDelivery.Status.SENT:
                ledger.lying.append(
                    f"{user.email}: delivered, but the outbox says {delivery.status}"
                )
        elif not working and not valid and letter and letter.status == Letter.Status.PENDING:
            ledger.by_letter += 1
            if delivery.status != EmailDelivery.Status.FAILED:
                ledger.lying.append(f"{user.email}: refused, but the outbox says {delivery.status}")
        else:
            ledger.lost.append(
                f"{user.email}: {len(passwords)} emails, {len(working)} working, "
                f"{len(valid)} valid, outbox {delivery.status}, letter {letter}"
            )
        if delivery.status == EmailDelivery.Status.SENT and not working:
            ledger.lying.append(f"{user.email}: the outbox says sent, no working password came")
    return ledger


def wait_until(condition, timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


FAULTS = ("worker_killed", "connections_cut", "smtp_down", "smtp_451")


def faults_inject(
    *, rng: random.Random, supervisor: Supervisor, smtp: FaultySMTP, window: float, count: int
) -> Counter:
    """``count`` faults at random instants of the next ``window`` seconds; return them."""
    injected: Counter = Counter()
    instants = sorted(rng.uniform(0, window) for _ in range(count))
    start = time.monotonic()
    for instant in instants:
        while time.monotonic() - start < instant:
            supervisor.keep_running()
            time.sleep(0.02)
        fault = rng.choice(FAULTS)
        injected[fault] += 1
        if fault == "worker_killed":
            supervisor.kill_one(rng)
            time.sleep(supervisor.restart_delay)
            supervisor.keep_running()
        elif fault == "connections_cut":
            connections_cut()
        elif fault == "smtp_down":
            smtp.down()
            time.sleep(rng.uniform(0.2, 1.0))
            smtp.up()
        else:
            smtp.mailbox.refuse = True
            time.sleep(rng.uniform(0.2, 0.8))
            smtp.mailbox.refuse = False
    return injected
