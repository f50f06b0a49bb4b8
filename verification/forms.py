"""The forms of step 4, « Vérification de votre identité », in the words of the fund's guide.

The registration (signup.steps) and « Mot de passe oublié » (accounts.reset) show them on
pages of their own. A form stores only cleaned values, and never a proof of identity in clear:
the Vitale serial, the IBAN, the employer account number and the last payment's amount are kept
as keyed digests from the moment the page is validated. What a form needs from an earlier
answer (the card chosen, for the serial) is given to it by its page (core.wizard), never read
by another page's slug.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PrefixedTextInput, TextField, identity_error
from core.wizard import StepForm
from identity import (
    IdentityError,
    normalize_employer_account,
    normalize_vitale_serial,
    parse_amount,
    parse_iban,
)
from identity.vitale import NO_PHOTO, PHOTO, PHOTO_PREFIX
from registry.digests import amount_digest, employer_account_digest, iban_digest, vitale_digest


class HintedRadioSelect(forms.RadioSelect):
    """Radio buttons with a hint under some options, tied to them by aria-describedby.

    Also the registration's « Vous êtes... » (signup.forms).
    """

    template_name = "verification/widgets/radio_hints.html"

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


def text_input(**attrs) -> forms.TextInput:
    return forms.TextInput(attrs={"spellcheck": "false", **attrs})


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
        widget=text_input(inputmode="numeric", autocomplete="off", size="16"),
    )

    def __init__(self, *args, card: str | None = None, **kwargs):
        """``card``: the answer to « Votre carte Vitale est... » (VitaleCardForm), given by
        the page."""
        super().__init__(*args, **kwargs)
        self.card = card
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
        widget=text_input(autocomplete="off", autocapitalize="characters", size="34"),
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
        widget=text_input(inputmode="decimal", autocomplete="off", size="12"),
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
        widget=text_input(autocomplete="off", autocapitalize="characters", size="20"),
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
