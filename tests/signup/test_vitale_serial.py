"""Step 4's serial number as people hold their card: the prefix shown, every form accepted.

A member with the card in one hand and a phone in the other types what they read: the 11
digits after the prefix the page already shows, or the whole number, with or without spaces,
or pastes it. Whatever the fund's file holds (the whole number or the 11 digits), the same
person is found (docs/decisions/vitale-serial.md).
"""

import re

import pytest

from accounts.models import User
from registry.models import Person
from registry.services import registry_import
from signup.models import SignupRequest
from tests.registry import factories as extracts

from .factories import person_create
from .pages import field_error, input_tag, input_value, text
from .walk import answer, person_pages, register_person, url

pytestmark = pytest.mark.django_db

SHORT = "31415926535"
FULL = "802500002" + SHORT
TYPED = {
    "short": SHORT,
    "full": FULL,
    "full spaced": "8025 0000 2314 1592 6535",
    "short spaced": "314 1592 6535",
    "prefix then digits": "802500002 31415926535",
    "pasted with non-breaking spaces": "802\u00a0500\u00a0002\u00a031415926535",
}


def reach_serial(client, card, kind="photo"):
    pages = person_pages(
        nir=card.nir,
        nom=card.nom,
        prenom=card.prenom,
        birth_date=card.birth_date_typed,
        secret="",
        vitale_card=kind,
    )
    for slug, data in pages:
        if slug == "numero-de-serie":
            return client.get(url(slug)).content.decode()
        answer(client, slug, data)
    raise AssertionError("no serial page")


def test_a_photo_card_shows_the_prefix_before_the_input_and_says_it_in_words(client):
    page = reach_serial(client, person_create(serial=SHORT))

    box = re.search(r'<div class="input-prefixed">(.*?)</div>', page, re.S)[1]
    prefix, tag = box.split("<input", 1)
    # Seen before the field, hidden from screen readers, which hear it in the hint instead.
    assert 'aria-hidden="true"' in prefix and "802500002" in text(prefix)
    assert 'id="id_serial"' in tag
    serial = input_tag(page, "serial")
    assert 'inputmode="numeric"' in serial and 'autocomplete="off"' in serial
    assert "id_serial_helptext" in serial
    hint = text(page.split('id="id_serial_helptext">')[1].split("</div>")[0])
    assert "recto de votre carte, à droite de votre photo" in hint
    assert "802500002, déjà affiché ci-dessous : saisissez les 11 chiffres qui suivent" in hint
    assert "numéro en entier" in hint


def test_a_card_without_photo_has_no_prefix_and_its_own_hint(client):
    page = reach_serial(
        client, person_create(carte_vitale="sans_photo", serial="2718281828"), "sans_photo"
    )

    assert "input-prefixed" not in page and "802500002" not in page.split("<form")[1]
    assert "De 8 à 12 chiffres, imprimés au verso de votre carte Vitale." in text(page)


@pytest.mark.parametrize("typed", TYPED.values(), ids=TYPED.keys())
@pytest.mark.parametrize("held", ["full", "short"])
def test_every_form_typed_finds_the_person_whatever_form_the_file_holds(
    client, tmp_path, typed, held
):
    row = extracts.person(1, numero_serie_vitale=FULL if held == "full" else SHORT)
    record = registry_import(path=extracts.extract(tmp_path / "p.csv", [row]), kind="persons")
    assert record.created == 1
    person = Person.objects.get()

    register_person(
        client,
        nir=row["nir"][:13],
        nom=person.nom,
        prenom="Marie-Hélène",
        birth_date="12/05/1985",
        secret=typed,
    )

    assert User.objects.get().channel == User.Channel.EMAIL  # verified: the password by email


@pytest.mark.parametrize("typed", ["2718281828", "27 1828 1828", "2718-2818-28"])
def test_a_card_without_photo_is_found_with_or_without_spaces(client, typed):
    card = person_create(carte_vitale="sans_photo", serial="2718281828")
    register_person(client, card, secret=typed, vitale_card="sans_photo")
    assert User.objects.get().channel == User.Channel.EMAIL


PHOTO_LENGTH = (
    "Sur une carte avec photo, saisissez les 11 chiffres qui suivent 802500002 : ils sont "
    "imprimés au recto de la carte, à droite de votre photo."
)
PHOTO_PREFIX = (
    "Sur une carte avec photo, le numéro imprimé au recto, à droite de votre photo, compte 20 "
    "chiffres et commence par 802500002 : vérifiez-le, ou saisissez seulement les 11 chiffres "
    "qui suivent 802500002."
)
NO_PHOTO_LENGTH = (
    "Sur une carte sans photo, le numéro de série compte de 8 à 12 chiffres : il est imprimé "
    "au verso de la carte."
)


@pytest.mark.parametrize(
    ("kind", "typed", "message"),
    [
        ("photo", "3141592653", PHOTO_LENGTH),  # a digit missing
        ("photo", "802500002", PHOTO_PREFIX),  # the prefix typed again, nothing after it
        ("photo", "80250000231415926", PHOTO_PREFIX),  # the whole number, cut short
        ("photo", "1 85 05 97 701 123", PHOTO_LENGTH),  # the NIR instead
        ("sans_photo", "1234567", NO_PHOTO_LENGTH),
        ("sans_photo", "1234567890123", NO_PHOTO_LENGTH),
    ],
)
def test_a_wrong_length_says_how_many_digits_and_where_next_to_what_was_typed(
    client, kind, typed, message
):
    card = person_create(carte_vitale=kind, serial=SHORT if kind == "photo" else "2718281828")
    reach_serial(client, card, kind)

    response = client.post(url("numero-de-serie"), {"serial": typed})

    page = response.content.decode()
    assert response.status_code == 200
    assert field_error(page, "serial") == message
    assert input_value(page, "serial") == typed
    assert 'aria-invalid="true"' in input_tag(page, "serial")


def test_the_prefix_alone_or_any_guess_never_verifies_and_counts_as_a_failure(client):
    # A stranger who knows someone's NIR and birth date, and the prefix every card shares.
    card = person_create(serial=SHORT, email="questel@example.org")
    register_person(client, card, secret="802500002" + "0" * 11)
    assert User.objects.get().channel == User.Channel.POST  # to the address on file
    assert not SignupRequest.objects.exists()
