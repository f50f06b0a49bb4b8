"""Change requests: an address or bank details to change, checked, decided by an agent,
exported for the fund's core system and settled by the next registry import."""

import csv
import html
import io
import logging

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from delivery.letters import letters_batch_generate
from delivery.models import EmailDelivery, Letter
from messaging import services
from messaging.models import Attachment, ChangeRequest
from registry.services import registry_import
from tests.accounts.factories import PERSONAL_PASSWORD, make_member
from tests.delivery.pdf_reading import read_letters
from tests.registry import factories as registry_factories

from .conftest import pdf_bytes, upload

pytestmark = pytest.mark.django_db

ADDRESS = reverse("messaging:address_change")
BANK = reverse("messaging:bank_details_change")
ADMIN = "/agents/messaging/changerequest/"
NEW_IBAN = registry_factories.iban(42)
GOOD_ADDRESS = {
    "line_4": "5 rue du Général de Gaulle",
    "line_2": "",
    "line_3": "",
    "line_5": "Colombier",
    "postcode": "97133",
    "locality": "Saint-Barthélemy",
    "country": "",
}


def text(response) -> str:
    return html.unescape(response.content.decode())


def spaced(iban: str) -> str:
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def ask_bank_change(client, iban=NEW_IBAN, content=None):
    statement = upload("rib.pdf", content if content is not None else pdf_bytes())
    return client.post(BANK, {"iban": spaced(iban), "statement": statement})


def test_an_address_change_is_a_request_and_the_registry_stays_as_it_is(member_client, member):
    before = member.person.adresse_4
    response = member_client.post(ADDRESS, GOOD_ADDRESS)
    assert response.status_code == 302
    change = ChangeRequest.objects.get()
    assert change.kind == ChangeRequest.Kind.ADDRESS and change.status == "pending"
    assert change.address["line_4"] == "5 rue du Général de Gaulle"
    member.person.refresh_from_db()
    assert member.person.adresse_4 == before
    assert "En cours d'examen" in text(member_client.get(reverse("messaging:change_requests")))


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"postcode": "9713"}, "postcode", "5 chiffres"),
        ({"locality": ""}, "locality", "Indiquez la commune"),
        ({"line_4": "", "line_5": ""}, "line_4", "numéro et la voie"),
        ({"line_3": "R" * 39}, "line_3", "38 caractères au plus"),
        (
            {"locality": "Saint-Barthélemy-de-la-Grande-Montagne-Bleue"},
            "locality",
            "38 caractères",
        ),
    ],
)
def test_an_address_that_does_not_fit_an_envelope_is_refused(
    member_client, changes, field, message
):
    response = member_client.post(ADDRESS, {**GOOD_ADDRESS, **changes})
    page = text(response)
    assert response.status_code == 200 and message in page and f'href="#id_{field}"' in page
    assert not ChangeRequest.objects.exists()


def test_an_address_abroad_takes_its_country(member_client):
    abroad = {**GOOD_ADDRESS, "postcode": "H2X 1Y4", "locality": "Montréal", "country": "Canada"}
    assert member_client.post(ADDRESS, abroad).status_code == 302
    assert ChangeRequest.objects.get().address["country"] == "Canada"


def test_a_bank_details_change_keeps_the_iban_sealed_never_in_clear(member_client, member, caplog):
    caplog.set_level(logging.DEBUG)
    response = ask_bank_change(member_client)
    assert response.status_code == 302
    change = ChangeRequest.objects.get()
    assert change.iban_masked.endswith(NEW_IBAN[-4:]) and NEW_IBAN not in change.iban_masked
    assert change.iban_sealed and NEW_IBAN not in change.iban_sealed
    assert Attachment.objects.get().change_request == change
    # Nowhere in the database in clear, nor in the logs or the audit log.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM messaging_changerequest")
        assert NEW_IBAN not in str(cursor.fetchall())
    assert NEW_IBAN not in caplog.text and NEW_IBAN[4:] not in caplog.text
    assert NEW_IBAN not in str(list(AuditEvent.objects.values_list("data", flat=True)))


@pytest.mark.parametrize(
    "iban, message",
    [("FR76 3000 6000 0112 3456 7890 188", "comporte une erreur"), ("XX12 3456", "format")],
)
def test_a_wrong_iban_is_refused_and_nothing_is_stored(
    member_client, iban, message, _attachments_dir
):
    response = member_client.post(BANK, {"iban": iban, "statement": upload("rib.pdf", pdf_bytes())})
    assert response.status_code == 200 and message in text(response)
    assert not ChangeRequest.objects.exists() and not Attachment.objects.exists()


def test_a_bank_change_needs_a_readable_statement(member_client, _attachments_dir):
    response = member_client.post(BANK, {"iban": NEW_IBAN})
    assert "Renseigner cette information" in text(response)
    response = ask_bank_change(member_client, content=b"MZ" + b"\x00" * 400)
    assert "n'est ni un PDF" in text(response)
    assert not ChangeRequest.objects.exists()
    assert not _attachments_dir.exists() or not any(_attachments_dir.rglob("*.*"))


