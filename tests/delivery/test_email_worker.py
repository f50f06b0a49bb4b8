"""The email worker's leases: whatever dies at whatever instant, an email is sent or waiting.

Each test stops a worker where a crash would (after taking emails, after the SMTP server took
one, while the database is away) and checks what the outbox and the mailbox then hold, and
that exactly one temporary password of the account works.
"""

import email
import re
import smtplib
import threading
import time

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import TemporaryPassword, User
from accounts.passwords import ALPHABET, temporary_password_match
from delivery import sender
from delivery.models import EmailDelivery, Letter
from delivery.services import email_enqueue, email_resend

from .worker import emails_waiting, run_worker

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = re.compile(rf"Mot de passe provisoire : ([{ALPHABET}]{{12}})")


class WorkerDied(BaseException):
    """What a SIGKILL looks like from inside: nothing after it runs, no handler catches it."""


def _accounts(count: int) -> list[User]:
    return [
        User.objects.create_user(
            f"digest-{n}", None, first_name="Ann", last_name=f"Lee{n}", email=f"ann{n}@example.org"
        )
        for n in range(count)
    ]


def _queue_passwords(accounts: list[User]) -> list[EmailDelivery]:
    return [
        email_enqueue(
            kind=EmailDelivery.Kind.TEMPORARY_PASSWORD,
            user=account,
            to_address=account.email,
            language="fr",
        )
        for account in accounts
    ]


def _valid_passwords(account: User) -> list[TemporaryPassword]:
    return [t for t in TemporaryPassword.objects.filter(user=account) if t.is_valid()]


def _password(smtp_server, message) -> str:
    return PASSWORD.search(smtp_server.text_of(message)).group(1)


def _only_the_last_email_works(smtp_server, account: User) -> None:
    """Of the emails the account received, the last one's password works, none other."""
    received = [m for m in smtp_server.messages if m["To"] == account.email]
    passwords = [_password(smtp_server, m) for m in received]
    assert temporary_password_match(user=account, password=passwords[-1]) is not None
    for earlier in passwords[:-1]:
        assert temporary_password_match(user=account, password=earlier) is None
    assert len(_valid_passwords(account)) == 1


@pytest.fixture
def short_lease(settings):
    settings.EMAIL_LEASE_SECONDS = 1
    return 1.2  # seconds to wait for a lease to end


def test_one_worker_sends_every_due_email_and_records_each(smtp_server):
    accounts = _accounts(3)
    deliveries = _queue_passwords(accounts)

    assert run_worker() == 3

    messages = smtp_server.wait_for(3)
    assert sorted(m["To"] for m in messages) == [a.email for a in accounts]
    for account in accounts:
        _only_the_last_email_works(smtp_server, account)
    for delivery in deliveries:
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 1, "")
        assert delivery.lease_token == "" and delivery.next_attempt_at is None
    assert emails_waiting() == 0


def test_emails_another_worker_holds_or_not_yet_due_are_left_alone(smtp_server):
    first, held, later = _queue_passwords(_accounts(3))
    EmailDelivery.objects.filter(pk=held.pk).update(
        lease_token="elsewhere", next_attempt_at=timezone.now() + timezone.timedelta(minutes=2)
    )
    EmailDelivery.objects.filter(pk=later.pk).update(
        next_attempt_at=timezone.now() + timezone.timedelta(hours=1)
    )

    run_worker()

    assert [m["To"] for m in smtp_server.wait_for(1)] == [first.to_address]
    for delivery in (held, later):
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("queued", 0)
    assert not TemporaryPassword.objects.filter(user__in=[held.user, later.user]).exists()


def test_two_workers_never_take_the_same_email(smtp_server):
    deliveries = _queue_passwords(_accounts(4))
    first = sender._take(token="a" * 32, worker="A", limit=2)
    second = sender._take(token="b" * 32, worker="B", limit=10)
    assert [t.delivery.pk for t in first] == [d.pk for d in deliveries[:2]]
    assert [t.delivery.pk for t in second] == [d.pk for d in deliveries[2:]]
    assert sender._take(token="c" * 32, worker="C", limit=10) == []


def test_two_emails_to_one_account_go_one_after_the_other(smtp_server):
    (account,) = _accounts(1)
    _queue_passwords([account, account])

    run_worker()

    first, second = smtp_server.wait_for(2)
    _only_the_last_email_works(smtp_server, account)
    assert set(EmailDelivery.objects.values_list("status", "attempts")) == {("sent", 1)}


