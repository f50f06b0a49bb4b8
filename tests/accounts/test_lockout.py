"""Brute force (OWASP ASVS 2.2): accounts lock with a growing delay, clients are limited,
unknown identifiers cost the same, and nothing typed is kept."""

import logging
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY

from accounts.hashers import Argon2idHasher
from accounts.lockout import lock_delay
from accounts.models import User
from audit.models import AuditEvent
from backoffice.services import member_unlock
from delivery.models import EmailDelivery
from identity import make_nir

from .conftest import post_login
from .factories import PERSONAL_PASSWORD, make_member
from .test_login import refused

pytestmark = pytest.mark.django_db

SPACE_URL = "/mon-espace/"


def fail(client, member, times: int, **extra) -> None:
    for attempt in range(times):
        response = post_login(client, member.identifier, f"wrong password {attempt}", **extra)
        assert refused(response)


def elapse(by: timedelta) -> None:
    """Move every recorded failure back in time, as if `by` had passed."""
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=attempt.attempt_time - by)


def can_log_in(client, member, **extra) -> bool:
    response = post_login(client, member.identifier, PERSONAL_PASSWORD, **extra)
    ok = response.status_code == 302 and response["Location"] == SPACE_URL
    client.logout()
    return ok


@pytest.mark.parametrize(
    ("failures", "minutes"),
    [(4, None), (5, 1), (9, 1), (10, 5), (14, 5), (15, 15), (20, 60), (200, 60)],
)
def test_lock_delay_grows_with_consecutive_failures(failures, minutes):
    expected = timedelta(minutes=minutes) if minutes else None
    assert lock_delay(failures) == expected


def test_four_failures_do_not_lock_and_a_success_resets_the_count(client, member):
    fail(client, member, 4)
    assert can_log_in(client, member)
    fail(client, member, 4)
    assert can_log_in(client, member)


def test_five_failures_lock_the_account_whatever_the_password(client, member):
    fail(client, member, 5)
    response = post_login(client, member.identifier, PERSONAL_PASSWORD)
    # The right password now gets exactly the wrong password's answer.
    assert refused(response)
    assert SESSION_KEY not in client.session
    locked = AuditEvent.objects.get(type=AuditEvent.Type.ACCOUNT_LOCKED)
    assert locked.subject == member.user
    assert locked.data == {"failures": 5, "minutes": 1}
    refusal = AuditEvent.objects.filter(type=AuditEvent.Type.LOGIN_FAILED).latest("at")
    assert refusal.data == {"reason": "locked"}


def test_the_owner_is_told_by_email_once(client, member):
    fail(client, member, 5)
    elapse(timedelta(minutes=2))
    fail(client, member, 1)
    emails = EmailDelivery.objects.filter(kind=EmailDelivery.Kind.ACCOUNT_LOCKED)
    assert [(e.user, e.to_address) for e in emails] == [(member.user, member.user.email)]
    assert emails.get().context == {"minutes": 1}


def test_no_email_to_an_address_never_confirmed(client):
    member = make_member(temporary=None, password=PERSONAL_PASSWORD, email_confirmed=False)
    fail(client, member, 5)
    assert not EmailDelivery.objects.filter(kind=EmailDelivery.Kind.ACCOUNT_LOCKED).exists()


def test_lock_lifts_after_its_delay(client, member):
    fail(client, member, 5)
    elapse(timedelta(seconds=50))
    assert not can_log_in(client, member)
    elapse(timedelta(seconds=15))
    assert can_log_in(client, member)


def test_attempts_during_a_lock_neither_count_nor_extend_it(client, member):
    fail(client, member, 5)
    elapse(timedelta(seconds=30))
    fail(client, member, 3)  # refused by the lock
    assert sum(a.failures_since_start for a in AccessAttempt.objects.all()) == 5
    elapse(timedelta(seconds=31))
    assert can_log_in(client, member)


def test_further_failures_lock_for_longer(client, member):
    fail(client, member, 5)
    for _round in range(5):  # the 6th to 10th failures, each after the previous lock lifted
        elapse(timedelta(minutes=1, seconds=1))
        fail(client, member, 1)
    elapse(timedelta(minutes=4))
    assert not can_log_in(client, member)  # the 10th failure locked for 5 minutes
    elapse(timedelta(minutes=1, seconds=1))
    assert can_log_in(client, member)
    levels = AuditEvent.objects.filter(type=AuditEvent.Type.ACCOUNT_LOCKED).order_by("at")
    assert [e.data["minutes"] for e in levels] == [1, 5]


def test_failures_are_forgotten_a_day_after_the_last(client, member):
    fail(client, member, 4)
    elapse(timedelta(hours=24, minutes=1))
    fail(client, member, 4)
    assert can_log_in(client, member)


def test_agent_unlock_lifts_the_lock_at_once(client, member):
    fail(client, member, 5)
    agent = User.objects.create_user("agent.lenoir", "agent password 123", kind=User.Kind.AGENT)
    member_unlock(user=member.user, agent=agent)  # the back-office's « Déverrouiller »
    assert can_log_in(client, member)
    assert AuditEvent.objects.filter(
        type=AuditEvent.Type.ACCOUNT_UNLOCKED, subject=member.user
    ).exists()


