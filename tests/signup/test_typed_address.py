"""An address typed at a registration is pending until proven (docs/product.md §3): a stranger who
types someone else's identity and their own address learns nothing through it."""

import pytest
from django.test import Client

from accounts.models import User
from accounts.services import email_change_confirm, email_change_request
from delivery.models import EmailDelivery, Letter
from tests.delivery.worker import run_worker

from .factories import person_create
from .walk import register_person

STRANGER = "stranger@example.org"


@pytest.mark.django_db(transaction=True)
def test_a_stranger_registering_twice_with_someone_elses_identity_gets_no_mail(smtp_server):
    card = person_create()
    # The stranger knows the NIR, the name and the date of birth, not the card: no proof.
    register_person(Client(REMOTE_ADDR="10.0.0.1"), card, proof="none", email=STRANGER)
    account = User.objects.get()
    assert (account.email, account.email_confirmed) == (STRANGER, False)
    assert Letter.objects.filter(user=account).count() == 1  # to the address on file
    # Again, to learn whether the first attempt made an account.
    register_person(Client(REMOTE_ADDR="10.0.0.2"), card, proof="none", email=STRANGER)
    run_worker()
    assert smtp_server.messages == []
    assert not EmailDelivery.objects.exists()
    account.refresh_from_db()
    assert (account.email, account.email_confirmed) == (STRANGER, False)


@pytest.mark.django_db
def test_a_confirmed_address_gets_the_notice_and_is_never_replaced_by_a_typed_one(client):
    card = person_create()
    register_person(client, card, proof="none", email="owner@example.org")
    owner = User.objects.get()
    owner.email_confirmed = True  # the owner followed the confirmation link
    owner.save(update_fields=["email_confirmed"])
    register_person(Client(REMOTE_ADDR="10.0.0.3"), card, proof="none", email=STRANGER)
    owner.refresh_from_db()
    assert (owner.email, owner.email_confirmed) == ("owner@example.org", True)
    notice = EmailDelivery.objects.get()
    assert (notice.kind, notice.to_address) == (
        EmailDelivery.Kind.EXISTING_ACCOUNT,
        "owner@example.org",
    )


@pytest.mark.django_db(transaction=True)
def test_the_old_confirmed_address_is_told_when_the_email_changes(smtp_server):
    card = person_create()
    register_person(Client(), card, proof="none", email="owner@example.org")
    owner = User.objects.get()
    owner.email_confirmed = True
    owner.save(update_fields=["email_confirmed"])
    change = email_change_request(user=owner, new_email="new@example.org")
    run_worker()
    smtp_server.messages.clear()
    email_change_confirm(request=None, change=change)
    run_worker()
    [notice] = smtp_server.wait_for(1)
    assert notice["To"] == "owner@example.org"
    body = smtp_server.text_of(notice)
    assert "remplacée par une autre" in body
    assert "new@example.org" not in body  # whoever changed it is not named to the old box


@pytest.mark.django_db
def test_confirming_an_unproven_address_tells_nobody_else():
    card = person_create()
    register_person(Client(), card, proof="none", email=STRANGER)
    account = User.objects.get()
    change = email_change_request(user=account, new_email="owner@example.org")
    email_change_confirm(request=None, change=change)
    # The confirmation link went to the new address; nothing to the never-proven one.
    assert list(EmailDelivery.objects.values_list("kind", "to_address")) == [
        (EmailDelivery.Kind.EMAIL_CONFIRMATION, "owner@example.org")
    ]
