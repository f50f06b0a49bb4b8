"""« Mot de passe oublié »: the verification of registration step 4, the two channels of
docs/product.md §3, the same pages whatever happened, and the old password until the new one is
used."""

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.passwords import ALPHABET
from audit.models import AuditEvent
from delivery.models import EmailDelivery, Letter
from delivery.services import letter_queue
from identity import make_nir
from tests.delivery.worker import run_worker

from .conftest import post_login
from .factories import (
    IBAN,
    PERSONAL_PASSWORD,
    VITALE_SERIAL,
    make_company_member,
    make_member,
)

pytestmark = pytest.mark.django_db

START = "/compte/mot-de-passe-oublie/"
DONE = "/compte/mot-de-passe-oublie/demande-enregistree/"
PASSWORD = re.compile(rf"Mot de passe provisoire : ([{ALPHABET}]{{12}})")
BY_EMAIL = "Vous allez recevoir dans quelques instants un email"
BY_POST = "vous sera envoyé par courrier"


def text(response) -> str:
    return html.unescape(response.content.decode())


def ask(client, identifier, birth_date="12/05/1985", *answers):
    """Go through the pages: identity, then each (url suffix, data) answer; return the last."""
    response = client.post(START, {"identifier": identifier, "birth_date": birth_date})
    for suffix, data in answers:
        assert response.status_code == 302, text(response)
        assert response["Location"] == START + suffix
        response = client.post(START + suffix, data)
    return response


def by_serial(serial=VITALE_SERIAL):
    return [
        ("verification/", {"affiliated": "oui"}),
        ("verification/carte-vitale/", {"card": "photo"}),
        ("verification/numero-de-serie/", {"serial": serial}),
    ]


def by_iban(iban=IBAN):
    return [
        ("verification/", {"affiliated": "non"}),
        ("verification/autre-information/", {"proof": "iban"}),
        ("verification/iban/", {"iban": iban}),
    ]


def by_amount(amount="123,45"):
    return [
        ("verification/", {"affiliated": "non"}),
        ("verification/autre-information/", {"proof": "amount"}),
        ("verification/montant/", {"amount": amount}),
    ]


NO_PROOF = [
    ("verification/", {"affiliated": "non"}),
    ("verification/autre-information/", {"proof": "none"}),
]


def done_page(client, response) -> str:
    assert response.status_code == 302 and response["Location"] == DONE, text(response)
    return text(client.get(DONE))


@pytest.mark.django_db(transaction=True)
def test_verified_request_sends_a_new_password_to_the_confirmed_email(client, smtp_server):
    member = make_member(temporary=None, password=PERSONAL_PASSWORD)
    page = done_page(client, ask(client, member.identifier, "12/05/1985", *by_serial()))
    assert BY_EMAIL in page
    run_worker()
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == member.user.email
    body = smtp_server.text_of(message)
    assert "Vous avez demandé un nouveau mot de passe" in body
    assert member.identifier not in body
    clear = PASSWORD.search(body).group(1)
    # The old password still works until the new one is used...
    assert post_login(client, member.identifier, PERSONAL_PASSWORD)["Location"] == "/mon-espace/"
    client.post(reverse("accounts:logout"))
    response = post_login(client, member.identifier, clear)
    assert response["Location"] == "/compte/choisir-mon-mot-de-passe/"
    client.post(reverse("accounts:logout"))
    # ...and no longer once it has been.
    assert post_login(client, member.identifier, PERSONAL_PASSWORD).status_code == 200
    event = AuditEvent.objects.get(type=AuditEvent.Type.PASSWORD_RESET_REQUESTED)
    assert event.subject == member.user
    assert event.data == {"outcome": "email", "proof": "vitale", "verified": True}


