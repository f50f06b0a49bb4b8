"""`manage.py email_worker`: send the outbox's emails, for as long as it runs.

Run one or more, on any machine sharing the database (README « The worker and the emails »).
It survives a lost database connection: it closes it, waits a little longer each time (up to
30 s), connects again and goes on; the emails it held come back to a worker when their lease
ends. SIGTERM or Ctrl-C: the email being sent is finished and recorded, the others it held
are handed back at once, and it exits with 0.
"""

import logging
import os
import secrets
import signal
import socket
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from delivery.sender import BATCH_SIZE, DATABASE_GONE, emails_send_due, smtp_close

logger = logging.getLogger("delivery.sender")

# Waits after a lost database: 1 s, 2 s, 4 s… up to this.
RECONNECT_MAX_SECONDS = 30


class Worker:
    """The loop: take the due emails, send them, wait ``interval`` seconds when none is due."""

    def __init__(
        self,
        *,
        worker_id: str,
        interval: float = 1.0,
        batch: bool = False,
        max_emails: int | None = None,
        batch_size: int | None = None,
    ):
        self.worker_id = worker_id
        self.interval = interval
        self.batch = batch
        self.max_emails = max_emails
        self.batch_size = batch_size
        self.running = True
        self.taken = 0

    def stop(self, signum=None, frame=None) -> None:
        if signum is not None:
            logger.info("Email worker %s told to stop", self.worker_id)
        self.running = False

    def run(self) -> None:
        failures = 0
        while self.running:
            close_old_connections()  # a connection the database dropped is not reused
            try:
                done = emails_send_due(
                    worker=self.worker_id, limit=self._limit(), stopping=lambda: not self.running
                )
            except DATABASE_GONE as error:
                failures += 1
                delay = min(2 ** (failures - 1), RECONNECT_MAX_SECONDS)
                # Loud: an operator should see a database that stays away.
                logger.error(
                    "Email worker %s lost the database (%s); trying again in %s s",
                    self.worker_id,
                    type(error).__name__,
                    delay,
                )
                connection.close()
                self._sleep(delay)
                continue
            failures = 0
            self.taken += done.taken
            if self.max_emails is not None and self.taken >= self.max_emails:
                break
            if not done.taken and self.batch:
                break
            if not done.taken or done.server_failed:
                # Nothing due, or an SMTP server that fails: the next round can wait a little.
                self._sleep(self.interval)

    def _limit(self) -> int:
        limit = self.batch_size or BATCH_SIZE
        if self.max_emails is not None:
            limit = min(limit, self.max_emails - self.taken)
        return max(limit, 1)

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while self.running and time.monotonic() < deadline:
            time.sleep(min(0.1, seconds))


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Command(BaseCommand):
    help = "Envoie les emails de la file d'envoi (delivery.EmailDelivery), en continu."

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="seconds to wait when no email is due (default 1)",
        )
        parser.add_argument("--batch", action="store_true", help="send what is due, then exit (0)")
        parser.add_argument("--batch-size", type=int, default=None, help="emails taken at once")
        parser.add_argument("--max-emails", type=int, default=None, help="exit after this many")
        parser.add_argument("--worker-id", default=None, help="a name for the logs and the outbox")

    def handle(self, *args, interval, batch, batch_size, max_emails, worker_id, **options):
        worker = Worker(
            worker_id=worker_id or default_worker_id(),
            interval=interval,
            batch=batch,
            max_emails=max_emails,
            batch_size=batch_size,
        )
        signal.signal(signal.SIGTERM, worker.stop)
        signal.signal(signal.SIGINT, worker.stop)
        logger.info("Email worker %s started", worker.worker_id)
        try:
            worker.run()
        finally:
            smtp_close()
        logger.info("Email worker %s stopped after %s emails", worker.worker_id, worker.taken)
