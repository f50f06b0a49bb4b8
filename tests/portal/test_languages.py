"""Emails go out in the language the person used: an English registration makes an English
account, whose welcome and later emails (password changed, new address to confirm) are in
English."""

import pytest

from accounts.models import User
from tests.accounts.conftest import post_login
from tests.delivery.worker import run_worker
from tests.signup.factories import person_create
from tests.signup.walk import register_person

# The worker closes the database connection between tasks: a transactional test (worker.py).
pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "le vent souffle sur Gustavia"


def test_an_english_registration_gets_its_emails_in_english(client, smtp_server):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    card = person_create()
    register_person(client, card, email="marie@example.org")
    account = User.objects.get()
    assert account.language == "en"
    run_worker()
    (welcome,) = smtp_server.wait_for(1)
    assert welcome["Subject"].strip() == "Your temporary password — Mon espace privé"
    temporary = smtp_server.text_of(welcome).split("Temporary password: ")[1].split()[0]

    client.cookies.clear()  # a new browser, in French: the account's language still counts
    assert post_login(client, card.nir, temporary).status_code == 302
    client.post(
        "/compte/choisir-mon-mot-de-passe/",
        {"new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD},
    )
    client.post(
        "/mon-espace/adresse-email/",
        {"new_email": "marie.b@example.net", "current_password": NEW_PASSWORD},
    )
    run_worker()
    subjects = {message["Subject"].strip() for message in smtp_server.wait_for(3)[1:]}
    assert subjects == {
        "Your password has been changed — Mon espace privé",
        "Confirm your email address — Mon espace privé",
    }
