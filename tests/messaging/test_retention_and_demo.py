"""Retention of messages, files and sealed IBANs (« Données personnelles », section 6), and
the demo agent that only the development settings make."""

import re
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from core.retention import retention_purge
from messaging import services
from messaging.attachments import attachment_check
from messaging.models import Attachment, ChangeRequest, Thread
from registry.models import Person
from tests.accounts.factories import make_person

from .conftest import pdf_bytes, upload

pytestmark = pytest.mark.django_db


def _file():
    return attachment_check(upload("piece.pdf", pdf_bytes()))


def test_closed_threads_and_their_files_go_two_years_after_their_last_message(
    member, agent, _attachments_dir, django_capture_on_commit_callbacks
):
    old = services.thread_create(
        member=member.user, subject="autre", body="Ancien", files=[_file()]
    )
    recent = services.thread_create(
        member=member.user, subject="autre", body="Récent", files=[_file()]
    )
    opened = services.thread_create(member=member.user, subject="autre", body="Ouvert", files=[])
    services.thread_close(thread=old, agent=agent)
    services.thread_close(thread=recent, agent=agent)
    long_ago = timezone.now() - timedelta(days=2 * 365 + 1)
    Thread.objects.filter(pk__in=[old.pk, opened.pk]).update(last_message_at=long_ago)
    with django_capture_on_commit_callbacks(execute=True):
        counts = retention_purge()
    assert counts["threads"] == 1 and counts["attachments"] == 1
    assert set(Thread.objects.values_list("pk", flat=True)) == {recent.pk, opened.pk}
    assert Attachment.objects.count() == 1
    assert len([p for p in _attachments_dir.rglob("*") if p.is_file()]) == 1


def test_a_sealed_iban_goes_after_90_days_and_the_request_after_a_year(member, agent):
    change = services.bank_details_change_request(
        member=member.user, iban="FR7630006000011234567890189", statement=_file()
    )
    services.change_request_accept(change=change, agent=agent)
    ChangeRequest.objects.update(decided_at=timezone.now() - timedelta(days=91))
    assert retention_purge()["sealed_ibans"] == 1
    change.refresh_from_db()
    assert change.iban_sealed == "" and change.status == ChangeRequest.Status.ACCEPTED
    ChangeRequest.objects.update(decided_at=timezone.now() - timedelta(days=366))
    assert retention_purge()["change_requests"] == 1
    assert not ChangeRequest.objects.exists()


def test_the_files_of_a_dormant_account_go_with_it(
    member, _attachments_dir, django_capture_on_commit_callbacks
):
    services.thread_create(member=member.user, subject="autre", body="x", files=[_file()])
    User.objects.filter(pk=member.user.pk).update(
        last_login=timezone.now() - timedelta(days=3 * 365 + 1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        retention_purge()
    assert not User.objects.filter(pk=member.user.pk).exists()
    assert not [p for p in _attachments_dir.rglob("*") if p.is_file()]


def test_the_production_settings_refuse_the_demo_agent(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="development settings"):
        call_command("demo_agent")
    assert not User.objects.filter(login="agent.demo").exists()


def test_the_demo_agent_signs_in_with_what_is_printed_and_finds_threads(settings, capsys):
    settings.DEBUG = True
    for _ in range(3):
        make_person()
    call_command("demo_agent")
    out = capsys.readouterr().out
    password = re.search(r"password: (\S+)", out).group(1)
    secret = re.search(r"secret: ([A-Z2-7]+)", out).group(1)
    device = TOTPDevice.objects.get(user__login="agent.demo")
    assert secret.encode() and device.confirmed
    client = Client()
    response = client.post("/agents/login/", {"username": "agent.demo", "password": password})
    assert response.status_code == 302
    call_command("demo_agent", code=True)
    code = capsys.readouterr().out.strip()
    response = client.post("/agents/verification/", {"code": code})
    assert response.status_code == 302
    page = client.get("/agents/messaging/thread/").content.decode()
    assert "Nouveaux (3)" in page
    # A second run keeps the threads and the phone's key, with a new password.
    call_command("demo_agent")
    assert Thread.objects.count() == 4 and TOTPDevice.objects.count() == 1
    assert Person.objects.filter(accounts__isnull=False).count() == 1


def test_a_file_goes_with_its_row_only_once_the_deletion_is_committed(
    member, _attachments_dir, django_capture_on_commit_callbacks
):
    from django.db import transaction

    services.thread_create(member=member.user, subject="autre", body="x", files=[_file()])
    files = lambda: [p for p in _attachments_dir.rglob("*") if p.is_file()]  # noqa: E731
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        User.objects.filter(pk=member.user.pk).delete()
        raise RuntimeError("rolled back")
    assert len(files()) == 1 and Attachment.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        User.objects.filter(pk=member.user.pk).delete()  # e.g. a supervisor's closing
    assert files() == [] and not Attachment.objects.exists()
