"""The SMTP server the email tests rely on really speaks SMTP with Django's backend."""

import smtplib

import pytest
from django.core.mail import send_mail


def test_django_delivers_to_the_local_smtp_server(smtp_server):
    send_mail("Objet", "Corps du message", "caisse@example.org", ["adherent@example.org"])
    (message,) = smtp_server.wait_for(1)
    assert message["Subject"] == "Objet"
    assert message["To"] == "adherent@example.org"
    assert "Corps du message" in smtp_server.text_of(message)


def test_a_refusing_server_makes_the_send_fail(smtp_server):
    smtp_server.refuse = True
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send_mail("Objet", "Corps", "caisse@example.org", ["adherent@example.org"])
    assert smtp_server.messages == []
