"""Brute force (OWASP ASVS 2.2, « device cookies »): a stranger's guesses lock the account's
unknown browsers out, never the owner's own devices nor a temporary password; clients are
limited by network; unknown identifiers cost the same; nothing typed is kept."""

import logging
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from accounts.hashers import Argon2idHasher
from accounts.lockout import lock_delay
from accounts.models import LoginCounter, User
from accounts.passwords import temporary_password_issue
from audit.models import AuditEvent
from backoffice.services import member_unlock
from core.clients import client_network
from core.retention import retention_purge
from delivery.models import EmailDelivery
from identity import make_nir

from .conftest import post_login
from .factories import PERSONAL_PASSWORD, make_member
from .test_login import refused

pytestmark = pytest.mark.django_db

SPACE_URL = "/mon-espace/"
CHOOSE_URL = "/compte/choisir-mon-mot-de-passe/"
STRANGER = "198.51.100.66"


def fail(client, member, times: int, **extra) -> None:
    for attempt in range(times):
        response = post_login(client, member.identifier, f"wrong password {attempt}", **extra)
        assert refused(response)


def elapse(by: timedelta) -> None:
    """Move every failure counter back in time, as if `by` had passed."""
    for counter in LoginCounter.objects.all():
        counter.first_failure_at -= by
        counter.last_failure_at -= by
        if counter.locked_until:
            counter.locked_until -= by
        counter.save()


def can_log_in(client, member, password=PERSONAL_PASSWORD, **extra) -> bool:
    response = post_login(client, member.identifier, password, **extra)
    ok = response.status_code == 302 and response["Location"] in (SPACE_URL, CHOOSE_URL)
    if ok:
        client.post("/compte/deconnexion/")  # keeps the browser's other cookies
    return ok


def owners_browser(member) -> Client:
    """A browser that logged in to the account once: it holds the account's device cookie."""
    browser = Client(REMOTE_ADDR="192.0.2.10")
    assert can_log_in(browser, member)
    assert any(name.startswith("appareil-") for name in browser.cookies)
    return browser


@pytest.mark.parametrize(
    ("failures", "minutes"),
    [(4, None), (5, 1), (9, None), (10, 5), (14, None), (15, 15), (20, 60), (200, 60)],
)
def test_each_round_of_five_failures_locks_for_longer(failures, minutes):
    expected = timedelta(minutes=minutes) if minutes else None
    assert lock_delay(failures) == expected


def test_four_failures_do_not_lock_and_a_success_resets_the_count(client, member):
    fail(client, member, 4)
    assert can_log_in(client, member)
    fail(client, member, 4)
    assert can_log_in(client, member)


def test_five_failures_lock_unknown_browsers_out_whatever_the_password(client, member):
    fail(client, member, 5)
    response = post_login(client, member.identifier, PERSONAL_PASSWORD)
    # The right password now gets exactly the wrong password's answer.
    assert refused(response)
    assert SESSION_KEY not in client.session
    locked = AuditEvent.objects.get(type=AuditEvent.Type.ACCOUNT_LOCKED)
    assert locked.subject == member.user
    assert locked.data == {"failures": 5, "minutes": 1, "browsers": "unknown"}
    refusal = AuditEvent.objects.filter(type=AuditEvent.Type.LOGIN_FAILED).latest("at")
    assert refusal.data == {"reason": "locked"}


def test_a_stranger_s_lock_never_stops_the_owner_s_known_device(member):
    owner = owners_browser(member)
    stranger = Client(REMOTE_ADDR=STRANGER)
    fail(stranger, member, 25)  # every lock level, from another browser
    assert not can_log_in(stranger, member)
    assert can_log_in(owner, member)
    # And the owner's success does not lift the stranger's lock.
    assert not can_log_in(stranger, member)


def test_a_device_s_own_failures_lock_that_device_only(member):
    owner = owners_browser(member)
    fail(owner, member, 5)
    assert not can_log_in(owner, member)
    assert can_log_in(Client(REMOTE_ADDR="192.0.2.11"), member)  # an unknown browser
    events = AuditEvent.objects.filter(type=AuditEvent.Type.ACCOUNT_LOCKED)
    assert [e.data["browsers"] for e in events] == ["device"]
    # A known device's lock tells nobody: its owner is at it.
    assert not EmailDelivery.objects.filter(kind=EmailDelivery.Kind.ACCOUNT_LOCKED).exists()


def test_a_device_cookie_proves_nothing_for_another_account_nor_when_forged(member):
    owner = owners_browser(member)
    other = make_member(temporary=None, password=PERSONAL_PASSWORD)
    (name,) = [n for n in owner.cookies if n.startswith("appareil-")]
    stranger = Client(REMOTE_ADDR=STRANGER)
    fail(stranger, other, 5)
    # The member's device cookie, carried to the other account: an unknown browser there.
    stranger.cookies[name] = owner.cookies[name].value
    assert not can_log_in(stranger, other)
    # A forged cookie for the member's account is an unknown browser too.
    fail(Client(REMOTE_ADDR=STRANGER), member, 5)
    forged = Client(REMOTE_ADDR=STRANGER)
    forged.cookies[name] = owner.cookies[name].value[:-3] + "abc"
    assert not can_log_in(forged, member)
    assert can_log_in(owner, member)


