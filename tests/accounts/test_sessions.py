"""Sessions (docs/product.md §4, OWASP ASVS 3): a new key at login, idle and absolute timeouts,
logout, and ending the other sessions."""

import html

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from accounts.passwords import temporary_password_issue
from accounts.sessions import LAST_SEEN, LOGIN_AT
from audit.models import AuditEvent

from .conftest import post_login
from .factories import PERSONAL_PASSWORD

pytestmark = pytest.mark.django_db

SPACE_URL = "/mon-espace/"
NEW_PASSWORD = "trois tortues sur la plage"


def log_in(client, member, user_agent="Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Firefox/128.0"):
    response = post_login(client, member.identifier, PERSONAL_PASSWORD, HTTP_USER_AGENT=user_agent)
    assert response["Location"] == SPACE_URL
    return client


def shift(client, **seconds_back):
    """Move the session's clocks back: LOGIN_AT and/or LAST_SEEN by so many seconds."""
    session = client.session
    for key, seconds in seconds_back.items():
        stamp = {"login_at": LOGIN_AT, "last_seen": LAST_SEEN}[key]
        session[stamp] -= seconds
    session.save()


def test_login_gives_a_new_session_key(client, member):
    session = client.session  # an anonymous session, as an attacker could plant
    session["planted"] = True
    session.save()
    before = session.session_key
    log_in(client, member)
    assert client.session.session_key != before
    assert client.session[SESSION_KEY] == str(member.user.pk)


def test_session_cookie_is_secure_httponly_and_samesite(client, member, settings):
    # What production ships (the test settings turn Secure off for plain-http test clients).
    from config.settings import base

    settings.SESSION_COOKIE_SECURE = base.SESSION_COOKIE_SECURE
    settings.SESSION_COOKIE_SAMESITE = base.SESSION_COOKIE_SAMESITE
    response = post_login(client, member.identifier, PERSONAL_PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] and cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_idle_session_ends_after_30_minutes(client, member):
    log_in(client, member)
    shift(client, last_seen=29 * 60)
    assert client.get(SPACE_URL).status_code == 200  # activity moves the clock on
    shift(client, last_seen=29 * 60)
    assert client.get(SPACE_URL).status_code == 200
    shift(client, last_seen=30 * 60 + 1)
    response = client.get(SPACE_URL, follow=True)
    assert response.redirect_chain[0][0] == "/compte/connexion/?next=/mon-espace/"
    assert "après 30 minutes sans activité" in html.unescape(response.content.decode())
    assert SESSION_KEY not in client.session


def test_session_ends_12_hours_after_login_even_when_active(client, member):
    log_in(client, member)
    shift(client, login_at=12 * 3600 - 60)
    assert client.get(SPACE_URL).status_code == 200
    shift(client, login_at=61)
    response = client.get(SPACE_URL, follow=True)
    assert response.redirect_chain[0][0] == "/compte/connexion/?next=/mon-espace/"
    assert "une session dure au plus 12 heures" in html.unescape(response.content.decode())


def test_logout_is_a_post(client, member):
    log_in(client, member)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.get(SPACE_URL).status_code == 200
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == "/"
    assert client.get(SPACE_URL)["Location"].startswith("/compte/connexion/")
    assert AuditEvent.objects.filter(type=AuditEvent.Type.LOGOUT, subject=member.user).exists()


def test_old_session_cookie_is_dead_after_logout(client, member):
    log_in(client, member)
    stolen = client.cookies["sessionid"].value
    client.post(reverse("accounts:logout"))
    thief = Client()
    thief.cookies["sessionid"] = stolen
    assert thief.get(SPACE_URL).status_code == 302


def test_password_change_may_end_the_other_sessions(client, member):
    phone = log_in(
        Client(), member, user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Safari/604.1"
    )
    log_in(client, member)
    response = client.post(
        reverse("portal:password_change"),
        {
            "current_password": PERSONAL_PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_confirm": NEW_PASSWORD,
            "end_other_sessions": "on",
        },
    )
    assert response["Location"] == SPACE_URL
    assert client.get(SPACE_URL).status_code == 200  # this session stays
    assert phone.get(SPACE_URL).status_code == 302  # the other one is over
    assert AuditEvent.objects.filter(
        type=AuditEvent.Type.SESSIONS_ENDED, subject=member.user
    ).exists()


