"""Logging in, the private space and « Mot de passe oublié » in Chromium, checked on every page
(axe-core, headings, width), with and without JavaScript."""

import re

import pytest
from django.core.cache import cache

from accounts.passwords import ALPHABET
from tests.accounts.factories import PERSONAL_PASSWORD, VITALE_SERIAL, make_member
from tests.browser.a11y import assert_no_horizontal_scroll, assert_title
from tests.delivery.worker import run_worker
from tests.signup.factories import person_create

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "le vent souffle sur Gustavia"
TEMPORARY = re.compile(rf"Mot de passe provisoire : ([{ALPHABET}]{{12}})")
LINK = re.compile(r"(http://\S+/mon-espace/adresse-email/confirmer/\S+/)")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def click(page, name, *, role="button"):
    with page.expect_navigation():
        page.get_by_role(role, name=name).click()


def log_in(page, base, identifier, password):
    page.goto(base + "/compte/connexion/")
    page.get_by_label("Identifiant").fill(identifier)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    click(page, "Se connecter")


def register(page, base, card, email):
    """The seven steps of the registration, by the guide's words (tests/browser/test_signup)."""
    page.goto(base + "/inscription/")
    page.get_by_label("Particulier", exact=True).check()
    click(page, "Suivant >")
    page.get_by_label("Numéro de Sécurité Sociale").fill(card.nir)
    click(page, "Suivant >")
    page.get_by_label("Nom", exact=True).fill(card.nom)
    page.get_by_label("Prénom").fill(card.prenom)
    page.get_by_label("Date de naissance").fill(card.birth_date_typed)
    page.get_by_label("Adresse email").fill(email)
    page.get_by_label("Numéro de téléphone mobile").fill("0690 12 34 56")
    click(page, "Suivant >")
    page.get_by_label("Oui").check()
    click(page, "Suivant >")
    page.get_by_label("avec photo").check()
    click(page, "Suivant >")
    page.get_by_label("Numéro de série de votre carte Vitale").fill(card.serial)
    click(page, "Suivant >")
    click(page, "Suivant >")
    click(page, "Finaliser mon inscription en acceptant les conditions générales d'utilisation")
    assert page.get_by_role("heading", level=1).inner_text() == "Inscription terminée"


