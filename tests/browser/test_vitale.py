"""The carte Vitale as people hold it, in Chromium: the serial typed in every form the card
prints, for both card types, from a registry imported in either form; the drawings and the help
pages accessible, on a phone, without JavaScript (docs/decisions/vitale-serial.md)."""

import pytest
from django.core.cache import cache

from accounts.models import User
from registry.services import registry_import
from tests.browser.a11y import assert_no_horizontal_scroll, assert_title
from tests.registry import factories as extracts

FULL = "80250000231415926535"
SHORT = "31415926535"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def next_page(page, name="Suivant >"):
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def registry_with(tmp_path, card, held):
    """The fund's extract holding this one person's serial in the form given; her NIR body."""
    row = extracts.person(1, carte_vitale=card, numero_serie_vitale=held)
    record = registry_import(path=extracts.extract(tmp_path / "p.csv", [row]), kind="persons")
    assert (record.created, record.rejected) == (1, 0)
    return row["nir"][:13]


def up_to_the_card(page, live_server, nir):
    page.goto(live_server.url + "/inscription/")
    page.get_by_label("Particulier", exact=True).check()
    next_page(page)
    page.get_by_label("Numéro de Sécurité Sociale").fill(nir)
    next_page(page)
    page.get_by_label("Nom", exact=True).fill("Gréaux")
    page.get_by_label("Prénom").fill("Marie-Hélène")
    page.get_by_label("Date de naissance").fill("12/05/1985")
    page.get_by_label("Adresse email").fill("marie@example.org")
    next_page(page)
    page.get_by_label("Oui").check()
    next_page(page)


def finish(page):
    next_page(page)  # « Recevoir votre mot de passe »
    next_page(page, "Finaliser mon inscription en acceptant les conditions générales d'utilisation")
    assert page.get_by_role("heading", level=1).inner_text() == "Inscription terminée"
    assert page.get_by_text("Vous allez recevoir dans quelques instants un email").is_visible()
    assert User.objects.get().channel == User.Channel.EMAIL


@pytest.mark.parametrize(
    ("held", "typed"),
    [
        (FULL, SHORT),  # the digits after the prefix the page shows
        (FULL, FULL),  # the prefix typed again
        (SHORT, "8025 0000 2314 1592 6535"),  # the whole number, spaced as on the card
        (SHORT, "314 1592 6535"),
        ("8025 0000 2314 1592 6535", "802500002 31415926535"),
    ],
)
def test_a_photo_card_holder_registers_whatever_form_is_typed_and_held(
    live_server, page, assert_page_conforms, tmp_path, held, typed
):
    nir = registry_with(tmp_path, "photo", held)
    up_to_the_card(page, live_server, nir)
    page.get_by_label("avec photo").check()
    next_page(page)

    field = page.get_by_label("Numéro de série de votre carte Vitale")
    prefix = page.locator(".input-prefixed__prefix")
    assert prefix.inner_text() == "802500002" and prefix.is_visible()
    # The prefix sits before the input, on the same line.
    prefix_box, field_box = prefix.bounding_box(), field.bounding_box()
    assert prefix_box["x"] + prefix_box["width"] <= field_box["x"] + 1
    assert abs(prefix_box["y"] - field_box["y"]) < 4
    assert field.get_attribute("inputmode") == "numeric"
    assert_page_conforms(page)
    field.fill(typed)
    next_page(page)
    finish(page)


@pytest.mark.parametrize("typed", ["2718281828", "27 1828 1828"])
def test_a_card_without_photo_holder_registers_with_or_without_spaces(
    live_server, page, assert_page_conforms, tmp_path, typed
):
    nir = registry_with(tmp_path, "sans_photo", "2718281828")
    up_to_the_card(page, live_server, nir)
    page.get_by_label("sans photo").check()
    next_page(page)
    assert page.locator(".input-prefixed").count() == 0
    assert page.get_by_text("De 8 à 12 chiffres, imprimés au verso").is_visible()
    assert_page_conforms(page)
    page.get_by_label("Numéro de série de votre carte Vitale").fill(typed)
    next_page(page)
    finish(page)


def test_a_wrong_length_is_explained_next_to_the_field_on_a_phone(
    live_server, phone_page, assert_page_conforms, tmp_path
):
    page = phone_page
    nir = registry_with(tmp_path, "photo", FULL)
    up_to_the_card(page, live_server, nir)
    page.get_by_label("avec photo").check()
    next_page(page)
    assert_no_horizontal_scroll(page)  # the prefix and the field fit a 320 px screen
    page.get_by_label("Numéro de série de votre carte Vitale").fill("3141592653")
    next_page(page)

    assert_title(page, "Vérification de votre identité — Étape 4 sur 7", error=True)
    error = page.locator("#id_serial_error").inner_text()
    assert "saisissez les 11 chiffres qui suivent 802500002" in error
    assert "au recto de la carte, à droite de votre photo" in error
    assert page.get_by_label("Numéro de série de votre carte Vitale").input_value() == "3141592653"
    assert_page_conforms(page)


