"""What a person typing their numéro de Sécurité Sociale, or the registry import, sees."""

import datetime

import pytest

from identity import (
    IdentityError,
    Nir,
    check_nir_birth_date,
    make_nir,
    mask_nir,
    nir_key,
    normalize_nir,
    parse_nir,
)

# Keys computed outside this package: 97 - int(body) % 97 by hand, 2A → 19 and 2B → 18,
# and cross-checked with python-stdnum's stdnum.fr.nir.calc_check_digits.
REAL_FORMAT_NIRS = {
    "saint-barthélemy, insee 977 01": ("185059770112329", "977", "01"),
    "saint-barthélemy before 2007, insee 971 23": ("292039712304547", "971", "23"),
    "paris 11e": ("285057511234576", "75", "112"),
    "corse-du-sud (python-stdnum's example)": ("253072A07300443", "2A", "073"),
    "haute-corse (python-stdnum's example)": ("253072B07300470", "2B", "073"),
    "corsica before 1976": ("160032000401272", "20", "004"),
    "tunisia before its independence": ("150039600401262", "96", "004"),
    "born abroad (python-stdnum's example)": ("295109912611193", "99", "126"),
}


@pytest.mark.parametrize(("full", "department", "commune"), REAL_FORMAT_NIRS.values())
def test_real_format_nirs_are_accepted_with_their_key(full, department, commune):
    nir = parse_nir(full, key="required")

    assert nir.body == full[:13]
    assert nir.key == full[13:]
    assert nir.full == full
    assert nir.department == department
    assert nir.commune == commune


@pytest.mark.parametrize(("full", "department", "commune"), REAL_FORMAT_NIRS.values())
def test_the_key_of_each_real_format_nir_is_computed(full, department, commune):
    assert nir_key(full[:13]) == full[13:]


def test_the_parts_of_a_nir():
    nir = parse_nir("1 85 05 977 01 123")

    assert (nir.sex, nir.year, nir.month) == ("1", "85", "05")
    assert (nir.department, nir.commune, nir.order) == ("977", "01", "123")
    assert nir.key is None
    assert nir.full == "185059770112329"
    assert not nir.has_fictitious_month


@pytest.mark.parametrize(
    "typed",
    [
        "1 85 05 977 01 123",
        "1.85.05.977.01.123",
        "1-85-05-977-01-123",
        "1\u00a085\u00a005\u00a0977\u00a001\u00a0123",
        "  1850597701123\t",
        "1\u202f85\u202f05 977 01 123",
    ],
)
def test_spaces_dots_hyphens_and_non_breaking_spaces_are_tolerated(typed):
    assert parse_nir(typed, key="forbidden").body == "1850597701123"


def test_a_lowercase_corsican_department_is_read_as_upper_case():
    assert normalize_nir("2 53 07 2a 073 004") == "253072A073004"
    assert parse_nir("2 53 07 2a 073 004 43").department == "2A"


@pytest.mark.parametrize(
    ("mode", "typed"),
    [
        ("forbidden", "1850597701123"),
        ("optional", "1850597701123"),
        ("optional", "185059770112329"),
        ("required", "185059770112329"),
    ],
)
def test_13_or_15_characters_depending_on_the_key_mode(mode, typed):
    assert parse_nir(typed, key=mode).body == "1850597701123"


def test_the_registration_form_asks_for_the_13_first_digits_without_the_key():
    with pytest.raises(IdentityError) as error:
        parse_nir("1 85 05 977 01 123 29", key="forbidden")

    assert error.value.code == "nir_length"
    assert error.value.message == "Saisissez les 13 premiers chiffres, sans la clé."


@pytest.mark.parametrize(
    ("mode", "typed", "message"),
    [
        (
            "forbidden",
            "185059770112",
            "Le numéro de Sécurité Sociale doit comporter 13 chiffres (sans la clé).",
        ),
        (
            "forbidden",
            "18505977011232",
            "Le numéro de Sécurité Sociale doit comporter 13 chiffres (sans la clé).",
        ),
        (
            "required",
            "1850597701123",
            "Le numéro de Sécurité Sociale doit comporter 15 chiffres (avec la clé).",
        ),
        (
            "optional",
            "18505977011232",
            "Le numéro de Sécurité Sociale doit comporter 13 chiffres, ou 15 avec la clé.",
        ),
        (
            "optional",
            "1850597701123290",
            "Le numéro de Sécurité Sociale doit comporter 13 chiffres, ou 15 avec la clé.",
        ),
    ],
)
def test_a_wrong_length_says_how_many_digits_are_expected(mode, typed, message):
    with pytest.raises(IdentityError) as error:
        parse_nir(typed, key=mode)

    assert error.value.code == "nir_length"
    assert error.value.message == message


