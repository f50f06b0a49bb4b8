"""« Se connecter à Mon espace privé »: every state of docs/product.md §4, as a person or guesser
sees it."""

import html
import re
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY, authenticate
from django.urls import reverse
from django.utils import timezone

from accounts.forms import LOGIN_REFUSED, TEMPORARY_PASSWORD_EXPIRED
from accounts.models import TemporaryPassword, User
from accounts.passwords import temporary_password_issue
from audit.models import AuditEvent
from identity import make_nir
from registry.digests import nir_digest

from .conftest import post_login
from .factories import PERSONAL_PASSWORD, make_company_member, make_member, make_person

pytestmark = pytest.mark.django_db

CHOOSE_URL = "/compte/choisir-mon-mot-de-passe/"
SPACE_URL = "/mon-espace/"


def page(response) -> str:
    return html.unescape(response.content.decode())


def refused(response) -> bool:
    return response.status_code == 200 and str(LOGIN_REFUSED) in page(response)


def logged_in(client) -> bool:
    return SESSION_KEY in client.session


def spaced(nir: str) -> str:
    return f"{nir[0]} {nir[1:3]} {nir[3:5]} {nir[5:7]} {nir[7:10]} {nir[10:13]}"


def test_login_page_asks_for_identifier_and_password_with_the_right_hints(client):
    response = client.get(reverse("accounts:login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Se connecter à Mon espace privé</h1>" in html
    assert 'autocomplete="username"' in html
    assert 'inputmode="numeric"' in html and 'autocapitalize="characters"' in html
    assert 'href="?clavier=complet"' in html  # the full keyboard, for a Corsican NIR
    assert 'autocomplete="current-password"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert reverse("accounts:password_reset") in html


def test_valid_temporary_password_leads_to_choosing_a_password(client, new_member):
    response = post_login(client, new_member.identifier, new_member.temporary_password)
    assert response.status_code == 302
    assert response["Location"] == CHOOSE_URL
    assert logged_in(client)
    record = new_member.user.temporary_passwords.get()
    assert record.used_at is not None
    event = AuditEvent.objects.get(type=AuditEvent.Type.LOGIN_SUCCEEDED)
    assert event.subject == new_member.user
    assert event.data == {"method": "temporary_password"}
    assert event.client_ip == "127.0.0.1"


def test_identifier_may_be_typed_with_spaces_and_dots(client, new_member):
    response = post_login(client, spaced(new_member.identifier), new_member.temporary_password)
    assert response["Location"] == CHOOSE_URL
    client.logout()
    member = make_member()
    dotted = spaced(member.identifier).replace(" ", ".")
    assert post_login(client, dotted, member.temporary_password)["Location"] == CHOOSE_URL


def test_temporary_password_is_single_use(client, new_member):
    post_login(client, new_member.identifier, new_member.temporary_password)
    client.post(reverse("accounts:logout"))
    response = post_login(client, new_member.identifier, new_member.temporary_password)
    assert refused(response)
    assert not logged_in(client)


def _age(record: TemporaryPassword, by: timedelta) -> None:
    """Make `record` as old as `by`: the same validity, started that long ago."""
    validity = record.expires_at - record.created_at
    record.created_at = timezone.now() - by
    record.expires_at = record.created_at + validity
    record.save()


def test_temporary_password_by_email_is_valid_72_hours(client, new_member):
    _age(new_member.user.temporary_passwords.get(), timedelta(hours=71, minutes=50))
    response = post_login(client, new_member.identifier, new_member.temporary_password)
    assert response["Location"] == CHOOSE_URL
    client.logout()

    late = make_member()
    _age(late.user.temporary_passwords.get(), timedelta(hours=72, minutes=1))
    response = post_login(client, late.identifier, late.temporary_password)
    assert str(TEMPORARY_PASSWORD_EXPIRED) in page(response)
    assert not logged_in(client)


def test_temporary_password_by_post_is_valid_30_days(client):
    fresh = make_member(temporary=TemporaryPassword.Channel.POST)
    _age(fresh.user.temporary_passwords.get(), timedelta(days=29, hours=23))
    assert post_login(client, fresh.identifier, fresh.temporary_password)["Location"] == CHOOSE_URL
    client.logout()

    old = make_member(temporary=TemporaryPassword.Channel.POST)
    _age(old.user.temporary_passwords.get(), timedelta(days=30, minutes=1))
    response = post_login(client, old.identifier, old.temporary_password)
    assert str(TEMPORARY_PASSWORD_EXPIRED) in page(response)
    assert not logged_in(client)


def test_expired_temporary_password_says_how_to_get_a_new_one_only_when_it_was_right(client):
    member = make_member()
    _age(member.user.temporary_passwords.get(), timedelta(days=4))
    right = page(post_login(client, member.identifier, member.temporary_password))
    assert str(TEMPORARY_PASSWORD_EXPIRED) in right
    assert "Mot de passe oublié" in right
    assert not logged_in(client)
    # A wrong password shaped like a temporary one on the same account: the neutral answer.
    wrong = post_login(client, member.identifier, "ACDEFGHJKMNP")
    assert refused(wrong)
    assert str(TEMPORARY_PASSWORD_EXPIRED) not in page(wrong)


def test_wrong_identifier_and_wrong_password_get_the_same_answer(client, member):
    unknown_nir = make_nir(sex=1, year=1970, month=1, department="75", commune="056", order=999)
    unknown = post_login(client, unknown_nir[:13], PERSONAL_PASSWORD)
    wrong = post_login(client, member.identifier, "not the right password")
    assert refused(unknown) and refused(wrong)

    # The same page, apart from the per-request CSRF token and the identifier typed.
    def same(response, identifier):
        text = response.content.decode().replace(identifier, "IDENTIFIER")
        return [line for line in text.splitlines() if "csrf" not in line]

    assert same(unknown, unknown_nir[:13]) == same(wrong, member.identifier)
    assert not logged_in(client)


def test_failed_logins_are_audited_without_what_was_typed(client, member):
    unknown_nir = make_nir(sex=1, year=1970, month=1, department="75", commune="056", order=998)
    post_login(client, unknown_nir[:13], "a guess at some password")
    post_login(client, member.identifier, "another wrong password")
    unknown, wrong = AuditEvent.objects.filter(type=AuditEvent.Type.LOGIN_FAILED).order_by("at")
    assert unknown.subject is None
    assert unknown.data == {"reason": "unknown_identifier"}
    assert wrong.subject == member.user
    assert wrong.data == {"reason": "wrong_password"}
    for event in (unknown, wrong):
        text = repr(event.data) + event.user_agent
        assert unknown_nir[:13] not in text and member.identifier not in text


def test_malformed_identifier_is_explained_next_to_the_field_and_kept(client):
    response = client.post(
        reverse("accounts:login"), {"identifier": "1 85 05 977", "password": "whatever it is"}
    )
    html = response.content.decode()
    assert "13 chiffres" in html
    assert 'value="1 85 05 977"' in html
    assert 'aria-invalid="true"' in html
    # The password is never sent back.
    assert "whatever it is" not in html


def test_nir_with_its_key_is_refused_with_advice(client, member):
    nir_with_key = make_nir(sex=2, year=1985, month=5, department="977", commune="01", order=500)
    response = post_login(client, nir_with_key, PERSONAL_PASSWORD)
    assert "sans la clé" in response.content.decode()


def test_empty_fields_say_what_the_guide_says(client):
    response = client.post(reverse("accounts:login"), {"identifier": "", "password": ""})
    assert response.content.decode().count("Renseigner cette information.") >= 2


def test_personal_password_leads_to_the_space(client, member):
    response = post_login(client, member.identifier, PERSONAL_PASSWORD)
    assert response["Location"] == SPACE_URL
    assert client.get(SPACE_URL).status_code == 200


@pytest.mark.django_db(transaction=True)  # autocommit, as in production
def test_a_login_costs_twelve_queries_and_the_blank_page_none(
    client, member, django_assert_num_queries
):
    """The login path is measured against one argon2 hash (bench/login_load.py): a query more
    is a cost paid at every login."""
    with django_assert_num_queries(0):
        assert client.get(reverse("accounts:login")).status_code == 200
    # The attempt counted before the hash (BEGIN, the counters of the account's door and of
    # the client locked, each counted, COMMIT), the account, both counters given back,
    # last_login, the audit row, the new session (one INSERT: accounts.session_store), and
    # the device's counter moved to the device's new id. The first login of a day creates
    # the counters: two statements more.
    for _warm_up in range(2):  # as an unknown browser, then as the device it became
        post_login(client, member.identifier, PERSONAL_PASSWORD)
        client.post(reverse("accounts:logout"))
    with django_assert_num_queries(12):
        response = post_login(client, member.identifier, PERSONAL_PASSWORD)
    assert response["Location"] == SPACE_URL


def test_person_born_in_corsica_gets_the_full_keyboard_and_logs_in_with_2a(client):
    person, nir = make_person(department="2A", commune="004")
    corsican = make_member(person=person, nir=nir, temporary=None, password=PERSONAL_PASSWORD)
    assert "2A" in corsican.identifier
    # The link next to the field: the same page, the identifier without a numeric keypad.
    html = client.get(reverse("accounts:login") + "?clavier=complet").content.decode()
    field = re.search(r'<input[^>]*name="identifier"[^>]*>', html).group(0)
    assert "inputmode" not in field and 'autocomplete="username"' in field
    assert 'action="/compte/connexion/?clavier=complet"' in html  # kept after an error
    assert 'href="?clavier=complet"' not in html
    typed = corsican.identifier.lower()
    response = client.post(
        reverse("accounts:login") + "?clavier=complet",
        {
            "identifier": f"{typed[0]} {typed[1:3]} {typed[3:5]} {typed[5:]}",
            "password": PERSONAL_PASSWORD,
        },
    )
    assert response["Location"] == SPACE_URL


def test_the_full_keyboard_keeps_the_page_it_leads_back_to(client):
    html = client.get(reverse("accounts:login") + "?next=/mon-espace/").content.decode()
    assert 'href="?next=%2Fmon-espace%2F&amp;clavier=complet"' in html
    full = client.get(reverse("accounts:login") + "?next=%2Fmon-espace%2F&clavier=complet")
    assert 'action="/compte/connexion/?next=%2Fmon-espace%2F&amp;clavier=complet"' in (
        full.content.decode()
    )


def test_company_logs_in_with_its_siret(client):
    company = make_company_member()
    siret_spaced = "732 829 320 00074"
    response = post_login(client, siret_spaced, company.password)
    assert response["Location"] == SPACE_URL
    assert "JARDINS DE GUSTAVIA" in client.get(SPACE_URL).content.decode()


def test_next_page_is_honoured_only_on_this_site(client, member):
    response = client.post(
        reverse("accounts:login") + "?next=/mon-espace/connexions/",
        {"identifier": member.identifier, "password": PERSONAL_PASSWORD},
    )
    assert response["Location"] == "/mon-espace/connexions/"
    client.logout()
    response = client.post(
        reverse("accounts:login") + "?next=https://evil.example/",
        {"identifier": member.identifier, "password": PERSONAL_PASSWORD},
    )
    assert response["Location"] == SPACE_URL


def test_inactive_account_is_refused_like_a_wrong_password(client, member):
    User.objects.filter(pk=member.user.pk).update(is_active=False)
    assert refused(post_login(client, member.identifier, PERSONAL_PASSWORD))


def test_agent_cannot_log_in_as_a_member(client):
    _person, nir = make_person()
    # Even an agent account whose login were a member's digest never passes the member login.
    User.objects.create_user(nir_digest(nir), PERSONAL_PASSWORD, kind=User.Kind.AGENT)
    assert refused(post_login(client, nir, PERSONAL_PASSWORD))
    assert not logged_in(client)


def test_member_cannot_log_in_to_the_back_office(member, rf):
    # What the back-office login calls: no `member` flag, so only agents are considered.
    request = rf.post("/agents/login/")
    assert authenticate(request, username=member.user.login, password=PERSONAL_PASSWORD) is None


def test_old_password_works_until_the_new_temporary_one_is_used(client, member):
    clear, _record = temporary_password_issue(user=member.user, channel="email")
    # The person remembered their password after all.
    assert post_login(client, member.identifier, PERSONAL_PASSWORD)["Location"] == SPACE_URL
    client.post(reverse("accounts:logout"))
    # Then they use the temporary one: from now on only a new personal password will do.
    assert post_login(client, member.identifier, clear)["Location"] == CHOOSE_URL
    client.post(reverse("accounts:logout"))
    assert refused(post_login(client, member.identifier, PERSONAL_PASSWORD))


def test_new_temporary_password_voids_the_previous_one(client, new_member):
    clear, _record = temporary_password_issue(user=new_member.user, channel="email")
    assert refused(post_login(client, new_member.identifier, new_member.temporary_password))
    assert post_login(client, new_member.identifier, clear)["Location"] == CHOOSE_URL


def test_logged_in_member_going_to_the_login_page_goes_to_the_space(client, member):
    post_login(client, member.identifier, PERSONAL_PASSWORD)
    assert client.get(reverse("accounts:login"))["Location"] == SPACE_URL


def test_logging_in_with_an_emailed_password_confirms_the_address(client):
    member = make_member(email_confirmed=False)
    post_login(client, member.identifier, member.temporary_password)
    member.user.refresh_from_db()
    assert member.user.email_confirmed


def test_logging_in_with_a_posted_password_leaves_the_address_to_confirm(client):
    member = make_member(temporary=TemporaryPassword.Channel.POST, email_confirmed=False)
    post_login(client, member.identifier, member.temporary_password)
    member.user.refresh_from_db()
    assert not member.user.email_confirmed
