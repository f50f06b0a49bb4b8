"""Run the task worker in the test's own process, as `manage.py db_worker --batch` would.

The worker closes and reopens database connections between tasks, so the tests that use it
are transactional (`@pytest.mark.django_db(transaction=True)`), like live_server's.
"""

from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


def run_worker(
    *, including_later: bool = False, max_tasks: int | None = None, queue: str = "default"
) -> None:
    """Run every task of ``queue`` that is due, then return; ``including_later`` also runs the
    retries scheduled in the future, as if their delay had passed; ``max_tasks`` stops after
    that many tasks run by the worker itself."""
    if including_later:
        DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())
    Worker(
        queue_names=[queue],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


def tasks_waiting() -> int:
    return DBTaskResult.objects.filter(status=TaskResultStatus.READY).count()
