"""Password rules (OWASP ASVS 2.1, ANSSI): long enough, not common, not the person's own data.

No composition rule (capitals, digits, symbols): length and the refusals below are what
make a password hard to guess, and a long phrase is easy to remember.
"""

import re

from django.contrib.auth.password_validation import (
    CommonPasswordValidator as DjangoCommonPasswordValidator,
)
from django.contrib.auth.password_validation import (
    MinimumLengthValidator as DjangoMinimumLengthValidator,
)
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from identity import normalize_name
from registry.digests import nir_digest, siret_digest

from .models import User
from .passwords import temporary_password_is_latest

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_NIR_BODY = re.compile(r"(?=([0-9]{5}(?:[0-9]{2}|2a|2b)[0-9]{6}))")
_SIRET = re.compile(r"(?=([0-9]{14}))")
# Shorter pieces of a name or address ("Li", "de") are everywhere; they prove nothing.
_MIN_TOKEN = 3


def fold(text: str) -> str:
    """Lower case, no accents, letters and digits only: "Éloïse D'Arc 25/12" → "eloisedarc2512"."""
    return _NOT_ALNUM.sub("", normalize_name(text))


class MinimumLengthValidator(DjangoMinimumLengthValidator):
    def get_error_message(self):
        return _("Votre mot de passe doit comporter au moins %(min_length)d caractères.") % {
            "min_length": self.min_length
        }

    def get_help_text(self):
        return self.get_error_message()


class CommonPasswordValidator(DjangoCommonPasswordValidator):
    def validate(self, password, user=None):
        try:
            super().validate(password, user)
        except ValidationError:
            raise ValidationError(
                _(
                    "Ce mot de passe fait partie des plus utilisés, les premiers qu'un fraudeur "
                    "essaie : choisissez-en un autre."
                ),
                code="password_too_common",
            ) from None

    def get_help_text(self):
        return _("Il ne doit pas faire partie des mots de passe les plus utilisés.")


class PersonalDataValidator:
    """Refuse a password made of the person's name, birth date, email or identifier.

    The identifier is not stored in clear: a run of 13 (NIR) or 14 (SIRET) characters in the
    password is digested and compared with the account's login. The other data are removed
    from the password (case, accents and punctuation ignored); if fewer than
    `min_remainder` letters and digits remain, the password is mostly personal data
    ("Dupont1985!!", "marie.dupont.25121985"), while a long phrase that happens to contain a
    first name is accepted.
    """

    def __init__(self, min_remainder: int = 8):
        self.min_remainder = min_remainder

    def validate(self, password, user=None):
        if user is None:
            return
        folded = fold(password)
        if self._contains_identifier(folded, user):
            raise ValidationError(
                _("Ce mot de passe contient votre identifiant : choisissez-en un autre."),
                code="password_contains_identifier",
            )
        remainder = folded
        for token in sorted(personal_tokens(user), key=len, reverse=True):
            remainder = remainder.replace(token, "")
        if len(remainder) < self.min_remainder:
            raise ValidationError(
                _(
                    "Ce mot de passe reprend vos informations personnelles (nom, prénom, date "
                    "de naissance, adresse email ou identifiant) : choisissez-en un autre."
                ),
                code="password_too_personal",
            )

    def get_help_text(self):
        return _(
            "Il ne doit pas reprendre votre nom, votre prénom, votre date de naissance, votre "
            "adresse email ou votre identifiant."
        )

    @staticmethod
    def _contains_identifier(folded: str, user) -> bool:
        if not user.login:
            return False
        if user.identifier_type == User.IdentifierType.SIRET:
            return any(siret_digest(m) == user.login for m in _SIRET.findall(folded))
        return any(nir_digest(m.upper()) == user.login for m in _NIR_BODY.findall(folded))


def personal_tokens(user) -> set[str]:
    """The folded pieces of personal data a password must not be made of."""
    texts = [user.first_name, user.last_name, user.email.partition("@")[0]]
    texts += re.split(r"[\W_]+", user.email.partition("@")[0])
    # The visible part of the masked identifier: sex, year and month of birth.
    texts.append(user.identifier_masked.split("•")[0])
    person = getattr(user, "person", None)
    if person is not None:
        texts += [person.nom, *re.split(r"[\s,]+", person.prenoms)]
        texts += birth_date_forms(person.date_naissance)
    company = getattr(user, "company", None)
    if company is not None:
        texts += [company.siret, company.siret[:9], *company.raison_sociale.split()]
    tokens = {fold(text) for text in texts if text}
    return {token for token in tokens if len(token) >= _MIN_TOKEN}


def birth_date_forms(date) -> list[str]:
    """The ways people write their date of birth in a password (folded: digits only)."""
    d, m, y, yy = f"{date.day:02d}", f"{date.month:02d}", f"{date.year}", f"{date.year % 100:02d}"
    return [d + m + y, d + m + yy, y + m + d, yy + m + d, m + d + y, y, d + m, str(date.day) + m]


class NotTemporaryPasswordValidator:
    """Refuse the temporary password as the personal one: it went by email or by post."""

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        if temporary_password_is_latest(user=user, password=password):
            raise ValidationError(
                _(
                    "Ce mot de passe est le mot de passe provisoire que vous avez reçu : "
                    "choisissez-en un nouveau, connu de vous seul."
                ),
                code="password_is_temporary",
            )

    def get_help_text(self):
        return _("Il doit être différent du mot de passe provisoire.")
