"""What accounts puts in the emails it asks for: the confirmation link of a new address.

The link is made by the email worker at send time (delivery.emails' secret makers): the outbox
keeps only the request's id.
"""

from delivery.emails import Secret, secret_maker
from delivery.models import EmailDelivery

from .models import EmailChange
from .tokens import email_change_url


@secret_maker(EmailDelivery.Kind.EMAIL_CONFIRMATION)
def _email_confirmation(delivery: EmailDelivery) -> Secret:
    change = EmailChange.objects.get(pk=delivery.context["email_change_id"])
    return Secret(context={"confirmation_url": email_change_url(change)})
