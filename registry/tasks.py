"""The worker's task that imports an extract uploaded in the back-office (docs/product.md §6).

On a queue of its own, « registry »: an import of millions of lines takes minutes, and the
emails of the « default » queue must not wait behind it.
"""

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django_tasks import task

from .lines import EXTRACTS
from .models import RegistryImport
from .services import encoding_check, registry_import

QUEUE = "registry"


@task(queue_name=QUEUE)
def registry_import_uploaded(record_id: int, path: str, encoding: str) -> str:
    """Run the queued import ``record_id`` of the file at ``path``, then remove the file."""
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


def registry_upload_queue(*, upload, kind: str, encoding: str, agent) -> RegistryImport:
    """Keep an extract uploaded in the back-office and queue its import for a worker.

    The import of millions of lines must not hold a web request (nor a web worker) for
    minutes: the upload is written to REGISTRY_UPLOAD_DIR, readable by its owner only, the
    record is « En attente » until a worker of the « registry » queue runs it
    (registry.tasks), and the worker removes the file when it is done.
    """
    if kind not in EXTRACTS:
        raise ValueError(f"unknown extract kind {kind!r}")
    codec = encoding_check(encoding)
    directory = Path(settings.REGISTRY_UPLOAD_DIR)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle, path = tempfile.mkstemp(suffix=".csv", prefix="registre-", dir=directory)
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        with transaction.atomic():
            record = RegistryImport.objects.create(
                kind=kind,
                file_name=Path(upload.name).name[:255],
                agent=agent,
                status=RegistryImport.Status.QUEUED,
            )
            registry_import_uploaded.enqueue(record.pk, path, codec)
    except BaseException:
        os.unlink(path)
        raise
    return record
