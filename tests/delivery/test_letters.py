"""Letter batches: one PDF of the pending letters, read back as the post and the person would."""

import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import TemporaryPassword
from accounts.passwords import ALPHABET, temporary_password_match
from audit.models import AuditEvent
from delivery.letters import letters_batch_generate, letters_batch_post, letters_batch_reprint
from delivery.models import Letter, LetterBatch
from tests.backoffice import factories
from tests.delivery.pdf_reading import read_letters

pytestmark = pytest.mark.django_db

LOCALITY = re.compile(r"^\d{5} [A-Z0-9 ]+$")


def demo_letters():
    """Letters to people at very different addresses, and to a company."""
    addresses = [
        {},  # Saint-Barthélemy, lieu-dit
        {
            "nom": "De La Fontaine-Saint-Aubin",
            "prenoms": "Jean-Baptiste, Marie",
            "adresse_2": "Appartement 12, 3e étage",
            "adresse_3": "Résidence Les Flamboyants",
            "adresse_4": "128 bis, avenue du Général-de-Gaulle",
            "adresse_5": "BP 1024",
            "code_postal": "75016",
            "commune": "Paris",
        },
        {
            "nom": "Schmidt",
            "prenoms": "Anna",
            "adresse_4": "Hauptstraße 5",
            "adresse_5": "",
            "code_postal": "10115",
            "commune": "Berlin",
            "pays": "Allemagne",
        },
    ]
    letters = [
        factories.letter(user=factories.member(person=factories.person(**a))) for a in addresses
    ]
    company = factories.company()
    letters.append(factories.letter(user=factories.company_member(company=company)))
    return letters


def generate(**kwargs):
    out = io.BytesIO()
    report = letters_batch_generate(out=out, **kwargs)
    return report, out.getvalue()


def test_batch_prints_one_page_per_pending_letter_with_a_window_address(agent):
    letters = demo_letters()
    report, pdf = generate(agent=agent)
    printed = read_letters(pdf)
    assert len(printed) == len(letters) == report.printed
    for page in printed:
        assert 3 <= len(page.address_lines) <= 6 or page.address_lines[-1] == "ALLEMAGNE"
        assert all(len(line) <= 38 for line in page.address_lines), page.address_lines
        locality = (
            page.address_lines[-2]
            if page.address_lines[-1] == "ALLEMAGNE"
            else page.address_lines[-1]
        )
        assert LOCALITY.match(locality), locality
    assert printed[0].address_lines == [
        "Marie GREAUX",
        "12 RUE SAMUEL FAHLBERG",
        "LIEU DIT LORIENT",
        "97133 ST BARTHELEMY",
    ]
    # Six lines at most; from the street down, capitals without accents or punctuation.
    paris = printed[1].address_lines
    assert len(paris) == 6
    assert paris[3:] == ["128 BIS AVENUE DU GENERAL DE GAULLE", "BP 1024", "75016 PARIS"]
    assert printed[2].address_lines[-2:] == ["10115 BERLIN", "ALLEMAGNE"]
    assert printed[3].address_lines[0] == "Boulangerie de Gustavia"


def test_street_line_longer_than_38_characters_is_abbreviated_on_the_letter():
    """The registry keeps the core system's lines whole; the letter abbreviates them."""
    from accounts.letters import letter_address
    from delivery.postal import address_block

    person = factories.person()
    person.adresse_4 = "128 bis avenue du Général Charles de Gaulle prolongée"
    person.save()
    user = factories.member(person=person)
    user.person = person
    lines = address_block(letter_address(user))
    assert "128 BIS AV GAL C DE GAULLE PROLONGEE" in lines
    assert all(len(line) <= 38 for line in lines)


def test_letter_carries_masked_identifier_expiry_login_and_contact(agent, settings):
    letter = factories.letter()
    _report, pdf = generate(agent=agent)
    page = read_letters(pdf)[0]
    assert letter.user.identifier_masked in page.text
    assert "1 85 05 •• ••• •••" in page.text
    expiry = timezone.localdate() + timezone.timedelta(days=30)
    assert f"Valable jusqu'au {expiry.day} " in page.text
    assert "http://testserver/compte/connexion/" in page.text
    assert settings.FUND["phone"] in page.text and settings.FUND["email"] in page.text


