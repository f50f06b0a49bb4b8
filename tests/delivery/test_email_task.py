"""The outbox's task over a real SMTP conversation: the password is made when it is sent."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from accounts.models import TemporaryPassword, User
from accounts.passwords import ALPHABET, temporary_password_match
from delivery import tasks
from delivery.models import EmailDelivery
from delivery.services import email_enqueue, email_resend
from registry.digests import nir_digest
from tests.signup.factories import person_create
from tests.signup.walk import register_person

from .worker import run_worker, tasks_waiting

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
    retry = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert retry.run_after == delivery.next_attempt_at
    assert retry.args_kwargs == {"args": [delivery.pk], "kwargs": {}}
    run_worker()
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
    for _attempt in range(tasks.MAX_ATTEMPTS):
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
    assert tasks_waiting() == 0
    assert not any(t.is_valid() for t in TemporaryPassword.objects.all())


def test_a_failed_delivery_can_be_resent(client, smtp_server):
    card = person_create()
    register_person(client, card)
    smtp_server.refuse = True
    for _attempt in range(tasks.MAX_ATTEMPTS):
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
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()
    assert TemporaryPassword.objects.get().voided_at is not None
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
    kept = tasks._smtp["connection"]
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


# --- One task also sends the emails whose tasks wait behind it (delivery.tasks._send_waiting) ---


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


def _task_of(delivery: EmailDelivery) -> DBTaskResult:
    """The email's first task (a retry has its own)."""
    return (
        DBTaskResult.objects.filter(args_kwargs={"args": [delivery.pk], "kwargs": {}})
        .order_by("enqueued_at")
        .first()
    )


def _valid_passwords(account: User) -> list[TemporaryPassword]:
    return [t for t in TemporaryPassword.objects.filter(user=account) if t.is_valid()]


def test_one_task_sends_the_emails_waiting_behind_it(smtp_server):
    accounts = _accounts(3)
    deliveries = _queue_passwords(accounts)

    run_worker(max_tasks=1)  # the worker itself runs one task only

    messages = smtp_server.wait_for(3)
    assert sorted(m["To"] for m in messages) == [a.email for a in accounts]
    for message in messages:
        account = User.objects.get(email=message["To"])
        assert temporary_password_match(user=account, password=password_in(smtp_server, message))
        assert len(_valid_passwords(account)) == 1
    for delivery in deliveries:
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 1, "")
        task = _task_of(delivery)
        assert (task.status, task.return_value) == (TaskResultStatus.SUCCESSFUL, "sent")
        assert task.worker_ids == ["test-worker"]
    assert tasks_waiting() == 0


def test_a_task_another_worker_claimed_or_not_yet_due_is_left_alone(client, smtp_server):
    accounts = _accounts(3)
    first, claimed, later = _queue_passwords(accounts)
    # One task already taken by a worker elsewhere, one retry scheduled in an hour.
    DBTaskResult.objects.filter(pk=_task_of(claimed).pk).update(
        status=TaskResultStatus.RUNNING, worker_ids=["elsewhere"]
    )
    DBTaskResult.objects.filter(pk=_task_of(later).pk).update(
        run_after=timezone.now() + timedelta(hours=1)
    )

    run_worker()

    assert [m["To"] for m in smtp_server.wait_for(1)] == [first.to_address]
    for delivery in (claimed, later):
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("queued", 0)
    assert not TemporaryPassword.objects.filter(user__in=accounts[1:]).exists()
    assert _task_of(claimed).worker_ids == ["elsewhere"]
    assert _task_of(later).status == TaskResultStatus.READY


def test_two_emails_to_one_account_never_leave_two_valid_passwords(smtp_server):
    (account,) = _accounts(1)
    _queue_passwords([account, account])

    run_worker()

    first, second = smtp_server.wait_for(2)
    assert len(_valid_passwords(account)) == 1
    assert temporary_password_match(user=account, password=password_in(smtp_server, first)) is None
    assert temporary_password_match(user=account, password=password_in(smtp_server, second))


