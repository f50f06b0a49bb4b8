"""Faults at random instants while real workers send real emails; the ledger after each run.

Each run queues the temporary-password emails of a batch of verified registrations, then two
`manage.py email_worker` processes (production settings, PostgreSQL, a local SMTP server) send
them while faults strike at random instants: a worker SIGKILLed (its supervisor starts another),
every database connection cut (pg_terminate_backend), the SMTP server stopped for a while or
answering 451. One address in ten is refused for good (550). Once things settle, the ledger:
every account has exactly one working temporary password delivered, or a letter pending;
no email queued or held; no outbox row saying what did not happen; no worker that exited by
itself. FAULT_RUNS (3) and FAULT_EMAILS (30) size it; `make faults` runs it in full.
"""

import os
import urllib.error
import urllib.request
from collections import Counter

import pytest

from delivery.models import EmailDelivery

from .harness import (
    FaultySMTP,
    Supervisor,
    accounts_with_password_emails,
    connections_cut,
    faults_inject,
    ledger_check,
    process_env,
    wait_until,
)

pytestmark = pytest.mark.django_db(transaction=True)

RUNS = int(os.environ.get("FAULT_RUNS", "3"))
EMAILS = int(os.environ.get("FAULT_EMAILS", "30"))
FAULTS_PER_RUN = int(os.environ.get("FAULT_COUNT", "3"))
# Once the faults stop, a run must settle within this: leases end, retries come due.
SETTLE_SECONDS = 60


@pytest.fixture
def smtp():
    server = FaultySMTP(delay=0.03)
    server.up()
    yield server
    server.down()


@pytest.fixture
def workers(smtp, tmp_path):
    supervisor = Supervisor(process_env(smtp.port), count=2, log_dir=tmp_path)
    supervisor.keep_running()
    yield supervisor
    supervisor.stop()


def _settled() -> bool:
    return not EmailDelivery.objects.filter(status=EmailDelivery.Status.QUEUED).exists()


def test_no_credential_is_lost_whatever_fails_at_whatever_instant(smtp, workers, rng):
    injected, totals, lost = Counter(), Counter(), []
    for run in range(RUNS):
        users = accounts_with_password_emails(f"r{run}", EMAILS, rng)
        # The emails take about EMAILS × 30 ms over two workers: the faults strike meanwhile.
        injected += faults_inject(
            rng=rng,
            supervisor=workers,
            smtp=smtp,
            window=EMAILS * 0.015,
            count=FAULTS_PER_RUN,
        )
        smtp.up()
        smtp.mailbox.refuse = False

        def settled():
            workers.keep_running()
            return _settled()

        assert wait_until(settled, SETTLE_SECONDS), "emails still queued after the faults"
        ledger = ledger_check(users, smtp.mailbox)
        assert ledger.stranded == [], ledger.stranded
        assert ledger.lying == [], ledger.lying
        lost += ledger.lost
        totals.update(
            accounts=ledger.accounts,
            delivered=ledger.delivered,
            by_letter=ledger.by_letter,
            second_emails=ledger.second_emails,
        )
    print(
        f"\nFault suite: {RUNS} runs, {sum(injected.values())} faults injected "
        f"({', '.join(f'{k} {v}' for k, v in sorted(injected.items()))}); "
        f"{totals['accounts']} registrations: {totals['delivered']} passwords delivered "
        f"by email, {totals['by_letter']} by letter (address refused), "
        f"{totals['second_emails']} second emails (void first password); "
        f"credentials lost: {len(lost)}"
    )
    assert lost == []
    assert workers.exited_by_themselves == []  # a cut connection never ends a worker


def test_two_workers_on_one_queue_send_each_email_exactly_once(smtp, workers, rng):
    assert wait_until(lambda: _connected_workers() >= 2, 60), "the workers did not start"
    users = accounts_with_password_emails("once", 2 * EMAILS, rng)
    assert wait_until(_settled, SETTLE_SECONDS)
    received = Counter(str(m["To"]) for m in smtp.mailbox.messages)
    delivered = [u for u in users if "refuse" not in u.email]
    assert {u.email: received[u.email] for u in delivered} == {u.email: 1 for u in delivered}
    ledger = ledger_check(users, smtp.mailbox)
    assert (ledger.lost, ledger.lying, ledger.stranded, ledger.second_emails) == ([], [], [], 0)
    leased_by = set(EmailDelivery.objects.values_list("leased_by", flat=True))
    assert len(leased_by) == 2  # both took their share


def test_web_requests_after_their_connections_were_cut_get_no_error(smtp, tmp_path):
    """A gunicorn worker whose idle database connection was cut opens a new one for the next
    request (CONN_HEALTH_CHECKS) instead of answering 500."""
    import subprocess
    import sys

    from tests.smtp import free_port

    from .harness import ROOT

    port = free_port()
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "2",
         "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT, env=process_env(smtp.port), stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        assert wait_until(lambda: _answers(base), 30), "gunicorn did not start"
        statuses, cut = Counter(), 0
        for _round in range(10):
            for path in ("/inscription/", "/compte/connexion/", "/"):
                for _ in range(3):
                    statuses[_status(base + path)] += 1
            cut += connections_cut()
        assert cut >= 10  # every round cut live connections of gunicorn's workers
        assert set(statuses) == {200}, statuses
    finally:
        server.terminate()
        server.wait(timeout=10)


def _connected_workers() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        return cursor.fetchone()[0]


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _answers(base: str) -> bool:
    try:
        return _status(base + "/") == 200
    except OSError:
        return False
