"""The base of every form in the project, so that each renders and speaks the same way."""

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from identity import IdentityError, parse_mobile

# The fund's guide says this for an empty required field; every form says it too.
REQUIRED_MESSAGE = _("Renseigner cette information.")
# Longer than any real name or address line; stops a 5,000-character paste at the door.
TEXT_MAX_LENGTH = 100


class FormMixin:
    """Guide wording for required fields, no stray control characters in any text."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = REQUIRED_MESSAGE


class Form(FormMixin, forms.Form):
    pass


class ModelForm(FormMixin, forms.ModelForm):
    pass


# « ?clavier=complet »: the same page with a NIR field that keeps the phone's full keyboard.
FULL_KEYBOARD_PARAMETER, FULL_KEYBOARD_VALUE = "clavier", "complet"


@dataclass(frozen=True)
class Keyboard:
    """For the templates: whether the page shows the full keyboard, and its address."""

    full: bool
    url: str  # this page's query string with « clavier=complet » (``next`` kept)


def full_keyboard(request, form, field_name: str) -> Keyboard:
    """Whether this page gives ``field_name`` the full keyboard instead of a numeric keypad.

    NIR fields ask phones for a numeric keypad, which has no letters, and the NIR of someone
    born in Corsica holds 2A or 2B: next to such a field a link reopens the page with
    « clavier=complet » added to its query string, which drops the field's inputmode.
    """
    wanted = request.GET.get(FULL_KEYBOARD_PARAMETER) == FULL_KEYBOARD_VALUE
    if wanted and field_name in form.fields:
        form.fields[field_name].widget.attrs.pop("inputmode", None)
    query = request.GET.copy()
    query[FULL_KEYBOARD_PARAMETER] = FULL_KEYBOARD_VALUE
    return Keyboard(full=wanted, url="?" + query.urlencode())


def identity_error(error) -> forms.ValidationError:
    """Turn an identity.IdentityError into a form error, translated in the person's language."""
    return forms.ValidationError(gettext(error.message), code=error.code)


class PrefixedTextInput(forms.TextInput):
    """A text input with fixed text before it, the start of a number that is already known.

    As the GOV.UK Design System's « prefix »: the prefix is hidden from screen readers, so
    the field's hint must say it in words.
    """

    template_name = "core/widgets/prefixed_input.html"

    def __init__(self, attrs=None, *, prefix: str):
        super().__init__(attrs)
        self.prefix = prefix

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["prefix"] = self.prefix
        return context


class TextField(forms.CharField):
    """A one-line text field: bounded length, no control characters, surrounding spaces gone."""

    default_error_messages = {
        "control": _("Ce champ contient des caractères non autorisés."),
    }

    def __init__(self, *, max_length: int = TEXT_MAX_LENGTH, **kwargs):
        super().__init__(max_length=max_length, strip=True, **kwargs)

    def validate(self, value):
        super().validate(value)
        if value and any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in value):
            raise forms.ValidationError(self.error_messages["control"], code="control")


class MobileField(TextField):
    """A mobile number, optional or not, cleaned to E.164 by identity.parse_mobile ("" if empty).

    Registration, « Autre » requests and the private space all take it the same way.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return ""
        try:
            return parse_mobile(value, region=settings.PHONE_DEFAULT_REGION)
        except IdentityError as error:
            raise identity_error(error) from None