def test_password_read_from_the_pdf_logs_in_once_and_a_reprint_voids_it(agent):
    letter = factories.letter()
    report, pdf = generate(agent=agent)
    password = read_letters(pdf)[0].password
    assert len(password) == 12 and set(password) <= set(ALPHABET)
    # Stored only as its hash.
    record = TemporaryPassword.objects.get(user=letter.user)
    assert password not in record.password_hash and record.channel == "post"
    assert temporary_password_match(user=letter.user, password=password) == record
    assert (record.expires_at - record.created_at).days == 30

    out = io.BytesIO()
    reprint = letters_batch_reprint(batch=report.batch, out=out, agent=agent)
    new_password = read_letters(out.getvalue())[0].password
    assert new_password != password
    assert temporary_password_match(user=letter.user, password=password) is None
    assert temporary_password_match(user=letter.user, password=new_password) is not None
    letter.refresh_from_db()
    assert letter.batch == reprint.batch and letter.status == Letter.Status.PRINTED


def test_batch_is_recorded_and_posting_is_confirmed(agent):
    factories.letter()
    factories.letter()
    report, _pdf = generate(agent=agent)
    batch = LetterBatch.objects.get()
    assert batch == report.batch
    assert (batch.created_by, batch.letter_count) == (agent, 2)
    assert set(Letter.objects.values_list("status", flat=True)) == {Letter.Status.PRINTED}
    assert AuditEvent.objects.filter(
        type=AuditEvent.Type.LETTER_BATCH, actor=agent, data__letters=2
    ).exists()
    assert letters_batch_post(batch=batch, agent=agent) == 2
    assert set(Letter.objects.values_list("status", flat=True)) == {Letter.Status.POSTED}
    batch.refresh_from_db()
    assert batch.posted_by == agent and batch.posted_at is not None
    # Nothing is left to print.
    assert generate(agent=agent)[0].batch is None


def test_letter_without_address_stays_pending(agent):
    nowhere = factories.letter(
        user=factories.member(
            person=factories.person(adresse_4="", adresse_5="", code_postal="", commune="")
        )
    )
    printable = factories.letter()
    report, pdf = generate(agent=agent)
    assert report.printed == 1 and report.skipped == {nowhere.pk: "no_address"}
    nowhere.refresh_from_db()
    printable.refresh_from_db()
    assert nowhere.status == Letter.Status.PENDING
    assert printable.status == Letter.Status.PRINTED
    assert not TemporaryPassword.objects.filter(user=nowhere.user).exists()


def test_two_pending_letters_for_one_account_print_once(agent):
    user = factories.member()
    first = factories.letter(user=user)
    second = factories.letter(user=user)
    report, pdf = generate(agent=agent)
    assert report.printed == 1 and len(read_letters(pdf)) == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Letter.Status.CANCELLED, Letter.Status.PRINTED)


def test_letter_in_english_for_a_person_who_registered_in_english(agent):
    factories.letter(language="en")
    _report, pdf = generate(agent=agent)
    text = read_letters(pdf)[0].text
    assert "Your temporary password" in text
    assert "Social Security number" in text


def test_command_writes_the_pdf(tmp_path):
    factories.letter()
    out = tmp_path / "lot.pdf"
    stdout = io.StringIO()
    call_command("letters_batch", out=str(out), stdout=stdout)
    assert "1 letter(s)" in stdout.getvalue()
    assert len(read_letters(out.read_bytes())) == 1
    assert out.stat().st_mode & 0o077 == 0  # passwords in clear: the owner's eyes only
    assert LetterBatch.objects.get().created_by is None


def test_command_with_nothing_pending_writes_nothing(tmp_path):
    out = tmp_path / "lot.pdf"
    stdout = io.StringIO()
    call_command("letters_batch", out=str(out), stdout=stdout)
    assert "No letter to print." in stdout.getvalue()
    assert not out.exists()


def test_the_person_logs_in_with_the_password_printed_on_the_letter(client, agent):
    from django.core.cache import cache

    cache.clear()
    nir = factories.new_nir()
    factories.letter(user=factories.member(nir=nir))
    report, pdf = generate(agent=agent)
    password = read_letters(pdf)[0].password
    out = io.BytesIO()
    letters_batch_reprint(batch=report.batch, out=out, agent=agent)
    refused = client.post("/compte/connexion/", {"identifier": nir[:13], "password": password})
    assert refused.status_code == 200  # voided by the reprint
    reprinted = read_letters(out.getvalue())[0].password
    response = client.post("/compte/connexion/", {"identifier": nir[:13], "password": reprinted})
    assert response.status_code == 302
    assert response["Location"] == "/compte/choisir-mon-mot-de-passe/"
