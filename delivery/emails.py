"""What each kind of email says: subject, plain text and HTML, in the recipient's language.

The templates live in delivery/templates/delivery/emails/<kind>{_subject.txt,.txt,.html}. A
kind that carries a secret (the temporary password) gets it from a *secret maker*, called by
the email worker at the moment it sends: the secret exists in memory only, and is undone if
the send fails. The part of the product that owns the secret (accounts: the temporary password,
a confirmation link) registers its maker with ``@secret_maker(kind)`` when it is loaded
(its AppConfig.ready): delivery itself knows no password.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from email.header import Header
from email.utils import parseaddr
from functools import lru_cache

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import EmailDelivery


@dataclass
class Secret:
    """What a secret maker made for one send: template context, and how to undo it."""

    context: dict = field(default_factory=dict)
    undo: Callable[[], None] = lambda: None


SECRET_MAKERS: dict[str, Callable[[list[EmailDelivery]], list[Secret]]] = {}


def secret_maker(kind: str, *, many: bool = False):
    """Register the function that makes the secret of one kind of email, at send time.

    It takes one email and returns its Secret; with ``many=True`` it takes a list of emails
    (each to a different account) and returns their secrets in the same order, so that a
    batch of emails costs a few statements in all.
    """

    def register(function):
        SECRET_MAKERS[kind] = function if many else (lambda ds: [function(d) for d in ds])
        return function

    return register


def secrets_make(deliveries: list[EmailDelivery]) -> list[Secret]:
    """The secrets of these emails (one account each), in their order; committed before any
    of them is sent."""
    made = {}
    by_kind: dict[str, list[EmailDelivery]] = {}
    for delivery in deliveries:
        by_kind.setdefault(delivery.kind, []).append(delivery)
    for kind, group in by_kind.items():
        maker = SECRET_MAKERS.get(kind)
        secrets = maker(group) if maker else [Secret() for _ in group]
        made.update(zip((delivery.pk for delivery in group), secrets, strict=True))
    return [made[delivery.pk] for delivery in deliveries]


def email_message(delivery: EmailDelivery, secret: Secret) -> EmailMultiAlternatives:
    """Build the email of ``delivery`` (text and HTML) in the recipient's language."""
    with translation.override(delivery.language or settings.LANGUAGE_CODE):
        context = {**_base_context(delivery), **delivery.context, **secret.context}
        base = f"delivery/emails/{delivery.kind}"
        subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
        text = render_to_string(f"{base}.txt", context)
        html = render_to_string(f"{base}.html", context)
    sender = _sender(settings.DEFAULT_FROM_EMAIL)
    message = EmailMultiAlternatives(
        subject=_encoded_subject(subject),
        body=text,
        from_email=sender.address,
        to=[delivery.to_address],
        headers={
            "From": sender.header,
            # Asks auto-responders not to answer a message nobody reads (RFC 3834).
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


# The sender and the subjects are the same from one email to the next, and their RFC 2047
# encoding (« Mon espace privé ») is slow in Python's email package: it is done once for each
# value, giving the very bytes Django would give. The bare address is the SMTP envelope's.
@dataclass(frozen=True)
class _Sender:
    header: str
    address: str


@lru_cache(maxsize=8)
def _sender(from_email: str) -> _Sender:
    header = sanitize_address(from_email, settings.DEFAULT_CHARSET)
    return _Sender(header=header, address=parseaddr(header)[1])


@lru_cache(maxsize=64)
def _encoded_subject(subject: str) -> str:
    try:
        subject.encode("ascii")
    except UnicodeEncodeError:
        encoded = Header(subject, settings.DEFAULT_CHARSET).encode()
        # A subject long enough to be folded is left to Django, which refuses line breaks.
        return subject if "\n" in encoded else encoded
    return subject


def _base_context(delivery: EmailDelivery) -> dict:
    user = delivery.user
    return {
        "user": user,
        "identifier_masked": user.identifier_masked,
        "fund": settings.FUND,
        "site_url": settings.SITE_URL,
        "login_url": settings.SITE_URL + _path("accounts:login"),
        "password_reset_url": settings.SITE_URL + _path("accounts:password_reset"),
        "created_at": delivery.created_at,
    }


@lru_cache(maxsize=8)
def _path(name: str) -> str:
    return reverse(name)  # the same for every email of the process's life