@pytest.mark.parametrize("answers", [by_iban(), by_amount()], ids=["iban", "amount"])
def test_the_other_proofs_work_too(client, answers):
    member = make_member(temporary=None, password=PERSONAL_PASSWORD)
    assert BY_EMAIL in done_page(client, ask(client, member.identifier, "12/05/1985", *answers))
    delivery = EmailDelivery.objects.get(kind=EmailDelivery.Kind.TEMPORARY_PASSWORD)
    assert delivery.to_address == member.user.email
    assert delivery.context == {"reason": "password_reset"}


def test_wrong_proof_sends_a_letter_to_the_address_on_file(client):
    member = make_member(temporary=None, password=PERSONAL_PASSWORD)
    page = done_page(
        client, ask(client, member.identifier, "12/05/1985", *by_serial("11111111111"))
    )
    assert BY_POST in page and BY_EMAIL not in page
    letter = Letter.objects.get()
    assert (letter.user, letter.reason, letter.status) == (member.user, "password_reset", "pending")
    assert not EmailDelivery.objects.exists()


def test_no_proof_sends_a_letter(client):
    member = make_member(temporary=None, password=PERSONAL_PASSWORD)
    assert BY_POST in done_page(client, ask(client, member.identifier, "12/05/1985", *NO_PROOF))
    assert Letter.objects.filter(user=member.user).count() == 1


def test_unconfirmed_email_gets_nothing_the_letter_goes(client):
    member = make_member(temporary=None, password=PERSONAL_PASSWORD, email_confirmed=False)
    assert BY_POST in done_page(client, ask(client, member.identifier, "12/05/1985", *by_serial()))
    assert not EmailDelivery.objects.exists()
    assert Letter.objects.filter(user=member.user).exists()


def test_unknown_identifier_or_wrong_birth_date_get_the_same_page_and_nothing_is_sent(client):
    member = make_member(temporary=None, password=PERSONAL_PASSWORD)
    known = done_page(client, ask(client, member.identifier, "12/05/1985", *NO_PROOF))
    unknown_nir = make_nir(sex=1, year=1970, month=1, department="75", commune="056", order=7)
    unknown = done_page(client, ask(client, unknown_nir[:13], "01/01/1970", *by_serial()))
    wrong_date = done_page(client, ask(client, member.identifier, "13/05/1985", *by_serial()))
    assert known == unknown == wrong_date  # the same bytes
    assert Letter.objects.count() == 1  # the known identity's, and only that one
    assert not EmailDelivery.objects.exists()
    events = AuditEvent.objects.filter(type=AuditEvent.Type.PASSWORD_RESET_REQUESTED)
    assert [e.subject for e in events.order_by("at")] == [member.user, None, None]


def test_three_failed_verifications_in_a_day_leave_only_the_post(client):
    member = make_member(temporary=None, password=PERSONAL_PASSWORD)
    for wrong in ["11111111111", "22222222222", "33333333333"]:
        done_page(client, ask(client, member.identifier, "12/05/1985", *by_serial(wrong)))
    # The right serial now: by post all the same, silently.
    page = done_page(client, ask(client, member.identifier, "12/05/1985", *by_serial()))
    assert BY_POST in page
    assert not EmailDelivery.objects.exists()


def test_failures_count_with_the_registrations(client):
    from verification.services import verification_passes

    member = make_member(temporary=None, password=PERSONAL_PASSWORD)
    for _ in range(3):  # three failed registrations on this identity
        verification_passes(login=member.user.login, proof="vitale", matches=False)
    assert BY_POST in done_page(client, ask(client, member.identifier, "12/05/1985", *by_serial()))


def test_one_letter_at_a_time(client):
    member = make_member(temporary=None, password=PERSONAL_PASSWORD)
    for _ in range(2):
        done_page(client, ask(client, member.identifier, "12/05/1985", *NO_PROOF))
    assert Letter.objects.filter(user=member.user).count() == 1


def _aged(letter, days: int, **fields) -> None:
    Letter.objects.filter(pk=letter.pk).update(
        created_at=timezone.now() - timedelta(days=days), **fields
    )


