"""The agents' side: the queue, assign, reply with files, close and reopen, search by
identifier, the dashboard's figures; the email that tells the member, without the answer."""

import html
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from delivery.models import EmailDelivery
from messaging import services
from messaging.models import Attachment, Message, Thread
from tests.accounts.factories import PERSONAL_PASSWORD, make_member, make_person
from tests.backoffice import factories
from tests.backoffice.conftest import sign_in

from .conftest import pdf_bytes, upload

pytestmark = pytest.mark.django_db

QUEUE = "/agents/messaging/thread/"


def text(response) -> str:
    return html.unescape(response.content.decode())


def named_member(nom: str):
    person, nir = make_person(nom=nom)
    return make_member(person=person, nir=nir, temporary=None, password=PERSONAL_PASSWORD)


def thread_of(member, *, body="Bonjour, une question.", subject="paiements", ago=None, files=()):
    thread = services.thread_create(member=member.user, subject=subject, body=body, files=[])
    if ago is not None:
        Thread.objects.filter(pk=thread.pk).update(waiting_since=timezone.now() - ago)
    return thread


def test_the_queue_opens_on_new_threads_oldest_first_with_masked_identifiers(agent_client):
    recent, old = named_member("RECENT"), named_member("ANCIEN")
    thread_of(recent, ago=timedelta(hours=2))
    thread_of(old, ago=timedelta(days=3))
    page = text(agent_client.get(QUEUE))
    assert page.index("Ancien") < page.index("Recent")
    assert old.user.identifier_masked in page and old.identifier not in page
    assert "3 jours" in page and "Nouveaux (2)" in page


def test_assign_reply_with_a_file_close_and_reopen(agent_client, agent, member, smtp_server):
    thread = thread_of(member)
    url = f"{QUEUE}{thread.pk}/change/"
    agent_client.post(url, {"assign": "1"})
    thread.refresh_from_db()
    assert (thread.assigned_to, thread.status) == (agent, Thread.Status.IN_PROGRESS)
    assert "Mes échanges (1)" in text(agent_client.get(QUEUE + "?file=miens"))

    response = agent_client.post(
        url,
        {
            "reply": "1",
            "body": "Votre paiement part demain.",
            "files": [upload("a.pdf", pdf_bytes())],
        },
    )
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.status == Thread.Status.ANSWERED and thread.waiting_since is None
    reply = Message.objects.get(from_fund=True)
    # The agent's file belongs to the member: they may open it, it counts in no one else's.
    assert Attachment.objects.get(message=reply).owner == member.user
    assert "Votre paiement part demain." in text(agent_client.get(url))

    agent_client.post(url, {"close": "1"})
    thread.refresh_from_db()
    assert thread.status == Thread.Status.CLOSED and thread.closed_at is not None
    agent_client.post(url, {"reopen": "1"})
    thread.refresh_from_db()
    assert thread.status == Thread.Status.IN_PROGRESS and thread.closed_at is None
    actions = list(
        AuditEvent.objects.filter(type=AuditEvent.Type.AGENT_ACTION, subject=member.user)
        .order_by("at")
        .values_list("data__action", flat=True)
    )
    assert actions == ["thread_assigned", "thread_replied", "thread_closed", "thread_reopened"]
    assert "paiement" not in str(AuditEvent.objects.values_list("data", flat=True))


def test_a_bad_reply_file_is_refused_next_to_the_field(agent_client, member):
    thread = thread_of(member)
    response = agent_client.post(
        f"{QUEUE}{thread.pk}/change/",
        {"reply": "1", "body": "Voici.", "files": [upload("virus.pdf", b"MZ" + b"\x00" * 500)]},
    )
    assert response.status_code == 200 and "n'est ni un PDF" in text(response)
    assert not Message.objects.filter(from_fund=True).exists()


@pytest.mark.django_db(transaction=True)
def test_the_member_is_told_by_email_without_the_answer(smtp_server, member, agent):
    from tests.delivery.worker import run_worker

    thread = thread_of(member)
    services.thread_reply(thread=thread, agent=agent, body="Le secret de la réponse.", files=[])
    run_worker()
    (message,) = smtp_server.wait_for(1)
    body = smtp_server.text_of(message) + smtp_server.html_of(message)
    assert message["To"] == member.user.email
    assert "Une réponse vous attend" in message["Subject"]
    assert "Ma messagerie" in body and "secret de la réponse" not in body