def test_a_worker_killed_after_taking_emails_leaves_them_to_another_after_the_lease(
    smtp_server, short_lease
):
    accounts = _accounts(2)
    deliveries = _queue_passwords(accounts)
    taken = sender._take(token="d" * 32, worker="dead", limit=10)  # then SIGKILL
    assert len(taken) == 2

    assert run_worker() == 0  # the lease holds: nobody else sends them yet
    time.sleep(short_lease)
    assert run_worker() == 2

    smtp_server.wait_for(2)
    for account in accounts:
        _only_the_last_email_works(smtp_server, account)
    for delivery in deliveries:
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("sent", 2)
    # The passwords the dead worker made were never sent, and are void.
    for item in taken:
        assert (
            temporary_password_match(
                user=item.delivery.user, password=item.secret.context["password"]
            )
            is None
        )


def test_a_worker_killed_between_sending_and_recording_voids_what_it_sent(
    smtp_server, short_lease, monkeypatch
):
    (account,) = _accounts(1)
    (delivery,) = _queue_passwords([account])

    def killed(*args, **kwargs):
        raise WorkerDied

    monkeypatch.setattr(sender, "_record_sent", killed)
    with pytest.raises(WorkerDied):
        run_worker()
    monkeypatch.undo()
    smtp_server.wait_for(1)
    delivery.refresh_from_db()
    assert delivery.status == "queued"  # the SMTP server took it; nothing says so yet

    time.sleep(short_lease)
    run_worker()

    smtp_server.wait_for(2)
    _only_the_last_email_works(smtp_server, account)  # the first email's password is void
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)


def test_a_worker_told_to_stop_finishes_the_email_on_the_wire_and_hands_back_the_rest(
    smtp_server, monkeypatch
):
    accounts = _accounts(3)
    deliveries = _queue_passwords(accounts)
    send, release, asked = sender._smtp_send, threading.Event(), []

    def slow_first(message):
        if message.to == [accounts[0].email]:
            release.wait(5)  # on the wire while the worker is told to stop
        send(message)

    def stopping():
        asked.append(True)
        if len(asked) == 3:  # the first email on the wire, the second waiting behind it
            threading.Timer(0.2, release.set).start()
            return True
        return False

    monkeypatch.setattr(sender, "_smtp_send", slow_first)
    assert sender.emails_send_due(worker="stopped", stopping=stopping).taken == 3

    assert [m["To"] for m in smtp_server.wait_for(1)] == [accounts[0].email]
    first, *behind = (EmailDelivery.objects.get(pk=d.pk) for d in deliveries)
    assert (first.status, first.attempts) == ("sent", 1)
    for delivery in behind:  # due again at once, untouched, their passwords void
        assert (delivery.status, delivery.attempts, delivery.lease_token) == ("queued", 0, "")
        assert delivery.next_attempt_at is None
    assert _valid_passwords(accounts[1]) == _valid_passwords(accounts[2]) == []
    time.sleep(0.2)
    assert len(smtp_server.messages) == 1  # nothing went on the wire after the stop


def test_what_the_server_accepted_is_recorded_in_one_statement(smtp_server, monkeypatch):
    deliveries = _queue_passwords(_accounts(5))
    monkeypatch.setattr(sender, "RECORD_SECONDS", 60)
    with CaptureQueriesContext(connection) as queries:
        run_worker()

    assert len(smtp_server.wait_for(5)) == 5
    records = [
        q["sql"]
        for q in queries
        if q["sql"].startswith('UPDATE "delivery_emaildelivery" SET "status"')
    ]
    assert len(records) == 1
    assert {EmailDelivery.objects.get(pk=d.pk).status for d in deliveries} == {"sent"}


def test_a_late_worker_whose_lease_was_taken_over_records_nothing(smtp_server, short_lease):
    (account,) = _accounts(1)
    (delivery,) = _queue_passwords([account])
    (slow,) = sender._take(token="e" * 32, worker="slow", limit=10)
    time.sleep(short_lease)
    run_worker()  # another worker takes the email over and sends it
    sender._smtp_send(sender.email_message(slow.delivery, slow.secret))  # the slow one, late

    sender._record_sent([slow], token="e" * 32)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.leased_by) == ("sent", "test-worker")
    late = smtp_server.wait_for(2)[1]
    assert temporary_password_match(user=account, password=_password(smtp_server, late)) is None
    assert len(_valid_passwords(account)) == 1


