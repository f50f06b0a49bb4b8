"""The public pages: what a visitor sees before registering or logging in."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_offers_to_register_and_to_log_in(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "S&#x27;inscrire" in html or "S'inscrire" in html
    assert reverse("signup:start") in html
    assert reverse("accounts:login") in html
    assert "CPS Saint-Barthélemy" in html


@pytest.mark.parametrize(
    "name", ["cgu", "mentions_legales", "accessibilite", "donnees_personnelles", "contact"]
)
def test_legal_pages_are_linked_from_every_page_and_answer(client, name):
    url = reverse(f"core:{name}")
    assert url in client.get("/").content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert b"<h1>" in response.content


def test_pages_forbid_framing_and_outside_resources(client):
    response = client.get("/")
    assert response.headers["X-Frame-Options"] == "DENY"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp


def test_theme_carries_the_configured_colours(client, settings):
    settings.FUND = {**settings.FUND, "colour_primary": "#123456"}
    response = client.get(reverse("core:theme_css"))
    assert "--colour-primary: #123456;" in response.content.decode()


def test_language_switch_keeps_the_page_and_translates(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/cgu/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/cgu/"
    page = client.get("/cgu/").content.decode()
    assert '<html lang="en">' in page
    assert "Terms of use" in page
