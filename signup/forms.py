"""The forms of the registration's steps, in the words of the fund's guide.

Each step form is built from what it stored itself last time and from what its step gives it
of the answers so far (the NIR, to check the date of birth against it: signup.steps). It
stores only cleaned values. Step 4's forms, which « Mot de passe oublié » shows too, are
verification.forms.
"""

import datetime
import re
import unicodedata

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import MobileField, TextField, identity_error
from core.wizard import StepForm
from identity import (
    IdentityError,
    check_nir_birth_date,
    format_phone_national,
    parse_birth_date,
    parse_mobile,
    parse_nir,
    parse_siret,
)
from verification.forms import HintedRadioSelect
from verification.forms import text_input as _text_input

from .registration import SignupProfile

EMAIL_MAX_LENGTH = 254  # RFC 5321's limit on a forward path
MESSAGE_MAX_LENGTH = 2000


# --- Names --------------------------------------------------------------------------------

_NAME_SEPARATORS = frozenset(" -'’.")


def _clean_name(value: str) -> str:
    """Letters of any alphabet, with spaces, hyphens, apostrophes and dots between them."""
    text = " ".join(value.split())
    letters = [c for c in text if c not in _NAME_SEPARATORS]
    if not letters or not all(unicodedata.category(c)[0] in "LM" for c in letters):
        raise forms.ValidationError(
            _(
                "Utilisez seulement des lettres, des espaces, des traits d'union et des "
                "apostrophes, comme sur vos papiers d'identité."
            ),
            code="name_chars",
        )
    return text


class NameField(TextField):
    def clean(self, value):
        return _clean_name(super().clean(value))


# --- Step 1: profile -----------------------------------------------------------------------


class ProfileForm(StepForm):
    profile = forms.ChoiceField(
        label=_("Vous êtes..."),
        choices=SignupProfile.choices,
        widget=HintedRadioSelect(
            hints={
                SignupProfile.PARTICULIER: _(
                    "(salarié, retraité, collaborateur, ayant-droit, demandeur d'emploi, "
                    "sans emploi ...)"
                )
            }
        ),
    )


# --- Step 2: identifier --------------------------------------------------------------------


class NirForm(StepForm):
    nir = TextField(
        label=_("Numéro de Sécurité Sociale"),
        max_length=40,
        help_text=_(
            "13 chiffres, sans la clé (les 2 derniers chiffres). Ce sera votre identifiant."
        ),
        # A numeric keypad on phones; a NIR of someone born in Corsica holds 2A or
        # 2B: the page offers the full keyboard too (core.forms.full_keyboard).
        widget=_text_input(
            inputmode="numeric", autocomplete="off", autocapitalize="characters", size="20"
        ),
    )

    def clean_nir(self):
        try:
            return parse_nir(self.cleaned_data["nir"], key="forbidden").body
        except IdentityError as error:
            raise identity_error(error) from None


class SiretForm(StepForm):
    siret = TextField(
        label=_("Numéro SIRET"),
        max_length=40,
        help_text=_(
            "14 chiffres : le SIREN de l'entreprise (9 chiffres) suivi des 5 chiffres de "
            "l'établissement. Ce sera l'identifiant de l'entreprise."
        ),
        widget=_text_input(inputmode="numeric", autocomplete="off", size="20"),
    )

    def clean_siret(self):
        try:
            return parse_siret(self.cleaned_data["siret"])
        except IdentityError as error:
            raise identity_error(error) from None


# --- Step 3: contact details ---------------------------------------------------------------