def test_register_log_in_choose_a_password_change_the_email_and_come_back(
    live_server, page, assert_page_conforms, smtp_server
):
    base = live_server.url
    card = person_create()
    register(page, base, card, "marie@example.org")
    run_worker()
    (welcome,) = smtp_server.wait_for(1)
    temporary = TEMPORARY.search(smtp_server.text_of(welcome)).group(1)

    page.get_by_role("link", name="Se connecter à Mon espace privé").click()
    page.wait_for_url("**/compte/connexion/")
    assert_title(page, "Se connecter à Mon espace privé")
    assert_page_conforms(page)
    # A wrong password first: the error summary, still accessible.
    log_in(page, base, card.nir, "not the password")
    assert page.get_by_role("alert").get_by_text("L'identifiant ou le mot de passe est incorrect")
    assert_title(page, "Se connecter à Mon espace privé", error=True)
    assert_page_conforms(page)

    spaced = f"{card.nir[0]} {card.nir[1:3]} {card.nir[3:5]} {card.nir[5:7]} {card.nir[7:]}"
    log_in(page, base, spaced, temporary)
    assert page.url.endswith("/compte/choisir-mon-mot-de-passe/")
    assert_title(page, "Choisir mon mot de passe")
    assert_page_conforms(page)
    # Nothing else is reachable before choosing.
    page.goto(base + "/mon-espace/")
    assert page.url.endswith("/compte/choisir-mon-mot-de-passe/")
    page.get_by_label("Nouveau mot de passe", exact=True).fill("Questel1985")
    page.get_by_label("Confirmez le nouveau mot de passe").fill("Questel1985")
    click(page, "Enregistrer mon mot de passe")
    assert page.get_by_text("au moins 12 caractères").first.is_visible()
    assert_page_conforms(page)
    page.get_by_label("Nouveau mot de passe", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirmez le nouveau mot de passe").fill(NEW_PASSWORD)
    click(page, "Enregistrer mon mot de passe")

    assert page.url == base + "/mon-espace/"
    assert page.get_by_role("heading", level=1).inner_text() == "Bonjour Marie-Hélène"
    assert page.get_by_text("Votre mot de passe est enregistré").is_visible()
    assert_page_conforms(page)

    click(page, "Modifier mon adresse email", role="link")
    assert_page_conforms(page)
    page.get_by_label("Adresse email").fill("marie.nouvelle@example.net")
    page.get_by_label("Mot de passe actuel").fill(NEW_PASSWORD)
    click(page, "Recevoir le lien de confirmation")
    assert page.get_by_text("marie.nouvelle@example.net").is_visible()
    assert_page_conforms(page)

    run_worker()
    messages = smtp_server.wait_for(3)  # the welcome, « mot de passe changé », the link
    (confirmation,) = [m for m in messages if m["To"] == "marie.nouvelle@example.net"]
    link = LINK.search(smtp_server.text_of(confirmation)).group(1)
    page.goto(link.replace("http://testserver", base))
    assert_page_conforms(page)
    click(page, "Confirmer cette adresse")
    assert page.get_by_text("Votre adresse email est confirmée").is_visible()

    click(page, "Mes dernières connexions", role="link")
    assert page.get_by_text("(cette session)").is_visible()
    assert_page_conforms(page)

    with page.expect_navigation():
        page.get_by_role("navigation").get_by_role("button", name="Se déconnecter").click()
    assert page.url == base + "/"
    assert page.get_by_text("Vous êtes déconnecté").is_visible()

    log_in(page, base, card.nir, NEW_PASSWORD)
    assert page.url == base + "/mon-espace/"
    assert page.get_by_text("marie.nouvelle@example.net (confirmée)").is_visible()


def test_the_other_pages_of_the_space_and_their_errors(
    live_server, page, phone_page, assert_page_conforms
):
    base = live_server.url
    member = make_member(temporary=None, password=PERSONAL_PASSWORD)
    log_in(page, base, member.identifier, PERSONAL_PASSWORD)
    page.goto(base + "/mon-espace/mobile/")
    assert_page_conforms(page)
    page.get_by_label("Numéro de téléphone mobile").fill("0590 27 60 60")
    click(page, "Enregistrer")
    assert_title(page, "Mon numéro de téléphone mobile", error=True)
    assert_page_conforms(page)
    for path, button in [
        ("/mon-espace/mot-de-passe/", "Changer mon mot de passe"),
        ("/mon-espace/adresse-email/", "Recevoir le lien de confirmation"),
    ]:
        page.goto(base + path)
        assert_page_conforms(page)
        click(page, button)
        assert page.title().startswith("Erreur — ")
        assert_page_conforms(page)

    page.get_by_label("Adresse email").fill("marie.b@example.net")
    page.get_by_label("Mot de passe actuel").fill(PERSONAL_PASSWORD)
    click(page, "Recevoir le lien de confirmation")
    from accounts.models import EmailChange
    from accounts.tokens import email_change_url

    link = email_change_url(EmailChange.objects.get()).replace("http://testserver", base)
    page.goto(re.sub(r"/[0-9a-f]{32}/$", "/" + "0" * 32 + "/", link))
    assert page.get_by_role("heading", name="Ce lien n'est pas valide").is_visible()
    assert_page_conforms(page)
    page.goto(link)
    click(page, "Confirmer cette adresse")
    page.goto(link)
    assert page.get_by_role("heading", name="Ce lien a déjà servi").is_visible()
    assert_page_conforms(page)

    # Three requests a day: the fourth is refused next to the address, which stays typed.
    for address in ["marie.c@example.net", "marie.d@example.net", "marie.e@example.net"]:
        page.goto(base + "/mon-espace/adresse-email/")
        page.get_by_label("Adresse email").fill(address)
        page.get_by_label("Mot de passe actuel").fill(PERSONAL_PASSWORD)
        click(page, "Recevoir le lien de confirmation")
    assert page.title().startswith("Erreur — ")
    assert page.get_by_text("trop de changements d'adresse aujourd'hui").first.is_visible()
    assert page.get_by_label("Adresse email").input_value() == "marie.e@example.net"
    assert_page_conforms(page)

    # On a 320 px phone, the space and the login history fit the screen.
    log_in(phone_page, base, member.identifier, PERSONAL_PASSWORD)
    for path in ["/mon-espace/", "/mon-espace/connexions/"]:
        phone_page.goto(base + path)
        assert_no_horizontal_scroll(phone_page)


def test_forgotten_password_pages(live_server, page, assert_page_conforms):
    base = live_server.url
    member = make_member(temporary=None, password=PERSONAL_PASSWORD)
    page.goto(base + "/compte/connexion/")
    click(page, "Mot de passe oublié ?", role="link")
    assert_title(page, "Mot de passe oublié")
    assert_page_conforms(page)
    click(page, "Suivant >")
    assert_title(page, "Mot de passe oublié", error=True)
    assert_page_conforms(page)
    page.get_by_label("Identifiant").fill(member.identifier)
    page.get_by_label("Date de naissance").fill("12/05/1985")
    click(page, "Suivant >")
    for label in ["Oui", "avec photo"]:
        assert_title(page, "Vérification de votre identité")
        assert_page_conforms(page)
        page.get_by_label(label).check()
        click(page, "Suivant >")
    assert page.locator(".input-prefixed__prefix").inner_text() == "802500002"
    page.get_by_text("Je n'arrive pas à lire ce numéro").click()
    assert page.get_by_role("link", name="Choisir une autre information").is_visible()
    assert page.get_by_role(
        "img", name="Dessin du recto d'une carte Vitale avec photo"
    ).is_visible()
    assert_page_conforms(page)
    # The whole number as printed on the card, prefix included: the same card.
    page.get_by_label("Numéro de série de votre carte Vitale").fill(f"802500002 {VITALE_SERIAL}")
    click(page, "Suivant >")
    assert page.get_by_role("heading", level=1).inner_text() == "Demande enregistrée"
    assert page.get_by_text("Vous allez recevoir dans quelques instants un email").is_visible()
    assert_page_conforms(page)


def test_login_and_password_reset_work_without_javascript(live_server, nojs_page):
    page, base = nojs_page, live_server.url
    member = make_member()
    log_in(page, base, member.identifier, member.temporary_password)
    assert page.url.endswith("/compte/choisir-mon-mot-de-passe/")
    page.get_by_label("Nouveau mot de passe", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirmez le nouveau mot de passe").fill(NEW_PASSWORD)
    click(page, "Enregistrer mon mot de passe")
    click(page, "Modifier mon numéro de mobile", role="link")
    page.get_by_label("Numéro de téléphone mobile").fill("0690 12 34 56")
    click(page, "Enregistrer")
    assert page.get_by_text("0690 12 34 56").is_visible()
    page.goto(base + "/mon-espace/mot-de-passe/")
    page.get_by_text("Comment choisir un bon mot de passe ?").click()
    assert page.get_by_text("La longueur compte plus que tout").is_visible()
    with page.expect_navigation():
        page.get_by_role("navigation").get_by_role("button", name="Se déconnecter").click()

    with page.expect_navigation():
        page.get_by_role("navigation").get_by_role("link", name="Se connecter").click()
    click(page, "Mot de passe oublié ?", role="link")
    page.get_by_label("Identifiant").fill(member.identifier)
    page.get_by_label("Date de naissance").fill("12/05/1985")
    click(page, "Suivant >")
    page.get_by_label("Non").check()
    click(page, "Suivant >")
    page.get_by_label("Je n'ai aucune de ces informations").check()
    click(page, "Suivant >")
    assert page.get_by_role("heading", level=1).inner_text() == "Demande enregistrée"