def test_a_refusal_in_the_middle_of_a_batch_leaves_the_rest_to_their_tasks(
    smtp_server, monkeypatch
):
    import smtplib

    accounts = _accounts(3)
    deliveries = _queue_passwords(accounts)
    send = tasks._smtp_send

    def refuse_the_second(message):
        if message.to == [accounts[1].email]:
            raise smtplib.SMTPRecipientsRefused({accounts[1].email: (451, b"4.3.0 Try later")})
        send(message)

    monkeypatch.setattr(tasks, "_smtp_send", refuse_the_second)
    run_worker(max_tasks=1)

    assert [m["To"] for m in smtp_server.wait_for(1)] == [accounts[0].email]
    sent, refused, waiting = (EmailDelivery.objects.get(pk=d.pk) for d in deliveries)
    assert (sent.status, sent.attempts) == ("sent", 1)
    assert (refused.status, refused.attempts) == ("queued", 1)
    assert refused.last_error == f"SMTPRecipientsRefused: {accounts[1].email}: 451 4.3.0 Try later"
    assert _task_of(refused).return_value == "retry"
    assert DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, run_after=refused.next_attempt_at
    ).exists()
    # The third was not tried: untouched, its task waiting again, the password made for it void.
    assert (waiting.status, waiting.attempts, waiting.last_error) == ("queued", 0, "")
    assert (_task_of(waiting).status, _task_of(waiting).worker_ids) == (TaskResultStatus.READY, [])
    assert TemporaryPassword.objects.filter(user=accounts[2]).count() == 1
    assert _valid_passwords(accounts[1]) == _valid_passwords(accounts[2]) == []

    monkeypatch.setattr(tasks, "_smtp_send", send)
    run_worker()

    assert [m["To"] for m in smtp_server.wait_for(2)][1] == accounts[2].email
    assert len(_valid_passwords(accounts[2])) == 1


def test_an_unexpected_error_in_a_waiting_email_fails_its_task_only(smtp_server, monkeypatch):
    accounts = _accounts(3)
    deliveries = _queue_passwords(accounts)
    send = tasks._smtp_send

    def refuse_the_second(message):
        if message.to == [accounts[1].email]:
            raise ConnectionResetError
        send(message)

    def database_gone(delivery, secret, error):
        raise RuntimeError("the database went away while recording the failure")

    monkeypatch.setattr(tasks, "_smtp_send", refuse_the_second)
    monkeypatch.setattr(tasks, "_send_failed", database_gone)
    run_worker(max_tasks=1)

    assert [m["To"] for m in smtp_server.wait_for(1)] == [accounts[0].email]
    own, broken, waiting = (_task_of(d) for d in deliveries)
    assert (own.status, own.return_value) == (TaskResultStatus.SUCCESSFUL, "sent")
    assert broken.status == TaskResultStatus.FAILED
    assert broken.exception_class_path == "builtins.RuntimeError"
    assert "the database went away" in broken.traceback
    assert waiting.status == TaskResultStatus.READY
    assert _valid_passwords(accounts[1]) == _valid_passwords(accounts[2]) == []


def test_passwords_made_together_are_one_per_account():
    from accounts.passwords import temporary_passwords_issue

    first, second = _accounts(2)
    old, _ = temporary_passwords_issue(users=[first], channel=TemporaryPassword.Channel.POST)[0]
    issued = temporary_passwords_issue(
        users=[first, second], channel=TemporaryPassword.Channel.EMAIL
    )
    assert [record.user for _, record in issued] == [first, second]
    for account, (clear, record) in zip((first, second), issued, strict=True):
        assert temporary_password_match(user=account, password=clear) == record
        assert clear not in record.password_hash
    assert temporary_password_match(user=first, password=old) is None
    with pytest.raises(ValueError):
        temporary_passwords_issue(users=[second, second], channel=TemporaryPassword.Channel.EMAIL)
    assert len(_valid_passwords(second)) == 1


def test_the_mime_boundary_never_occurs_in_the_texts(monkeypatch):
    from delivery import emails

    tokens = iter(["a" * 32, "b" * 32])
    monkeypatch.setattr(emails.secrets, "token_hex", lambda n: next(tokens))
    # A text that happens to hold the first candidate: the second is taken.
    assert emails._boundary("du texte", "…=_" + "a" * 32 + "…") == "=_" + "b" * 32


def test_the_email_is_well_formed_multipart_with_its_boundary(smtp_server):
    import email

    user = User.objects.create(
        login="boundary", kind=User.Kind.MEMBER, email="b@example.org", first_name="Léa"
    )
    email_enqueue(
        kind=EmailDelivery.Kind.EXISTING_ACCOUNT,
        user=user,
        to_address=user.email,
        language="fr",
        context={},
    )
    run_worker()
    (message,) = smtp_server.wait_for(1)
    raw = email.message_from_bytes(message.as_bytes())
    assert raw.get_content_type() == "multipart/alternative"
    assert raw.get_boundary().startswith("=_")
    assert [part.get_content_type() for part in raw.get_payload()] == ["text/plain", "text/html"]
