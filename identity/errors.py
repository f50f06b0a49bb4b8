"""The one error type of identity/: a stable code and a plain-French message."""


def _(message: str) -> str:
    """Mark a message for translation without translating it.

    identity/ must not import Django, yet its messages must reach the .po files:
    Django's makemessages (xgettext) extracts every ``_("...")`` literal, and the
    Django layer shows ``gettext(error.message)``. Messages therefore never contain
    placeholders: the literal is the msgid.
    """
    return message


class IdentityError(ValueError):
    """A value a person typed (or a registry line) was refused.

    ``code`` is stable, for tests and statistics; ``message`` is the French text to
    show next to the field, free of the person's number.
    """

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"IdentityError({self.code!r}, {self.message!r})"


def required_error() -> IdentityError:
    """The error for an empty field, in the words of the fund's registration guide."""
    return IdentityError("required", _("Renseigner cette information."))
