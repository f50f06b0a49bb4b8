"""Ma messagerie, the member's side: writing, attachments checked from their content, and
nothing of another member's ever shown."""

import html
import os

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from messaging import services
from messaging.models import Attachment, Message, Thread

from .conftest import jpeg_bytes, pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db

NEW = reverse("messaging:thread_new")


def text(response) -> str:
    return html.unescape(response.content.decode())


def write(client, *files, subject="paiements", body="Où en est mon paiement ?"):
    return client.post(NEW, {"subject": subject, "body": body, "files": list(files)})


def stored_files(directory) -> list:
    return [p for p in directory.rglob("*") if p.is_file()] if directory.exists() else []


def test_a_member_writes_with_a_real_pdf_and_reads_the_thread(
    member_client, member, _attachments_dir
):
    response = write(member_client, upload("releve.pdf", pdf_bytes()))
    thread = Thread.objects.get(member=member.user)
    assert response.status_code == 302
    assert response.url == reverse("messaging:thread", args=[thread.pk])
    assert thread.status == Thread.Status.NEW and thread.waiting_since is not None
    attachment = Attachment.objects.get()
    assert (attachment.name, attachment.content_type) == ("releve.pdf", "application/pdf")
    assert len(stored_files(_attachments_dir)) == 1
    page = text(member_client.get(response.url))
    assert "Où en est mon paiement ?" in page
    assert "Envoyé" in page and "releve.pdf" in page


def test_the_list_shows_each_status_in_the_members_words(member_client, member, agent):
    for subject in ("paiements", "affiliation", "cotisations", "autre"):
        write(member_client, subject=subject)
    new, in_progress, answered, closed = Thread.objects.order_by("pk")
    services.thread_assign(thread=in_progress, agent=agent)
    services.thread_reply(thread=answered, agent=agent, body="Voici.", files=[])
    services.thread_close(thread=closed, agent=agent)
    page = text(member_client.get(reverse("messaging:threads")))
    for label in ("Envoyé", "En cours", "Réponse disponible", "Clos"):
        assert label in page


def test_an_image_is_kept_with_its_type_from_the_content(member_client):
    write(
        member_client, upload("photo.png", jpeg_bytes(), "image/png"), upload("scan", png_bytes())
    )
    names = sorted(Attachment.objects.values_list("name", "content_type"))
    # The extension follows what the file is, not what it was called.
    assert names == [("photo.jpg", "image/jpeg"), ("scan.png", "image/png")]


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("facture.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + os.urandom(2000), "n'est ni un PDF"),
        ("photo.jpg", jpeg_bytes((400, 300))[:-600], "abîmé ou incomplet"),
        ("photo.png", png_bytes((400, 300))[:-40], "abîmé ou incomplet"),
        ("releve.pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n" + b"x" * 100, "abîmé ou incomplet"),
        ("lettre.pdf", b"Bonjour, ceci est un texte.", "n'est ni un PDF"),
    ],
    ids=["renamed-executable", "truncated-jpeg", "truncated-png", "broken-pdf", "text"],
)
def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_stored(
    member_client, _attachments_dir, name, content, message
):
    response = write(member_client, upload("bon.pdf", pdf_bytes()), upload(name, content))
    assert response.status_code == 200
    page = text(response)
    assert message in page and f"« {name} »" in page
    assert "Erreur" in page.split("</title>")[0]
    assert not Thread.objects.exists() and not Message.objects.exists()
    assert not Attachment.objects.exists() and stored_files(_attachments_dir) == []


def test_an_11_mb_file_is_refused(member_client, _attachments_dir):
    big = pdf_bytes() + b"%" + b"0" * (11 * 1024 * 1024)
    response = write(member_client, upload("gros.pdf", big))
    assert "dépasse 10 Mo" in text(response)
    assert not Thread.objects.exists() and stored_files(_attachments_dir) == []


