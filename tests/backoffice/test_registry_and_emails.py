"""Registry imports seen and run from the back-office; failed emails sent again."""

import re

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from delivery.models import EmailDelivery
from registry.models import Person, RegistryImport
from tests.backoffice import factories

pytestmark = pytest.mark.django_db


def test_imports_are_listed_with_their_rejected_lines(agent_client):
    record = RegistryImport.objects.create(
        kind="persons",
        file_name="extrait-2026-11.csv",
        status="done",
        created=10,
        rejected=1,
        rejected_lines=[{"line": 7, "reason": "clé du NIR incorrecte"}],
    )
    assert (
        "extrait-2026-11.csv"
        in agent_client.get("/agents/registry/registryimport/").content.decode()
    )
    page = agent_client.get(f"/agents/registry/registryimport/{record.pk}/change/").content.decode()
    assert "clé du NIR incorrecte" in page and "<td>7</td>" in page
    assert agent_client.get("/agents/registry/registryimport/add/").status_code == 403


def test_an_import_killed_outright_is_listed_as_failed_not_running(agent_client):
    from tests.registry.factories import killed_import

    killed = killed_import(file_name="extrait-tue.csv")

    page = agent_client.get("/agents/registry/registryimport/").content.decode()

    killed.refresh_from_db()
    assert killed.status == RegistryImport.Status.FAILED
    assert re.search(r"extrait-tue\.csv</[^>]+>\s*<td[^>]*>Échec</td>", page)
    detail = agent_client.get(f"/agents/registry/registryimport/{killed.pk}/change/")
    assert "son processus a disparu" in detail.content.decode()


def run_registry_worker():
    from tests.delivery.worker import run_task_worker

    run_task_worker(queue="registry")


def upload(client, path, **data):
    with path.open("rb") as file:
        return client.post(
            "/agents/registry/registryimport/importer/",
            {"kind": "persons", "encoding": "utf-8", "file": file, **data},
        )


@pytest.mark.django_db(transaction=True)
def test_a_supervisor_uploads_an_extract_and_a_worker_runs_the_import(
    supervisor_client, supervisor, tmp_path, settings
):
    from tests.registry import factories as extracts

    settings.REGISTRY_UPLOAD_DIR = tmp_path / "imports"
    path = extracts.extract(
        tmp_path / "extrait-novembre.csv",
        [extracts.person(1), extracts.person(2), extracts.person(3, nir="123")],
    )
    response = upload(supervisor_client, path)
    record = RegistryImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/agents/registry/registryimport/{record.pk}/change/"
    # The request only queued it: the registry has not changed yet, the status says so.
    assert record.status == RegistryImport.Status.QUEUED
    assert not Person.objects.exists()
    page = supervisor_client.get(response["Location"]).content.decode()
    assert "En attente" in page
    [kept] = (tmp_path / "imports").iterdir()
    assert kept.stat().st_mode & 0o077 == 0  # readable by the service's user only

    run_registry_worker()
    record.refresh_from_db()
    assert (record.status, record.file_name, record.agent, record.created, record.rejected) == (
        RegistryImport.Status.DONE,
        "extrait-novembre.csv",
        supervisor,
        2,
        1,
    )
    assert Person.objects.count() == 2
    # The audit log names the file the agent chose, not the kept copy.
    event = AuditEvent.objects.get(type=AuditEvent.Type.REGISTRY_IMPORT)
    assert event.data["file_name"] == "extrait-novembre.csv"
    page = supervisor_client.get(response["Location"]).content.decode()
    assert "<td>4</td>" in page  # the rejected line's number, with its reason
    assert list((tmp_path / "imports").iterdir()) == []  # the upload is not kept


def test_an_agent_cannot_upload_an_extract(agent_client, tmp_path, settings):
    """An extract changes addresses and proofs: one agent alone must not send one
    (docs/product.md §8)."""
    from tests.registry import factories as extracts

    settings.REGISTRY_UPLOAD_DIR = tmp_path / "imports"
    path = extracts.extract(tmp_path / "x.csv", [extracts.person(1)])
    assert upload(agent_client, path).status_code == 403
    assert agent_client.get("/agents/registry/registryimport/importer/").status_code == 403
    assert (
        "Importer un extrait"
        not in agent_client.get("/agents/registry/registryimport/").content.decode()
    )
    assert not RegistryImport.objects.exists() and not Person.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_extract_in_the_wrong_encoding_is_refused_whole(supervisor_client, tmp_path, settings):
    from tests.registry import factories as extracts

    settings.REGISTRY_UPLOAD_DIR = tmp_path / "imports"
    path = extracts.extract(
        tmp_path / "x.csv", [extracts.person(1, nom="Lédée")], encoding="cp1252"
    )
    upload(supervisor_client, path)
    run_registry_worker()
    record = RegistryImport.objects.get()
    assert record.status == RegistryImport.Status.REFUSED
    page = supervisor_client.get(f"/agents/registry/registryimport/{record.pk}/change/")
    assert "Le registre n&#x27;a pas changé." in page.content.decode()
    assert not Person.objects.exists()


def test_upload_refuses_what_is_not_a_csv(supervisor_client, tmp_path):
    bad = tmp_path / "photo.png"
    bad.write_bytes(b"\x89PNG")
    response = upload(supervisor_client, bad)
    assert response.status_code == 200
    assert "Choisissez un fichier .csv." in response.content.decode()


