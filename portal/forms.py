"""Forms of the private space. Every one inherits from core.forms."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.forms import CurrentPasswordMixin, PasswordField
from core.forms import Form, TextField, identity_error
from identity import IdentityError, format_phone_national, parse_mobile


class EmailChangeForm(CurrentPasswordMixin, Form):
    new_email = forms.EmailField(
        label=_("Adresse email"),
        help_text=_("Nous y enverrons un lien : l'adresse changera quand vous l'aurez suivi."),
        max_length=254,
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "spellcheck": "false", "autocapitalize": "none"}
        ),
        error_messages={
            "invalid": _("Saisissez une adresse email valide, par exemple prenom.nom@exemple.fr.")
        },
    )
    current_password = PasswordField(
        label=_("Mot de passe actuel"),
        autocomplete="current-password",
        help_text=_("Par sécurité, confirmez qu'il s'agit bien de vous."),
    )

    def __init__(self, user, *args, request=None, **kwargs):
        self.user = user
        self.request = request
        super().__init__(*args, **kwargs)


class MobileForm(Form):
    mobile = TextField(
        label=_("Numéro de téléphone mobile"),
        required=False,
        max_length=30,
        help_text=_("Par exemple 0690 12 34 56. Laissez vide pour retirer votre numéro."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # type="tel": the phone's dialling keypad, as on the registration's step 3.
        self.fields["mobile"].widget.input_type = "tel"
        self.fields["mobile"].widget.attrs.update(
            {"autocomplete": "tel", "inputmode": "tel", "class": "input--medium"}
        )

    @staticmethod
    def initial_for(user) -> dict:
        return {"mobile": format_phone_national(user.mobile) if user.mobile else ""}

    def clean_mobile(self):
        raw = self.cleaned_data["mobile"]
        if not raw:
            return ""
        try:
            return parse_mobile(raw, region=settings.PHONE_DEFAULT_REGION)
        except IdentityError as error:
            raise identity_error(error) from None