def test_a_password_letter_still_waiting_after_a_day_is_not_doubled(client):
    member = make_member(temporary=None, password=PERSONAL_PASSWORD)
    done_page(client, ask(client, member.identifier, "12/05/1985", *NO_PROOF))
    _aged(Letter.objects.get(user=member.user), days=3)
    done_page(client, ask(client, member.identifier, "12/05/1985", *NO_PROOF))
    assert Letter.objects.filter(user=member.user).count() == 1


def test_a_letter_posted_over_a_day_ago_lets_a_new_one_go(client):
    member = make_member(temporary=None, password=PERSONAL_PASSWORD)
    done_page(client, ask(client, member.identifier, "12/05/1985", *NO_PROOF))
    _aged(Letter.objects.get(user=member.user), days=2, status=Letter.Status.POSTED)
    done_page(client, ask(client, member.identifier, "12/05/1985", *NO_PROOF))
    assert Letter.objects.filter(user=member.user, status=Letter.Status.PENDING).count() == 1


def test_a_notice_waiting_for_its_batch_does_not_hold_back_the_password_letter(client):
    """A notice carries no password (docs/decisions/one-letter-waiting.md)."""
    member = make_member(temporary=None, password=PERSONAL_PASSWORD)
    notice, _queued = letter_queue(user=member.user, language="fr", reason="bank_details_changed")
    _aged(notice, days=2)
    done_page(client, ask(client, member.identifier, "12/05/1985", *NO_PROOF))
    assert set(
        Letter.objects.filter(user=member.user, status=Letter.Status.PENDING).values_list(
            "reason", flat=True
        )
    ) == {"bank_details_changed", "password_reset"}


def test_emails_are_limited_per_account_and_day(client):
    member = make_member(temporary=None, password=PERSONAL_PASSWORD)
    for _ in range(4):
        done_page(client, ask(client, member.identifier, "12/05/1985", *by_amount()))
    assert EmailDelivery.objects.filter(kind=EmailDelivery.Kind.TEMPORARY_PASSWORD).count() == 3


def test_a_client_asking_too_often_is_told_to_wait(client):
    member = make_member(temporary=None, password=PERSONAL_PASSWORD)
    for _ in range(10):
        done_page(client, ask(client, member.identifier, "12/05/1985", *NO_PROOF))
    response = ask(client, member.identifier, "12/05/1985", *NO_PROOF)
    assert response.status_code == 429 and "Trop de demandes" in text(response)


def test_company_without_its_employer_account_gets_a_letter(client):
    company = make_company_member()
    response = ask(
        client,
        "732 829 320 00074",
        "",
        ("verification/entreprise/", {"account": "", "no_account": "on"}),
    )
    assert BY_POST in done_page(client, response)
    assert Letter.objects.filter(user=company.user).exists()


def test_company_with_the_right_employer_account_gets_an_email(client):
    from identity import normalize_employer_account
    from registry.digests import employer_account_digest

    company = make_company_member()
    company.user.company.employer_account_digest = employer_account_digest(
        normalize_employer_account("A1234567")
    )
    company.user.company.save()
    response = ask(
        client, "73282932000074", "", ("verification/entreprise/", {"account": "a1234567"})
    )
    assert BY_EMAIL in done_page(client, response)


def test_birth_date_is_required_for_a_person(client, member):
    response = client.post(START, {"identifier": member.identifier, "birth_date": ""})
    assert "Renseigner cette information." in text(response)
    response = client.post(START, {"identifier": member.identifier, "birth_date": "31/02/1985"})
    assert "Cette date n'existe pas" in text(response)


def test_pages_cannot_be_skipped(client, member):
    assert client.get(START + "verification/numero-de-serie/")["Location"] == START
    client.post(START, {"identifier": member.identifier, "birth_date": "12/05/1985"})
    assert client.get(START + "verification/iban/")["Location"] == START + "verification/"
    assert client.get(DONE)["Location"] == START


