"""Forms of the private space. Every one inherits from core.forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms import CurrentPasswordMixin, PasswordField
from core.forms import Form, MobileField
from identity import format_phone_national


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
    mobile = MobileField(
        label=_("Numéro de téléphone mobile"),
        required=False,
        help_text=_("Par exemple 0690 12 34 56. Laissez vide pour retirer votre numéro."),
        widget=forms.TextInput(
            attrs={
                "type": "tel",
                "autocomplete": "tel",
                "inputmode": "tel",
                "class": "input--medium",
            }
        ),
    )

    @staticmethod
    def initial_for(user) -> dict:
        return {"mobile": format_phone_national(user.mobile) if user.mobile else ""}
