"""Run the email worker in the test's own process, as `manage.py email_worker --batch` would.

The worker commits as it goes (a lease, then « envoyé » per email), so the tests that use it
are transactional (`@pytest.mark.django_db(transaction=True)`), like live_server's.
"""

from datetime import timedelta

from django.utils import timezone

from delivery.management.commands.email_worker import Worker
from delivery.models import EmailDelivery


def run_worker(
    *, including_later: bool = False, max_tasks: int | None = None, worker_id: str = "test-worker"
) -> int:
    """Send every email that is due, then return how many were taken; ``including_later``
    also sends the retries scheduled in the future (and the emails whose lease has not ended),
    as if their time had come; ``max_tasks`` stops after that many emails."""
    if including_later:
        EmailDelivery.objects.filter(status=EmailDelivery.Status.QUEUED).exclude(
            next_attempt_at=None
        ).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    worker = Worker(worker_id=worker_id, interval=0, batch=True, max_emails=max_tasks)
    worker.run()
    return worker.taken


def emails_waiting() -> int:
    """Queued emails, due or not."""
    return EmailDelivery.objects.filter(status=EmailDelivery.Status.QUEUED).count()
