"""The blank login page (accounts.blank_page): the shortcut must give Django's own page."""

import re

import django
import pytest
from django.shortcuts import render
from django.test import Client

from accounts.forms import LoginForm
from accounts.views import BLANK_LOGIN_PAGE, _login_context

from .factories import PERSONAL_PASSWORD

pytestmark = pytest.mark.django_db

_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def test_django_is_the_version_the_blank_page_was_checked_with():
    # accounts.blank_page relies on how {% csrf_token %} writes the token. On a new Django
    # version, check the tests below still hold, then move this pin.
    assert django.VERSION[:2] == (5, 2)


def test_the_blank_page_is_django_s_own_rendering_but_for_the_token(rf):
    request = rf.get("/compte/connexion/")
    shortcut = BLANK_LOGIN_PAGE.response(request).content.decode()
    own = render(request, "accounts/login.html", _login_context(request, LoginForm(request)))
    assert _TOKEN.search(shortcut) and _TOKEN.search(own.content.decode())
    assert _TOKEN.sub("TOKEN", shortcut) == _TOKEN.sub("TOKEN", own.content.decode())
    assert "csrftokenplaceholder" not in shortcut


def test_the_token_of_the_blank_page_is_the_visitor_s_own(member):
    browser = Client(enforce_csrf_checks=True)
    token = _TOKEN.search(browser.get("/compte/connexion/").content.decode()).group(1)
    response = browser.post(
        "/compte/connexion/",
        {
            "csrfmiddlewaretoken": token,
            "identifier": member.identifier,
            "password": PERSONAL_PASSWORD,
        },
    )
    assert response.status_code == 302
    # Another visitor's token is refused: each page carries its visitor's.
    other = Client(enforce_csrf_checks=True)
    other.get("/compte/connexion/")
    refused = other.post(
        "/compte/connexion/",
        {
            "csrfmiddlewaretoken": token,
            "identifier": member.identifier,
            "password": PERSONAL_PASSWORD,
        },
    )
    assert refused.status_code == 403
