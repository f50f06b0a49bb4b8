"""The back-office in Chromium: an agent signs in with TOTP and does the day's work."""

import time

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from delivery.models import Letter, LetterBatch
from signup.models import FunnelCount
from tests.backoffice import factories
from tests.backoffice.conftest import current_code
from tests.delivery.pdf_reading import read_letters

pytestmark = pytest.mark.django_db(transaction=True)


def fresh_code(device: TOTPDevice) -> str:
    """A code not used yet (each is accepted once): wait for the next 30 s step if needed."""
    device.refresh_from_db()
    if device.last_t >= int(time.time()) // device.step:
        time.sleep(device.step - time.time() % device.step + 0.2)
    return current_code(device)


def sign_in(page, live_server, agent, assert_accessible=None):
    page.goto(live_server.url + "/agents/")
    page.get_by_label("Identifiant d'agent").fill(agent.login)
    page.get_by_label("Mot de passe").fill(factories.AGENT_PASSWORD)
    if assert_accessible:
        assert_accessible(page)
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url("**/agents/verification/")
    if assert_accessible:
        assert_accessible(page)
    device = TOTPDevice.objects.get(user=agent, confirmed=True)
    page.get_by_label("Code à 6 chiffres de votre application d'authentification").fill(
        fresh_code(device)
    )
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(live_server.url + "/agents/")


def test_agent_signs_in_with_totp_and_works_through_the_day(live_server, page, assert_accessible):
    agent = factories.agent()
    FunnelCount.objects.create(
        day=factories.datetime.date.today(), event="complete", channel="email", count=3
    )
    FunnelCount.objects.create(day=factories.datetime.date.today(), event="step", step=1, count=5)
    request = factories.signup_request(identifier_masked="2 90 03 •• ••• •••")
    factories.letter()

    sign_in(page, live_server, agent, assert_accessible)
    assert_accessible(page)

    page.get_by_role("link", name="Tableau de bord : inscriptions et parcours").click()
    page.wait_for_url("**/agents/tableau-de-bord/")
    expect(
        page.get_by_role("img", name="Inscriptions finalisées par jour et par canal, sur 30 jours")
    ).to_be_visible()
    expect(page.get_by_role("img", name="Parcours d'inscription sur 30 jours")).to_be_visible()
    assert_accessible(page)

    page.goto(live_server.url + "/agents/")
    page.get_by_role("link", name="Demandes à examiner").first.click()
    expect(page.get_by_text("2 90 03 •• ••• •••")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=request.last_name).click()
    page.get_by_label("Motif du refus").select_option("not_in_registry")
    assert_accessible(page)
    page.get_by_role("button", name="Refuser la demande").click()
    expect(page.get_by_text("Demande refusée.")).to_be_visible()

    page.goto(live_server.url + "/agents/delivery/letterbatch/")
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Générer le lot de courriers").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        letters = read_letters(pdf.read())
    assert len(letters) == 1 and len(letters[0].password) == 12
    assert Letter.objects.get().status == Letter.Status.PRINTED

    page.goto(
        f"{live_server.url}/agents/delivery/letterbatch/{LetterBatch.objects.get().pk}/change/"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Confirmer l'envoi").click()
    expect(page.get_by_text("Envoi confirmé : 1 courrier posté.")).to_be_visible()
    assert Letter.objects.get().status == Letter.Status.POSTED


def test_first_sign_in_shows_a_qr_code_and_the_key(live_server, page, assert_accessible):
    # As a supervisor makes an agent: the first password is theirs, to be replaced.
    agent = factories.agent(login="nouvel.agent", totp=False, must_change_password=True)
    page.goto(live_server.url + "/agents/login/")
    page.get_by_label("Identifiant d'agent").fill(agent.login)
    page.get_by_label("Mot de passe").fill(factories.AGENT_PASSWORD)
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url("**/agents/enrolement/")
    qr = page.get_by_role("img", name="QR code à scanner avec votre application d’authentification")
    assert qr.evaluate("img => img.naturalWidth") > 0  # the data: image loads under the CSP
    assert_accessible(page)
    device = TOTPDevice.objects.get(user=agent)
    page.get_by_label("Code à 6 chiffres de votre application d'authentification").fill(
        current_code(device)
    )
    page.get_by_role("button", name="Activer et se connecter").click()
    # Then the agent's own password, before any other page.
    page.wait_for_url(live_server.url + "/agents/password_change/")
    expect(page.get_by_text("choisissez le vôtre pour continuer")).to_be_visible()
    assert_accessible(page)
    chosen = "un mot de passe rien qu'à moi"
    page.get_by_label("Ancien mot de passe").fill(factories.AGENT_PASSWORD)
    page.locator("#id_new_password1").fill(chosen)
    page.locator("#id_new_password2").fill(chosen)
    page.get_by_role("button", name="Modifier mon mot de passe").click()
    page.wait_for_url(live_server.url + "/agents/password_change/done/")
    assert_accessible(page)
    page.goto(live_server.url + "/agents/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accueil du back-office")


def test_enrolment_past_its_window_says_whom_to_ask(live_server, page, assert_accessible):
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import User

    late = factories.agent(login="agent.tardif", totp=False)
    User.objects.filter(pk=late.pk).update(date_joined=timezone.now() - timedelta(days=60))
    page.goto(live_server.url + "/agents/login/")
    page.get_by_label("Identifiant d'agent").fill(late.login)
    page.get_by_label("Mot de passe").fill(factories.AGENT_PASSWORD)
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url("**/agents/enrolement/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Délai d'activation dépassé")
    assert page.get_by_role("img").count() == 0  # no QR code
    assert_accessible(page)
    page.get_by_role("link", name="Retour à la connexion").click()
    page.wait_for_url("**/agents/login/")


def test_member_pages_and_audit_log_are_accessible(live_server, page, assert_accessible):
    agent = factories.agent()
    member = factories.member()
    factories.email_delivery(user=factories.member(email="x@example.org"))
    sign_in(page, live_server, agent)
    for path in [
        "/agents/backoffice/memberaccount/",
        f"/agents/backoffice/memberaccount/{member.pk}/change/",
        "/agents/delivery/emaildelivery/",
        "/agents/audit/auditevent/",
    ]:
        page.goto(live_server.url + path)
        assert_accessible(page)


def test_a_supervisor_sees_an_agent_s_unusual_day_and_uploads_extracts(
    live_server, page, assert_accessible
):
    """docs/product.md §8: many unlocks by one agent in a day are shown to supervisors, who alone
    upload registry extracts."""
    from audit.models import AuditEvent

    busy = factories.agent(login="agent.presse")
    for _ in range(10):
        AuditEvent.objects.create(type=AuditEvent.Type.ACCOUNT_UNLOCKED, actor=busy)
    supervisor = factories.agent(login="sup.martin", groups=("agent", "superviseur"))
    sign_in(page, live_server, supervisor)
    alert = page.get_by_role("region", name="À vérifier aujourd'hui")
    expect(alert).to_contain_text("agent.presse a déverrouillé 10 comptes aujourd'hui")
    assert_accessible(page)
    alert.get_by_role("link", name="Voir ses actions dans le journal").click()
    expect(page.get_by_role("link", name="Compte déverrouillé").first).to_be_visible()
    page.goto(live_server.url + "/agents/registry/registryimport/importer/")
    assert_accessible(page)


def test_supervisor_searches_agents_and_companies_without_a_number_in_the_address(
    live_server, page, assert_accessible
):
    supervisor = factories.agent(login="sup.martin", groups=("agent", "superviseur"))
    factories.company()
    sign_in(page, live_server, supervisor)
    page.goto(live_server.url + "/agents/backoffice/agentaccount/")
    assert_accessible(page)
    page.get_by_label("Rechercher").fill("1 85 05 97 701 001")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_text("Cette liste ne se cherche pas par numéro")).to_be_visible()
    assert "701" not in page.url
    assert_accessible(page)

    page.goto(live_server.url + "/agents/registry/company/")
    assert_accessible(page)
    page.get_by_label("Rechercher").fill("732 829 320 00074")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("link", name="73282932000074")).to_be_visible()
    assert_accessible(page)


