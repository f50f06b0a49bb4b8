"""Run the email worker in the test's own process, as `manage.py email_worker --batch` would.

The worker commits as it goes (a lease, then « envoyé » every few emails), so the tests that use it
are transactional (`@pytest.mark.django_db(transaction=True)`), like live_server's.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.module_loading import import_string

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


def run_task_worker(*, queue: str) -> None:
    """Run every due task of ``queue`` of Django's Tasks (the registry's uploaded imports), as
    `manage.py db_worker --queue-name QUEUE --batch` would, then return."""
    import_string("django_tasks_db.management.commands.db_worker.Worker")(
        queue_names=[queue],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-task-worker",
        excluded_queue_names=[],
    ).run()