def test_a_copied_device_cookie_stops_being_the_owner_s_at_their_next_login(member):
    owner = owners_browser(member)
    (name,) = [n for n in owner.cookies if n.startswith("appareil-")]
    copy = Client(REMOTE_ADDR=STRANGER)
    copy.cookies[name] = owner.cookies[name].value
    assert can_log_in(owner, member)  # a new device id for the owner's browser
    fail(Client(REMOTE_ADDR=STRANGER), member, 5)  # unknown browsers locked out
    assert not can_log_in(copy, member)  # the copy is one of them now
    assert can_log_in(owner, member)


def test_a_valid_temporary_password_opens_a_locked_account_and_clears_its_locks(member):
    owner = owners_browser(member)
    fail(owner, member, 5)  # the owner's device locked
    stranger = Client(REMOTE_ADDR=STRANGER)
    fail(stranger, member, 20)  # and every unknown browser, for an hour
    clear, _record = temporary_password_issue(user=member.user, channel="post")  # a letter
    assert post_login(stranger, member.identifier, "ACDEFGHJKMNP").status_code == 200
    assert can_log_in(Client(REMOTE_ADDR="192.0.2.12"), member, password=clear)
    doors = LoginCounter.objects.exclude(scope=LoginCounter.Scope.CLIENT)
    assert {(c.failures, c.locked_until) for c in doors} == {(0, None)}
    post_login(stranger, member.identifier, "one more guess")
    refusal = AuditEvent.objects.filter(type=AuditEvent.Type.LOGIN_FAILED).latest("at")
    assert refusal.data == {"reason": "wrong_password"}  # checked again: no lock left


def test_a_locked_account_does_not_check_a_personal_password_shaped_like_a_temporary_one(
    client,
):
    # Only a pending temporary password is checked then: a guess of that shape must not
    # reach the personal password and bypass the lock.
    shaped = "ACDEFGHJKMNP"
    member = make_member(temporary=None, password=shaped)
    fail(client, member, 5)
    assert not can_log_in(client, member, password=shaped)


def test_the_owner_is_told_once_when_unknown_browsers_get_locked_out(client, member):
    fail(client, member, 5)
    elapse(timedelta(minutes=2))
    fail(client, member, 5)
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
    counter = LoginCounter.objects.get(scope=LoginCounter.Scope.UNKNOWN_BROWSERS)
    assert counter.failures == 5
    elapse(timedelta(seconds=31))
    assert can_log_in(client, member)


def test_one_wrong_try_an_hour_does_not_keep_the_account_locked(client, member):
    fail(client, member, 5)
    for _hour in range(3):
        elapse(timedelta(hours=1, seconds=1))
        fail(client, member, 1)
    elapse(timedelta(minutes=1, seconds=1))
    assert can_log_in(client, member)


def test_further_rounds_lock_for_longer(client, member):
    fail(client, member, 5)
    elapse(timedelta(minutes=1, seconds=1))
    fail(client, member, 5)  # the 10th failure locks for 5 minutes
    elapse(timedelta(minutes=4))
    assert not can_log_in(client, member)
    elapse(timedelta(minutes=1, seconds=1))
    assert can_log_in(client, member)
    levels = AuditEvent.objects.filter(type=AuditEvent.Type.ACCOUNT_LOCKED).order_by("at")
    assert [e.data["minutes"] for e in levels] == [1, 5]


def test_failures_are_forgotten_a_day_after_the_last_and_purged(client, member):
    fail(client, member, 4)
    elapse(timedelta(hours=24, minutes=1))
    fail(client, member, 4)
    assert can_log_in(client, member)


def test_purge_keeps_a_counter_that_still_counts_and_known_devices_a_year(client, member):
    owners_browser(member)  # a known device: its counter, and those of its first login
    fail(client, member, 3)
    retention_purge()
    assert LoginCounter.objects.filter(scope=LoginCounter.Scope.UNKNOWN_BROWSERS).exists()
    elapse(timedelta(hours=24, minutes=1))
    # The account's unknown browsers' counter and the two clients'.
    assert retention_purge()["login_failures"] == 3
    assert list(LoginCounter.objects.values_list("scope", flat=True)) == ["device"]
    elapse(timedelta(days=365))
    assert retention_purge()["login_failures"] == 1
    assert not LoginCounter.objects.exists()


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