def test_the_database_lost_while_recording_is_reconnected_and_nothing_sent_twice(
    smtp_server, monkeypatch
):
    (account,) = _accounts(1)
    (delivery,) = _queue_passwords([account])
    update = sender.EmailDelivery.objects.filter(pk=delivery.pk).update.__func__
    cuts = iter([True])

    def cut_once(queryset, **fields):
        if fields.get("status") == EmailDelivery.Status.SENT and next(cuts, False):
            raise OperationalError("terminating connection due to administrator command")
        return update(queryset, **fields)

    monkeypatch.setattr(type(EmailDelivery.objects.all()), "update", cut_once)
    monkeypatch.setattr(sender.time, "sleep", lambda seconds: None)
    run_worker()

    assert len(smtp_server.wait_for(1)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    _only_the_last_email_works(smtp_server, account)


def test_a_database_error_while_making_the_password_strands_nothing(smtp_server, monkeypatch):
    (account,) = _accounts(1)
    (delivery,) = _queue_passwords([account])
    make = sender.secrets_make
    failures = iter([OperationalError("server closed the connection unexpectedly")])

    def database_gone(rows):
        error = next(failures, None)
        if error:
            raise error
        return make(rows)

    monkeypatch.setattr(sender, "secrets_make", database_gone)
    monkeypatch.setattr("delivery.management.commands.email_worker.time.sleep", lambda s: None)
    run_worker()  # survives: reconnects, then sends it

    assert len(smtp_server.wait_for(1)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    _only_the_last_email_works(smtp_server, account)


def test_a_secret_that_cannot_be_made_fails_that_email_only(smtp_server, monkeypatch):
    accounts = _accounts(2)
    broken, fine = _queue_passwords(accounts)
    make = sender.secrets_make

    def refuses_the_first(rows):
        if any(row.pk == broken.pk for row in rows):
            raise LookupError("the request behind this email is gone")
        return make(rows)

    monkeypatch.setattr(sender, "secrets_make", refuses_the_first)
    run_worker()

    assert [m["To"] for m in smtp_server.wait_for(1)] == [fine.to_address]
    broken.refresh_from_db()
    assert (broken.status, broken.attempts, broken.lease_token) == ("queued", 1, "")
    assert broken.last_error == "LookupError: the request behind this email is gone"
    assert broken.next_attempt_at > timezone.now()


def test_a_refused_recipient_lets_the_next_emails_go(smtp_server, monkeypatch):
    accounts = _accounts(3)
    deliveries = _queue_passwords(accounts)
    send = sender._smtp_send

    def refuse_the_second(message):
        if message.to == [accounts[1].email]:
            raise smtplib.SMTPRecipientsRefused({accounts[1].email: (451, b"4.3.0 Try later")})
        send(message)

    monkeypatch.setattr(sender, "_smtp_send", refuse_the_second)
    run_worker()

    assert [m["To"] for m in smtp_server.wait_for(2)] == [accounts[0].email, accounts[2].email]
    sent, refused, last = (EmailDelivery.objects.get(pk=d.pk) for d in deliveries)
    assert (sent.status, refused.status, last.status) == ("sent", "queued", "sent")
    assert refused.last_error == f"SMTPRecipientsRefused: {accounts[1].email}: 451 4.3.0 Try later"
    assert _valid_passwords(accounts[1]) == []


def test_an_unreachable_server_hands_the_untried_emails_back_untouched(smtp_server, monkeypatch):
    accounts = _accounts(3)
    deliveries = _queue_passwords(accounts)
    send = sender._smtp_send

    def down_at_the_second(message):
        if message.to == [accounts[1].email]:
            raise ConnectionRefusedError(111, "Connection refused")
        send(message)

    monkeypatch.setattr(sender, "_smtp_send", down_at_the_second)
    assert sender.emails_send_due(worker="one round").taken == 3

    sent, failed, untried = (EmailDelivery.objects.get(pk=d.pk) for d in deliveries)
    assert (sent.status, sent.attempts) == ("sent", 1)
    assert (failed.status, failed.attempts) == ("queued", 1)
    assert failed.next_attempt_at > timezone.now()
    # The third was not tried: due again at once, its password void.
    assert (untried.status, untried.attempts, untried.lease_token) == ("queued", 0, "")
    assert untried.next_attempt_at is None and untried.last_error == ""
    assert _valid_passwords(accounts[1]) == _valid_passwords(accounts[2]) == []

    monkeypatch.undo()
    run_worker()
    assert smtp_server.wait_for(2)[1]["To"] == accounts[2].email
    assert len(_valid_passwords(accounts[2])) == 1


@pytest.mark.parametrize(
    ("refuse_at", "reply", "letter"),
    [
        ("RCPT", "550 5.1.1 No such user here", True),
        ("DATA", "554 5.7.1 Message refused", True),
        ("MAIL", "550 5.7.1 Sender not allowed", False),
    ],
)
def test_a_permanent_refusal_is_not_retried(smtp_server, refuse_at, reply, letter):
    (account,) = _accounts(1)
    (delivery,) = _queue_passwords([account])
    smtp_server.refuse, smtp_server.refuse_at, smtp_server.refusal = True, refuse_at, reply

    run_worker()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 1, None)
    assert reply in delivery.last_error
    assert _valid_passwords(account) == []
    smtp_server.refuse = False
    run_worker(including_later=True)
    assert smtp_server.messages == [] and smtp_server.refusals == 1
    # A refusal of this mailbox: the password goes by post to the address on file instead.
    # A refused sender is the fund's own relay's doing: an agent looks, nothing is posted.
    assert Letter.objects.filter(user=account, reason="email_refused").exists() is letter
    assert (delivery.fallback_letter is not None) is letter


def test_a_temporary_refusal_after_data_is_tried_again(smtp_server):
    (account,) = _accounts(1)
    (delivery,) = _queue_passwords([account])
    smtp_server.refuse, smtp_server.refuse_at = True, "DATA"

    run_worker()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("queued", 1)
    assert delivery.next_attempt_at > timezone.now()
    assert not Letter.objects.exists()


def test_a_refused_notice_falls_back_to_no_letter(smtp_server):
    (account,) = _accounts(1)
    email_enqueue(
        kind=EmailDelivery.Kind.PASSWORD_CHANGED,
        user=account,
        to_address=account.email,
        language="fr",
    )
    smtp_server.refuse, smtp_server.refusal = True, "550 5.1.1 No such user here"
    run_worker()
    assert EmailDelivery.objects.get().status == "failed"
    assert not Letter.objects.exists()


def test_a_letter_already_waiting_is_the_fallback(smtp_server):
    (account,) = _accounts(1)
    waiting = Letter.objects.create(user=account, reason="password_reset")
    _queue_passwords([account])
    smtp_server.refuse, smtp_server.refusal = True, "550 5.1.1 No such user here"
    run_worker()
    assert EmailDelivery.objects.get().fallback_letter == waiting
    assert Letter.objects.count() == 1


def test_one_letter_waiting_replaces_every_email_refused_meanwhile(smtp_server):
    (account,) = _accounts(1)
    smtp_server.refuse, smtp_server.refusal = True, "550 5.1.1 No such user here"
    _queue_passwords([account])
    run_worker()
    _queue_passwords([account])
    run_worker()
    (letter,) = Letter.objects.all()
    assert (letter.reason, letter.status) == ("email_refused", Letter.Status.PENDING)
    assert [d.fallback_letter for d in EmailDelivery.objects.all()] == [letter, letter]


def test_resend_makes_an_email_waiting_for_its_next_try_due_at_once(smtp_server):
    (account,) = _accounts(1)
    (delivery,) = _queue_passwords([account])
    smtp_server.refuse = True
    run_worker()
    smtp_server.refuse = False
    assert run_worker() == 0  # waits a minute for its next try

    email_resend(delivery=EmailDelivery.objects.get())
    run_worker()

    assert len(smtp_server.wait_for(1)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)


def test_resend_makes_an_email_a_dead_worker_held_due_at_once(smtp_server):
    (account,) = _accounts(1)
    (delivery,) = _queue_passwords([account])
    sender._take(token="f" * 32, worker="dead", limit=10)
    delivery.refresh_from_db()
    delivery.next_attempt_at = timezone.now() - timezone.timedelta(seconds=1)  # lease over
    delivery.save(update_fields=["next_attempt_at"])

    email_resend(delivery=delivery)
    run_worker()

    smtp_server.wait_for(1)
    _only_the_last_email_works(smtp_server, account)


def test_resend_leaves_an_email_being_sent_to_its_worker(smtp_server):
    (account,) = _accounts(1)
    (delivery,) = _queue_passwords([account])
    sender._take(token="g" * 32, worker="alive", limit=10)

    email_resend(delivery=EmailDelivery.objects.get())

    delivery.refresh_from_db()
    assert (delivery.lease_token, delivery.leased_by) == ("g" * 32, "alive")
    assert run_worker() == 0


def test_the_email_is_well_formed_multipart(smtp_server):
    (account,) = _accounts(1)
    email_enqueue(
        kind=EmailDelivery.Kind.EXISTING_ACCOUNT,
        user=account,
        to_address=account.email,
        language="fr",
        context={},
    )
    run_worker()
    (message,) = smtp_server.wait_for(1)
    raw = email.message_from_bytes(message.as_bytes())
    assert raw.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in raw.get_payload()] == ["text/plain", "text/html"]


def test_an_email_whose_worker_dies_every_time_is_given_up_in_the_end(smtp_server):
    (account,) = _accounts(1)
    (delivery,) = _queue_passwords([account])
    EmailDelivery.objects.filter(pk=delivery.pk).update(attempts=sender.MAX_TAKINGS)

    run_worker()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.lease_token) == ("failed", "")
    assert "prises sans résultat" in delivery.last_error
    assert smtp_server.messages == [] and _valid_passwords(account) == []
