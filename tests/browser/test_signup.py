"""Registration in Chromium: a person of the registry goes through the seven steps by the
guide's words, receives the email, and every page (and its error state) is accessible."""

import re

import pytest
from django.core.cache import cache

from accounts.models import User
from accounts.passwords import ALPHABET, temporary_password_match
from tests.browser.a11y import assert_focus_on, assert_no_horizontal_scroll, assert_title, tab_to
from tests.delivery.worker import run_worker
from tests.signup.factories import company_create, person_create

PASSWORD = re.compile(rf"Mot de passe provisoire : ([{ALPHABET}]{{12}})")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def next_page(page, name="Suivant >"):
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def check_step(page, title, number, assert_page_conforms, *, empty_error=True):
    """The step as it comes, then its error state after « Suivant > » with nothing filled."""
    assert_title(page, f"{title} — Étape {number} sur 7")
    assert page.get_by_text(f"Étape {number} sur 7").is_visible()
    assert page.get_by_role("heading", level=1).inner_text() == title
    assert_page_conforms(page)
    if empty_error:
        next_page(page)
        assert_title(page, f"{title} — Étape {number} sur 7", error=True)
        summary = page.locator(".error-summary")
        assert summary.get_by_text("Renseigner cette information.").first.is_visible()
        assert_focus_on(page)
        assert_page_conforms(page)


def test_a_person_registers_by_the_guide_and_receives_the_password(
    live_server, page, assert_page_conforms, smtp_server
):
    card = person_create()
    page.goto(live_server.url + "/")
    page.get_by_role("navigation").get_by_role("link", name="S'inscrire").click()

    check_step(page, "Créer mon espace privé", 1, assert_page_conforms)
    page.get_by_label("Particulier", exact=True).check()
    next_page(page)

    check_step(page, "Votre identifiant", 2, assert_page_conforms)
    assert page.get_by_text("Renseigner votre numéro de Sécurité Sociale").is_visible()
    page.get_by_label("Numéro de Sécurité Sociale").fill("1234")
    next_page(page)
    error = page.locator("#id_nir_error")
    assert "13 chiffres" in error.inner_text()
    assert page.get_by_label("Numéro de Sécurité Sociale").input_value() == "1234"
    assert_page_conforms(page)
    nir = card.nir
    page.get_by_label("Numéro de Sécurité Sociale").fill(
        f"{nir[0]} {nir[1:3]} {nir[3:5]} {nir[5:7]} {nir[7:10]} {nir[10:]}"
    )
    next_page(page)

    check_step(page, "Vos coordonnées", 3, assert_page_conforms)
    page.get_by_label("Nom", exact=True).fill("QUESTEL")
    page.get_by_label("Prénom").fill("marie-helene")
    page.get_by_label("Date de naissance").fill(card.birth_date_typed)
    page.get_by_label("Adresse email").fill("marie@example.org")
    page.get_by_label("Numéro de téléphone mobile").fill("0690 12 34 56")
    next_page(page)

    check_step(page, "Vérification de votre identité", 4, assert_page_conforms)
    assert page.get_by_role(
        "group", name="Êtes-vous affilié à la MSA pour votre santé ?"
    ).is_visible()
    page.get_by_label("Oui").check()
    next_page(page)
    check_step(page, "Vérification de votre identité", 4, assert_page_conforms)
    assert page.get_by_role("group", name="Votre carte Vitale est...").is_visible()
    page.get_by_label("avec photo").check()
    next_page(page)
    check_step(page, "Vérification de votre identité", 4, assert_page_conforms)
    assert page.get_by_role("link", name="Je n'arrive pas à lire ce numéro").is_visible()
    page.get_by_label("Numéro de série de votre carte Vitale").fill(card.serial)
    next_page(page)

    check_step(page, "Recevoir votre mot de passe", 5, assert_page_conforms, empty_error=False)
    assert page.get_by_text("marie@example.org").is_visible()
    assert page.get_by_role("link", name="Modifier l'adresse email").is_visible()
    next_page(page)

    check_step(
        page,
        "Accepter les conditions générales d'utilisation",
        6,
        assert_page_conforms,
        empty_error=False,
    )
    assert page.get_by_role("link", name="lire les conditions générales d'utilisation").is_visible()
    next_page(page, "Finaliser mon inscription en acceptant les conditions générales d'utilisation")

    assert_title(page, "Inscription terminée — Étape 7 sur 7")
    assert page.get_by_role("heading", level=1).inner_text() == "Inscription terminée"
    assert page.get_by_text(
        "Votre demande d'inscription à Mon espace privé est en cours de traitement."
    ).is_visible()
    assert page.get_by_text("Vous allez recevoir dans quelques instants un email").is_visible()
    assert_page_conforms(page)

    run_worker()
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "marie@example.org"
    password = PASSWORD.search(smtp_server.text_of(message)).group(1)
    assert temporary_password_match(user=User.objects.get(), password=password)

    page.get_by_role("link", name="Se connecter à Mon espace privé").click()
    assert page.url.endswith("/compte/connexion/")


