"""« Choisir mon mot de passe »: the only page after a temporary password, and every rule."""

import html
from datetime import date

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.middleware import REACHABLE_BEFORE_PASSWORD_CHOICE
from accounts.validators import PersonalDataValidator, fold
from audit.models import AuditEvent
from delivery.models import EmailDelivery

from .conftest import post_login
from .factories import make_company_member, make_member, make_person

pytestmark = pytest.mark.django_db

CHOOSE_URL = "/compte/choisir-mon-mot-de-passe/"
GOOD = "un chat roux dort sur le toit"


@pytest.fixture
def chooser(client):
    """A member just logged in with their temporary password."""
    person, nir = make_person(
        nom="LEBLANC", prenoms="JEANNE, ROSE", date_naissance=date(1990, 3, 14)
    )
    member = make_member(person=person, nir=nir, email="jeanne.leblanc@example.org")
    assert (
        post_login(client, member.identifier, member.temporary_password)["Location"] == CHOOSE_URL
    )
    return member


def choose(client, password, confirm=None):
    return client.post(
        CHOOSE_URL,
        {
            "new_password": password,
            "new_password_confirm": password if confirm is None else confirm,
        },
    )


def errors(response) -> str:
    return html.unescape(response.content.decode())


def _all_url_names(resolver=None, namespace=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _all_url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


SAMPLE_KWARGS = {"pk": 1, "token": "0" * 32, "slug": "cgu", "year": 2025}


def _sample_url(name, pattern):
    kwargs = {key: SAMPLE_KWARGS[key] for key in pattern.pattern.converters}
    try:
        return reverse(name, kwargs=kwargs)
    except Exception:
        return None


def test_only_these_pages_are_reachable_before_the_choice():
    # Written out here, so that widening the code's list is a decision a test shows.
    assert {
        "accounts:password_choose",
        "accounts:logout",
        "set_language",
        "core:theme_css",
        "core:cgu",
        "core:mentions_legales",
        "core:accessibilite",
        "core:donnees_personnelles",
        "core:contact",
    } == REACHABLE_BEFORE_PASSWORD_CHOICE


def test_every_other_page_leads_to_the_password_choice(client, chooser):
    checked = []
    for name, pattern in _all_url_names():
        if name in REACHABLE_BEFORE_PASSWORD_CHOICE or name.startswith("admin:"):
            continue
        url = _sample_url(name, pattern)
        if url is None:
            continue
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, (name, response.status_code)
            assert response["Location"] == CHOOSE_URL, name
        checked.append(name)
    # The pages of the space, the home page and the registration were all among them.
    assert {"portal:home", "portal:password_change", "portal:logins", "core:home"} <= set(checked)
    assert "signup:start" in checked
    assert {
        "portal:payments",
        "portal:payments_year",
        "portal:payments_csv",
        "payments:verify",
    } <= set(checked)


def test_logging_out_stays_possible_before_choosing(client, chooser):
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert SESSION_KEY not in client.session


def test_choosing_a_password_opens_the_space_and_it_works_next_time(client, chooser):
    response = choose(client, GOOD)
    assert response["Location"] == "/mon-espace/"
    assert "Bonjour Jeanne" in client.get("/mon-espace/").content.decode()
    event = AuditEvent.objects.get(type=AuditEvent.Type.PASSWORD_CHANGED)
    assert event.subject == chooser.user and event.data == {"how": "first_choice"}
    notice = EmailDelivery.objects.get(kind=EmailDelivery.Kind.PASSWORD_CHANGED)
    assert notice.to_address == "jeanne.leblanc@example.org"
    client.post(reverse("accounts:logout"))
    assert post_login(client, chooser.identifier, GOOD)["Location"] == "/mon-espace/"


def test_the_page_hints_how_to_choose_without_javascript(client, chooser):
    page = errors(client.get(CHOOSE_URL))
    assert "Au moins 12 caractères" in page
    assert "<details>" in page
    assert page.count('autocomplete="new-password"') == 2


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("court mais", "Votre mot de passe doit comporter au moins 12 caractères."),
        ("Telechargement", "Ce mot de passe fait partie des plus utilisés"),
        ("Leblanc-Jeanne!!", "Ce mot de passe reprend vos informations personnelles"),
        ("jeanne 14/03/1990", "Ce mot de passe reprend vos informations personnelles"),
        ("jeanne.leblanc@exemple", "Ce mot de passe reprend vos informations personnelles"),
        ("Rose.Leblanc.1990", "Ce mot de passe reprend vos informations personnelles"),
    ],
)
def test_each_rule_is_explained(client, chooser, password, message):
    response = choose(client, password)
    assert response.status_code == 200
    assert message in errors(response)
    assert 'value="' + password not in response.content.decode()  # never sent back
    assert SESSION_KEY in client.session and client.get("/mon-espace/")["Location"] == CHOOSE_URL


def test_the_identifier_cannot_be_the_password(client, chooser):
    response = choose(client, f"mon numero {chooser.identifier}")
    assert "Ce mot de passe contient votre identifiant" in errors(response)


def test_the_temporary_password_cannot_be_kept(client, chooser):
    response = choose(client, chooser.temporary_password)
    assert "Ce mot de passe est le mot de passe provisoire que vous avez reçu" in errors(response)


def test_the_two_entries_must_match(client, chooser):
    response = choose(client, GOOD, GOOD + "!")
    assert "Les deux mots de passe saisis ne sont pas identiques." in errors(response)


def test_a_long_phrase_with_a_first_name_is_accepted(client, chooser):
    assert choose(client, "jeanne aime les grands arbres du jardin")["Location"] == "/mon-espace/"


def test_no_composition_rule(client, chooser):
    assert choose(client, "tout en minuscules sans chiffre")["Location"] == "/mon-espace/"


def test_a_company_password_may_not_be_its_siret(db):
    company = make_company_member()
    validator = PersonalDataValidator()
    with pytest.raises(Exception, match="identifiant"):
        validator.validate("siret 73282932000074 !", company.user)
    with pytest.raises(Exception, match="informations personnelles"):
        validator.validate("jardins de gustavia", company.user)
    validator.validate("un jardin plein de cocotiers", company.user)


def test_fold_ignores_case_accents_and_punctuation():
    assert fold("Éloïse D'Arc-Ôté 25/12") == "eloisedarcote2512"


def test_chooser_page_needs_a_login(client):
    response = client.get(CHOOSE_URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/connexion/?next=")


def test_member_without_pending_choice_is_sent_to_the_space(client):
    member = make_member(temporary=None, password=GOOD)
    post_login(client, member.identifier, GOOD)
    assert client.get(CHOOSE_URL)["Location"] == "/mon-espace/"