def test_password_change_may_keep_the_other_sessions(client, member):
    phone = log_in(Client(), member)
    log_in(client, member)
    response = client.post(
        reverse("portal:password_change"),
        {
            "current_password": PERSONAL_PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_confirm": NEW_PASSWORD,
        },
    )
    assert response["Location"] == SPACE_URL
    assert client.get(SPACE_URL).status_code == 200
    assert phone.get(SPACE_URL).status_code == 200
    assert not AuditEvent.objects.filter(type=AuditEvent.Type.SESSIONS_ENDED).exists()
    # Both use the new password from now on.
    client.post(reverse("accounts:logout"))
    assert post_login(client, member.identifier, NEW_PASSWORD)["Location"] == SPACE_URL


def test_end_my_other_sessions_from_the_login_history(client, member):
    others = [log_in(Client(), member) for _ in range(2)]
    log_in(client, member)
    page = client.get(reverse("portal:logins")).content.decode()
    assert "Fermer mes autres sessions" in page
    response = client.post(reverse("portal:sessions_end"))
    assert response["Location"] == reverse("portal:logins")
    assert [other.get(SPACE_URL).status_code for other in others] == [302, 302]
    assert client.get(SPACE_URL).status_code == 200


def test_login_history_shows_the_last_ten_with_their_device(client, member):
    for _ in range(11):
        log_in(
            Client(),
            member,
            user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0 Safari/537.36",
        )
    log_in(
        client,
        member,
        user_agent="Mozilla/5.0 (Linux; Android 14; Pixel 8) Chrome/126.0 Mobile Safari/537.36",
    )
    page = html.unescape(client.get(reverse("portal:logins")).content.decode())
    assert page.count("<tr>") == 1 + 10  # header and ten logins
    assert "Chrome sur Android" in page and "(cette session)" in page
    assert page.count("Chrome sur Windows") == 9
    assert "Ce n'était pas moi ?" in page


def test_logging_in_with_a_temporary_password_ends_the_other_sessions(client, member):
    # Someone else had the password and is logged in; the owner asks for a new one.
    intruder = log_in(Client(), member)
    clear, _record = temporary_password_issue(user=member.user, channel="email")
    assert (
        post_login(client, member.identifier, clear)["Location"]
        == "/compte/choisir-mon-mot-de-passe/"
    )
    assert intruder.get(SPACE_URL).status_code == 302


def test_an_upgraded_hash_keeps_the_sessions(client, member, monkeypatch):
    other = log_in(Client(), member)
    monkeypatch.setattr("accounts.hashers.Argon2idHasher.time_cost", 3)  # parameters raised
    log_in(client, member)  # the hash is upgraded at this login
    member.user.refresh_from_db()
    assert "t=3" in member.user.password
    assert other.get(SPACE_URL).status_code == 200
    assert client.get(SPACE_URL).status_code == 200


def test_a_new_password_voids_a_temporary_one_still_in_the_post(client, member):
    clear, _record = temporary_password_issue(user=member.user, channel="post")
    log_in(client, member)
    client.post(
        reverse("portal:password_change"),
        {
            "current_password": PERSONAL_PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_confirm": NEW_PASSWORD,
        },
    )
    # Whoever finds the letter later cannot log in with it.
    stranger = Client()
    response = stranger.post(
        reverse("accounts:login"), {"identifier": member.identifier, "password": clear}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in stranger.session


def test_a_malformed_session_cookie_is_a_visitor_without_a_session(client, settings):
    """A NUL byte (PostgreSQL refuses it in text) or any character no key has: no 500 on any
    page, the cookie is taken for no session at all."""
    name = settings.SESSION_COOKIE_NAME
    for cookie in (f'{name}="abcdefgh\\000ijklmnop"', f"{name}=abcdefgh%00ijklmnop"):
        for path in ("/", reverse("accounts:login"), "/mon-espace/"):
            response = client.get(path, HTTP_COOKIE=cookie)
            assert response.status_code in (200, 302), (cookie, path)