def test_an_empty_field_says_what_the_guide_says():
    with pytest.raises(IdentityError) as error:
        parse_nir("  . ")

    assert error.value.code == "required"
    assert error.value.message == "Renseigner cette information."


REJECTIONS = [
    # (body or full NIR, code, message)
    (
        "1850597701I23",
        "nir_chars",
        (
            "Le numéro de Sécurité Sociale ne contient que des chiffres, "
            "sauf 2A ou 2B pour une naissance en Corse."
        ),
    ),
    ("18505977011A3", "nir_chars", None),  # A outside the department
    ("2A3072A073004", "nir_chars", None),
    ("253072C073004", "nir_chars", None),  # 2C is no department
    ("1850597701123AB", "nir_chars", None),  # letters in the key
    ("1850597701١23", "nir_chars", None),  # an Arabic-Indic digit
    (
        "5850597701123",
        "nir_sex",
        "Le premier chiffre du numéro de Sécurité Sociale doit être 1 ou 2.",
    ),
    ("0850597701123", "nir_sex", None),
    ("9850597701123", "nir_sex", None),
    (
        "1851397701123",
        "nir_month",
        (
            "Le mois de naissance indiqué dans le numéro (4e et 5e chiffres) n'existe pas : "
            "il va de 01 à 12."
        ),
    ),
    ("1850097701123", "nir_month", None),
    ("1851997701123", "nir_month", None),
    ("1854397701123", "nir_month", None),
    ("1854997701123", "nir_month", None),
    (
        "1850500001123",
        "nir_department",
        (
            "Le département de naissance indiqué dans le numéro (à partir du 6e chiffre) "
            "n'existe pas."
        ),
    ),
    ("1850597901123", "nir_department", None),  # 979 is no overseas code
    ("1850598301123", "nir_department", None),
    ("1850598901123", "nir_department", None),
    (
        "1850575000123",
        "nir_commune",
        (
            "Le code de la commune ou du pays de naissance indiqué dans le numéro "
            "(chiffres 8 à 10) n'existe pas."
        ),
    ),
    ("1850597700123", "nir_commune", None),  # overseas communes have 2 digits
    ("1850599000123", "nir_commune", None),  # no country 000
    (
        "1850575112000",
        "nir_order",
        "Le numéro d'ordre (chiffres 11 à 13) ne peut pas être 000.",
    ),
    (
        "185059770112328",
        "nir_key",
        (
            "La clé (les 2 derniers chiffres) ne correspond pas au numéro de "
            "Sécurité Sociale : vérifiez chaque chiffre."
        ),
    ),
    ("185059770112300", "nir_key", None),
    ("253072A07300470", "nir_key", None),  # 2B's key on a 2A number
]


@pytest.mark.parametrize(("typed", "code", "message"), REJECTIONS)
def test_each_rejection_has_its_code_and_plain_french_message(typed, code, message):
    with pytest.raises(IdentityError) as error:
        parse_nir(typed)

    assert error.value.code == code
    if message is not None:
        assert error.value.message == message
    assert typed not in error.value.message


def test_distinct_rejections_have_distinct_messages():
    message_of = {}
    for typed, code, _message in REJECTIONS:
        with pytest.raises(IdentityError) as error:
            parse_nir(typed)
        assert message_of.setdefault(code, error.value.message) == error.value.message

    assert len(set(message_of.values())) == len(message_of)


@pytest.mark.parametrize("sex", ["1", "2", "3", "4", "7", "8"])
def test_every_sex_digit_insee_gives_is_accepted(sex):
    assert parse_nir(sex + "850597701123").sex == sex


@pytest.mark.parametrize(("month", "fictitious"), [("01", False), ("12", False), ("20", True)])
def test_months_and_fictitious_months(month, fictitious):
    assert parse_nir(f"185{month}97701123").has_fictitious_month is fictitious