def test_an_ipv6_client_cannot_escape_its_limit_by_changing_address_in_its_64(settings):
    settings.LOGIN_CLIENT_FAILURE_LIMIT = 4
    victims = [make_member(temporary=None, password=PERSONAL_PASSWORD) for _ in range(4)]
    for n, victim in enumerate(victims[:3]):
        fail(Client(REMOTE_ADDR=f"2001:db8:1:2::{n + 1}"), victim, 1)
    fail(Client(REMOTE_ADDR="2001:db8:1:2:ffff::9"), victims[3], 1)
    # The whole /64 has used its four failures; another /64 has not.
    assert not can_log_in(Client(REMOTE_ADDR="2001:db8:1:2:abcd::1"), victims[3])
    assert can_log_in(Client(REMOTE_ADDR="2001:db8:1:3::1"), victims[3])


def test_client_networks(rf):
    def network(address):
        return client_network(rf.get("/", REMOTE_ADDR=address))

    assert network("2001:db8:1:2:3:4:5:6") == "2001:db8:1:2::/64"
    assert network("203.0.113.9") == "203.0.113.9"
    assert network("::ffff:203.0.113.9") == "203.0.113.9"
    assert network("not an address") == ""


def test_unknown_identifiers_lock_like_known_ones(client):
    nir = make_nir(sex=1, year=1970, month=1, department="75", commune="056", order=990)[:13]
    for attempt in range(6):
        assert refused(post_login(client, nir, f"guess number {attempt}"))
    counter = LoginCounter.objects.get(scope=LoginCounter.Scope.UNKNOWN_BROWSERS)
    assert counter.failures == 5 and counter.locked_until is not None


def test_the_counters_keep_the_digest_and_nothing_typed(client, member):
    fail(client, member, 2)
    spaced = f"{member.identifier[:1]} {member.identifier[1:3]} {member.identifier[3:]}"
    post_login(client, spaced, "yet another wrong one")
    counter = LoginCounter.objects.get(scope=LoginCounter.Scope.UNKNOWN_BROWSERS)
    assert counter.key == member.user.login
    assert counter.failures == 3
    stored = " ".join(str(v) for row in LoginCounter.objects.values_list() for v in row)
    assert member.identifier not in stored and "wrong" not in stored


def test_no_nir_reaches_a_log_line(client, member, caplog, settings):
    settings.LOGIN_CLIENT_FAILURE_LIMIT = 7
    caplog.set_level(logging.DEBUG)
    unknown = make_nir(sex=1, year=1970, month=1, department="75", commune="056", order=991)[:13]
    fail(client, member, 6)
    post_login(client, unknown, "a guess")
    post_login(client, member.identifier, PERSONAL_PASSWORD)
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "reached the limit" in text  # the client's limit is logged: the point is how
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


def test_every_path_costs_one_hash_locked_or_not(client, member, monkeypatch):
    unknown = make_nir(sex=1, year=1970, month=1, department="75", commune="056", order=992)[:13]
    new = make_member()  # no personal password yet: only a temporary one
    locked = make_member(temporary=None, password=PERSONAL_PASSWORD)
    fail(Client(REMOTE_ADDR=STRANGER), locked, 5)
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
        "locked account": hasher.during(
            lambda: post_login(client, locked.identifier, PERSONAL_PASSWORD)
        ),
        "right password": hasher.during(
            lambda: post_login(client, member.identifier, PERSONAL_PASSWORD)
        ),
    }
    assert costs == dict.fromkeys(costs, 1)


def test_a_blocked_client_costs_no_hashing(client, member, monkeypatch, settings):
    settings.LOGIN_CLIENT_FAILURE_LIMIT = 3
    fail(client, member, 3)
    hasher = CountingHasher(monkeypatch)
    assert hasher.during(lambda: post_login(client, member.identifier, PERSONAL_PASSWORD)) == 0


def test_login_form_page_costs_no_hashing(client, monkeypatch):
    hasher = CountingHasher(monkeypatch)
    assert hasher.during(lambda: client.get("/compte/connexion/")) == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_guesses_cannot_pass_one_lock_window(member, monkeypatch):
    """Guesses sent at the same instant: no more than the limit reach the password check."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions are tested on PostgreSQL (CI)")
    real_verify = Argon2idHasher.verify

    def slow_verify(hasher, password, encoded):
        threading.Event().wait(0.2)  # every guess is in flight while the others arrive
        return real_verify(hasher, password, encoded)

    monkeypatch.setattr(Argon2idHasher, "verify", slow_verify)
    guesses = 12
    start, errors = threading.Barrier(guesses), []

    def guess(n):
        try:
            browser = Client(REMOTE_ADDR=f"198.51.100.{n + 1}")
            start.wait(10)
            assert refused(post_login(browser, member.identifier, f"guess number {n}"))
        except Exception as error:  # recorded, for the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(guesses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    reasons = list(
        AuditEvent.objects.filter(type=AuditEvent.Type.LOGIN_FAILED).values_list(
            "data__reason", flat=True
        )
    )
    assert sorted(reasons) == ["locked"] * 7 + ["wrong_password"] * 5
