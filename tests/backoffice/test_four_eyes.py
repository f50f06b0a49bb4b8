"""No single agent can take over a member's account (docs/product.md §8): a dishonest agent
tries."""

import datetime
import io

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import TemporaryPassword
from audit.models import AuditEvent
from backoffice.selectors import agent_volume_alerts
from delivery.letters import letters_batch_generate, letters_batch_reprint
from delivery.models import Letter
from tests.backoffice import factories
from tests.backoffice.conftest import sign_in
from tests.delivery.pdf_reading import read_letters

pytestmark = pytest.mark.django_db

MEMBERS = "/agents/backoffice/memberaccount/"
GENERATE = "/agents/delivery/letterbatch/generer/"
LETTERS = "/agents/delivery/letter/"


def signed_in(agent) -> Client:
    client = Client()
    assert sign_in(client, agent).status_code == 302
    return client


def ask_for_a_letter(client, member):
    client.post(MEMBERS, {"action": "send_password_by_post", "_selected_action": [member.pk]})
    return Letter.objects.get(user=member, status=Letter.Status.PENDING)


def test_an_agent_cannot_print_the_letter_they_asked_for(agent_client, agent):
    member = factories.member()
    letter = ask_for_a_letter(agent_client, member)
    assert letter.requested_by == agent

    response = agent_client.post(GENERATE, follow=True)
    page = response.content.decode()
    assert response["Content-Type"].startswith("text/html")  # no PDF
    assert "un autre agent l&#x27;imprime" in page
    assert "Aucun courrier à imprimer." in page
    letter.refresh_from_db()
    assert letter.status == Letter.Status.PENDING
    assert not TemporaryPassword.objects.filter(user=member).exists()  # no password made


def test_another_agent_prints_it(agent_client):
    member = factories.member()
    letter = ask_for_a_letter(agent_client, member)
    other = signed_in(factories.agent(login="agent.autre"))
    response = other.post(GENERATE)
    assert response["Content-Type"] == "application/pdf"
    [page] = read_letters(b"".join(response.streaming_content))
    assert member.identifier_masked in page.text
    letter.refresh_from_db()
    assert letter.status == Letter.Status.PRINTED


def test_the_others_letters_still_go_into_the_requesters_batch(agent):
    mine = factories.letter(requested_by=agent)
    theirs = factories.letter(requested_by=factories.agent(login="agent.autre"))
    automatic = factories.letter()
    report = letters_batch_generate(out=io.BytesIO(), agent=agent)
    assert report.printed == 2
    assert report.skipped == {mine.pk: "four_eyes"}
    statuses = dict(Letter.objects.values_list("pk", "status"))
    assert statuses == {
        mine.pk: Letter.Status.PENDING,
        theirs.pk: Letter.Status.PRINTED,
        automatic.pk: Letter.Status.PRINTED,
    }


def test_an_older_letter_of_the_same_account_is_not_printed_around_the_rule(agent):
    member = factories.member()
    older = factories.letter(user=member)  # queued by the product (a registration)
    mine = factories.letter(user=member, requested_by=agent)
    report = letters_batch_generate(out=io.BytesIO(), agent=agent)
    assert report.batch is None
    # Neither printed nor cancelled: the next batch, by someone else, prints the latest.
    assert set(Letter.objects.values_list("pk", "status")) == {
        (older.pk, Letter.Status.PENDING),
        (mine.pk, Letter.Status.PENDING),
    }


def test_an_agent_cannot_reprint_their_letter_from_someone_elses_batch(agent):
    other = factories.agent(login="agent.autre")
    mine = factories.letter(requested_by=agent)
    plain = factories.letter()
    first = letters_batch_generate(out=io.BytesIO(), agent=other)
    assert first.printed == 2
    reprint = letters_batch_reprint(batch=first.batch, out=io.BytesIO(), agent=agent)
    assert reprint.printed == 1 and reprint.skipped == {mine.pk: "four_eyes"}
    assert Letter.objects.get(pk=plain.pk).batch == reprint.batch
    assert Letter.objects.get(pk=mine.pk).batch == first.batch  # left for another agent


def test_a_supervisor_approves_another_agents_letter_but_not_their_own(
    agent_client, agent, supervisor
):
    member = factories.member()
    letter = ask_for_a_letter(agent_client, member)
    # An agent does not even see the action.
    assert "approve_letters" not in agent_client.get(LETTERS).content.decode()
    agent_client.post(LETTERS, {"action": "approve_letters", "_selected_action": [letter.pk]})
    letter.refresh_from_db()
    assert letter.approved_by is None

    boss = signed_in(supervisor)
    own = ask_for_a_letter(boss, factories.member())
    boss.post(LETTERS, {"action": "approve_letters", "_selected_action": [letter.pk, own.pk]})
    letter.refresh_from_db()
    own.refresh_from_db()
    assert letter.approved_by == supervisor and letter.approved_at is not None
    assert own.approved_by is None  # a supervisor's own request needs someone else too
    assert AuditEvent.objects.filter(
        type=AuditEvent.Type.AGENT_ACTION,
        actor=supervisor,
        subject=member,
        data__action="letter_approved",
    ).exists()

    # Approved: the requester's own batch may hold it now (and the supervisor's own letter,
    # made by someone else's hand than the batch's).
    report = letters_batch_generate(out=io.BytesIO(), agent=agent)
    assert (report.printed, report.skipped) == (2, {})


def test_an_approved_review_request_makes_a_letter_another_agent_prints(agent_client, agent):
    """Approving a request links it to a registry person: the agent could choose anyone."""
    person = factories.person(
        nir=factories.new_nir(sex=2, year=1990, month=3),
        nom="Questel",
        prenoms="Anne",
        date_naissance=datetime.date(1990, 3, 2),
    )
    request = factories.signup_request()
    agent_client.post(
        f"/agents/signup/signuprequest/{request.pk}/change/",
        {"approve": "1", "candidate": person.pk},
    )
    letter = Letter.objects.get()
    assert letter.requested_by == agent
    report = letters_batch_generate(out=io.BytesIO(), agent=agent)
    assert report.batch is None and report.skipped == {letter.pk: "four_eyes"}


def test_unusual_volumes_by_one_agent_are_shown_to_supervisors_only(
    agent_client, agent, supervisor, settings
):
    settings.AGENT_DAILY_LETTERS_ALERT = 3
    members = [factories.member() for _ in range(3)]
    for member in members:
        ask_for_a_letter(agent_client, member)
    yesterday = timezone.now() - datetime.timedelta(days=1)
    AuditEvent.objects.create(type=AuditEvent.Type.ACCOUNT_UNLOCKED, actor=agent, at=yesterday)
    [alert] = agent_volume_alerts()
    assert (alert.agent, alert.what, alert.count) == (agent, "letters", 3)
    assert (
        "a demandé 3 courriers à la main aujourd"
        not in agent_client.get("/agents/").content.decode()
    )
    page = signed_in(supervisor).get("/agents/").content.decode()
    assert "agent.durand a demandé 3 courriers à la main aujourd'hui." in page