class CompanyContactForm(StepForm):
    last_name = NameField(label=_("Nom"), widget=_text_input(autocomplete="family-name"))
    first_name = NameField(label=_("Prénom"), widget=_text_input(autocomplete="given-name"))
    email = forms.EmailField(
        label=_("Adresse email"),
        max_length=EMAIL_MAX_LENGTH,
        error_messages={
            "invalid": _("Indiquez une adresse email complète, par exemple nom@exemple.fr.")
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    mobile = MobileField(
        label=_("Numéro de téléphone mobile"),
        required=False,
        help_text=_("Par exemple : 0690 12 34 56, ou +33 6 12 34 56 78 depuis l'étranger."),
    )

    @classmethod
    def data_from(cls, stored: dict) -> dict:
        data = dict(stored)
        mobile = stored.get("mobile", "")
        # Shown the way people write it when that reads back to the same number.
        if mobile:
            national = format_phone_national(mobile)
            try:
                same = parse_mobile(national, region=settings.PHONE_DEFAULT_REGION) == mobile
            except IdentityError:
                same = False
            data["mobile"] = national if same else mobile
        return data


class ContactForm(CompanyContactForm):
    """``nir``: the body of the NIR answered at step 2, given by the step."""

    birth_date = TextField(
        label=_("Date de naissance"),
        max_length=20,
        help_text=_("Par exemple : 25/12/1985"),
        widget=_text_input(autocomplete="bday", size="12"),
    )
    field_order = ["last_name", "first_name", "birth_date", "email", "mobile"]

    def __init__(self, *args, nir: str | None = None, **kwargs):
        self.nir = nir
        super().__init__(*args, **kwargs)

    def clean_birth_date(self):
        try:
            date = parse_birth_date(self.cleaned_data["birth_date"], today=timezone.localdate())
        except IdentityError as error:
            raise identity_error(error) from None
        if self.nir:
            try:
                check_nir_birth_date(parse_nir(self.nir, key="forbidden"), date)
            except IdentityError as error:
                raise identity_error(error) from None
        return date

    def stored(self) -> dict:
        stored = super().stored()
        stored["birth_date"] = stored["birth_date"].isoformat()
        return stored

    @classmethod
    def data_from(cls, stored: dict) -> dict:
        data = super().data_from(stored)
        if stored.get("birth_date"):
            data["birth_date"] = datetime.date.fromisoformat(stored["birth_date"]).strftime(
                "%d/%m/%Y"
            )
        return data


# --- Steps 5 and 6: nothing to type --------------------------------------------------------


class ConfirmForm(StepForm):
    """« Recevoir votre mot de passe » and the CGU: the button is the answer."""

    def stored(self) -> dict:
        return {"confirmed": True}


# --- « Autre » -----------------------------------------------------------------------------


class OtherFunction:
    TIERS_DECLARANT = "tiers_declarant"
    MANDATAIRE = "mandataire"
    PROFESSIONNEL_SANTE = "professionnel_sante"
    AUTRE = "autre"

    choices = [
        (TIERS_DECLARANT, _("Tiers déclarant (expert-comptable, cabinet de paie…)")),
        (MANDATAIRE, _("Mandataire ou tuteur")),
        (PROFESSIONNEL_SANTE, _("Professionnel de santé")),
        (AUTRE, _("Autre")),
    ]


class OtherFunctionForm(StepForm):
    function = forms.ChoiceField(
        label=_("Préciser votre fonction"),
        choices=OtherFunction.choices,
        widget=forms.RadioSelect,
    )


class MessageField(forms.CharField):
    """Several lines of free text: bounded, no control characters but line breaks and tabs."""

    default_error_messages = {"control": _("Ce champ contient des caractères non autorisés.")}

    def __init__(self, **kwargs):
        super().__init__(max_length=MESSAGE_MAX_LENGTH, strip=True, **kwargs)

    def validate(self, value):
        super().validate(value)
        if value and re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", value):
            raise forms.ValidationError(self.error_messages["control"], code="control")


class OtherRequestForm(StepForm):
    last_name = NameField(label=_("Nom"), widget=_text_input(autocomplete="family-name"))
    first_name = NameField(label=_("Prénom"), widget=_text_input(autocomplete="given-name"))
    email = CompanyContactForm.base_fields["email"]
    mobile = CompanyContactForm.base_fields["mobile"]
    organisation = TextField(
        label=_("Organisme ou cabinet"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    message = MessageField(
        label=_("Votre demande"),
        help_text=_("2 000 caractères au plus."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
