"""Forms of Ma messagerie and of the change requests; every one inherits from core.forms."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import Form
from delivery.postal import LINE_WIDTH, AddressError, PostalAddress, address_block, is_abroad
from identity import IdentityError, parse_iban

from .attachments import MAX_FILES, AttachmentError, attachment_check
from .models import Subject

BODY_MAX_LENGTH = 5000
ATTACHMENTS_HINT = _(
    "Jusqu'à 5 documents PDF, JPEG ou PNG de 10 Mo chacun. Ne joignez que ce qui est utile à "
    "votre demande."
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True
    template_name = "django/forms/widgets/file.html"


class AttachmentsField(forms.FileField):
    """Up to 5 files, each checked from its content (messaging/attachments.py)."""

    def __init__(self, *, max_files: int = MAX_FILES, **kwargs):
        self.max_files = max_files
        attrs = {"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}
        if max_files > 1:
            attrs["multiple"] = True
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        uploads = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not uploads:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(uploads) > self.max_files:
            raise ValidationError(
                _("Vous pouvez joindre %(count)s documents au plus."),
                code="too_many",
                params={"count": self.max_files},
            )
        checked, errors = [], []
        for upload in uploads:
            try:
                checked.append(attachment_check(upload))
            except AttachmentError as error:
                errors.append(ValidationError(str(error.args[0]), code="attachment"))
        if errors:
            raise ValidationError(errors)
        return checked


class MessageBodyField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Votre message"))
        kwargs.setdefault("max_length", BODY_MAX_LENGTH)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 8}))
        kwargs.setdefault(
            "error_messages",
            {
                "max_length": _(
                    "Votre message dépasse %(limit_value)s caractères : raccourcissez-le, ou "
                    "envoyez la suite dans un second message."
                )
            },
        )
        super().__init__(**kwargs)


class ThreadForm(Form):
    subject = forms.ChoiceField(
        label=_("Objet de votre message"),
        choices=Subject.choices,
        widget=forms.RadioSelect,
    )
    body = MessageBodyField(
        help_text=_(
            "Ne donnez jamais votre mot de passe. Votre numéro de Sécurité Sociale n'est pas "
            "utile : la caisse sait déjà qui vous êtes."
        )
    )
    files = AttachmentsField(label=_("Documents"), required=False, help_text=ATTACHMENTS_HINT)


class ReplyForm(Form):
    body = MessageBodyField(label=_("Votre réponse"))
    files = AttachmentsField(label=_("Documents"), required=False, help_text=ATTACHMENTS_HINT)


class AddressChangeForm(Form):
    """The new address as NF Z10-011 lines (delivery/postal.py), checked as a letter needs it."""

    line_4 = forms.CharField(
        label=_("Numéro et voie"),
        help_text=_("Par exemple 12 rue Samuel Fahlberg."),
        max_length=LINE_WIDTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    line_2 = forms.CharField(
        label=_("Complément (appartement, étage, chez…)"),
        max_length=LINE_WIDTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )
    line_3 = forms.CharField(
        label=_("Bâtiment, résidence"),
        max_length=LINE_WIDTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line3"}),
    )
    line_5 = forms.CharField(
        label=_("Lieu-dit ou boîte postale"),
        max_length=LINE_WIDTH,
        required=False,
    )
    postcode = forms.CharField(
        label=_("Code postal"),
        max_length=10,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "postal-code", "inputmode": "numeric", "class": "input--short"}
        ),
    )
    locality = forms.CharField(
        label=_("Commune"),
        max_length=LINE_WIDTH,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    country = forms.CharField(
        label=_("Pays, si ce n'est pas la France"),
        max_length=LINE_WIDTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "country-name"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.error_messages["max_length"] = _(
                "38 caractères au plus par ligne (norme postale) : abrégez, par exemple "
                "« avenue » en « av »."
            )
            if name == "locality":
                field.error_messages["required"] = _("Indiquez la commune.")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        values = {k: " ".join((data.get(k) or "").split()) for k in self.fields}
        abroad = is_abroad(values["country"])
        if not abroad and not (len(values["postcode"]) == 5 and values["postcode"].isdigit()):
            self.add_error(
                "postcode",
                _("Le code postal compte 5 chiffres, par exemple 97133."),
            )
            return data
        if not (values["line_4"] or values["line_5"]):
            self.add_error(
                "line_4",
                _("Indiquez le numéro et la voie, ou un lieu-dit ou une boîte postale."),
            )
            return data
        address = PostalAddress(
            recipient="",
            line_2=values["line_2"],
            line_3=values["line_3"],
            line_4=values["line_4"],
            line_5=values["line_5"],
            postcode=values["postcode"],
            locality=values["locality"],
            country=values["country"] if abroad else "",
        )
        try:
            address_block(address)
        except AddressError:
            self.add_error(
                "line_4",
                _(
                    "Cette adresse ne tient pas sur une enveloppe (38 caractères par ligne, 6 "
                    "lignes au plus) : abrégez le nom de la voie ou de la commune."
                ),
            )
            return data
        data["address"] = {k: values[k] for k in self.fields}
        if not abroad:
            data["address"]["country"] = ""
        return data


class BankDetailsChangeForm(Form):
    iban = forms.CharField(
        label=_("Nouvel IBAN"),
        help_text=_(
            "Il figure sur votre relevé d'identité bancaire (RIB). Par exemple "
            "FR76 3000 6000 0112 3456 7890 189."
        ),
        max_length=50,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )
    statement = AttachmentsField(
        label=_("Relevé d'identité bancaire (RIB)"),
        max_files=1,
        help_text=_(
            "Un RIB à votre nom, en PDF, JPEG ou PNG, de 10 Mo au plus. Il doit porter le même "
            "IBAN."
        ),
    )

    def clean_iban(self):
        try:
            return parse_iban(self.cleaned_data["iban"])
        except IdentityError as error:
            raise ValidationError(error.message, code=error.code) from None

    def clean_statement(self):
        files = self.cleaned_data["statement"]
        return files[0] if files else None