def test_the_whole_registration_works_without_javascript(live_server, nojs_page):
    page = nojs_page
    card = person_create()
    page.goto(live_server.url + "/inscription/")
    page.get_by_label("Particulier", exact=True).check()
    next_page(page)
    # « < Précédent », then forward again: the choice is still there.
    page.get_by_role("link", name="< Précédent").click()
    assert page.get_by_label("Particulier", exact=True).is_checked()
    next_page(page)
    page.get_by_label("Numéro de Sécurité Sociale").fill(card.nir)
    next_page(page)
    page.get_by_label("Nom", exact=True).fill(card.nom)
    page.get_by_label("Prénom").fill(card.prenom)
    page.get_by_label("Date de naissance").fill(card.birth_date_typed)
    page.get_by_label("Adresse email").fill("marie@example.org")
    next_page(page)
    page.get_by_label("Non").check()
    next_page(page)
    page.get_by_label("Le montant du dernier paiement que vous avez reçu de la caisse").check()
    next_page(page)
    page.get_by_label("Montant du dernier paiement reçu de la caisse").fill("123,45")
    next_page(page)
    # The pencil goes back to step 3; the email changed there is the one shown at step 5.
    page.get_by_role("link", name="Modifier l'adresse email").click()
    page.get_by_label("Adresse email").fill("marie.q@example.org")
    next_page(page)
    for _ in range(3):  # step 4's pages, already answered
        next_page(page)
    assert page.get_by_text("marie.q@example.org").is_visible()
    next_page(page)
    next_page(page, "Finaliser mon inscription en acceptant les conditions générales d'utilisation")
    assert page.get_by_role("heading", level=1).inner_text() == "Inscription terminée"
    assert User.objects.get().email == "marie.q@example.org"


def test_abandon_works_without_javascript(live_server, nojs_page):
    page = nojs_page
    page.goto(live_server.url + "/inscription/")
    page.get_by_label("Exploitant agricole").check()
    next_page(page)
    page.get_by_label("Numéro de Sécurité Sociale").fill("1 85 05 977 01 001")
    next_page(page, "Abandonner")
    assert page.url == live_server.url + "/"
    assert page.get_by_text("Votre inscription est abandonnée").is_visible()
    page.goto(live_server.url + "/inscription/identifiant/")
    assert page.url == live_server.url + "/inscription/"