def test_the_card_question_shows_both_cards_without_javascript(live_server, nojs_page, tmp_path):
    page = nojs_page
    up_to_the_card(page, live_server, registry_with(tmp_path, "photo", FULL))
    page.get_by_text("Comment savoir quelle carte j'ai ?").click()  # <details>: no script
    front = page.get_by_role("img", name="Dessin du recto d'une carte Vitale avec photo")
    back = page.get_by_role("img", name="Dessin du verso d'une carte Vitale sans photo")
    assert front.is_visible() and back.is_visible()


def test_the_card_question_with_its_drawings_is_accessible(
    live_server, page, assert_page_conforms, tmp_path
):
    up_to_the_card(page, live_server, registry_with(tmp_path, "photo", FULL))
    page.get_by_text("Comment savoir quelle carte j'ai ?").click()
    assert page.get_by_role(
        "img", name="Dessin du recto d'une carte Vitale avec photo"
    ).is_visible()
    assert_page_conforms(page)


HELP_PAGES = [
    ("/inscription/aide/numero-de-serie-carte-vitale/", "Je n'arrive pas à lire ce numéro"),
    (
        "/inscription/aide/numero-de-securite-sociale/",
        "Où trouver votre numéro de Sécurité Sociale ?",
    ),
    (
        "/inscription/aide/siret-et-numero-de-compte-employeur/",
        "Où trouver le SIRET et le numéro de compte employeur ?",
    ),
]


@pytest.mark.parametrize(("path", "title"), HELP_PAGES)
def test_the_help_pages_conform_on_a_desktop_and_a_phone(
    live_server, page, phone_page, assert_page_conforms, path, title
):
    for browser_page in (page, phone_page):
        browser_page.goto(live_server.url + path)
        assert_title(browser_page, title)
        assert_page_conforms(browser_page)


def test_the_drawings_say_where_each_number_is(live_server, page):
    page.goto(live_server.url + HELP_PAGES[0][0])
    front = page.get_by_role("img", name="Dessin du recto d'une carte Vitale avec photo")
    assert front.is_visible()
    described = page.evaluate(
        "(id) => document.getElementById(id).textContent", "drawing-photo-desc"
    )
    assert "20 chiffres commençant par 802500002" in described
    assert "juste à droite de la photo" in described
    back = page.evaluate("(id) => document.getElementById(id).textContent", "drawing-no-photo-desc")
    assert "au verso de la carte" in back
    page.goto(live_server.url + HELP_PAGES[1][0])
    nir = page.evaluate("(id) => document.getElementById(id).textContent", "drawing-nir-desc")
    assert "numéro de Sécurité Sociale, 15 chiffres" in nir


def test_the_help_pages_read_in_english(live_server, english_page, assert_page_conforms):
    english_page.goto(live_server.url + HELP_PAGES[0][0])
    assert english_page.get_by_role(
        "img", name="Drawing of the front of a carte Vitale with a photo"
    ).is_visible()
    assert_page_conforms(english_page)
    english_page.goto(live_server.url + HELP_PAGES[2][0])
    assert english_page.get_by_role(
        "heading", name="The employer account number", exact=True
    ).is_visible()
    assert_page_conforms(english_page)


def test_the_company_steps_link_to_their_help_page(live_server, nojs_page):
    page = nojs_page
    page.goto(live_server.url + "/inscription/")
    page.get_by_label("Entreprise", exact=True).check()
    next_page(page)
    page.get_by_role("link", name="Où trouver le numéro SIRET de l'entreprise ?").click()
    assert page.get_by_role("heading", name="Le numéro SIRET").is_visible()
    page.get_by_role("link", name="Revenir à mon inscription").click()
    assert page.get_by_label("Numéro SIRET").is_visible()


def test_forgotten_password_s_card_question_shows_both_cards(
    live_server, page, assert_page_conforms
):
    from tests.accounts.factories import PERSONAL_PASSWORD, make_member

    member = make_member(temporary=None, password=PERSONAL_PASSWORD)
    page.goto(live_server.url + "/compte/connexion/")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    page.get_by_label("Identifiant").fill(member.identifier)
    page.get_by_label("Date de naissance").fill("12/05/1985")
    next_page(page)
    page.get_by_label("Oui").check()
    next_page(page)
    page.get_by_text("Comment savoir quelle carte j'ai ?").click()
    assert page.get_by_role(
        "img", name="Dessin du recto d'une carte Vitale avec photo"
    ).is_visible()
    assert page.get_by_role(
        "img", name="Dessin du verso d'une carte Vitale sans photo"
    ).is_visible()
    assert_page_conforms(page)
