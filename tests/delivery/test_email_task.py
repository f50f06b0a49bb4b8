"""The email worker over a real SMTP conversation: the password is made when it is sent."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from accounts.models import TemporaryPassword, User
from accounts.passwords import ALPHABET, temporary_password_match
from delivery import sender
from delivery.models import EmailDelivery, Letter
from delivery.services import email_enqueue, email_resend
from registry.digests import nir_digest
from tests.signup.factories import person_create
from tests.signup.walk import register_person

from .worker import emails_waiting, run_worker

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = re.compile(rf"Mot de passe provisoire : ([{ALPHABET}]{{12}})")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def password_in(smtp_server, message) -> str:
    match = PASSWORD.search(smtp_server.text_of(message))
    assert match, smtp_server.text_of(message)
    return match.group(1)


def test_a_registration_s_email_carries_a_password_that_logs_in(client, smtp_server):
    card = person_create()
    register_person(client, card, email="marie@example.org")
    assert smtp_server.messages == []  # nothing is sent by the web request itself

    run_worker()

    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "marie@example.org"
    assert message["Subject"].strip() == "Votre mot de passe provisoire — Mon espace privé"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["From"] == settings.DEFAULT_FROM_EMAIL  # « Mon espace privé <…> »
    text, html = smtp_server.text_of(message), smtp_server.html_of(message)
    password = password_in(smtp_server, message)
    account = User.objects.get()
    record = temporary_password_match(user=account, password=password)
    assert record is not None
    assert record.channel == TemporaryPassword.Channel.EMAIL
    assert record.expires_at - record.created_at == timedelta(hours=72)
    assert temporary_password_match(user=account, password=password.swapcase()) is None
    # What the email says, in text and in HTML.
    for body in (text, html):
        assert password in body
        assert "Bonjour Marie-Hélène Questel" in body
        assert "2 85 05 •• ••• •••" in body
        assert "http://testserver/compte/connexion/" in body
        assert "valable 72 heures" in body
        assert "Vous n'avez pas demandé à vous inscrire ?" in body or (
            "Vous n&#x27;avez pas demandé à vous inscrire ?" in body
        )
        assert card.nir not in body and card.serial not in body
    local_expiry = timezone.localtime(record.expires_at)
    assert f"{local_expiry:%H:%M}" in text
    # Only the hash is stored; the delivery is done.
    assert password not in record.password_hash
    delivery = EmailDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 1, "")
    assert delivery.sent_at is not None


def test_the_password_expires_after_72_hours(client, smtp_server):
    card = person_create()
    register_person(client, card)
    run_worker()
    password = password_in(smtp_server, smtp_server.wait_for(1)[0])
    account = User.objects.get()
    record = temporary_password_match(user=account, password=password)
    assert record.is_valid(at=record.created_at + timedelta(hours=71, minutes=59))
    assert not record.is_valid(at=record.created_at + timedelta(hours=72))


def test_a_refused_send_is_retried_later_and_never_leaves_two_valid_passwords(client, smtp_server):
    card = person_create()
    register_person(client, card)
    smtp_server.refuse = True
    before = timezone.now()

    run_worker()

    delivery = EmailDelivery.objects.get()
    assert delivery.status == EmailDelivery.Status.QUEUED
    assert delivery.attempts == 1
    assert delivery.last_error == (
        "SMTPRecipientsRefused: marie.questel@example.org: "
        "451 4.3.0 Mailbox temporarily unavailable"
    )
    assert before + timedelta(minutes=1) <= delivery.next_attempt_at
    assert delivery.next_attempt_at <= timezone.now() + timedelta(minutes=1)
    # The password made for the refused send is void: nobody has it, nobody can use it.
    assert TemporaryPassword.objects.count() == 1
    assert TemporaryPassword.objects.get().voided_at is not None
    # The retry waits for its delay.
    assert delivery.lease_token == ""
    assert run_worker() == 0
    assert smtp_server.messages == []

    smtp_server.refuse = False
    run_worker(including_later=True)

    password = password_in(smtp_server, smtp_server.wait_for(1)[0])
    account = User.objects.get()
    assert temporary_password_match(user=account, password=password) is not None
    valid = [t for t in TemporaryPassword.objects.all() if t.is_valid()]
    assert len(valid) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)


def test_a_resent_email_voids_the_password_of_the_first_one(client, smtp_server):
    card = person_create()
    register_person(client, card)
    run_worker()
    first = password_in(smtp_server, smtp_server.wait_for(1)[0])

    email_resend(delivery=EmailDelivery.objects.get())
    run_worker()

    second = password_in(smtp_server, smtp_server.wait_for(2)[1])
    account = User.objects.get()
    assert first != second
    assert temporary_password_match(user=account, password=first) is None
    assert temporary_password_match(user=account, password=second) is not None


def test_after_the_last_try_the_delivery_is_failed_with_the_smtp_error(client, smtp_server):
    card = person_create()
    register_person(client, card)
    smtp_server.refuse = True
    delays = []
    for _attempt in range(sender.MAX_ATTEMPTS):
        run_worker(including_later=True)
        delivery = EmailDelivery.objects.get()
        if delivery.next_attempt_at:
            delays.append(delivery.next_attempt_at - timezone.now())
    delivery = EmailDelivery.objects.get()
    assert delivery.status == EmailDelivery.Status.FAILED
    assert delivery.attempts == 5
    assert "451 4.3.0 Mailbox temporarily unavailable" in delivery.last_error
    assert smtp_server.refusals == 5
    # Growing delays between the tries: about 1 min, 5 min, 30 min, 2 h.
    assert [round(d.total_seconds() / 60) for d in delays] == [1, 5, 30, 120]
    assert emails_waiting() == 0
    assert not any(t.is_valid() for t in TemporaryPassword.objects.all())


def test_a_failed_delivery_can_be_resent(client, smtp_server):
    card = person_create()
    register_person(client, card)
    smtp_server.refuse = True
    for _attempt in range(sender.MAX_ATTEMPTS):
        run_worker(including_later=True)
    smtp_server.refuse = False
    delivery = email_resend(delivery=EmailDelivery.objects.get())
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("queued", 0, "")
    run_worker()
    assert len(smtp_server.wait_for(1)) == 1
    assert EmailDelivery.objects.get().status == EmailDelivery.Status.SENT


def test_resending_a_queued_email_does_not_send_it_twice(client, smtp_server):
    card = person_create()
    register_person(client, card)
    email_resend(delivery=EmailDelivery.objects.get())
    run_worker()
    assert len(smtp_server.wait_for(1)) == 1
    assert EmailDelivery.objects.get().attempts == 1


def test_an_existing_account_gets_a_notice_and_no_password(client, smtp_server):
    card = person_create()
    User.objects.create_user(
        nir_digest(card.nir),
        None,
        identifier_masked="2 85 05 •• ••• •••",
        first_name="Marie",
        last_name="Questel",
        email="owner@example.org",
        email_confirmed=True,
    )
    register_person(client, card, email="someone@example.org")
    run_worker()
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "owner@example.org"
    text = smtp_server.text_of(message)
    assert "a demandé le" in text and "à s'inscrire à Mon espace privé" in text
    assert "2 85 05 •• ••• •••" in text
    assert "rien n'a été modifié" in text
    assert "http://testserver/compte/mot-de-passe-oublie/" in text  # « mot de passe oublié »
    assert not PASSWORD.search(text)
    assert not TemporaryPassword.objects.exists()


def test_email_enqueue_serves_the_other_kinds_in_the_person_s_language(smtp_server):
    account = User.objects.create_user(
        "digest", None, first_name="Ann", last_name="Lee", email="ann@example.org"
    )
    email_enqueue(
        kind=EmailDelivery.Kind.PASSWORD_CHANGED,
        user=account,
        to_address=account.email,
        language="fr",
    )
    run_worker()
    (message,) = smtp_server.wait_for(1)
    assert message["Subject"].strip() == "Votre mot de passe a été changé — Mon espace privé"
    assert "Bonjour Ann Lee" in smtp_server.text_of(message)


def test_a_permanent_refusal_fails_at_once_and_is_not_retried(client, smtp_server):
    card = person_create()
    register_person(client, card)
    smtp_server.refuse, smtp_server.refusal = True, "550 5.1.1 No such user here"

    run_worker()

    delivery = EmailDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (EmailDelivery.Status.FAILED, 1)
    assert delivery.last_error == (
        "SMTPRecipientsRefused: marie.questel@example.org: 550 5.1.1 No such user here"
    )
    assert delivery.next_attempt_at is None
    assert TemporaryPassword.objects.get().voided_at is not None
    # The password goes by post instead, to the address on file (docs/product.md §3).
    letter = Letter.objects.get()
    assert (letter.user, letter.status, letter.reason) == (
        delivery.user,
        "pending",
        "email_refused",
    )
    assert delivery.fallback_letter == letter
    # Nothing more is tried, even much later.
    smtp_server.refuse = False
    run_worker(including_later=True)
    assert smtp_server.messages == [] and smtp_server.refusals == 1


def test_the_kept_smtp_connection_is_reopened_at_once_when_it_broke(smtp_server):
    account = User.objects.create_user(
        "digest", None, first_name="Ann", last_name="Lee", email="ann@example.org"
    )
    for _ in range(2):
        email_enqueue(
            kind=EmailDelivery.Kind.PASSWORD_CHANGED,
            user=account,
            to_address=account.email,
            language="fr",
        )
    run_worker()
    kept = sender._smtp["connection"]
    assert kept is not None  # kept open for the emails that follow
    kept.connection.sock.close()  # as if the server had dropped it meanwhile
    email_enqueue(
        kind=EmailDelivery.Kind.PASSWORD_CHANGED,
        user=account,
        to_address=account.email,
        language="fr",
    )
    run_worker()
    assert len(smtp_server.wait_for(3)) == 3
    assert set(EmailDelivery.objects.values_list("status", "attempts")) == {("sent", 1)}
