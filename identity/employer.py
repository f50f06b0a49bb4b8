"""The « numéro de compte employeur » printed on the fund's notices to companies."""

from identity._clean import remove_separators, upper_ascii
from identity.errors import IdentityError, _, required_error

# The fund's notices define the format; this only bounds what a form accepts.
ACCOUNT_MAX_CHARS = 30


def normalize_employer_account(raw: str) -> str:
    """Return the account number's letters and digits, upper-cased, separators removed.

    Registry import and registration both go through it, so that their digests match.
    """
    account = upper_ascii(remove_separators(raw).replace("/", ""))
    if not account:
        raise required_error()
    if not account.isascii() or not account.isalnum():
        raise IdentityError(
            "employer_account_chars",
            _("Le numéro de compte employeur ne contient que des chiffres et des lettres."),
        )
    if len(account) > ACCOUNT_MAX_CHARS:
        raise IdentityError(
            "employer_account_length",
            _("Le numéro de compte employeur comporte au plus 30 caractères."),
        )
    return account