def test_six_files_are_refused(member_client):
    files = [upload(f"doc{i}.pdf", pdf_bytes()) for i in range(6)]
    response = write(member_client, *files)
    assert "5 documents au plus" in text(response)
    assert not Thread.objects.exists()


def test_an_empty_message_is_refused_next_to_its_field(member_client):
    response = member_client.post(NEW, {"subject": "paiements", "body": ""})
    page = text(response)
    assert response.status_code == 200 and 'href="#id_body"' in page
    assert not Thread.objects.exists()


def test_the_daily_limit_stops_a_member_who_writes_too_much(member_client, monkeypatch):
    monkeypatch.setattr(services, "MESSAGES_PER_DAY", 2)
    write(member_client)
    write(member_client)
    response = write(member_client)
    assert "réessayez demain" in text(response)
    assert Thread.objects.count() == 2


def test_the_quota_counts_every_file_already_sent(member_client, monkeypatch):
    document = pdf_bytes()
    monkeypatch.setattr(services, "QUOTA_BYTES", len(document) * 2 + 10)
    write(member_client, upload("a.pdf", document), upload("b.pdf", document))
    response = write(member_client, upload("c.pdf", document))
    assert "place disponible" in text(response)
    assert Attachment.objects.count() == 2


def test_a_member_cannot_open_another_members_thread_or_file(client, member, other_member):
    client.force_login(other_member.user)
    write(client, upload("secret.pdf", pdf_bytes()))
    thread, attachment = Thread.objects.get(), Attachment.objects.get()
    client.force_login(member.user)
    assert client.get(reverse("messaging:thread", args=[thread.pk])).status_code == 404
    assert (
        client.post(
            reverse("messaging:thread", args=[thread.pk]), {"body": "Je m'invite."}
        ).status_code
        == 404
    )
    assert client.get(reverse("messaging:attachment", args=[attachment.pk])).status_code == 404
    assert Message.objects.count() == 1
    assert "secret.pdf" not in text(client.get(reverse("messaging:threads")))


def test_a_file_is_a_download_that_the_browser_does_not_sniff(member_client):
    write(member_client, upload("releve.pdf", pdf_bytes()))
    attachment = Attachment.objects.get()
    response = member_client.get(reverse("messaging:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF-") and len(content) == attachment.size


def test_anonymous_visitors_and_agents_are_sent_to_the_members_login(client, agent):
    thread_url = reverse("messaging:threads")
    assert client.get(thread_url).url.startswith(reverse("accounts:login"))
    client.force_login(agent)
    assert client.get(thread_url).url.startswith(reverse("accounts:login"))


def test_writing_again_puts_the_thread_back_in_the_queue(member_client, member, agent):
    write(member_client)
    thread = Thread.objects.get()
    services.thread_reply(thread=thread, agent=agent, body="Pouvez-vous préciser ?", files=[])
    member_client.post(reverse("messaging:thread", args=[thread.pk]), {"body": "Voici."})
    thread.refresh_from_db()
    assert thread.status == Thread.Status.IN_PROGRESS and thread.waiting_since is not None


def test_a_closed_thread_takes_no_more_messages(member_client, agent):
    write(member_client)
    thread = Thread.objects.get()
    services.thread_close(thread=thread, agent=agent)
    page = text(member_client.get(reverse("messaging:thread", args=[thread.pk])))
    assert "Cet échange est clos" in page
    member_client.post(reverse("messaging:thread", args=[thread.pk]), {"body": "Encore ?"})
    assert Message.objects.count() == 1


def test_the_audit_log_records_the_message_without_its_content(member_client, member):
    write(member_client, upload("releve.pdf", pdf_bytes()), body="Mon IBAN est FR76 3000 6000")
    event = AuditEvent.objects.get(type=AuditEvent.Type.MESSAGE_SENT)
    assert event.subject == member.user and event.data["files"] == 1
    assert "IBAN" not in str(event.data) and "releve" not in str(event.data)
