"""Members' accounts: found by NIR or SIRET (never shown in clear), locked, unlocked, written to."""

import pytest
from django.utils import timezone

from accounts.models import LoginCounter, TemporaryPassword, User
from accounts.passwords import temporary_password_issue
from audit.models import AuditEvent
from delivery.models import EmailDelivery, Letter
from registry.models import Person
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
    LoginCounter.objects.create(
        scope=LoginCounter.Scope.UNKNOWN_BROWSERS,
        key=member.login,
        failures=settings.LOGIN_FAILURE_LIMIT,
        locked_until=timezone.now() + timezone.timedelta(minutes=1),
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
    assert not LoginCounter.objects.filter(key=member.login, failures__gt=0).exists()
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
    counter = LoginCounter.objects.create(
        scope=LoginCounter.Scope.UNKNOWN_BROWSERS,
        key=member.login,
        failures=settings.LOGIN_FAILURE_LIMIT,  # first lock: 1 minute, 10 minutes ago
        last_failure_at=timezone.now() - timezone.timedelta(minutes=10),
        locked_until=timezone.now() - timezone.timedelta(minutes=9),
    )
    assert "Bloqué" not in agent_client.get(CHANGELIST).content.decode()
    LoginCounter.objects.filter(pk=counter.pk).update(
        failures=3 * settings.LOGIN_FAILURE_LIMIT,  # third lock: 15 minutes
        locked_until=timezone.now() + timezone.timedelta(minutes=5),
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


def test_a_nir_typed_into_the_agents_search_never_reaches_the_address(supervisor_client):
    nir = factories.new_nir()
    response = supervisor_client.post("/agents/backoffice/agentaccount/", {"q": nir[:13]})
    assert response.status_code == 302
    assert nir[:13] not in response["Location"] and "q=" not in response["Location"]
    page = supervisor_client.get(response["Location"]).content.decode()
    assert "Cette liste ne se cherche pas par numéro" in page
    # Typed straight into the address, it is taken out of it.
    response = supervisor_client.get("/agents/backoffice/agentaccount/", {"q": nir[:13]})
    assert response.status_code == 302 and nir[:13] not in response["Location"]


def test_agents_are_still_found_by_login(supervisor_client, supervisor):
    response = supervisor_client.post("/agents/backoffice/agentaccount/", {"q": supervisor.login})
    assert f"q={supervisor.login}" in response["Location"]
    assert "1 résultat" in supervisor_client.get(response["Location"]).content.decode()


def test_companies_are_found_by_siret_or_siren_as_typed_and_other_numbers_kept_out(agent_client):
    company = factories.company()
    factories.company(siret="35600000000048", raison_sociale="La Poste")
    changelist = "/agents/registry/company/"
    response = agent_client.post(changelist, {"q": "732 829 320 00074"})
    assert response["Location"].endswith("?q=73282932000074")
    page = agent_client.get(response["Location"]).content.decode()
    assert "1 résultat" in page and company.raison_sociale in page
    # A link with the SIRET as typed, and the SIREN alone, find it too.
    page = agent_client.get(changelist, {"q": "732 829 320 00074"}).content.decode()
    assert "1 résultat" in page and company.raison_sociale in page
    response = agent_client.post(changelist, {"q": "732 829 320"})
    page = agent_client.get(response["Location"]).content.decode()
    assert "1 résultat" in page and company.raison_sociale in page

    nir = factories.new_nir()
    for typed in (nir, nir[:13], "2A" + nir[2:13], nir[:12], nir + "0", "73282932000075"):
        response = agent_client.post(changelist, {"q": typed})
        assert "q=" not in response["Location"], typed
        response = agent_client.get(changelist, {"q": typed})  # straight into the address
        assert response.status_code == 302 and "q=" not in response["Location"], typed
    page = agent_client.get(response["Location"]).content.decode()
    assert "Un numéro de Sécurité Sociale ne se cherche pas ici" in page
    # A name holding a number is a name.
    factories.company(siret="44306184100047", raison_sociale="Garage du 97133")
    response = agent_client.post(changelist, {"q": "Garage du 97133"})
    assert response["Location"].endswith("?q=Garage+du+97133")
    assert "1 résultat" in agent_client.get(response["Location"]).content.decode()


def test_every_search_box_of_the_back_office_posts(client):
    """A list whose search box sends its term by GET would put a NIR typed in it in a URL."""
    from django.contrib import admin
    from django.urls import reverse

    from backoffice.admin.base import PostedSearchMixin
    from tests.backoffice.conftest import sign_in

    sign_in(client, factories.agent(login="admin.root", is_superuser=True))
    searchable = [a for a in admin.site._registry.values() if a.search_fields]
    assert len(searchable) >= 7
    for model_admin in searchable:
        name = type(model_admin).__name__
        assert isinstance(model_admin, PostedSearchMixin), name
        meta = model_admin.model._meta
        page = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        assert page.status_code == 200, name
        assert '<form id="changelist-search" method="post"' in page.content.decode(), name


def test_a_supervisor_closes_an_account_at_the_person_s_request(supervisor_client, supervisor):
    member = factories.member()
    temporary_password_issue(user=member, channel="post")
    factories.letter(user=member)
    LoginCounter.objects.create(
        scope=LoginCounter.Scope.UNKNOWN_BROWSERS, key=member.login, failures=2
    )
    person = member.person
    selected = {"action": "close_accounts", "_selected_action": [member.pk]}

    # First a page that says what goes, and nothing is closed yet.
    page = supervisor_client.post(CHANGELIST, selected)
    assert page.status_code == 200
    text = page.content.decode()
    assert "ne peut pas être annulée" in text and member.identifier_masked in text
    assert User.objects.filter(pk=member.pk).exists()

    response = supervisor_client.post(CHANGELIST, {**selected, "confirm": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=member.pk).exists()
    assert not TemporaryPassword.objects.filter(user_id=member.pk).exists()
    assert not Letter.objects.filter(user_id=member.pk).exists()
    assert not LoginCounter.objects.filter(key=member.login).exists()
    assert Person.objects.filter(pk=person.pk).exists()  # the fund's own record stays
    closed = AuditEvent.objects.get(type=AuditEvent.Type.ACCOUNT_CLOSED)
    assert closed.actor == supervisor and closed.subject is None
    assert closed.data == {"account": member.pk, "masked": member.identifier_masked}
    assert "1 compte fermé" in supervisor_client.get(response["Location"]).content.decode()


def test_closing_names_a_printed_letter_still_to_post(supervisor_client):
    member = factories.member()
    factories.letter(user=member, status=Letter.Status.PRINTED)
    page = supervisor_client.post(
        CHANGELIST, {"action": "close_accounts", "_selected_action": [member.pk]}
    ).content.decode()
    assert "imprimé et pas encore posté" in page


def test_closing_also_ends_emails_and_sessions(supervisor_client):
    from django.test import Client

    member = factories.member(email="x@example.org", must_change_password=False)
    factories.email_delivery(user=member)
    members_browser = Client()
    members_browser.force_login(member, backend="accounts.backends.MemberBackend")
    assert members_browser.get("/mon-espace/").status_code == 200

    supervisor_client.post(
        CHANGELIST,
        {"action": "close_accounts", "_selected_action": [member.pk], "confirm": "yes"},
    )
    assert not EmailDelivery.objects.filter(user_id=member.pk).exists()
    assert members_browser.get("/mon-espace/")["Location"].startswith("/compte/connexion/")


def test_a_second_closing_of_the_same_account_does_nothing(supervisor):
    from backoffice import services

    member = factories.member()
    assert services.member_close(user=member, agent=supervisor) is True
    assert services.member_close(user=member, agent=supervisor) is False
    assert AuditEvent.objects.filter(type=AuditEvent.Type.ACCOUNT_CLOSED).count() == 1


def test_only_members_are_closed_and_a_few_at_a_time(supervisor_client, supervisor):
    agent = factories.agent(login="agent.autre")
    members = [factories.member() for _ in range(11)]
    ids = [m.pk for m in members]
    action = {"action": "close_accounts", "confirm": "yes"}
    supervisor_client.post(CHANGELIST, {**action, "_selected_action": [agent.pk, supervisor.pk]})
    assert User.objects.filter(pk__in=[agent.pk, supervisor.pk]).count() == 2
    # Eleven at once, or « all », are refused: each closing answers one request.
    response = supervisor_client.post(CHANGELIST, {**action, "_selected_action": ids}, follow=True)
    assert "au plus 10 à la fois" in response.content.decode()
    supervisor_client.post(
        CHANGELIST, {**action, "_selected_action": ids[:1], "select_across": "1"}
    )
    assert User.objects.filter(pk__in=ids).count() == 11
    assert not AuditEvent.objects.filter(type=AuditEvent.Type.ACCOUNT_CLOSED).exists()


def test_an_agent_cannot_close_accounts(agent_client):
    member = factories.member()
    page = agent_client.get(CHANGELIST).content.decode()
    assert "close_accounts" not in page
    agent_client.post(
        CHANGELIST, {"action": "close_accounts", "_selected_action": [member.pk], "confirm": "yes"}
    )
    assert User.objects.filter(pk=member.pk).exists()
    assert not AuditEvent.objects.filter(type=AuditEvent.Type.ACCOUNT_CLOSED).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("earlier_password", [False, True])
def test_closing_during_a_letter_batch_waits_for_it(monkeypatch, earlier_password):
    """The batch holds the account's letters while it issues their passwords: the closing
    waits for it, then closes (no deadlock, no password left pointing at a gone account)."""
    import io
    import threading

    from django.db import connection, connections

    from accounts import letters as recipients
    from backoffice import services
    from delivery import letters

    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions are tested on PostgreSQL (CI)")
    supervisor = factories.agent(login="sup.martin", groups=("agent", "superviseur"))
    member = factories.member()
    if earlier_password:
        temporary_password_issue(user=member, channel="email")
    factories.letter(user=member)
    issuing, real_issue, failures = threading.Event(), recipients.temporary_passwords_issue, []

    def slow_issue(**kwargs):
        issuing.set()
        threading.Event().wait(0.5)  # the batch's transaction stays open meanwhile
        return real_issue(**kwargs)

    monkeypatch.setattr(recipients, "temporary_passwords_issue", slow_issue)

    def batch():
        try:
            letters.letters_batch_generate(out=io.BytesIO())
        except Exception as error:  # recorded, for the assertion below
            failures.append(error)
        finally:
            connections.close_all()

    printing = threading.Thread(target=batch)
    printing.start()
    assert issuing.wait(10)
    assert services.member_close(user=member, agent=supervisor) is True
    printing.join()
    assert failures == []
    assert not User.objects.filter(pk=member.pk).exists()
    assert not TemporaryPassword.objects.filter(user_id=member.pk).exists()