@pytest.mark.parametrize("month", ["30", "31", "42", "50", "99"])
def test_fictitious_months_of_incomplete_civil_records_are_accepted(month):
    assert parse_nir(f"185{month}97701123").has_fictitious_month


@pytest.mark.parametrize("department", ["971", "972", "973", "974", "975", "976", "977", "978"])
def test_overseas_departments(department):
    assert parse_nir(f"18505{department}01123").department == department


@pytest.mark.parametrize("department", ["984", "985", "986", "987", "988"])
def test_overseas_collectivities(department):
    assert parse_nir(f"18505{department}01123").department == department


@pytest.mark.parametrize("department", ["01", "19", "2A", "2B", "20", "75", "95", "96", "99"])
def test_two_character_departments(department):
    assert parse_nir(f"18505{department}001123").department == department


def test_the_repr_of_a_nir_does_not_show_the_number():
    nir = parse_nir("185059770112329")

    assert "1850597701123" not in repr(nir)
    assert "185059770112329" not in repr(nir)
    assert repr(nir) == "Nir('1 85 05 •• ••• •••')"


def test_a_nir_with_or_without_its_key_is_the_same_nir():
    assert parse_nir("185059770112329") == parse_nir("1850597701123")
    assert len({parse_nir("185059770112329"), parse_nir("1850597701123")}) == 1


def test_a_nir_cannot_be_built_around_the_checks():
    with pytest.raises(IdentityError) as error:
        Nir(body="1850597701123", key="28")

    assert error.value.code == "nir_key"


def test_an_unknown_key_mode_is_a_programming_error():
    with pytest.raises(ValueError, match="key mode"):
        parse_nir("1850597701123", key="maybe")


def test_mask_shows_sex_year_and_month_only():
    assert mask_nir("1850597701123") == "1 85 05 •• ••• •••"
    assert mask_nir("253072A073004") == "2 53 07 •• ••• •••"
    assert mask_nir("2 53 07 2a 073 004 43") == "2 53 07 •• ••• •••"


def test_mask_refuses_what_is_not_a_nir():
    with pytest.raises(ValueError):
        mask_nir("18505")


def test_make_nir_builds_keyed_nirs():
    assert (
        make_nir(sex=1, year=1985, month=5, department="977", commune="01", order=123)
        == "185059770112329"
    )
    assert (
        make_nir(sex=2, year=53, month=7, department="2a", commune="73", order=4)
        == "253072A07300443"
    )


def test_make_nir_refuses_parts_that_make_no_nir():
    with pytest.raises(IdentityError) as error:
        make_nir(sex=1, year=1985, month=13, department="75", commune="112", order=1)

    assert error.value.code == "nir_month"

    with pytest.raises(IdentityError):
        make_nir(sex=1, year=1985, month=5, department="75", commune="112", order=-1)


BIRTH_MISMATCH = (
    "La date de naissance ne correspond pas à l'année et au mois de naissance "
    "indiqués dans le numéro de Sécurité Sociale."
)


def test_a_birth_date_matching_the_nir_is_accepted():
    check_nir_birth_date(parse_nir("1850597701123"), datetime.date(1985, 5, 31))
    check_nir_birth_date(parse_nir("1100597701123"), datetime.date(2010, 5, 1))


@pytest.mark.parametrize(
    "birth_date",
    [datetime.date(1986, 5, 31), datetime.date(1985, 6, 1), datetime.date(1885, 4, 1)],
)
def test_a_birth_date_not_matching_the_nir_is_refused(birth_date):
    with pytest.raises(IdentityError) as error:
        check_nir_birth_date(parse_nir("1850597701123"), birth_date)

    assert error.value.code == "nir_birth_mismatch"
    assert error.value.message == BIRTH_MISMATCH


@pytest.mark.parametrize("month", ["20", "35", "42", "50", "99"])
def test_a_fictitious_month_matches_any_birth_month_but_not_another_year(month):
    nir = parse_nir(f"185{month}97701123")

    check_nir_birth_date(nir, datetime.date(1985, 11, 3))
    with pytest.raises(IdentityError):
        check_nir_birth_date(nir, datetime.date(1984, 11, 3))
