"""The private space says when the member's address refused their password's email for good."""

import html

import pytest
from django.urls import reverse

from accounts.models import TemporaryPassword
from delivery.models import EmailDelivery
from delivery.services import email_enqueue
from tests.accounts.conftest import post_login
from tests.accounts.factories import PERSONAL_PASSWORD, make_member
from tests.delivery.worker import run_worker

pytestmark = pytest.mark.django_db(transaction=True)


def _refused_then_logged_in(client, smtp_server):
    member = make_member(
        temporary=None,
        password=PERSONAL_PASSWORD,
        email="nobody@example.org",
        email_confirmed=False,
    )
    email_enqueue(
        kind=EmailDelivery.Kind.TEMPORARY_PASSWORD,
        user=member.user,
        to_address=member.user.email,
        language="fr",
    )
    smtp_server.refuse, smtp_server.refusal = True, "550 5.1.1 No such user here"
    run_worker()
    assert post_login(client, member.identifier, PERSONAL_PASSWORD)["Location"] == "/mon-espace/"
    return member


def test_home_says_the_address_refused_the_email_and_the_password_went_by_post(client, smtp_server):
    member = _refused_then_logged_in(client, smtp_server)
    page = html.unescape(client.get(reverse("portal:home")).content.decode())
    assert "le serveur de messagerie de l'adresse nobody@example.org l'a refusé" in page
    assert "Il vous a été envoyé par courrier, à votre adresse postale." in page
    assert "Vérifier ou modifier mon adresse email" in page
    assert member.user.letters.get().reason == "email_refused"
    assert not TemporaryPassword.objects.filter(user=member.user, voided_at=None).exists()


def test_the_notice_goes_once_the_address_changed(client, smtp_server):
    member = _refused_then_logged_in(client, smtp_server)
    member.user.email = "marie@example.org"
    member.user.save(update_fields=["email"])
    page = html.unescape(client.get(reverse("portal:home")).content.decode())
    assert "l'a refusé" not in page


def test_another_member_sees_nothing_of_it(client, smtp_server):
    _refused_then_logged_in(client, smtp_server)
    client.logout()
    other = make_member(temporary=None, password=PERSONAL_PASSWORD, email="nobody@example.org")
    assert post_login(client, other.identifier, PERSONAL_PASSWORD)["Location"] == "/mon-espace/"
    page = html.unescape(client.get(reverse("portal:home")).content.decode())
    assert "l'a refusé" not in page
