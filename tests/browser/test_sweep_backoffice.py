"""Accessibility sweep of the back-office, beyond tests/browser/test_backoffice.py (which runs
axe-core on its pages on a desktop): headings, width and titles on every page, at 320 px and in
English, and the focus on what went wrong after a failed sign-in or decision.
"""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from delivery.models import Letter, LetterBatch
from registry.models import RegistryImport
from signup.models import FunnelCount
from tests.backoffice import factories
from tests.backoffice.conftest import current_code
from tests.browser.a11y import assert_focus_on
from tests.browser.test_backoffice import fresh_code, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def office():
    """A supervisor, and something on each page: a day of figures, a request, a letter, an
    email, an agent's unusual day."""
    FunnelCount.objects.create(
        day=factories.datetime.date.today(), event="complete", channel="email", count=3
    )
    request = factories.signup_request(identifier_masked="2 90 03 •• ••• •••")
    letter = factories.letter()
    batch = LetterBatch.objects.create(created_by=factories.agent(login="agent.martin"))
    Letter.objects.filter(pk=letter.pk).update(batch=batch, status=Letter.Status.PRINTED)
    factories.email_delivery(user=factories.member(email="x@example.org"))
    # An unusual day for one agent: the supervisor's home page shows it (docs/product.md §8).
    busy = factories.agent(login="agent.pressé")
    for _ in range(10):
        AuditEvent.objects.create(type=AuditEvent.Type.ACCOUNT_UNLOCKED, actor=busy)
    # A payments import listed with the registry's, a rejected line in its report.
    payments = RegistryImport.objects.create(
        kind=RegistryImport.Kind.PAYMENTS,
        file_name="paiements-novembre.csv",
        status=RegistryImport.Status.DONE,
        created=1,
        rejected=1,
        rejected_lines=[{"line": 3, "column": "nature", "reason": "Valeur inconnue : « loto »."}],
        message="Créés : 1 ; mis à jour : 0 ; inchangés : 0 ; lignes rejetées : 1.",
    )
    return {
        # A supervisor: every page of an agent, and the supervisors' own (upload, alerts).
        "agent": factories.agent(groups=("agent", "superviseur")),
        "paths": [
            "/agents/",
            "/agents/tableau-de-bord/",
            "/agents/signup/signuprequest/",
            f"/agents/signup/signuprequest/{request.pk}/change/",
            "/agents/delivery/letterbatch/",
            "/agents/delivery/letter/",  # with who asked for each letter, and the approval
            f"/agents/delivery/letterbatch/{batch.pk}/change/",
            "/agents/delivery/emaildelivery/",
            "/agents/audit/auditevent/",
            "/agents/backoffice/memberaccount/",
            f"/agents/backoffice/memberaccount/{letter.user.pk}/change/",
            "/agents/registry/registryimport/importer/",
            "/agents/registry/registryimport/?kind__exact=payments",
            f"/agents/registry/registryimport/{payments.pk}/change/",
        ],
        "request": request,
    }


def focus_on_the_error_note(page) -> None:
    assert_focus_on(page, "errornote")


def test_every_agent_page_fits_a_320px_screen(
    live_server, phone_page, assert_page_conforms, office
):
    page = phone_page
    page.goto(live_server.url + "/agents/login/")
    assert_page_conforms(page)
    sign_in(page, live_server, office["agent"])
    for path in office["paths"]:
        page.goto(live_server.url + path)
        assert_page_conforms(page)


def test_a_failed_sign_in_or_decision_says_so_in_the_title_and_takes_the_focus(
    live_server, page, assert_page_conforms, office
):
    base = live_server.url
    page.goto(base + "/agents/login/")
    page.get_by_label("Identifiant d'agent").fill(office["agent"].login)
    page.get_by_label("Mot de passe").fill("not the password")
    with page.expect_navigation():
        page.get_by_role("button", name="Continuer").click()
    assert page.title() == "Erreur — Connexion au back-office | Back-office"
    focus_on_the_error_note(page)
    assert_page_conforms(page)

    sign_in(page, live_server, office["agent"])
    for path in office["paths"]:
        page.goto(base + path)
        assert_page_conforms(page)
    page.goto(base + office["paths"][3])
    title = page.title()
    with page.expect_navigation():
        page.get_by_role("button", name="Refuser la demande").click()  # no reason chosen
    assert page.title() == "Erreur — " + title
    focus_on_the_error_note(page)
    assert page.get_by_role("alert").get_by_role("link", name="Motif du refus").is_visible()
    assert_page_conforms(page)


def test_the_back_office_conforms_in_english(
    live_server, english_page, assert_page_conforms, office
):
    page, base, agent = english_page, live_server.url, office["agent"]
    page.goto(base + "/agents/login/")
    assert page.title() == "Back-office sign-in | Back-office"
    page.get_by_label("Agent login").fill(agent.login)
    page.get_by_label("Password").fill(factories.AGENT_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Continue").click()
    assert page.title() == "Two-step verification | Back-office"
    assert_page_conforms(page)
    page.get_by_role("textbox").fill(fresh_code(TOTPDevice.objects.get(user=agent)))
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    for path in office["paths"]:
        page.goto(base + path)
        assert page.evaluate("document.documentElement.lang") == "en"
        assert_page_conforms(page)


def test_the_qr_code_page_fits_a_phone(live_server, phone_page, assert_page_conforms):
    page = phone_page
    agent = factories.agent(login="nouvel.agent", totp=False)
    page.goto(live_server.url + "/agents/login/")
    page.get_by_label("Identifiant d'agent").fill(agent.login)
    page.get_by_label("Mot de passe").fill(factories.AGENT_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Continuer").click()
    assert page.url.endswith("/agents/enrolement/")
    assert_page_conforms(page)
    page.get_by_role("button", name="Activer et se connecter").click()  # no code typed
    page.wait_for_load_state()
    assert page.title().startswith("Erreur — ")
    focus_on_the_error_note(page)
    assert_page_conforms(page)
    page.get_by_role("textbox").fill(current_code(TOTPDevice.objects.get(user=agent)))
    with page.expect_navigation():
        page.get_by_role("button", name="Activer et se connecter").click()
    assert page.url == live_server.url + "/agents/"
