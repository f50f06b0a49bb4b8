"""The token in an email-confirmation link: an HMAC of the EmailChange row, never stored.

128 bits of HMAC-SHA256 under SECRET_KEY (and its fallbacks, so a key rotation does not kill
links already sent). It covers the row's id, account, new address and creation time, so a
token is good for that one request only; whether the link was already used or has expired is
read from the row, which lets the pages tell a wrong link from an expired or a used one.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from .models import EmailChange

_SALT = "accounts.tokens.email_change"
_LENGTH = 32  # hex characters: 128 bits


def _token(change: EmailChange, secret: str) -> str:
    value = f"{change.pk}:{change.user_id}:{change.new_email}:{change.created_at.timestamp()}"
    return salted_hmac(_SALT, value, secret=secret, algorithm="sha256").hexdigest()[:_LENGTH]


def email_change_token(change: EmailChange) -> str:
    """The token of `change`'s confirmation link."""
    return _token(change, settings.SECRET_KEY)


def email_change_token_matches(change: EmailChange, token: str) -> bool:
    """Whether `token` is `change`'s, under the current key or a fallback."""
    return any(
        constant_time_compare(_token(change, secret), token)
        for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    )


def email_change_url(change: EmailChange) -> str:
    """The absolute confirmation link for the email that goes to the new address."""
    path = reverse(
        "portal:email_confirm", kwargs={"pk": change.pk, "token": email_change_token(change)}
    )
    return settings.SITE_URL + path
