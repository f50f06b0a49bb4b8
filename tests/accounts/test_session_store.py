"""The session store's shortcut (accounts.session_store): Django's own store must read what it
writes, on the Django version it was checked with."""

from datetime import timedelta

import django
import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import CreateError
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.session_store import SessionStore

from .conftest import post_login
from .factories import PERSONAL_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)  # autocommit, as in production


def test_django_is_the_version_the_session_store_was_checked_with():
    # accounts.session_store relies on Django's store internals. On a new Django version,
    # check the tests below still hold, then move this pin.
    assert django.VERSION[:2] == (5, 2)


def test_django_s_own_store_reads_what_the_shortcut_writes():
    store = SessionStore()
    store["answer"] = 42
    store.create()
    assert DjangoStore(store.session_key).load() == {"answer": 42}
    row = Session.objects.get(session_key=store.session_key)
    expected = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs(row.expire_date - expected) < timedelta(seconds=5)


def test_a_colliding_key_is_refused_as_django_refuses_it():
    first = SessionStore()
    first.create()
    again = SessionStore(first.session_key)
    again["other"] = True
    with pytest.raises(CreateError):
        again.save(must_create=True)
    assert DjangoStore(first.session_key).load() == {}


def test_a_login_gets_a_new_key_even_over_a_planted_one(client, member, settings):
    planted = SessionStore()
    planted.create()
    client.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    post_login(client, member.identifier, PERSONAL_PASSWORD)
    assert SESSION_KEY in client.session
    assert client.session.session_key != planted.session_key