def test_previous_keeps_the_answers_and_abandon_forgets_them(client, member):
    ask(client, member.identifier, "12/05/1985", ("verification/", {"affiliated": "oui"}))
    page = text(client.get(START + "verification/carte-vitale/"))
    assert f'href="{START}verification/"' in page  # « < Précédent »
    assert re.search(
        r'value="oui"[^>]*checked', client.get(START + "verification/").content.decode()
    )
    response = client.post(reverse("accounts:password_reset_abandon"))
    assert response["Location"] == "/compte/connexion/"
    assert client.get(START + "verification/")["Location"] == START


def test_nothing_typed_is_kept_in_clear(client, member):
    ask(client, member.identifier, "12/05/1985", *by_serial()[:2])  # up to the serial
    stored = str(dict(client.session.items()))
    assert member.identifier not in stored
    assert member.user.login in stored  # the digest
    client.post(START + "verification/numero-de-serie/", {"serial": VITALE_SERIAL})
    stored = str(dict(client.session.items()))
    assert VITALE_SERIAL not in stored and member.user.login not in stored  # all gone


def test_the_identifier_keeps_a_numeric_keypad_and_offers_the_full_keyboard(client):
    start = client.get(reverse("accounts:password_reset"), follow=True)
    page = start.content.decode()
    field = re.search(r'<input[^>]*name="identifier"[^>]*>', page).group(0)
    assert 'inputmode="numeric"' in field
    assert 'href="?clavier=complet"' in page
    full = client.get(start.request["PATH_INFO"] + "?clavier=complet").content.decode()
    field = re.search(r'<input[^>]*name="identifier"[^>]*>', full).group(0)
    assert "inputmode" not in field  # the 2A or 2B of a NIR of someone born in Corsica


def test_what_a_visitor_typed_goes_with_an_hour_of_inactivity(client, member):
    response = client.post(START, {"identifier": member.identifier, "birth_date": "12/05/1985"})
    assert response.status_code == 302
    assert client.session.get_expiry_age() == 3600  # not the 12 hours of a logged-in session


def test_answers_an_hour_old_are_forgotten_and_the_request_starts_again(client, member):
    from accounts import reset

    ask(client, member.identifier, "12/05/1985", ("verification/", {"affiliated": "oui"}))
    session = client.session
    session[reset.SESSION_KEY]["touched"] -= 3601
    session.save()
    assert client.get(START + "verification/carte-vitale/")["Location"] == START
    assert reset.SESSION_KEY not in client.session


def test_a_changed_answer_forgets_the_pages_no_longer_on_the_way(client, member):
    from accounts import reset

    ask(client, member.identifier, "12/05/1985", *by_serial()[:2])  # up to the serial
    client.post(START + "verification/", {"affiliated": "non"})
    answers = client.session[reset.SESSION_KEY]["answers"]
    assert "carte-vitale" not in answers and answers["verification"] == {"affiliated": "non"}


def test_the_last_page_is_shown_for_an_hour_only(client, member):
    from accounts import reset

    done_page(client, ask(client, member.identifier, "12/05/1985", *NO_PROOF))
    session = client.session
    session[reset.DONE_KEY]["at"] -= 3601
    session.save()
    assert client.get(DONE)["Location"] == START


def test_a_logged_in_member_keeps_the_session_s_own_lifetime(client, member):
    post_login(client, member.identifier, PERSONAL_PASSWORD)
    lifetime = client.session.get_expiry_age()
    assert lifetime > 3600
    client.post(START, {"identifier": member.identifier, "birth_date": "12/05/1985"})
    assert client.session.get_expiry_age() == lifetime


def test_a_company_whose_employer_account_is_not_on_file_gets_a_letter(client):
    company = make_company_member()
    assert not company.user.company.employer_account_digest
    response = ask(
        client, "73282932000074", "", ("verification/entreprise/", {"account": "a1234567"})
    )
    assert BY_POST in done_page(client, response)
