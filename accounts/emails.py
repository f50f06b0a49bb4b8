"""The emails accounts asks for, and what it puts in them: the temporary password and the
confirmation link of a new address.

Both are made by the email worker at send time (delivery.emails' secret makers): the outbox
keeps no secret, only the account and, for a link, the request's id.
"""

from functools import partial

from delivery.emails import Secret, secret_maker
from delivery.models import EmailDelivery
from delivery.services import email_enqueue

from .models import EmailChange, TemporaryPassword, User
from .passwords import temporary_password_void, temporary_passwords_issue
from .tokens import email_change_url


@secret_maker(EmailDelivery.Kind.TEMPORARY_PASSWORD, many=True)
def _temporary_passwords(deliveries: list[EmailDelivery]) -> list[Secret]:
    # Made now, not at registration: no temporary password ever waits in clear (docs/product.md §4).
    issued = temporary_passwords_issue(
        users=[delivery.user for delivery in deliveries], channel=TemporaryPassword.Channel.EMAIL
    )
    return [
        Secret(
            context={"password": clear, "expires_at": record.expires_at},
            undo=partial(temporary_password_void, temporary_password=record),
        )
        for clear, record in issued
    ]


@secret_maker(EmailDelivery.Kind.EMAIL_CONFIRMATION)
def _email_confirmation(delivery: EmailDelivery) -> Secret:
    change = EmailChange.objects.get(pk=delivery.context["email_change_id"])
    return Secret(context={"confirmation_url": email_change_url(change)})


def account_notify(user: User, kind: str, context: dict | None = None) -> None:
    """Tell the account's confirmed address about a security event, if it has one."""
    if user.email and user.email_confirmed:
        email_enqueue(
            kind=kind,
            user=user,
            to_address=user.email,
            language=user.language,
            context=context or {},
        )
