"""What accounts gives the letter batches (delivery.letters.LetterRecipients): the postal address
on file of each account, read from its registry row, and the temporary passwords the letters
carry, made at print time (docs/product.md §4, §7). Registered in AccountsConfig.ready."""

from delivery.letters import LetterRecipients, letter_recipients_register
from delivery.postal import PostalAddress, recipient_line
from identity import first_given_name

from .models import TemporaryPassword, User
from .passwords import temporary_passwords_issue, temporary_passwords_void


def letter_address(user: User) -> PostalAddress | None:
    """The postal address on file (registry), for the person or the company of the account;
    None when the account has neither."""
    if user.person_id:
        person = user.person
        return PostalAddress(
            recipient=_recipient(first_given_name(person.prenoms), person.nom),
            line_2=person.adresse_2,
            line_3=person.adresse_3,
            line_4=person.adresse_4,
            line_5=person.adresse_5,
            postcode=person.code_postal,
            locality=person.commune,
            country=person.pays,
        )
    if user.company_id:
        company = user.company
        attention = _recipient(user.first_name, user.last_name)
        return PostalAddress(
            recipient=company.raison_sociale,
            line_2=company.adresse_2 or attention,
            line_3=company.adresse_3,
            line_4=company.adresse_4,
            line_5=company.adresse_5,
            postcode=company.code_postal,
            locality=company.commune,
            country=company.pays,
        )
    return None


def _recipient(first_name: str, last_name: str) -> str:
    return recipient_line(first_name, last_name) if last_name.strip() else ""


def _passwords_issue(user_ids: list[int], at):
    issued = temporary_passwords_issue(
        users=user_ids, channel=TemporaryPassword.Channel.POST, at=at
    )
    return [(clear, record.expires_at) for clear, record in issued]


def _passwords_void(user_ids: list[int]) -> None:
    temporary_passwords_void(users=user_ids, channel=TemporaryPassword.Channel.POST)


letter_recipients_register(
    LetterRecipients(
        address=letter_address,
        # Read with the letters, in the batch's own query.
        address_reads=("person", "company"),
        passwords_issue=_passwords_issue,
        passwords_void=_passwords_void,
    )
)