def test_the_daily_limit_of_requests(member_client, monkeypatch):
    monkeypatch.setattr(services, "REQUESTS_PER_DAY", 1)
    member_client.post(ADDRESS, GOOD_ADDRESS)
    response = member_client.post(ADDRESS, GOOD_ADDRESS)
    assert "réessayez demain" in text(response)
    assert ChangeRequest.objects.count() == 1


def test_an_agent_sees_the_iban_to_compare_with_the_statement_and_accepts(
    agent_client, agent, member_client, member
):
    ask_bank_change(member_client)
    change = ChangeRequest.objects.get()
    page = text(agent_client.get(f"{ADMIN}{change.pk}/change/"))
    assert spaced(NEW_IBAN) in page and "rib.pdf" in page
    response = agent_client.post(f"{ADMIN}{change.pk}/change/", {"accept": "1"})
    assert response.status_code == 302
    change.refresh_from_db()
    assert (change.status, change.decided_by) == (ChangeRequest.Status.ACCEPTED, agent)
    # A letter to the address on file, and an email that says only that an answer waits.
    letter = Letter.objects.get(user=member.user)
    assert letter.reason == services.BANK_LETTER_REASON
    assert EmailDelivery.objects.get(kind="reply_waiting").context == {"about": "request"}
    assert "Acceptée" in text(member_client.get(reverse("messaging:change_requests")))
    # Decided once: a second decision is refused.
    agent_client.post(f"{ADMIN}{change.pk}/change/", {"refuse": "1", "reason": "Trop tard"})
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.ACCEPTED


def test_the_confirmation_letter_has_no_password_and_goes_to_the_address_on_file(member, agent):
    change = services.bank_details_change_request(
        member=member.user, iban=NEW_IBAN, statement=_statement()
    )
    services.change_request_accept(change=change, agent=agent)
    out = io.BytesIO()
    report = letters_batch_generate(out=out, agent=agent)
    assert report.printed == 1
    (printed,) = read_letters(out.getvalue())
    assert (
        printed.address_lines[-1] == "97133 ST BARTHELEMY" or "97133" in printed.address_lines[-1]
    )
    assert "coordonnées bancaires" in printed.text and "mot de passe provisoire" not in printed.text
    assert NEW_IBAN not in printed.text and NEW_IBAN[-4:] not in printed.text
    assert not member.user.temporary_passwords.exists()
    assert Letter.objects.get().status == Letter.Status.PRINTED


def test_a_refusal_gives_its_reason_and_erases_the_iban_and_statement(
    agent_client, member_client, _attachments_dir, django_capture_on_commit_callbacks
):
    ask_bank_change(member_client)
    change = ChangeRequest.objects.get()
    response = agent_client.post(f"{ADMIN}{change.pk}/change/", {"refuse": "1", "reason": ""})
    assert response.status_code == 200 and "Renseigner cette information" in text(response)
    with django_capture_on_commit_callbacks(execute=True):
        agent_client.post(
            f"{ADMIN}{change.pk}/change/",
            {"refuse": "1", "reason": "Le relevé n'est pas à votre nom."},
        )
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.REFUSED and change.iban_sealed == ""
    assert not Attachment.objects.exists() and not any(_attachments_dir.rglob("*.*"))
    assert not Letter.objects.exists()
    page = text(member_client.get(reverse("messaging:change_requests")))
    assert "Refusée" in page and "Le relevé n'est pas à votre nom." in page


def test_an_agent_without_the_permission_cannot_decide(member, client):
    from tests.backoffice import factories
    from tests.backoffice.conftest import sign_in

    change = services.address_change_request(member=member.user, address=GOOD_ADDRESS)
    sign_in(client, factories.agent(login="agent.lecture", groups=()))
    assert client.get(f"{ADMIN}{change.pk}/change/").status_code == 403
    assert client.post(f"{ADMIN}{change.pk}/change/", {"accept": "1"}).status_code == 403
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.PENDING


def test_export_lists_the_days_accepted_changes_with_the_iban_for_the_core_system(
    member, agent, tmp_path
):
    other = make_member(temporary=None, password=PERSONAL_PASSWORD)
    bank = services.bank_details_change_request(
        member=member.user, iban=NEW_IBAN, statement=_statement()
    )
    address = services.address_change_request(member=other.user, address=GOOD_ADDRESS)
    pending = services.address_change_request(member=member.user, address=GOOD_ADDRESS)
    services.change_request_accept(change=bank, agent=agent)
    services.change_request_accept(change=address, agent=agent)
    out = tmp_path / "changements.csv"
    call_command("export_changes", out=str(out))
    rows = list(csv.DictReader(out.open(encoding="utf-8"), delimiter=";"))
    assert [row["reference"] for row in rows] == [str(bank.pk), str(address.pk)]
    assert rows[0]["type"] == "iban" and rows[0]["iban"] == NEW_IBAN
    assert rows[0]["empreinte_identifiant"] == member.user.login
    assert rows[1]["adresse_4"] == "5 rue du Général de Gaulle" and rows[1]["iban"] == ""
    assert str(pending.pk) not in {row["reference"] for row in rows}
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    bank.refresh_from_db()
    assert bank.exported_at is not None
    event = AuditEvent.objects.get(type=AuditEvent.Type.CHANGES_EXPORTED)
    assert event.data["changes"] == 2 and NEW_IBAN not in str(event.data)


