"""Personal data goes when its retention period ends, as the « Données personnelles » page says."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from accounts.models import LoginCounter, User
from audit.models import AuditEvent
from core.retention import PurgeFailed, purgers, retention_purge
from delivery.models import EmailDelivery, Letter
from signup.models import SignupRequest
from verification.models import ProofFailure

pytestmark = pytest.mark.django_db

NOW = timezone.now()
LONG_AGO = NOW - timedelta(days=400)


def member(login: str, **fields) -> User:
    return User.objects.create(login=login, kind=User.Kind.MEMBER, **fields)


def test_what_outlived_its_purpose_goes_and_the_rest_stays():
    old_request = SignupRequest.objects.create(kind="unidentified", decided_at=LONG_AGO)
    pending_request = SignupRequest.objects.create(kind="unidentified", created_at=LONG_AGO)
    recent_request = SignupRequest.objects.create(kind="other", decided_at=NOW)
    old_event = AuditEvent.objects.create(type=AuditEvent.Type.LOGOUT, at=LONG_AGO)
    recent_event = AuditEvent.objects.create(type=AuditEvent.Type.LOGOUT, at=NOW)
    user = member("digest-active", last_login=NOW)
    old_email = EmailDelivery.objects.create(
        kind="temporary_password",
        user=user,
        to_address="a@example.org",
        status="sent",
        created_at=LONG_AGO,
    )
    queued_email = EmailDelivery.objects.create(
        kind="temporary_password", user=user, to_address="a@example.org", created_at=LONG_AGO
    )
    old_letter = Letter.objects.create(user=user, status="posted", created_at=LONG_AGO)
    pending_letter = Letter.objects.create(user=user, created_at=LONG_AGO)
    ProofFailure.objects.create(login="digest", slot=0, expires_at=NOW - timedelta(seconds=1))
    for hours in (25, 1):
        LoginCounter.objects.create(
            scope=LoginCounter.Scope.UNKNOWN_BROWSERS,
            key=f"digest-{hours}",
            failures=1,
            last_failure_at=NOW - timedelta(hours=hours),
        )
    held = ProofFailure.objects.create(login="digest", slot=1, expires_at=NOW + timedelta(hours=1))

    counts = retention_purge(now=NOW)

    assert not SignupRequest.objects.filter(pk=old_request.pk).exists()
    assert SignupRequest.objects.filter(pk__in=[pending_request.pk, recent_request.pk]).count() == 2
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [recent_event.pk]
    assert not AuditEvent.objects.filter(pk=old_event.pk).exists()
    assert list(EmailDelivery.objects.values_list("pk", flat=True)) == [queued_email.pk]
    assert not EmailDelivery.objects.filter(pk=old_email.pk).exists()
    assert list(Letter.objects.values_list("pk", flat=True)) == [pending_letter.pk]
    assert not Letter.objects.filter(pk=old_letter.pk).exists()
    assert list(ProofFailure.objects.values_list("pk", flat=True)) == [held.pk]
    assert counts["signup_requests"] == 1
    assert counts["audit_events"] == 1
    assert counts["proof_failures"] == 1
    assert list(LoginCounter.objects.values_list("key", flat=True)) == ["digest-1"]
    assert counts["login_failures"] == 1


def test_the_command_reports_what_it_deleted(capsys):
    AuditEvent.objects.create(type=AuditEvent.Type.LOGOUT, at=LONG_AGO)
    call_command("purge_expired")
    assert "audit_events: 1 deleted" in capsys.readouterr().out


def test_expired_counters_of_the_database_cache_go_and_live_ones_stay():
    cache.clear()
    cache.set("signup:completions:203.0.113.7", (1, 0), timeout=60)
    cache.set("signup:completions:203.0.113.8", (1, 0), timeout=3 * 3600)

    counts = retention_purge(now=timezone.now() + timedelta(hours=1))

    assert counts["cache_entries"] == 1
    assert cache.get("signup:completions:203.0.113.7") is None
    assert cache.get("signup:completions:203.0.113.8") == (1, 0)


# Every kind of expiring data, by the app that owns it (the « Données personnelles » page, §6).
EXPIRING = {
    "messaging": {"threads", "change_requests", "attachments", "sealed_ibans"},
    "payments": {"payments", "contributions", "attestations"},
    "signup": {"signup_requests"},
    "verification": {"proof_failures"},
    "delivery": {"emails", "letters"},
    "accounts": {"login_failures", "sessions", "temporary_passwords", "accounts"},
    "audit": {"audit_events"},
    "core": {"cache_entries"},
}


def test_every_app_with_expiring_data_is_asked_the_top_first(capsys):
    assert [label for label, _ in purgers()] == list(EXPIRING)

    call_command("purge_expired")

    reported = {line.split(":")[0] for line in capsys.readouterr().out.splitlines()}
    assert reported == set().union(*EXPIRING.values())


@pytest.mark.django_db(transaction=True)
def test_a_failing_app_is_named_the_others_still_purge_and_the_command_fails(capsys):
    """An operator's cron sees the failure (exit status 1, the app named on stderr), and one
    app's broken table does not keep every other app's expired data."""
    old_event = AuditEvent.objects.create(type=AuditEvent.Type.LOGOUT, at=LONG_AGO)
    old_request = SignupRequest.objects.create(kind="unidentified", decided_at=LONG_AGO)
    with connection.cursor() as cursor:  # a real failure: the payments' table is not there
        cursor.execute("ALTER TABLE payments_payment RENAME TO payments_payment_away")
    try:
        with pytest.raises(CommandError, match="The purge failed in: payments"):
            call_command("purge_expired")
        out, err = capsys.readouterr()
        with pytest.raises(PurgeFailed) as failed:
            retention_purge()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE payments_payment_away RENAME TO payments_payment")

    # The database's own words (ProgrammingError on PostgreSQL, OperationalError on SQLite),
    # naming what is missing.
    assert re.search(r"payments: the purge failed \(\w+Error: [^)]*payments_payment", err), err
    assert "the other apps' purges still ran" in err
    # The apps asked after payments still purged theirs, those before it too.
    assert "audit_events: 1 deleted" in out
    assert "signup_requests: 1 deleted" in out
    assert "threads: 0 deleted" in out
    assert "payments:" not in out
    assert not AuditEvent.objects.filter(pk=old_event.pk).exists()
    assert not SignupRequest.objects.filter(pk=old_request.pk).exists()
    assert [p.app_label for p in failed.value.failed] == ["payments"]
