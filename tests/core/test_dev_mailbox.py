"""The development mailbox where a newcomer reads the emails the product sends."""

import pytest
from django.core.checks import run_checks
from django.core.mail import EmailMultiAlternatives, get_connection
from django.http import Http404
from django.test import RequestFactory

from core.mailbox import read_mailbox
from core.views import dev_mailbox


def test_mail_written_by_the_worker_is_readable_by_the_web_page(settings, tmp_path):
    settings.EMAIL_FILE_PATH = tmp_path
    settings.DEBUG, settings.DEV_MAILBOX = True, True
    settings.ROOT_URLCONF = "tests.core.urls_dev"
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


@pytest.mark.parametrize("debug, mailbox", [(False, True), (True, False), (False, False)])
def test_the_mailbox_page_exists_only_in_development(settings, tmp_path, debug, mailbox):
    """Whatever URL configuration mounts it, the page lists nothing outside development."""
    settings.EMAIL_FILE_PATH = tmp_path
    settings.DEBUG, settings.DEV_MAILBOX = debug, mailbox
    with pytest.raises(Http404):
        dev_mailbox(RequestFactory().get("/dev/mailbox/"))


def test_the_mailbox_backend_without_debug_stops_the_server(settings):
    settings.DEBUG = False
    settings.EMAIL_BACKEND = "core.mailbox.MailboxBackend"
    assert "core.E003" in [error.id for error in run_checks()]
