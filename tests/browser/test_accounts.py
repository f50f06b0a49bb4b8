"""Logging in, choosing a password and using the private space, in Chromium, checked with axe-core.

The account is created directly (tests/accounts/factories.py), as the registration leaves it:
a temporary password, no personal password yet.
"""

import re

import pytest

from accounts.models import EmailChange
from accounts.tokens import email_change_url
from tests.accounts.factories import PERSONAL_PASSWORD, make_member

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "le vent souffle sur Gustavia"


def log_in(page, base, identifier, password):
    page.goto(base + "/compte/connexion/")
    page.get_by_label("Identifiant").fill(identifier)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_role("button", name="Se connecter").click()


def confirmation_link(change: EmailChange, base: str) -> str:
    return email_change_url(change).replace("http://testserver", base)


def test_first_login_to_space_email_change_and_back(live_server, page, assert_accessible):
    base = live_server.url
    member = make_member()
    spaced = " ".join(
        [
            member.identifier[0],
            member.identifier[1:3],
            member.identifier[3:5],
            member.identifier[5:],
        ]
    )

    page.goto(base + "/compte/connexion/")
    assert_accessible(page)
    # A wrong password first: the error summary, still accessible.
    log_in(page, base, spaced, "not the password")
    assert (
        page.get_by_role("alert")
        .get_by_text("L'identifiant ou le mot de passe est incorrect")
        .is_visible()
    )
    assert page.title().startswith("Erreur")
    assert_accessible(page)

    log_in(page, base, spaced, member.temporary_password)
    page.wait_for_url("**/compte/choisir-mon-mot-de-passe/")
    assert page.get_by_role("heading", level=1).inner_text() == "Choisir mon mot de passe"
    assert_accessible(page)
    # Nothing else is reachable before choosing.
    page.goto(base + "/mon-espace/")
    page.wait_for_url("**/compte/choisir-mon-mot-de-passe/")
    page.get_by_label("Nouveau mot de passe", exact=True).fill("Dupont1985")
    page.get_by_label("Confirmez le nouveau mot de passe").fill("Dupont1985")
    page.get_by_role("button", name="Enregistrer mon mot de passe").click()
    assert page.get_by_text("au moins 12 caractères").first.is_visible()
    assert_accessible(page)
    page.get_by_label("Nouveau mot de passe", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirmez le nouveau mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Enregistrer mon mot de passe").click()

    page.wait_for_url(base + "/mon-espace/")
    assert page.get_by_role("heading", level=1).inner_text() == "Bonjour Marie"
    assert_accessible(page)

    page.get_by_role("link", name="Modifier mon adresse email").click()
    assert_accessible(page)
    page.get_by_label("Adresse email").fill("marie.nouvelle@example.net")
    page.get_by_label("Mot de passe actuel").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Recevoir le lien de confirmation").click()
    page.wait_for_url("**/adresse-email/lien-envoye/")
    assert page.get_by_text("marie.nouvelle@example.net").is_visible()
    assert_accessible(page)

    page.goto(confirmation_link(EmailChange.objects.get(), base))
    assert_accessible(page)
    page.get_by_role("button", name="Confirmer cette adresse").click()
    page.wait_for_url(base + "/mon-espace/")
    assert page.get_by_text("Votre adresse email est confirmée").is_visible()

    page.get_by_role("link", name="Mes dernières connexions").click()
    assert page.get_by_role("cell", name="Cette session").is_visible()
    assert_accessible(page)

    page.get_by_role("navigation").get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(base + "/")
    assert page.get_by_text("Vous êtes déconnecté").is_visible()

    log_in(page, base, member.identifier, NEW_PASSWORD)
    page.wait_for_url(base + "/mon-espace/")
    assert page.get_by_text("marie.nouvelle@example.net (confirmée)").is_visible()


def test_other_pages_of_the_space_are_accessible(live_server, page, assert_accessible):
    base = live_server.url
    member = make_member(temporary=None, password=PERSONAL_PASSWORD)
    log_in(page, base, member.identifier, PERSONAL_PASSWORD)
    page.wait_for_url(base + "/mon-espace/")

    page.goto(base + "/mon-espace/mobile/")
    assert_accessible(page)
    page.get_by_label("Numéro de téléphone mobile").fill("0590 27 60 60")
    page.get_by_role("button", name="Enregistrer").click()
    assert page.get_by_role("alert").is_visible()
    assert_accessible(page)

    page.goto(base + "/mon-espace/mot-de-passe/")
    assert_accessible(page)
    page.get_by_role("button", name="Changer mon mot de passe").click()
    assert page.title().startswith("Erreur")
    assert_accessible(page)

    page.goto(base + "/mon-espace/adresse-email/")
    page.get_by_label("Adresse email").fill("marie.b@example.net")
    page.get_by_label("Mot de passe actuel").fill(PERSONAL_PASSWORD)
    page.get_by_role("button", name="Recevoir le lien de confirmation").click()
    page.wait_for_url("**/lien-envoye/")
    link = confirmation_link(EmailChange.objects.get(), base)
    page.goto(re.sub(r"/[0-9a-f]{32}/$", "/" + "0" * 32 + "/", link))
    assert page.get_by_role("heading", name="Ce lien n'est pas valide").is_visible()
    assert_accessible(page)
    page.goto(link)
    page.get_by_role("button", name="Confirmer cette adresse").click()
    page.goto(link)
    assert page.get_by_role("heading", name="Ce lien a déjà servi").is_visible()
    assert_accessible(page)


def test_login_and_password_choice_work_without_javascript(live_server, nojs_page):
    base = live_server.url
    member = make_member()
    log_in(nojs_page, base, member.identifier, member.temporary_password)
    nojs_page.wait_for_url("**/compte/choisir-mon-mot-de-passe/")
    nojs_page.get_by_label("Nouveau mot de passe", exact=True).fill(NEW_PASSWORD)
    nojs_page.get_by_label("Confirmez le nouveau mot de passe").fill(NEW_PASSWORD)
    nojs_page.get_by_role("button", name="Enregistrer mon mot de passe").click()
    nojs_page.wait_for_url(base + "/mon-espace/")
    nojs_page.get_by_role("link", name="Modifier mon numéro de mobile").click()
    nojs_page.get_by_label("Numéro de téléphone mobile").fill("0690 12 34 56")
    nojs_page.get_by_role("button", name="Enregistrer").click()
    nojs_page.wait_for_url(base + "/mon-espace/")
    assert nojs_page.get_by_text("0690 12 34 56").is_visible()
    # The advice opens without JavaScript (<details>).
    nojs_page.goto(base + "/mon-espace/mot-de-passe/")
    nojs_page.get_by_text("Comment choisir un bon mot de passe ?").click()
    assert nojs_page.get_by_text("La longueur compte plus que tout").is_visible()
    nojs_page.get_by_role("button", name="Se déconnecter").first.click()
    nojs_page.wait_for_url(base + "/")
