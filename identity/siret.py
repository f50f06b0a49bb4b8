"""The SIRET, which identifies a company's establishment (14 digits)."""

from stdnum import exceptions as stdnum_exceptions
from stdnum.fr import siret as stdnum_siret

from identity._clean import remove_separators
from identity.errors import IdentityError, _, required_error


def parse_siret(raw: str) -> str:
    """Return the 14 digits of a SIRET typed with or without spaces and dots.

    The check is python-stdnum's: Luhn on the SIRET and on its SIREN, except for
    La Poste's establishments (SIREN 356000000), whose digits add up to a multiple of 5.
    """
    siret = remove_separators(raw)
    if not siret:
        raise required_error()
    if not siret.isascii() or not siret.isdigit():
        raise IdentityError("siret_chars", _("Le numéro SIRET ne contient que des chiffres."))
    if len(siret) == 9:
        raise IdentityError(
            "siret_is_siren",
            _(
                "Ce numéro de 9 chiffres est un SIREN : ajoutez les 5 chiffres de votre "
                "établissement pour obtenir le SIRET (14 chiffres)."
            ),
        )
    if len(siret) != 14:
        raise IdentityError("siret_length", _("Le numéro SIRET doit comporter 14 chiffres."))
    try:
        return stdnum_siret.validate(siret)
    except stdnum_exceptions.ValidationError:
        raise IdentityError(
            "siret_checksum",
            _("Ce numéro SIRET n'est pas valide : vérifiez chaque chiffre."),
        ) from None


def format_siret(siret: str) -> str:
    """A SIRET as documents print it: "73282932000074" → "732 829 320 00074" (a SIRET is
    public: shown whole)."""
    return f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"