def test_upload_refuses_a_file_over_the_size_limit(supervisor_client, tmp_path, settings):
    from tests.registry import factories as extracts

    settings.REGISTRY_UPLOAD_DIR = tmp_path / "imports"
    settings.REGISTRY_UPLOAD_MAX_BYTES = 100
    path = extracts.extract(tmp_path / "big.csv", [extracts.person(1), extracts.person(2)])
    response = upload(supervisor_client, path)
    assert response.status_code == 200
    assert "Ce fichier dépasse 100\xa0octets" in response.content.decode()
    assert not RegistryImport.objects.exists()
    assert not (tmp_path / "imports").exists()


def test_email_list_shows_the_smtp_error(agent_client):
    factories.email_delivery()
    page = agent_client.get("/agents/delivery/emaildelivery/?status__exact=failed").content.decode()
    assert "451 4.3.0 Mailbox temporarily unavailable" in page


@pytest.mark.django_db(transaction=True)
def test_failed_email_is_sent_again_from_the_back_office(smtp_server, client):
    from accounts.passwords import temporary_password_match
    from delivery import sender
    from delivery.services import email_enqueue
    from tests.backoffice.conftest import sign_in
    from tests.delivery.worker import run_worker

    agent = factories.agent()
    member = factories.member(email="marie@example.org", channel="email")
    email_enqueue(
        kind=EmailDelivery.Kind.TEMPORARY_PASSWORD,
        user=member,
        to_address=member.email,
        language="fr",
    )
    smtp_server.refuse = True
    for _attempt in range(sender.MAX_ATTEMPTS):
        run_worker(including_later=True)
    delivery = EmailDelivery.objects.get()
    assert delivery.status == EmailDelivery.Status.FAILED

    sign_in(client, agent)
    page = client.get("/agents/delivery/emaildelivery/").content.decode()
    assert "451 4.3.0 Mailbox temporarily unavailable" in page
    smtp_server.refuse = False
    client.post(
        "/agents/delivery/emaildelivery/",
        {"action": "resend", "_selected_action": [delivery.pk]},
    )
    run_worker()
    (message,) = smtp_server.wait_for(1)
    delivery.refresh_from_db()
    assert delivery.status == EmailDelivery.Status.SENT
    password = re.search(r"Mot de passe provisoire : (\S{12})", smtp_server.text_of(message))
    assert temporary_password_match(user=member, password=password.group(1)) is not None
    assert AuditEvent.objects.filter(
        type=AuditEvent.Type.EMAIL_RESENT, actor=agent, subject=member
    ).exists()


@pytest.mark.django_db(transaction=True)
def test_payments_and_contributions_are_uploaded_and_listed_like_the_registry(
    supervisor_client, tmp_path, settings
):
    # A payments extract feeds step 4's last-payment proof: its uploads are for supervisors,
    # under the registry's permission (test_an_agent_cannot_upload_an_extract).
    from payments.models import Contribution, Payment
    from tests.payments import factories as payment_extracts

    settings.REGISTRY_UPLOAD_DIR = tmp_path / "imports"

    payment_extracts.registry_with(tmp_path, 1)
    payments = payment_extracts.extract(
        tmp_path / "paiements-novembre.csv",
        [payment_extracts.payment(1), payment_extracts.payment(2, nature="loto")],
    )
    with payments.open("rb") as upload:
        supervisor_client.post(
            "/agents/registry/registryimport/importer/",
            {"kind": "payments", "encoding": "utf-8", "file": upload},
        )
    contributions = payment_extracts.extract(
        tmp_path / "cotisations.csv", [payment_extracts.contribution(1)], kind="contributions"
    )
    with contributions.open("rb") as upload:
        supervisor_client.post(
            "/agents/registry/registryimport/importer/",
            {"kind": "contributions", "encoding": "utf-8", "file": upload},
        )
    run_registry_worker()
    assert (Payment.objects.count(), Contribution.objects.count()) == (1, 1)
    listed = supervisor_client.get("/agents/registry/registryimport/?kind__exact=payments")
    page = listed.content.decode()
    assert "paiements-novembre.csv" in page and "cotisations.csv" not in page
    record = RegistryImport.objects.get(kind="payments")
    detail = supervisor_client.get(f"/agents/registry/registryimport/{record.pk}/change/")
    assert "Valeur inconnue : « loto »" in detail.content.decode().replace("&#x27;", "'")


@pytest.mark.django_db(transaction=True)
def test_a_refused_email_shows_its_letter_and_a_stuck_one_is_sent_again(smtp_server, client):
    from delivery import sender
    from delivery.services import email_enqueue
    from tests.backoffice.conftest import sign_in
    from tests.delivery.worker import run_worker

    agent = factories.agent()
    refused, stuck = (
        factories.member(email=f"{name}@example.org", channel="email")
        for name in ("refused", "stuck")
    )
    for member in (refused, stuck):
        email_enqueue(
            kind=EmailDelivery.Kind.TEMPORARY_PASSWORD,
            user=member,
            to_address=member.email,
            language="fr",
        )
    smtp_server.refuse, smtp_server.refusal = True, "550 5.1.1 No such user here"
    run_worker(max_tasks=1)
    # The other one was taken by a worker that died: held until its lease ends.
    sender._take(token="d" * 32, worker="mort", limit=10)
    smtp_server.refuse = False

    sign_in(client, agent)
    page = client.get("/agents/delivery/emaildelivery/").content.decode()
    assert "550 5.1.1 No such user here" in page
    assert ">courrier<" in page  # « remplacé par »: the password went by post
    delivery = EmailDelivery.objects.get(user=stuck)
    EmailDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timezone.timedelta(seconds=1)
    )
    client.post(
        "/agents/delivery/emaildelivery/",
        {"action": "resend", "_selected_action": [delivery.pk]},
    )
    run_worker()
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == stuck.email
    delivery.refresh_from_db()
    assert delivery.status == EmailDelivery.Status.SENT