def test_supervisor_closes_an_account_after_a_page_that_says_what_goes(
    live_server, nojs_page, page, assert_accessible
):
    from accounts.models import User

    supervisor = factories.agent(login="sup.martin", groups=("agent", "superviseur"))
    member = factories.member()

    def ask_to_close(browser_page):
        sign_in(browser_page, live_server, supervisor)
        browser_page.goto(live_server.url + "/agents/backoffice/memberaccount/")
        browser_page.locator(f'input[name="_selected_action"][value="{member.pk}"]').check()
        browser_page.locator('select[name="action"]').select_option("close_accounts")
        browser_page.get_by_role("button", name="Envoyer").click()
        expect(browser_page.get_by_role("heading", name="Le compte à fermer")).to_be_visible()
        expect(browser_page.get_by_text(member.identifier_masked)).to_be_visible()

    # Without JavaScript: the list's action menu and its button are a plain form.
    ask_to_close(nojs_page)
    assert User.objects.filter(pk=member.pk).exists()
    # The same page with axe, then confirmed.
    ask_to_close(page)
    assert_accessible(page)
    page.get_by_role("button", name="Fermer définitivement").click()
    expect(page.get_by_text("1 compte fermé.")).to_be_visible()
    assert not User.objects.filter(pk=member.pk).exists()


def test_dashboard_reads_without_javascript(live_server, nojs_page):
    agent = factories.agent()
    sign_in(nojs_page, live_server, agent)
    nojs_page.goto(live_server.url + "/agents/tableau-de-bord/")
    expect(nojs_page.get_by_role("table").first).to_be_visible()
    expect(nojs_page.get_by_role("img", name="Parcours d'inscription sur 30 jours")).to_be_visible()
