"""Temporary passwords as one-time codes stored as keyed digests (docs/product.md §4): what the
database holds, what a code issued as an argon2id hash still does, that a login always costs one
argon2id computation, and that a code opens one session only, even to two logins at the same
instant."""

import hashlib
import hmac
import html
import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.forms import TEMPORARY_PASSWORD_EXPIRED
from accounts.hashers import Argon2idHasher
from accounts.models import TemporaryPassword
from accounts.passwords import (
    DIGEST_PREFIX,
    temporary_password_issue,
    temporary_password_use,
    temporary_passwords_issue,
)
from audit.models import AuditEvent
from identity import make_nir

from .conftest import post_login
from .factories import PERSONAL_PASSWORD, make_member

pytestmark = pytest.mark.django_db

CHOOSE_URL = "/compte/choisir-mon-mot-de-passe/"


@pytest.fixture
def argon2_count(monkeypatch):
    """How many argon2id computations (hashes and verifications) the code under test made."""
    calls = []
    for name in ("encode", "verify"):
        original = getattr(Argon2idHasher, name)

        def counted(self, *args, _original=original, _name=name, **kwargs):
            calls.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(Argon2idHasher, name, counted)
    return calls


def test_the_database_holds_a_keyed_digest_bound_to_the_account(argon2_count):
    member = make_member(temporary=None)
    clear, record = temporary_password_issue(user=member.user, channel="email")

    expected = hmac.new(
        settings.IDENTITY_HMAC_KEY.encode(),
        f"temporary_password\x00{member.user.pk}:{clear}".encode(),
        hashlib.sha256,
    ).hexdigest()
    assert record.password_hash == DIGEST_PREFIX + expected
    assert clear not in record.password_hash
    assert argon2_count == []  # an email or a letter costs no argon2id


def test_a_digest_copied_onto_another_account_does_not_open_it(client):
    insider, victim = make_member(), make_member()
    record = victim.user.temporary_passwords.get()
    record.password_hash = insider.user.temporary_passwords.get().password_hash
    record.save()

    response = post_login(client, victim.identifier, insider.temporary_password)

    assert response.status_code == 200 and SESSION_KEY not in client.session
    assert TemporaryPassword.objects.filter(used_at__isnull=False).count() == 0


def test_issuing_many_codes_takes_two_statements_and_voids_the_previous_ones():
    members = [make_member() for _ in range(3)]
    with CaptureQueriesContext(connection) as queries:
        issued = temporary_passwords_issue(
            users=[m.user.pk for m in members], channel=TemporaryPassword.Channel.POST
        )
    statements = [q["sql"].split()[0] for q in queries if "SAVEPOINT" not in q["sql"]]
    assert statements == ["UPDATE", "INSERT"]
    assert len({clear for clear, _record in issued}) == 3
    for member in members:
        assert [r.channel for r in member.user.temporary_passwords.filter(voided_at=None)] == [
            "post"
        ]


def _legacy_member(**age):
    """An account whose pending code was issued as an argon2id hash, before the digests."""
    member = make_member(temporary=None)
    code = "ACDEFGHJKM34"
    created = timezone.now() - timedelta(**age)
    TemporaryPassword.objects.create(
        user=member.user,
        channel=TemporaryPassword.Channel.POST,
        password_hash=make_password(code),
        created_at=created,
        expires_at=created + timedelta(days=30),
    )
    member.temporary_password = code
    return member


def test_a_code_issued_as_an_argon2id_hash_still_opens_the_account_once(client):
    member = _legacy_member(days=29)

    response = post_login(client, member.identifier, member.temporary_password)

    assert response["Location"] == CHOOSE_URL
    assert member.user.temporary_passwords.get().used_at is not None
    client.logout()
    assert SESSION_KEY not in Client().session
    again = post_login(Client(), member.identifier, member.temporary_password)
    assert again.status_code == 200  # refused: used up


def test_a_code_issued_as_an_argon2id_hash_expires_as_it_did(client):
    member = _legacy_member(days=30, minutes=1)
    response = post_login(client, member.identifier, member.temporary_password)
    assert str(TEMPORARY_PASSWORD_EXPIRED) in html.unescape(response.content.decode())
    assert SESSION_KEY not in client.session


def _locked_by_an_agent():
    member = make_member()
    member.user.is_active = False
    member.user.save()
    return member


