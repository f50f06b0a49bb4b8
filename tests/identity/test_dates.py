"""What a person typing their date of birth (JJ/MM/AAAA, one text field) sees."""

import datetime

import pytest

from identity import IdentityError, parse_birth_date

TODAY = datetime.date(2026, 11, 27)


@pytest.mark.parametrize(
    "typed",
    [
        "05/01/1985",
        "5/1/1985",
        "05-01-1985",
        "05.01.1985",
        " 5 / 1 / 1985 ",
        "05011985",
    ],
)
def test_the_formats_people_use(typed):
    assert parse_birth_date(typed, today=TODAY) == datetime.date(1985, 1, 5)


def test_a_day_that_does_not_exist():
    with pytest.raises(IdentityError) as error:
        parse_birth_date("30/02/1990", today=TODAY)

    assert error.value.code == "date_invalid"
    assert error.value.message == "Cette date n'existe pas : vérifiez le jour et le mois."


@pytest.mark.parametrize("typed", ["29/02/2023", "31/04/1990", "00/01/1990", "12/13/1990"])
def test_other_days_that_do_not_exist(typed):
    with pytest.raises(IdentityError) as error:
        parse_birth_date(typed, today=TODAY)

    assert error.value.code == "date_invalid"


def test_a_leap_day_exists():
    assert parse_birth_date("29/02/2024", today=TODAY) == datetime.date(2024, 2, 29)


def test_a_date_in_the_future():
    with pytest.raises(IdentityError) as error:
        parse_birth_date("28/11/2026", today=TODAY)

    assert error.value.code == "date_future"
    assert error.value.message == "La date de naissance ne peut pas être dans le futur."


def test_today_is_not_in_the_future():
    assert parse_birth_date("27/11/2026", today=TODAY) == TODAY


def test_a_date_before_1900():
    with pytest.raises(IdentityError) as error:
        parse_birth_date("31/12/1899", today=TODAY)

    assert error.value.code == "date_too_old"
    assert error.value.message == "L'année de naissance doit être 1900 ou une année suivante."
    assert parse_birth_date("01/01/1900", today=TODAY) == datetime.date(1900, 1, 1)


@pytest.mark.parametrize("typed", ["05/01/85", "1985-01-05", "5 janvier 1985", "05/01", "0501198"])
def test_another_format_says_which_one_is_expected(typed):
    with pytest.raises(IdentityError) as error:
        parse_birth_date(typed, today=TODAY)

    assert error.value.code == "date_format"
    assert error.value.message == "Indiquez la date au format JJ/MM/AAAA, par exemple 25/12/1985."


def test_an_empty_field():
    with pytest.raises(IdentityError) as error:
        parse_birth_date("", today=TODAY)

    assert error.value.code == "required"
