"""Forms of logging in and choosing a password. Every one inherits from core.forms."""

from django import forms
from django.contrib.auth import authenticate, password_validation
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import Form, TextField, identity_error
from identity import IdentityError, parse_birth_date

from .backends import LoginOutcome, member_authenticate
from .models import User
from .selectors import identifier_read

# One message for a wrong identifier, a wrong password, an expired temporary password typed
# wrong and a locked account: nothing tells which part was wrong (docs/product.md §4).
LOGIN_REFUSED = _(
    "L'identifiant ou le mot de passe est incorrect. Vérifiez votre saisie. "
    "Après plusieurs erreurs, l'accès au compte est suspendu quelques minutes."
)
# Only after the right temporary password: the person holds it, so nothing is disclosed.
TEMPORARY_PASSWORD_EXPIRED = _(
    "Votre mot de passe provisoire n'est plus valable. "
    "Pour en recevoir un nouveau, utilisez « Mot de passe oublié ? »."
)
PASSWORD_MAX_LENGTH = 128
NEW_PASSWORD_HINT = _(
    "Au moins 12 caractères, sans autre obligation. Le plus sûr et le plus simple à retenir : "
    "une phrase, ou plusieurs mots sans rapport entre eux. Évitez votre nom, votre prénom, "
    "votre date de naissance, votre identifiant et le mot de passe provisoire."
)


class IdentifierField(TextField):
    """The login identifier: a NIR or a SIRET, spaces and dots allowed; cleans to its digest."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Identifiant"))
        kwargs.setdefault(
            "help_text",
            _(
                "Votre numéro de Sécurité Sociale (13 chiffres, sans la clé) ou, pour une "
                "entreprise, votre numéro SIRET (14 chiffres)."
            ),
        )
        super().__init__(max_length=30, **kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update(
            {
                "autocomplete": "username",
                # A numeric keypad on phones; the page offers the full keyboard for the 2A or
                # 2B of a NIR of someone born in Corsica (core.forms.full_keyboard).
                "inputmode": "numeric",
                "spellcheck": "false",
                "autocapitalize": "characters",
                "class": "input--medium",
            }
        )
        return attrs

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        try:
            return identifier_read(text)
        except IdentityError as error:
            raise identity_error(error) from None


class PasswordField(forms.CharField):
    def __init__(self, *, autocomplete: str, **kwargs):
        kwargs.setdefault("max_length", PASSWORD_MAX_LENGTH)
        super().__init__(
            strip=False,
            widget=forms.PasswordInput(
                attrs={"autocomplete": autocomplete, "class": "input--medium"}
            ),
            **kwargs,
        )


class LoginForm(Form):
    identifier = IdentifierField()
    password = PasswordField(label=_("Mot de passe"), autocomplete="current-password")

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user = None
        self.finding = None
        self.attempted = False
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        identifier, password = cleaned.get("identifier"), cleaned.get("password")
        if identifier is None or not password:
            return cleaned
        self.attempted = True
        self.finding = member_authenticate(
            request=self.request, login=identifier.digest, password=password
        )
        if not self.finding.succeeded:
            expired = self.finding.outcome == LoginOutcome.EXPIRED_TEMPORARY_PASSWORD
            raise forms.ValidationError(
                TEMPORARY_PASSWORD_EXPIRED if expired else LOGIN_REFUSED, code="login_refused"
            )
        self.user = self.finding.user
        return cleaned


class NewPasswordForm(Form):
    """A new personal password, typed twice, checked against every rule of the settings."""

    new_password = PasswordField(
        label=_("Nouveau mot de passe"), autocomplete="new-password", help_text=NEW_PASSWORD_HINT
    )
    new_password_confirm = PasswordField(
        label=_("Confirmez le nouveau mot de passe"), autocomplete="new-password"
    )

    def __init__(self, user: User, *args, request=None, **kwargs):
        self.user = user
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_new_password(self):
        password = self.cleaned_data["new_password"]
        password_validation.validate_password(password, self.user)
        return password

    def clean(self):
        cleaned = super().clean()
        password, confirm = cleaned.get("new_password"), cleaned.get("new_password_confirm")
        if password and confirm and password != confirm:
            self.add_error(
                "new_password_confirm",
                forms.ValidationError(
                    _("Les deux mots de passe saisis ne sont pas identiques."), code="mismatch"
                ),
            )
        return cleaned


class CurrentPasswordMixin:
    """The current password, asked again before a sensitive change (OWASP ASVS 3.7).

    Checked through the login's own path, so that guesses made here count towards the
    account's lock like guesses on the login page.
    """

    def clean_current_password(self):
        password = self.cleaned_data["current_password"]
        user = authenticate(self.request, username=self.user.login, password=password, member=True)
        if user is None or user.pk != self.user.pk:
            raise forms.ValidationError(
                _("Le mot de passe actuel est incorrect."), code="wrong_password"
            )
        return password


class PasswordChangeForm(CurrentPasswordMixin, NewPasswordForm):
    current_password = PasswordField(
        label=_("Mot de passe actuel"), autocomplete="current-password"
    )
    end_other_sessions = forms.BooleanField(
        label=_("Me déconnecter partout ailleurs (autres navigateurs, téléphone, tablette)"),
        required=False,
        initial=True,
    )

    field_order = ["current_password", "new_password", "new_password_confirm"]

    def clean_new_password(self):
        password = super().clean_new_password()
        if password == self.data.get(self.add_prefix("current_password")):
            raise forms.ValidationError(
                _("Le nouveau mot de passe doit être différent du mot de passe actuel."),
                code="unchanged",
            )
        return password


class PasswordResetIdentityForm(Form):
    """« Mot de passe oublié », first page: who asks. Keeps the identifier's digest only."""

    identifier = IdentifierField()
    birth_date = TextField(
        label=_("Date de naissance"),
        required=False,
        max_length=20,
        help_text=_(
            "Au format JJ/MM/AAAA, par exemple 25/12/1985. Pour une entreprise, laissez vide."
        ),
    )

    def __init__(self, *args, stored=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["birth_date"].widget.attrs.update(
            {"autocomplete": "bday", "inputmode": "numeric", "class": "input--short"}
        )

    def clean(self):
        cleaned = super().clean()
        identifier = cleaned.get("identifier")
        if identifier is None or identifier.kind != User.IdentifierType.NIR:
            cleaned["birth_date"] = None
            return cleaned
        raw = cleaned.get("birth_date") or ""
        try:
            cleaned["birth_date"] = parse_birth_date(raw, today=timezone.localdate())
        except IdentityError as error:
            self.add_error("birth_date", identity_error(error))
        return cleaned

    def stored(self) -> dict:
        identifier, birth_date = self.cleaned_data["identifier"], self.cleaned_data["birth_date"]
        return {
            "type": identifier.kind,
            "login": identifier.digest,
            "birth_date": birth_date.isoformat() if birth_date else "",
        }

    @classmethod
    def data_from(cls, stored: dict) -> dict:
        # The identifier is not kept in clear: it is typed again.
        return {}
