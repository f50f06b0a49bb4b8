"""Members' accounts: found by NIR or SIRET (never shown in clear), locked, unlocked, written to."""

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from accounts.passwords import temporary_password_issue
from audit.models import AuditEvent
from delivery.models import Letter
from tests.backoffice import factories

pytestmark = pytest.mark.django_db

CHANGELIST = "/agents/backoffice/memberaccount/"


def test_nir_search_finds_the_account_and_never_shows_the_nir(agent_client):
    nir = factories.new_nir()
    member = factories.member(nir=nir)
    factories.member(person=factories.person(nom="Lédée"))
    typed = f"{nir[0]} {nir[1:3]} {nir[3:5]} {nir[5:7]} {nir[7:10]} {nir[10:13]}"
    response = agent_client.post(CHANGELIST, {"q": typed})
    assert response.status_code == 302
    location = response["Location"]
    assert nir[:13] not in location and nir[7:13] not in location
    page = agent_client.get(location).content.decode()
    assert "1 résultat" in page
    assert member.identifier_masked in page
    assert "Lédée" not in page
    for clear in (nir, nir[:13], typed, nir[5:13]):
        assert clear not in page
    # The search box shows the masked form.
    assert f'value="{member.identifier_masked}"' in page


def test_nir_with_its_key_finds_the_account_too(agent_client):
    nir = factories.new_nir()
    member = factories.member(nir=nir)
    response = agent_client.post(CHANGELIST, {"q": nir})
    page = agent_client.get(response["Location"]).content.decode()
    assert member.identifier_masked in page and nir not in page


def test_nir_typed_in_the_address_bar_is_taken_out_of_it(agent_client):
    nir = factories.new_nir()
    factories.member(nir=nir)
    response = agent_client.get(CHANGELIST, {"q": nir[:13]})
    assert response.status_code == 302
    assert nir[:13] not in response["Location"]


def test_siret_search_finds_the_company_account(agent_client):
    company = factories.company()
    account = factories.company_member(company=company)
    response = agent_client.post(CHANGELIST, {"q": "732 829 320 00074"})
    page = agent_client.get(response["Location"]).content.decode()
    assert account.last_name in page


def test_invalid_number_is_not_searched_as_a_name(agent_client):
    factories.member()
    response = agent_client.post(CHANGELIST, {"q": "1 85 05 97 701 99"}, follow=True)
    page = response.content.decode()
    assert "ni un numéro de Sécurité Sociale ni un SIRET valable" in page
    assert "1 85 05 97 701 99" not in page


def test_name_search_still_works(agent_client):
    factories.member(person=factories.person(nom="Magras"))
    response = agent_client.post(CHANGELIST, {"q": "Magras"})
    assert "q=Magras" in response["Location"]
    assert "1 résultat" in agent_client.get(response["Location"]).content.decode()


def test_person_search_in_the_registry_by_nir(agent_client):
    nir = factories.new_nir()
    person = factories.person(nir=nir, nom="Brin")
    response = agent_client.post("/agents/registry/person/", {"q": nir[:13]})
    page = agent_client.get(response["Location"]).content.decode()
    assert person.nir_masked in page and nir[:13] not in page


def test_account_state_shows_pending_letter_and_password_sent(agent_client):
    member = factories.member()
    temporary_password_issue(user=member, channel="post")
    factories.letter(user=member)
    page = agent_client.get(CHANGELIST).content.decode()
    assert "Courrier en attente" in page
    assert "Courrier, le " + timezone.localtime().strftime("%d/%m/%Y") in page


def test_lock_and_unlock_work_with_the_brute_force_counter(agent_client, agent, settings):
    member = factories.member()
    AccessAttempt.objects.create(
        username=member.login,
        ip_address="203.0.113.9",
        user_agent="test",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/compte/connexion/",
    )
    page = agent_client.get(CHANGELIST).content.decode()
    assert "Bloqué après des échecs de connexion" in page

    agent_client.post(CHANGELIST, {"action": "lock_accounts", "_selected_action": [member.pk]})
    member.refresh_from_db()
    assert not member.is_active
    assert AuditEvent.objects.filter(
        type=AuditEvent.Type.ACCOUNT_LOCKED, subject=member, actor=agent
    ).exists()

    agent_client.post(CHANGELIST, {"action": "unlock_accounts", "_selected_action": [member.pk]})
    member.refresh_from_db()
    assert member.is_active
    assert not AccessAttempt.objects.filter(username=member.login).exists()
    assert AuditEvent.objects.filter(
        type=AuditEvent.Type.ACCOUNT_UNLOCKED, subject=member, actor=agent
    ).exists()
    assert "Bloqué" not in agent_client.get(CHANGELIST).content.decode()


def test_new_temporary_password_by_post_queues_one_letter(agent_client, agent):
    member = factories.member(language="en")
    for _ in range(2):
        agent_client.post(
            CHANGELIST, {"action": "send_password_by_post", "_selected_action": [member.pk]}
        )
    letter = Letter.objects.get(user=member)
    assert (letter.status, letter.language) == (Letter.Status.PENDING, "en")
    assert (
        AuditEvent.objects.filter(
            type=AuditEvent.Type.AGENT_ACTION, subject=member, data__action="letter_requested"
        ).count()
        == 1
    )


def test_member_detail_shows_state_without_secrets(agent_client):
    member = factories.member()
    temporary_password_issue(user=member, channel="post")
    page = agent_client.get(f"{CHANGELIST}{member.pk}/change/").content.decode()
    assert member.identifier_masked in page
    assert "argon2" not in page
    assert member.login not in page


def test_member_page_offers_no_empty_save(agent_client):
    member = factories.member()
    page = agent_client.get(f"{CHANGELIST}{member.pk}/change/").content.decode()
    assert 'name="_save"' not in page and 'name="_continue"' not in page


def test_a_lock_out_whose_delay_has_passed_is_not_shown(agent_client, settings):
    member = factories.member()
    attempt = AccessAttempt.objects.create(
        username=member.login,
        ip_address="203.0.113.9",
        user_agent="test",
        failures_since_start=settings.AXES_FAILURE_LIMIT,  # first lock: 1 minute
        get_data="",
        post_data="",
        http_accept="",
        path_info="/compte/connexion/",
    )
    AccessAttempt.objects.filter(pk=attempt.pk).update(
        attempt_time=timezone.now() - timezone.timedelta(minutes=10)
    )
    assert "Bloqué" not in agent_client.get(CHANGELIST).content.decode()
    AccessAttempt.objects.filter(pk=attempt.pk).update(
        failures_since_start=3 * settings.AXES_FAILURE_LIMIT  # third lock: 15 minutes
    )
    assert "Bloqué après des échecs de connexion" in agent_client.get(CHANGELIST).content.decode()
    assert member.last_name in agent_client.get(CHANGELIST + "?etat=verrouille").content.decode()


def test_member_page_speaks_french_only_in_the_french_back_office(agent_client):
    # RGAA 8.7: no English label left unannounced in a French page.
    member = factories.member()
    Letter.objects.create(user=member)
    page = agent_client.get(f"{CHANGELIST}{member.pk}/change/", HTTP_ACCEPT_LANGUAGE="fr")
    html = page.content.decode()
    for english in ["Channel", "Date joined", "Language", "Cgu version", "Created at", "Reason"]:
        assert english not in html
    assert "Canal" in html and "Date de création" in html