def test_nothing_is_sent_to_an_unconfirmed_address(agent):
    unconfirmed = make_member(temporary=None, password=PERSONAL_PASSWORD, email_confirmed=False)
    thread = thread_of(unconfirmed)
    services.thread_reply(thread=thread, agent=agent, body="Réponse.", files=[])
    assert not EmailDelivery.objects.exists()
    assert Thread.objects.get().status == Thread.Status.ANSWERED


def test_search_by_identifier_finds_the_members_threads_without_putting_it_in_the_address(
    agent_client, member
):
    other = named_member("QUESTEL")
    thread_of(member)
    thread_of(other)
    response = agent_client.post(QUEUE + "?file=tout", {"q": member.identifier})
    assert response.status_code == 302 and member.identifier not in response.url
    page = text(agent_client.get(response.url))
    assert member.user.identifier_masked in page
    assert "Questel" not in page and member.identifier not in page


def test_the_agent_opens_a_file_and_it_is_audited(agent_client, agent, member):
    thread = services.thread_create(
        member=member.user,
        subject="autre",
        body="Ci-joint.",
        files=[_checked(pdf_bytes())],
    )
    attachment = Attachment.objects.get()
    response = agent_client.get(f"{QUEUE}{thread.pk}/pieces-jointes/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(
        actor=agent, subject=member.user, data__action="attachment_opened"
    ).exists()
    # A file of another thread is not reachable through this one's address.
    other = thread_of(member)
    assert agent_client.get(f"{QUEUE}{other.pk}/pieces-jointes/{attachment.pk}/").status_code == 404


def test_an_agent_without_the_permission_sees_nothing_and_cannot_act(member):
    thread = services.thread_create(
        member=member.user, subject="autre", body="Privé.", files=[_checked(pdf_bytes())]
    )
    attachment = Attachment.objects.get()
    stranger = factories.agent(login="agent.sans.droit", groups=())
    client = Client()
    sign_in(client, stranger)
    assert client.get(QUEUE).status_code == 403
    assert client.get(f"{QUEUE}{thread.pk}/change/").status_code == 403
    assert client.post(f"{QUEUE}{thread.pk}/change/", {"close": "1"}).status_code == 403
    assert client.get(f"{QUEUE}{thread.pk}/pieces-jointes/{attachment.pk}/").status_code == 403
    thread.refresh_from_db()
    assert thread.status == Thread.Status.NEW


def test_a_member_never_reaches_the_queue(client, member):
    thread = thread_of(member)
    client.force_login(member.user)
    response = client.get(f"{QUEUE}{thread.pk}/change/")
    assert response.status_code == 302 and "/agents/login/" in response.url


def test_the_dashboard_shows_the_waiting_threads_and_the_oldest(agent_client, member, agent):
    thread_of(member, ago=timedelta(days=2, hours=1))
    thread_of(member, ago=timedelta(hours=5))
    answered = thread_of(member)
    services.thread_reply(thread=answered, agent=agent, body="Fait.", files=[])
    page = text(agent_client.get("/agents/tableau-de-bord/"))
    assert "<strong>2</strong> échanges attendent la caisse" in page
    assert "le plus ancien depuis 2" in page


def _checked(content):
    from messaging.attachments import attachment_check

    return attachment_check(upload("piece.pdf", content))


def test_reply_and_close_in_one_click(agent_client, member):
    thread = thread_of(member)
    agent_client.post(
        f"{QUEUE}{thread.pk}/change/", {"reply_close": "1", "body": "C'est réglé. Bonne journée."}
    )
    thread.refresh_from_db()
    assert thread.status == Thread.Status.CLOSED
    assert Message.objects.filter(thread=thread, from_fund=True).count() == 1
    assert EmailDelivery.objects.filter(user=member.user, kind="reply_waiting").exists()


def test_the_members_home_says_a_reply_waits(client, member, agent):
    thread = thread_of(member)
    client.force_login(member.user)
    assert "vous attend" not in text(client.get("/mon-espace/"))
    services.thread_reply(thread=thread, agent=agent, body="Voici.", files=[])
    assert "Une réponse de la caisse vous attend." in text(client.get("/mon-espace/"))


def test_a_thread_shows_the_members_other_threads_and_no_one_elses(agent_client, member):
    first = thread_of(member, subject="affiliation")
    second = thread_of(member, subject="paiements")
    stranger = named_member("QUESTEL")
    thread_of(stranger, subject="cotisations")
    page = text(agent_client.get(f"{QUEUE}{second.pk}/change/"))
    assert "Autres échanges de l'adhérent" in page
    assert f"{QUEUE}{first.pk}/change/" in page and "Mes cotisations" not in page
