"""What a company typing the « numéro de compte employeur » of the fund's notices sees."""

import pytest

from identity import IdentityError, normalize_employer_account


def test_separators_and_case_do_not_count():
    assert normalize_employer_account(" 977-123 45/ab ") == normalize_employer_account("97712345AB")


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("", "required"),
        ("977 12é", "employer_account_chars"),
        ("1" * 31, "employer_account_length"),
    ],
)
def test_rejections(typed, code):
    with pytest.raises(IdentityError) as error:
        normalize_employer_account(typed)

    assert error.value.code == code
