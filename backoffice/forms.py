"""The back-office's forms: agent sign-in, second factor, review decisions, registry upload."""

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminPasswordChangeForm
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import identifier_read
from core.forms import Form, FormMixin
from identity import IdentityError
from registry.models import Company, Person

from .services import REJECTION_REASONS


class AgentLoginForm(FormMixin, AuthenticationForm):
    """The password step: an agent's name and password; members and others are refused alike."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Identifiant ou mot de passe incorrect."),
        "inactive": _("Identifiant ou mot de passe incorrect."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Identifiant d'agent")
        self.fields["username"].widget.attrs.update(autocomplete="username", autocapitalize="none")
        self.fields["password"].label = _("Mot de passe")

    def confirm_login_allowed(self, user):
        # One message for every refusal: it must not tell which accounts are agents.
        if not (user.is_active and user.is_staff and user.kind == User.Kind.AGENT):
            raise self.get_invalid_login_error()


class TotpCodeForm(Form):
    """The six digits shown by the agent's authenticator app."""

    code = forms.CharField(
        label=_("Code à 6 chiffres de votre application d'authentification"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
    )

    def __init__(self, *args, device=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit() or self.device is None or not self.device.verify_token(code):
            raise forms.ValidationError(
                _("Ce code n'est pas valable. Saisissez le code affiché en ce moment."),
                code="invalid",
            )
        return code


class NoEchoTextInput(forms.TextInput):
    """A text box that never writes back what was typed: identifiers stay out of the page."""

    def format_value(self, value):
        return None


class ApproveForm(Form):
    """Link a request to the registry: a proposed person, or a NIR or SIRET typed by the agent."""

    candidate = forms.ModelChoiceField(
        label=_("Personne du registre proposée"),
        queryset=None,
        required=False,
        widget=forms.RadioSelect,
        empty_label=None,
    )
    identifier = forms.CharField(
        label=_("Ou son numéro de Sécurité Sociale, ou le SIRET de l'entreprise"),
        required=False,
        max_length=30,
        widget=NoEchoTextInput(attrs={"autocomplete": "off", "size": 24}),
        help_text=_("Le numéro n'est ni affiché ni conservé : il sert à retrouver la fiche."),
    )

    def __init__(self, *args, candidates, link_required=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidate"].queryset = candidates
        self.fields["candidate"].label_from_instance = _candidate_label
        if not candidates.exists():
            del self.fields["candidate"]
        self.link_required = link_required
        self.person = self.company = None

    def clean(self):
        cleaned = super().clean()
        typed = (cleaned.get("identifier") or "").strip()
        if typed:
            try:
                found = identifier_read(typed, by_agent=True)
            except IdentityError:
                raise forms.ValidationError(
                    _("Ce numéro n'est ni un numéro de Sécurité Sociale ni un SIRET valable.")
                ) from None
            if found.kind == "nir":
                self.person = Person.objects.filter(nir_digest=found.digest).first()
            else:
                siret = "".join(c for c in typed if c.isdigit())
                self.company = Company.objects.filter(siret=siret).first()
            if self.person is None and self.company is None:
                raise forms.ValidationError(_("Aucune fiche du registre ne porte ce numéro."))
        elif cleaned.get("candidate"):
            self.person = cleaned["candidate"]
        elif self.link_required:
            raise forms.ValidationError(
                _("Choisissez la personne du registre, ou saisissez son numéro.")
            )
        return cleaned


def _candidate_label(person):
    born = person.date_naissance.strftime("%d/%m/%Y")
    return (
        f"{person.nir_masked} — {person.nom} {person.prenoms}, {born}, "
        f"{person.code_postal} {person.commune}"
    )


class RejectForm(Form):
    reason = forms.ChoiceField(label=_("Motif du refus"), choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [("", _("Choisir un motif")), *REJECTION_REASONS]


class RegistryImportForm(Form):
    """An extract of the fund uploaded by an agent (docs/product.md §6): the registry's persons or
    companies, the payments or the contributions."""

    KINDS = [
        ("persons", _("Personnes")),
        ("companies", _("Entreprises")),
        ("payments", _("Paiements")),
        ("contributions", _("Cotisations")),
    ]
    ENCODINGS = [("utf-8", "UTF-8"), ("cp1252", "Windows-1252"), ("latin-1", "ISO-8859-1")]

    kind = forms.ChoiceField(label=_("Type d'extrait"), choices=KINDS, widget=forms.RadioSelect)
    file = forms.FileField(
        label=_("Fichier CSV"),
        help_text=_("Séparé par des points-virgules, avec une ligne d'en-tête (voir le contrat)."),
    )
    encoding = forms.ChoiceField(label=_("Encodage"), choices=ENCODINGS, initial="utf-8")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError(_("Choisissez un fichier .csv."))
        if upload.size > settings.REGISTRY_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                _(
                    "Ce fichier dépasse %(max)s, la taille que le back-office accepte. "
                    "Demandez son import par la commande import_registry sur le serveur."
                )
                % {"max": filesizeformat(settings.REGISTRY_UPLOAD_MAX_BYTES)}
            )
        return upload


class AgentPasswordChangeForm(AdminPasswordChangeForm):
    """The back-office's « Modifier mon mot de passe »: the old password is checked through the
    sign-in's own path, so that guesses made here count towards the agent's lock as on the
    sign-in page (accounts.lockout); the new password is a new one."""

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        old = self.cleaned_data["old_password"]
        checked = authenticate(self.request, username=self.user.login, password=old)
        if checked is None or checked.pk != self.user.pk:
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old

    def clean(self):
        cleaned = super().clean()
        new, old = cleaned.get("new_password1"), cleaned.get("old_password")
        # The old password is only in cleaned_data once it was checked right.
        if new and old and new == old and not self.has_error("new_password1"):
            self.add_error(
                "new_password1",
                forms.ValidationError(
                    _("Le nouveau mot de passe doit être différent du mot de passe actuel."),
                    code="password_unchanged",
                ),
            )
        return cleaned

    def save(self, commit=True):
        # A password of the agent's own: the obligation to choose one ends with it.
        self.user.must_change_password = False
        return super().save(commit=commit)


class ChangeRefuseForm(Form):
    """Why a change request is refused: the member reads it as written."""

    reason = forms.CharField(
        label=_("Motif du refus, que l'adhérent lira"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Par exemple : « Le relevé joint n'est pas à votre nom. »"),
    )
