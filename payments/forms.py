"""The private space's forms for attestations and their verification."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import Form, TextField
from payments.codes import code_normalize

_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d%m%Y")
# The fund keeps payments 10 years (« Données personnelles »): older periods hold nothing.
EARLIEST = datetime.date(1990, 1, 1)


def _date_field(label: str) -> TextField:
    return TextField(
        label=label,
        max_length=12,
        help_text=_("Par exemple 01/01/2025"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class PaymentsAttestationForm(Form):
    """« Attestation de paiements »: the period the member chooses, JJ/MM/AAAA."""

    start = _date_field(_("Du"))
    end = _date_field(_("Au"))

    def _date(self, name: str) -> datetime.date:
        text = " ".join(self.cleaned_data[name].split()).replace(" ", "")
        for format_ in _DATE_FORMATS:
            try:
                date = datetime.datetime.strptime(text, format_).date()  # noqa: DTZ007
            except ValueError:
                continue
            if date < EARLIEST:
                raise forms.ValidationError(_("Indiquez une date à partir du 01/01/1990."))
            if date > timezone.localdate():
                raise forms.ValidationError(_("Indiquez une date passée ou celle d'aujourd'hui."))
            return date
        raise forms.ValidationError(
            _("Indiquez la date au format JJ/MM/AAAA, par exemple 01/01/2025.")
        )

    def clean_start(self):
        return self._date("start")

    def clean_end(self):
        return self._date("end")

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("La fin de la période doit suivre son début."))
        return data


class VerifyForm(Form):
    """« Vérifier une attestation »: the code printed on it."""

    code = TextField(
        label=_("Code de vérification"),
        max_length=40,
        help_text=_(
            "16 lettres et chiffres, imprimés en bas de l'attestation, par exemple "
            "ABCD-EFGH-JKLM-NPQR"
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def clean_code(self):
        code = code_normalize(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                _(
                    "Un code de vérification compte 16 lettres et chiffres, par exemple "
                    "ABCD-EFGH-JKLM-NPQR."
                )
            )
        return code
