"""The development mailbox where a newcomer reads the emails the product sends."""

from django.core.mail import EmailMultiAlternatives, get_connection
from django.test import RequestFactory

from core.mailbox import read_mailbox
from core.views import dev_mailbox


def test_mail_written_by_the_worker_is_readable_by_the_web_page(settings, tmp_path):
    settings.EMAIL_FILE_PATH = tmp_path
    connection = get_connection("core.mailbox.MailboxBackend")
    for subject in ["Premier", "Votre mot de passe provisoire"]:
        message = EmailMultiAlternatives(
            subject, "Mot de passe : Abc34", "caisse@example.org", ["marie@example.org"]
        )
        message.attach_alternative("<p>Mot de passe : Abc34</p>", "text/html")
        connection.send_messages([message])

    messages = read_mailbox()
    assert [m["subject"] for m in messages] == ["Votre mot de passe provisoire", "Premier"]
    assert messages[0]["to"] == "marie@example.org"
    assert messages[0]["body"].strip() == "Mot de passe : Abc34"

    response = dev_mailbox(RequestFactory().get("/dev/mailbox/"))
    assert "Votre mot de passe provisoire" in response.content.decode()


def test_an_empty_mailbox_says_so(settings, tmp_path):
    settings.EMAIL_FILE_PATH = tmp_path / "absent"
    assert read_mailbox() == []