def test_the_next_registry_import_settles_what_it_shows(
    agent, tmp_path, _attachments_dir, django_capture_on_commit_callbacks
):
    row = registry_factories.person(7, iban=registry_factories.iban(7))
    registry_import(path=registry_factories.extract(tmp_path / "a.csv", [row]), kind="persons")
    from registry.models import Person

    person = Person.objects.get()
    member = make_member(person=person, nir=row["nir"][:13], temporary=None)
    bank = services.bank_details_change_request(
        member=member.user, iban=NEW_IBAN, statement=_statement()
    )
    address = services.address_change_request(
        member=member.user,
        address={**GOOD_ADDRESS, "line_3": "Villa Les Alizés", "line_5": "Lorient"},
    )
    services.change_request_accept(change=bank, agent=agent)
    services.change_request_accept(change=address, agent=agent)
    # The core system recorded the IBAN but not yet the address.
    with django_capture_on_commit_callbacks(execute=True):
        registry_import(
            path=registry_factories.extract(tmp_path / "b.csv", [{**row, "iban": NEW_IBAN}]),
            kind="persons",
        )
    bank.refresh_from_db()
    address.refresh_from_db()
    assert bank.status == ChangeRequest.Status.SETTLED and bank.iban_sealed == ""
    assert not Attachment.objects.filter(change_request=bank).exists()
    assert not any(_attachments_dir.rglob("*.*"))
    assert address.status == ChangeRequest.Status.ACCEPTED
    moved = {**row, "iban": NEW_IBAN, "adresse_4": "5 RUE DU GENERAL DE GAULLE"}
    registry_import(path=registry_factories.extract(tmp_path / "c.csv", [moved]), kind="persons")
    address.refresh_from_db()
    assert address.status == ChangeRequest.Status.SETTLED


def test_the_pages_of_another_members_requests_show_nothing(client, member, other_member):
    services.bank_details_change_request(
        member=other_member.user, iban=NEW_IBAN, statement=_statement()
    )
    attachment = Attachment.objects.get()
    client.force_login(member.user)
    page = text(client.get(reverse("messaging:change_requests")))
    assert "Aucune" in page or "aucune" in page
    assert NEW_IBAN[-4:] not in page
    assert client.get(reverse("messaging:attachment", args=[attachment.pk])).status_code == 404


def test_the_bank_page_says_so_when_the_key_is_missing(member_client, settings):
    settings.BANK_DETAILS_KEY = ""
    response = member_client.get(BANK)
    assert response.status_code == 503 and "pas disponible" in text(response)


def _statement():
    from messaging.attachments import attachment_check

    return attachment_check(upload("rib.pdf", pdf_bytes()))


def test_decided_at_is_today_for_the_default_export(member, agent):
    change = services.address_change_request(member=member.user, address=GOOD_ADDRESS)
    services.change_request_accept(change=change, agent=agent)
    change.refresh_from_db()
    assert timezone.localtime(change.decided_at).date() == timezone.localdate()


def test_showing_the_iban_to_an_agent_is_audited(agent_client, agent, member):
    change = services.bank_details_change_request(
        member=member.user, iban=NEW_IBAN, statement=_statement()
    )
    agent_client.get(f"{ADMIN}{change.pk}/change/")
    event = AuditEvent.objects.get(data__action="iban_shown")
    assert (event.actor, event.subject) == (agent, member.user)
    assert NEW_IBAN not in str(event.data)


def test_a_bank_change_after_an_address_change_warns_the_agent(agent_client, member):
    # Someone who took over the account moves the address first, so that the letter
    # confirming the new bank details reaches them and not the member.
    services.address_change_request(member=member.user, address=GOOD_ADDRESS)
    change = services.bank_details_change_request(
        member=member.user, iban=NEW_IBAN, statement=_statement()
    )
    page = text(agent_client.get(f"{ADMIN}{change.pk}/change/"))
    assert "Attention : un changement d'adresse a été demandé" in page
    alone = make_member(temporary=None, password=PERSONAL_PASSWORD)
    other = services.bank_details_change_request(
        member=alone.user, iban=NEW_IBAN, statement=_statement()
    )
    assert "Attention" not in text(agent_client.get(f"{ADMIN}{other.pk}/change/"))
