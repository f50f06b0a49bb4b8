"""An import killed outright (SIGKILL, a restart) is not left « En cours » forever."""

import os

import psycopg
import pytest
from django.db import connection

from audit.models import AuditEvent
from registry.models import RegistryImport
from registry.services import (
    _RUNNING_LOCKS,
    registry_import,
    registry_imports_interrupted_close,
)
from tests.registry import factories

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="advisory locks are PostgreSQL's"
)

INTERRUPTED = (
    "L'import s'est arrêté avant la fin : son processus a disparu (arrêt forcé ou "
    "redémarrage du serveur). Le registre n'a pas changé."
)


def test_the_next_import_records_a_killed_one_as_failed_and_audits_it(tmp_path):
    killed = factories.killed_import()

    registry_import(
        path=factories.extract(tmp_path / "persons.csv", [factories.person(1)]), kind="persons"
    )

    killed.refresh_from_db()
    assert killed.status == RegistryImport.Status.FAILED
    assert killed.message == INTERRUPTED
    assert killed.finished_at is not None
    event = AuditEvent.objects.get(data__import_id=killed.pk)
    assert event.data["status"] == "failed" and event.data["interrupted"] is True


def test_an_import_whose_process_runs_is_left_alone():
    running = RegistryImport.objects.create(kind="persons", file_name="x.csv", pid=os.getpid())
    if connection.vendor == "postgresql":
        # Another session, as the import's own connection would be, holds its lock.
        settings = connection.settings_dict
        other = psycopg.connect(
            dbname=settings["NAME"],
            user=settings["USER"],
            host=settings["HOST"],
            port=settings["PORT"] or None,
            password=settings["PASSWORD"] or None,
            autocommit=True,
        )
        other.execute("SELECT pg_advisory_lock(%s, %s)", [_RUNNING_LOCKS, running.pk])
    try:
        assert registry_imports_interrupted_close() == 0
    finally:
        if connection.vendor == "postgresql":
            other.close()

    running.refresh_from_db()
    assert running.status == RegistryImport.Status.RUNNING
    if connection.vendor == "postgresql":
        # Its connection gone, its lock went with it.
        assert registry_imports_interrupted_close() == 1


@postgresql_only
def test_an_import_holds_its_lock_while_it_runs_and_releases_it_after(tmp_path):
    seen = []

    def progress(done, total):
        # Asked from the import's own session, where locks are re-entrant: still running.
        seen.append(registry_imports_interrupted_close())

    path = factories.extract(tmp_path / "persons.csv", [factories.person(1)])
    record = registry_import(path=path, kind="persons", progress=progress)

    assert seen and set(seen) == {0}
    assert record.status == RegistryImport.Status.DONE
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s::oid",
            [record.pk],
        )
        assert cursor.fetchone()[0] == 0
