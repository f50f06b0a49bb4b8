"""The forms of the registration's steps, in the words of the fund's guide.

Each step form is built from the wizard's answers so far (the NIR, to check the date of birth
against it) and from what it stored itself last time. It stores only cleaned values, and never
a proof of identity in clear: the Vitale serial, the IBAN and the employer account number are
kept as keyed digests from the moment the step is validated.
"""

import datetime
import re
import unicodedata

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import Form, MobileField, PrefixedTextInput, TextField, identity_error
from identity import (
    IdentityError,
    check_nir_birth_date,
    format_phone_national,
    normalize_employer_account,
    normalize_vitale_serial,
    parse_amount,
    parse_birth_date,
    parse_iban,
    parse_mobile,
    parse_nir,
    parse_siret,
)
from identity.vitale import NO_PHOTO, PHOTO, PHOTO_PREFIX
from registry.digests import amount_digest, employer_account_digest, iban_digest, vitale_digest

from .registration import SignupProfile

EMAIL_MAX_LENGTH = 254  # RFC 5321's limit on a forward path
MESSAGE_MAX_LENGTH = 2000


class HintedRadioSelect(forms.RadioSelect):
    """Radio buttons with a hint under some options, tied to them by aria-describedby."""

    template_name = "signup/widgets/radio_hints.html"

    def __init__(self, *args, hints=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.hints = hints or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        hint = self.hints.get(value)
        if hint:
            option["hint"] = hint
            option["attrs"]["aria-describedby"] = f"{option['attrs']['id']}_hint"
        return option


def _text_input(**attrs) -> forms.TextInput:
    return forms.TextInput(attrs={"spellcheck": "false", **attrs})


class StepForm(Form):
    """A step of the wizard: ``stored()`` is what the session keeps of it, JSON only."""

    def __init__(self, *args, answers: dict, stored: dict | None = None, **kwargs):
        self.answers = answers
        self.previously_stored = stored or {}
        super().__init__(*args, **kwargs)

    def stored(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}

    @classmethod
    def data_from(cls, stored: dict) -> dict:
        """The stored values as the form's input, to show them again and to re-check them."""
        return dict(stored)


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
    birth_date = TextField(
        label=_("Date de naissance"),
        max_length=20,
        help_text=_("Par exemple : 25/12/1985"),
        widget=_text_input(autocomplete="bday", size="12"),
    )
    field_order = ["last_name", "first_name", "birth_date", "email", "mobile"]

    def clean_birth_date(self):
        try:
            date = parse_birth_date(self.cleaned_data["birth_date"], today=timezone.localdate())
        except IdentityError as error:
            raise identity_error(error) from None
        nir = self.answers.get("identifiant", {}).get("nir")
        if nir:
            try:
                check_nir_birth_date(parse_nir(nir, key="forbidden"), date)
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


# --- Step 4: verification ------------------------------------------------------------------


class HealthForm(StepForm):
    affiliated = forms.ChoiceField(
        label=_("Êtes-vous affilié à la MSA pour votre santé ?"),
        help_text=_("(carte Vitale, remboursement maladie, indemnités journalières, ...)"),
        choices=[("oui", _("Oui")), ("non", _("Non"))],
        widget=forms.RadioSelect,
    )


class VitaleCardForm(StepForm):
    card = forms.ChoiceField(
        label=_("Votre carte Vitale est..."),
        choices=[
            ("photo", _("avec photo")),
            ("sans_photo", _("sans photo")),
            ("autre", _("Je n'ai pas ma carte Vitale : je choisis une autre information")),
        ],
        widget=forms.RadioSelect,
    )


class _KeptSecretForm(StepForm):
    """A step asking for a proof of identity, stored only as its keyed digest.

    When the person comes back to the step, the field is empty (the value is not kept in
    clear) and may stay empty to keep what was given before.
    """

    secret_field: str
    digest_key: str

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.kept_digest:
            self.fields[self.secret_field].required = False

    @property
    def kept_digest(self) -> str:
        return self.previously_stored.get(self.digest_key, "")

    def stored(self) -> dict:
        digest = self.cleaned_data[self.secret_field] or self.kept_digest
        return {self.digest_key: digest}

    @classmethod
    def data_from(cls, stored: dict) -> dict:
        return {cls.secret_field: ""}


class VitaleSerialForm(_KeptSecretForm):
    """The serial as the card prints it (docs/decisions/vitale-serial.md).

    On a card with photo the field shows the prefix 802500002 before the input, as the fund's
    guide does, and asks for the 11 digits after it; the whole number, typed or pasted as
    printed, is accepted too. A card without photo has no prefix. Both give the canonical
    digits of identity.normalize_vitale_serial, so the digest is the registry's.
    """

    secret_field = "serial"
    digest_key = "serial_digest"
    serial = TextField(
        label=_("Numéro de série de votre carte Vitale"),
        max_length=40,
        widget=_text_input(inputmode="numeric", autocomplete="off", size="16"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.card = self.answers.get("carte-vitale", {}).get("card")
        field = self.fields["serial"]
        if self.card == PHOTO:
            field.widget = PrefixedTextInput(prefix=PHOTO_PREFIX, attrs=field.widget.attrs)
            field.help_text = _(
                "Le numéro est imprimé au recto de votre carte, à droite de votre photo. "
                "Il commence par 802500002, déjà affiché ci-dessous : saisissez les 11 "
                "chiffres qui suivent. Vous pouvez aussi saisir ou coller le numéro en entier."
            )
        else:
            field.help_text = _(
                "De 8 à 12 chiffres, imprimés au verso de votre carte Vitale. Ce n'est pas "
                "votre numéro de Sécurité Sociale."
            )

    def clean_serial(self):
        raw = self.cleaned_data["serial"]
        if not raw:
            return ""
        card = self.card if self.card in (PHOTO, NO_PHOTO) else None
        try:
            return vitale_digest(normalize_vitale_serial(raw, card=card))
        except IdentityError as error:
            raise identity_error(error) from None


class ProofChoiceForm(StepForm):
    proof = forms.ChoiceField(
        label=_("Je saisis au choix l'une des informations de vérification demandées"),
        choices=[
            ("iban", _("L'IBAN du compte sur lequel la caisse vous verse vos prestations")),
            ("amount", _("Le montant du dernier paiement que vous avez reçu de la caisse")),
            ("none", _("Je n'ai aucune de ces informations")),
        ],
        widget=HintedRadioSelect(
            hints={"none": _("Votre mot de passe provisoire vous sera alors envoyé par courrier.")}
        ),
    )


class IbanForm(_KeptSecretForm):
    secret_field = "iban"
    digest_key = "iban_digest"
    iban = TextField(
        label=_("IBAN du compte sur lequel la caisse vous verse vos prestations"),
        max_length=60,
        help_text=_(
            "Il figure sur votre RIB. Un IBAN français commence par FR et compte 27 caractères."
        ),
        widget=_text_input(autocomplete="off", autocapitalize="characters", size="34"),
    )

    def clean_iban(self):
        raw = self.cleaned_data["iban"]
        if not raw:
            return ""
        try:
            return iban_digest(parse_iban(raw))
        except IdentityError as error:
            raise identity_error(error) from None


class AmountForm(_KeptSecretForm):
    """The last payment, a proof of identity: kept as its keyed digest, as the registry keeps
    it (docs/decisions/last-payment-digest.md)."""

    secret_field = "amount"
    digest_key = "amount_digest"
    amount = TextField(
        label=_("Montant du dernier paiement reçu de la caisse"),
        max_length=30,
        help_text=_(
            "En euros, par exemple 123,45. Il figure sur votre relevé de compte bancaire ou "
            "sur le dernier avis de paiement de la caisse."
        ),
        widget=_text_input(inputmode="decimal", autocomplete="off", size="12"),
    )

    def clean_amount(self):
        raw = self.cleaned_data["amount"]
        if not raw:
            return ""
        try:
            return amount_digest(str(parse_amount(raw)))
        except IdentityError as error:
            raise identity_error(error) from None


class EmployerAccountForm(_KeptSecretForm):
    secret_field = "account"
    digest_key = "account_digest"
    account = TextField(
        label=_("Numéro de compte employeur"),
        max_length=40,
        required=False,
        help_text=_("Il figure sur les avis de cotisations que la caisse envoie à l'entreprise."),
        widget=_text_input(autocomplete="off", autocapitalize="characters", size="20"),
    )
    no_account = forms.BooleanField(
        label=_(
            "Je ne l'ai pas : le mot de passe provisoire sera envoyé par courrier à l'adresse "
            "de l'entreprise"
        ),
        required=False,
    )

    def clean_account(self):
        raw = self.cleaned_data["account"]
        if not raw:
            return ""
        try:
            return employer_account_digest(normalize_employer_account(raw))
        except IdentityError as error:
            raise identity_error(error) from None

    def clean(self):
        cleaned = forms.Form.clean(self)
        typed = cleaned.get("account")
        if "account" not in cleaned:
            return cleaned
        if typed and cleaned.get("no_account"):
            self.add_error(
                "account",
                forms.ValidationError(
                    _("Saisissez le numéro ou cochez « Je ne l'ai pas », pas les deux."),
                    code="both",
                ),
            )
        elif not typed and not cleaned.get("no_account") and not self.kept_digest:
            self.add_error(
                "account",
                forms.ValidationError(
                    _("Saisissez le numéro de compte employeur, ou cochez « Je ne l'ai pas »."),
                    code="required",
                ),
            )
        return cleaned

    def stored(self) -> dict:
        if self.cleaned_data.get("no_account"):
            return {"no_account": True}
        return super().stored()

    @classmethod
    def data_from(cls, stored: dict) -> dict:
        return {"account": "", "no_account": "on" if stored.get("no_account") else ""}


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