def test_the_other_verification_pages_and_help_pages_conform(
    live_server, page, assert_page_conforms
):
    card = person_create()
    page.goto(live_server.url + "/inscription/")
    page.get_by_label("Particulier", exact=True).check()
    next_page(page)
    with page.expect_navigation():
        page.get_by_role("link", name="je ne connais pas mon numéro de Sécurité Sociale").click()
    assert_title(page, "Où trouver votre numéro de Sécurité Sociale ?")
    assert_page_conforms(page)
    page.get_by_role("link", name="Revenir à mon inscription").click()
    page.get_by_label("Numéro de Sécurité Sociale").fill(card.nir)
    next_page(page)
    page.get_by_label("Nom", exact=True).fill(card.nom)
    page.get_by_label("Prénom").fill(card.prenom)
    page.get_by_label("Date de naissance").fill(card.birth_date_typed)
    page.get_by_label("Adresse email").fill("marie@example.org")
    next_page(page)
    page.get_by_label("Oui").check()
    next_page(page)
    page.get_by_label("sans photo").check()
    next_page(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Je n'arrive pas à lire ce numéro").click()
    assert_title(page, "Je n'arrive pas à lire ce numéro")
    assert_page_conforms(page)
    page.get_by_role("link", name="Choisir une autre information").click()
    page.get_by_label("Je n'ai pas ma carte Vitale").check()
    next_page(page)
    check_step(page, "Vérification de votre identité", 4, assert_page_conforms)
    page.get_by_label("L'IBAN du compte sur lequel la caisse vous verse vos prestations").check()
    next_page(page)
    check_step(page, "Vérification de votre identité", 4, assert_page_conforms)
    page.get_by_label("IBAN du compte").fill("FR76 3000 6000 0112 3456 7890 188")
    next_page(page)
    assert "vérifiez chaque chiffre" in page.locator("#id_iban_error").inner_text()
    assert_page_conforms(page)
    page.get_by_role("link", name="< Précédent").click()
    page.get_by_label("Le montant du dernier paiement").check()
    next_page(page)
    check_step(page, "Vérification de votre identité", 4, assert_page_conforms)
    page.get_by_label("Montant du dernier paiement reçu de la caisse").fill("12,345")
    next_page(page)
    assert "2 chiffres après la virgule" in page.locator("#id_amount_error").inner_text()
    assert_page_conforms(page)


def test_a_company_s_pages_conform(live_server, page, assert_page_conforms):
    company = company_create()
    page.goto(live_server.url + "/inscription/")
    page.get_by_label("Entreprise").check()
    next_page(page)
    check_step(page, "Votre identifiant", 2, assert_page_conforms)
    page.get_by_label("Numéro SIRET").fill(company.siret)
    next_page(page)
    check_step(page, "Vos coordonnées", 3, assert_page_conforms)
    page.get_by_label("Nom", exact=True).fill("Gréaux")
    page.get_by_label("Prénom").fill("Jean")
    page.get_by_label("Adresse email").fill("jean@jardins.example")
    next_page(page)
    assert_title(page, "Vérification de votre identité — Étape 4 sur 7")
    assert_page_conforms(page)
    next_page(page)
    assert "cochez « Je ne l'ai pas »" in page.locator("#id_account_error").inner_text()
    assert_page_conforms(page)
    page.get_by_label("Je ne l'ai pas").check()
    next_page(page)
    assert page.get_by_text("par courrier").first.is_visible()
    next_page(page)
    next_page(page, "Finaliser mon inscription en acceptant les conditions générales d'utilisation")
    assert page.get_by_text("Vous allez recevoir par courrier").is_visible()
    assert_page_conforms(page)


def test_the_autre_path_conforms_and_reaches_the_agents(live_server, page, assert_page_conforms):
    page.goto(live_server.url + "/inscription/")
    page.get_by_label("Autre ...").check()
    next_page(page)
    assert_title(page, "Créer mon espace privé")
    assert_page_conforms(page)
    next_page(page)
    assert_page_conforms(page)
    page.get_by_label("Mandataire ou tuteur").check()
    next_page(page)
    assert_title(page, "Comment obtenir votre accès")
    assert page.get_by_text("copie du jugement").is_visible()
    assert_page_conforms(page)
    next_page(page, "Envoyer ma demande")
    assert_page_conforms(page)
    page.get_by_label("Nom", exact=True).fill("Hodge")
    page.get_by_label("Prénom").fill("Anne")
    page.get_by_label("Adresse email").fill("anne@example.org")
    page.get_by_label("Votre demande", exact=True).fill("Je suis la tutrice de mon frère.")
    next_page(page, "Envoyer ma demande")
    assert_title(page, "Demande envoyée")
    assert_page_conforms(page)


def test_too_many_completions_page_conforms(live_server, page, assert_page_conforms):
    from signup import services

    for _ in range(services.COMPLETIONS_PER_HOUR):
        assert services._completion_place_take("127.0.0.1")
    page.goto(live_server.url + "/inscription/")
    page.get_by_label("Autre ...").check()
    next_page(page)
    page.get_by_label("Professionnel de santé").check()
    next_page(page)
    page.get_by_label("Nom", exact=True).fill("Hodge")
    page.get_by_label("Prénom").fill("Anne")
    page.get_by_label("Adresse email").fill("anne@example.org")
    page.get_by_label("Votre demande", exact=True).fill("Bonjour")
    next_page(page, "Envoyer ma demande")
    assert_title(page, "Trop de demandes d'inscription")
    assert_page_conforms(page)


def test_steps_fit_a_phone_and_work_in_english(live_server, phone_page, english_page):
    for page in (phone_page, english_page):
        page.goto(live_server.url + "/inscription/")
        assert_no_horizontal_scroll(page)
        page.locator("#id_profile_2").check()  # Particulier / Individual
        next_page(page, re.compile("Suivant >|Next >"))
        assert_no_horizontal_scroll(page)
    assert english_page.get_by_role("heading", level=1).inner_text() == "Your identifier"
    assert_title(english_page, "Your identifier — Step 2 of 7")
    assert english_page.get_by_label("Social Security number").is_visible()


def test_step_1_with_the_keyboard_only(live_server, page):
    page.goto(live_server.url + "/inscription/")
    tab_to(page, "Exploitant agricole")  # the first radio button, by its label
    page.keyboard.press("ArrowDown")  # moves to « Entreprise » and selects it
    tab_to(page, "Suivant >")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_label("Numéro SIRET").is_visible()
