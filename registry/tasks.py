"""The worker's task that imports an extract uploaded in the back-office (DESIGN §6).

On a queue of its own, « registry »: an import of millions of lines takes minutes, and the
emails of the « default » queue must not wait behind it.
"""

import os

from django_tasks import task

from .models import RegistryImport

QUEUE = "registry"


@task(queue_name=QUEUE)
def registry_import_uploaded(record_id: int, path: str, encoding: str) -> str:
    """Run the queued import ``record_id`` of the file at ``path``, then remove the file."""
    from .services import registry_import

    try:
        record = RegistryImport.objects.filter(
            pk=record_id, status=RegistryImport.Status.QUEUED
        ).first()
        if record is None:
            return "not queued"
        record = registry_import(
            path=path,
            kind=record.kind,
            encoding=encoding,
            agent=record.agent,
            file_name=record.file_name,
            record=record,
        )
        return record.status
    finally:
        if os.path.exists(path):
            os.unlink(path)