def test_one_person_locking_their_account_does_not_lock_their_office(client, member):
    colleague = make_member(temporary=None, password=PERSONAL_PASSWORD)
    fail(client, member, 5)
    assert can_log_in(client, colleague)


def test_a_client_trying_many_accounts_is_refused_then_let_in_again(client, settings):
    settings.LOGIN_CLIENT_FAILURE_LIMIT = 8
    victims = [make_member(temporary=None, password=PERSONAL_PASSWORD) for _ in range(3)]
    for victim in victims[:2]:
        fail(client, victim, 4)
    target = victims[2]
    # The 9th attempt from that address is refused, even with the right password...
    assert not can_log_in(client, target)
    refusal = AuditEvent.objects.filter(type=AuditEvent.Type.LOGIN_FAILED).latest("at")
    assert refusal.data == {"reason": "client_blocked"}
    # ...while the same account from another address gets in,
    assert can_log_in(client, target, REMOTE_ADDR="192.0.2.7")
    # and the address is let in again when its failures are an hour old.
    elapse(timedelta(hours=1, minutes=1))
    assert can_log_in(client, target)


def test_unknown_identifiers_lock_like_known_ones(client):
    nir = make_nir(sex=1, year=1970, month=1, department="75", commune="056", order=990)[:13]
    for attempt in range(6):
        assert refused(post_login(client, nir, f"guess number {attempt}"))
    # What axes keeps is the digest, counted like any account's.
    (attempt,) = AccessAttempt.objects.all()
    assert attempt.failures_since_start == 5


def test_axes_keeps_the_digest_and_nothing_typed(client, member):
    fail(client, member, 2)
    spaced = f"{member.identifier[:1]} {member.identifier[1:3]} {member.identifier[3:]}"
    post_login(client, spaced, "yet another wrong one")
    (attempt,) = AccessAttempt.objects.all()
    assert attempt.username == member.user.login
    assert attempt.failures_since_start == 3
    assert attempt.get_data == "" and attempt.post_data == ""
    stored = " ".join(
        str(v)
        for v in AccessAttempt.objects.values_list(
            "username", "user_agent", "path_info", "http_accept", "get_data", "post_data"
        ).get()
    )
    assert member.identifier not in stored and "wrong" not in stored


def test_no_nir_reaches_a_log_line(client, member, caplog):
    caplog.set_level(logging.DEBUG)
    unknown = make_nir(sex=1, year=1970, month=1, department="75", commune="056", order=991)[:13]
    fail(client, member, 6)
    post_login(client, unknown, "a guess")
    post_login(client, member.identifier, PERSONAL_PASSWORD)
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert caplog.records  # axes does log: the point is what it logs
    for nir in (member.identifier, unknown):
        assert nir not in text
        assert nir[:7] not in text
    assert "wrong password" not in text


class CountingHasher:
    """Counts the argon2 computations, whether a hash is checked or made."""

    def __init__(self, monkeypatch):
        self.calls = 0
        for name in ("verify", "encode"):
            original = getattr(Argon2idHasher, name)

            def counted(hasher, *args, _original=original, **kwargs):
                self.calls += 1
                return _original(hasher, *args, **kwargs)

            monkeypatch.setattr(Argon2idHasher, name, counted)

    def during(self, action) -> int:
        before = self.calls
        action()
        return self.calls - before


def test_unknown_identifier_costs_the_same_hashing_as_a_known_one(client, member, monkeypatch):
    unknown = make_nir(sex=1, year=1970, month=1, department="75", commune="056", order=992)[:13]
    new = make_member()  # no personal password yet: only a temporary one
    hasher = CountingHasher(monkeypatch)
    costs = {
        "unknown identifier": hasher.during(lambda: post_login(client, unknown, "some guess here")),
        "wrong password": hasher.during(
            lambda: post_login(client, member.identifier, "some guess here")
        ),
        "wrong temporary-shaped password": hasher.during(
            lambda: post_login(client, new.identifier, "ACDEFGHJKMNP")
        ),
        "account without personal password": hasher.during(
            lambda: post_login(client, new.identifier, "some guess here")
        ),
        "right password": hasher.during(
            lambda: post_login(client, member.identifier, PERSONAL_PASSWORD)
        ),
    }
    assert costs == dict.fromkeys(costs, 1)


def test_a_locked_attempt_costs_no_hashing(client, member, monkeypatch):
    fail(client, member, 5)
    hasher = CountingHasher(monkeypatch)
    assert hasher.during(lambda: post_login(client, member.identifier, PERSONAL_PASSWORD)) == 0


def test_login_form_page_costs_no_hashing(client, monkeypatch):
    hasher = CountingHasher(monkeypatch)
    assert hasher.during(lambda: client.get("/compte/connexion/")) == 0
