"""The legal pages: real text, the fund's configured details, the CGU version, both languages."""

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from accounts.device_cookies import device_cookie_names
from core.cookies import cookie_names

pytestmark = pytest.mark.django_db

PAGES = ["cgu", "mentions_legales", "accessibilite", "donnees_personnelles", "contact"]


@pytest.fixture
def other_fund(settings):
    settings.FUND = {
        **settings.FUND,
        "name": "CGSS Test",
        "long_name": "Caisse Générale de Test",
        "address_lines": ["12 rue des Essais", "BP 42", "97100 BASSE-TERRE"],
        "phone": "0590 11 22 33",
        "email": "accueil@caisse-test.example",
        "dpo_email": "dpo@caisse-test.example",
    }
    return settings.FUND


def text_of(response) -> str:
    """The visible text of a page, tags removed and whitespace collapsed."""
    html = response.content.decode()
    text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", unescape(text).replace("\xa0", " "))


def main_text_of(response) -> str:
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    return client


@pytest.mark.parametrize("name", PAGES)
def test_each_page_is_a_real_text_in_both_languages(client, name):
    french = main_text_of(client.get(reverse(f"core:{name}")))
    english_text = main_text_of(english(client).get(reverse(f"core:{name}")))
    # The placeholders were one line; each page now says what it must (at least a screenful).
    assert len(french.split()) > 150
    assert len(english_text.split()) > 150
    assert french != english_text


def test_cgu_show_the_configured_version_and_its_date(client, settings):
    settings.CGU_VERSION = "2031-04"
    settings.CGU_DATE = date(2031, 4, 2)
    page = text_of(client.get(reverse("core:cgu")))
    assert "Version 2031-04, en vigueur depuis le 2 avril 2031" in page
    page = text_of(english(client).get(reverse("core:cgu")))
    assert "Version 2031-04, in force since 2 April 2031" in page


def test_cgu_say_a_new_version_is_accepted_at_the_next_login(client):
    page = text_of(client.get(reverse("core:cgu")))
    assert "elle vous est présentée à votre connexion suivante" in page
    assert "72 heures" in page and "30 jours" in page


@pytest.mark.parametrize("language", ["fr", "en"])
def test_legal_notice_names_the_configured_fund_as_publisher(client, other_fund, language):
    if language == "en":
        english(client)
    page = text_of(client.get(reverse("core:mentions_legales")))
    assert "Caisse Générale de Test" in page
    assert "12 rue des Essais BP 42 97100 BASSE-TERRE" in page
    assert "accueil@caisse-test.example" in page
    assert "CPS Saint-Barthélemy" not in page.split("Mon espace privé", 1)[1]


def test_legal_notice_names_the_host_when_configured(client, settings):
    page = text_of(client.get(reverse("core:mentions_legales")))
    assert "indiqué par la caisse sur simple demande" in page
    settings.HOSTING = {
        "name": "Hébergeur Exemple SAS",
        "address_lines": ["1 quai des Serveurs", "75001 PARIS"],
        "phone": "01 23 45 67 89",
    }
    page = text_of(client.get(reverse("core:mentions_legales")))
    host = "Hébergeur Exemple SAS 1 quai des Serveurs 75001 PARIS Téléphone : 01 23 45 67 89"
    assert host in page
    assert "sur simple demande" not in page


@pytest.mark.parametrize("language", ["fr", "en"])
def test_personal_data_page_gives_the_dpo_address_and_the_cnil(client, other_fund, language):
    if language == "en":
        english(client)
    response = client.get(reverse("core:donnees_personnelles"))
    assert 'href="mailto:dpo@caisse-test.example"' in response.content.decode()
    page = text_of(response)
    assert "Caisse Générale de Test" in page
    assert "3 place de Fontenoy" in page


def test_dpo_address_defaults_to_the_fund_address(client):
    assert django_settings.FUND["dpo_email"] == django_settings.FUND["email"]


def test_personal_data_page_lists_the_cookies_actually_set(client, settings):
    response = client.get(reverse("core:donnees_personnelles"))
    page = text_of(response)
    for name in (
        settings.SESSION_COOKIE_NAME,
        settings.CSRF_COOKIE_NAME,
        settings.LANGUAGE_COOKIE_NAME,
    ):
        assert name in page
    # And those the apps register (core/cookies.py): each has its row on the page.
    assert set(cookie_names()) == {"session", "csrf", "language", "device"}
    for name in cookie_names().values():
        assert name in page
    # What the page says of their lifetimes is what the settings do.
    assert "30 minutes sans activité et 12 heures au plus" in page
    assert timedelta(seconds=settings.SESSION_IDLE_TIMEOUT) == timedelta(minutes=30)
    assert timedelta(seconds=settings.SESSION_COOKIE_AGE) == timedelta(hours=12)
    assert "Un an." in page
    assert timedelta(days=360) < timedelta(seconds=settings.CSRF_COOKIE_AGE) < timedelta(days=370)
    assert "Jusqu'à la fermeture du navigateur." in page
    assert settings.LANGUAGE_COOKIE_AGE is None


@pytest.mark.parametrize("secure", [False, True])
def test_personal_data_page_names_the_device_cookies_as_accounts_sets_them(
    client, settings, secure
):
    settings.SESSION_COOKIE_SECURE = secure
    page = text_of(client.get(reverse("core:donnees_personnelles")))
    assert device_cookie_names() == ("__Host-appareil-…" if secure else "appareil-…")
    assert device_cookie_names() in page
    assert ("__Host-appareil-" in page) is secure


def test_a_visit_sets_no_cookie_beyond_those_the_page_lists(client):
    client.get("/")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    client.get(reverse("core:contact"))
    assert set(client.cookies) <= {
        django_settings.SESSION_COOKIE_NAME,
        django_settings.CSRF_COOKIE_NAME,
        django_settings.LANGUAGE_COOKIE_NAME,
    }


@pytest.mark.parametrize("language", ["fr", "en"])
def test_contact_page_gives_phone_hours_email_and_address(client, other_fund, language):
    if language == "en":
        english(client)
    response = client.get(reverse("core:contact"))
    html = response.content.decode()
    page = text_of(response)
    assert 'href="tel:+590-590-11-22-33"' in html
    assert 'href="mailto:accueil@caisse-test.example"' in html
    assert "12 rue des Essais BP 42 97100 BASSE-TERRE" in page
    if language == "fr":
        assert "0590 11 22 33" in page
        assert "Du lundi au vendredi, de 7 h 30 à 12 h et de 13 h 30 à 15 h 30" in page
    else:
        assert "+590 590 11 22 33" in page


def test_accessibility_statement_matches_the_footer_and_says_how_it_was_tested(client):
    response = client.get(reverse("core:accessibilite"))
    page = text_of(response)
    # The RGAA allows « non conforme » only until an audit gives a rate; the footer must agree.
    assert "Mon espace privé est non conforme" in page
    assert "Accessibilité : non conforme" in text_of(client.get("/"))
    tested_by = [
        "axe-core",
        "clavier seul",
        "JavaScript désactivé",
        "320 pixels",
        "lecteur d'écran",
    ]
    assert all(how in page for how in tested_by)
    assert "Défenseur des droits" in page
    assert "Libre réponse 71120" in page
    assert "établie le 27 novembre 2026" in page


def test_english_statement_matches_the_english_footer(client):
    english(client)
    assert "Mon espace privé is not compliant" in text_of(client.get(reverse("core:accessibilite")))
