"""Address blocks per NF Z10-011: 6 lines of 38 characters, abbreviated, never cut."""

import pytest

from delivery.postal import (
    AddressError,
    PostalAddress,
    abbreviate_street,
    address_block,
    locality_line,
    plain_capitals,
)


def test_short_street_is_written_in_full():
    # La Poste: AVENUE DES FLEURS fits, so it is not abbreviated.
    assert abbreviate_street("12, avenue des Fleurs") == "12 AVENUE DES FLEURS"


@pytest.mark.parametrize(
    ("street", "expected"),
    [
        # The type of way first.
        (
            "128 boulevard de la Reine Hortense Sud-Est",
            "128 BD DE LA REINE HORTENSE SUD EST",
        ),
        # Then titles: GENERAL → GAL.
        (
            "3 bis avenue du Général Charles de Gaulle Nord",
            "3 BIS AV DU GAL CHARLES DE GAULLE NORD",
        ),
        # Then French first names reduced to their initial.
        (
            "1024 chemin du Maréchal Jean-Baptiste Bernadotte",
            "1024 CHE DU MAL J BAPTISTE BERNADOTTE",
        ),
        # Then articles dropped; the last word (mot directeur) stays.
        (
            "77 route de la Grande Montagne des Petites Salines",
            "77 RTE DE GDE MONTAGNE PETITES SALINES",
        ),
    ],
)
def test_long_street_is_abbreviated_in_la_poste_order(street, expected):
    line = abbreviate_street(street)
    assert line == expected
    assert len(line) <= 38


def test_street_that_cannot_fit_is_refused_not_cut():
    with pytest.raises(AddressError):
        abbreviate_street("12 rue Anticonstitutionnellement Extraordinairement Longue")


def test_locality_line_is_capitals_without_accents_or_punctuation():
    assert locality_line("97133", "Saint-Barthélemy") == "97133 ST BARTHELEMY"
    assert locality_line("97 133", "L'Île-d'Yeu") == "97133 L ILE D YEU"


def test_plain_capitals_folds_ligatures():
    assert plain_capitals("Cœur-de-Bœuf") == "COEUR DE BOEUF"


def test_block_drops_empty_lines_and_ends_with_the_locality():
    lines = address_block(
        PostalAddress(
            recipient="Marie GREAUX",
            line_4="12 rue Samuel Fahlberg",
            postcode="97133",
            locality="Saint-Barthélemy",
        )
    )
    assert lines == ["Marie GREAUX", "12 RUE SAMUEL FAHLBERG", "97133 ST BARTHELEMY"]


def test_full_french_block_has_six_lines():
    lines = address_block(
        PostalAddress(
            recipient="Jean DUPONT",
            line_2="Appartement 12",
            line_3="Résidence Les Flamboyants",
            line_4="4 impasse des Raisins de Mer",
            line_5="Lieu-dit Grand Cul-de-Sac",
            postcode="97133",
            locality="Saint-Barthélemy",
        )
    )
    assert len(lines) == 6
    assert lines[-1] == "97133 ST BARTHELEMY"
    assert lines[4] == "LIEU DIT GRAND CUL DE SAC"


def test_abroad_ends_with_the_country_in_capitals():
    lines = address_block(
        PostalAddress(
            recipient="Anna SCHMIDT",
            line_4="Hauptstraße 5",
            postcode="10115",
            locality="Berlin",
            country="Allemagne",
        )
    )
    assert lines[-2:] == ["10115 BERLIN", "ALLEMAGNE"]


def test_no_address_on_file_is_refused():
    with pytest.raises(AddressError):
        address_block(PostalAddress(recipient="Jean DUPONT"))