# Every way a member's login attempt can go, as (account maker, password typed).
PATHS = {
    "unknown identifier": (lambda: None, lambda m: "ACDEFGHJKM34"),
    "personal password, wrong": (
        lambda: make_member(temporary=None, password=PERSONAL_PASSWORD),
        lambda m: "not the password at all",
    ),
    "personal password, right": (
        lambda: make_member(temporary=None, password=PERSONAL_PASSWORD),
        lambda m: m.password,
    ),
    "temporary code, right": (make_member, lambda m: m.temporary_password),
    "temporary code, wrong": (make_member, lambda m: "ACDEFGHJKMNP"),
    "temporary code, used already": (
        lambda: _used(make_member()),
        lambda m: m.temporary_password,
    ),
    "temporary code, expired": (lambda: _expired(make_member()), lambda m: m.temporary_password),
    "argon2id code, right": (lambda: _legacy_member(days=1), lambda m: m.temporary_password),
    "argon2id code, wrong": (lambda: _legacy_member(days=1), lambda m: "ACDEFGHJKMNP"),
    "argon2id code, expired": (
        lambda: _legacy_member(days=31),
        lambda m: m.temporary_password,
    ),
    "account made inactive by an agent, right code": (
        _locked_by_an_agent,
        lambda m: m.temporary_password,
    ),
}


def _used(member):
    member.user.temporary_passwords.update(used_at=timezone.now())
    return member


def _expired(member):
    member.user.temporary_passwords.update(expires_at=timezone.now() - timedelta(minutes=1))
    return member


@pytest.mark.parametrize("path", PATHS)
def test_every_login_attempt_costs_exactly_one_argon2id_computation(client, argon2_count, path):
    make, typed = PATHS[path]
    member = make()
    if member is None:
        nir = make_nir(sex=1, year=1970, month=3, department="977", commune="01", order=777)
        identifier, password = nir[:13], typed(None)
    else:
        identifier, password = member.identifier, typed(member)
    argon2_count.clear()

    response = post_login(client, identifier, password)

    assert response.status_code in (200, 302)
    assert len(argon2_count) == 1, argon2_count


def test_the_right_code_logs_in_and_is_recorded_as_used(client, argon2_count):
    member = make_member()
    argon2_count.clear()

    assert post_login(client, member.identifier, member.temporary_password)["Location"] == (
        CHOOSE_URL
    )

    record = member.user.temporary_passwords.get()
    assert record.used_at is not None
    assert argon2_count == ["encode"]  # the dummy computation of the code's path


def test_an_inactive_accounts_code_is_kept_for_when_an_agent_reactivates_it(client):
    member = _locked_by_an_agent()
    assert post_login(client, member.identifier, member.temporary_password).status_code == 200
    assert member.user.temporary_passwords.get().used_at is None

    member.user.is_active = True
    member.user.save()
    assert post_login(client, member.identifier, member.temporary_password)["Location"] == (
        CHOOSE_URL
    )


def test_a_code_voided_between_lookup_and_use_is_refused(monkeypatch):
    """The use is conditional: a code voided by a new one after it was read is not used."""
    member = make_member()
    record = member.user.temporary_passwords.get()
    original = TemporaryPassword.objects.filter

    def voided_meanwhile(*args, **kwargs):
        if "expires_at__gt" in kwargs:  # the use: a new code voided this one just before
            original(pk=record.pk).update(voided_at=timezone.now())
        return original(*args, **kwargs)

    monkeypatch.setattr(TemporaryPassword.objects, "filter", voided_meanwhile)
    attempt = temporary_password_use(user=member.user, code=member.temporary_password)
    monkeypatch.undo()
    assert attempt.spent and attempt.temporary_password is None
    record.refresh_from_db()
    assert record.used_at is None


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent transactions are tested on PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_two_logins_with_the_same_code_at_the_same_instant_open_one_session(round_):
    member = make_member()
    start = threading.Barrier(2)
    results = []

    def login():
        client = Client()
        start.wait()
        try:
            response = post_login(client, member.identifier, member.temporary_password)
            results.append((response.status_code, SESSION_KEY in client.session))
        finally:
            connection.close()

    threads = [threading.Thread(target=login) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [(200, False), (302, True)]
    assert AuditEvent.objects.filter(type=AuditEvent.Type.LOGIN_SUCCEEDED).count() == 1
    assert member.user.temporary_passwords.get().used_at is not None
