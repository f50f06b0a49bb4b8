"""Ma messagerie and the change requests in Chromium: a member writes with a document, reads
the answer and asks for changes; an agent answers from the queue. Every page is checked with
axe-core, by keyboard, without JavaScript, at 320 px and in English."""

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from messaging import services
from messaging.models import ChangeRequest, Thread
from tests.accounts.factories import PERSONAL_PASSWORD, make_member
from tests.backoffice import factories
from tests.browser.a11y import assert_focus_on, assert_title, keyboard_focus
from tests.browser.test_backoffice import sign_in as agent_sign_in

pytestmark = pytest.mark.django_db(transaction=True)

IBAN = "FR76 3000 6000 0112 3456 7890 189"


@pytest.fixture(autouse=True)
def _fresh(settings, tmp_path):
    cache.clear()
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "attachments"), "base_url": None},
        },
    }


def pdf() -> dict:
    from tests.messaging.conftest import pdf_bytes

    return {"name": "releve.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}


def renamed_executable() -> dict:
    return {"name": "facture.pdf", "mimeType": "application/pdf", "buffer": b"MZ" + bytes(600)}


def log_in(page, base, member):
    page.goto(base + "/compte/connexion/")
    page.get_by_label("Identifiant").fill(member.identifier)
    page.get_by_label("Mot de passe", exact=True).fill(PERSONAL_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()


def click(page, name, *, role="button"):
    with page.expect_navigation():
        page.get_by_role(role, name=name, exact=True).click()


def test_a_member_writes_with_a_document_and_reads_the_answer(
    live_server, page, assert_page_conforms
):
    member = make_member(temporary=None, password=PERSONAL_PASSWORD)
    agent = factories.agent()
    log_in(page, live_server.url, member)
    with page.expect_navigation():  # from the space's own navigation (the header has it too)
        page.get_by_role("navigation", name="Mon espace").get_by_role(
            "link", name="Ma messagerie", exact=True
        ).click()
    assert_title(page, "Ma messagerie")
    assert_page_conforms(page)
    click(page, "Écrire à la caisse", role="link")
    assert_page_conforms(page)

    # A renamed executable: refused, the error summary takes the focus, nothing is kept.
    page.get_by_label("Mes paiements").check()
    page.get_by_label("Votre message").fill("Bonjour, où en est mon paiement ?")
    page.get_by_label("Documents").set_input_files([pdf(), renamed_executable()])
    click(page, "Envoyer")
    assert_title(page, "Écrire à la caisse", error=True)
    assert_focus_on(page)
    expect(page.get_by_role("alert")).to_contain_text("« facture.pdf » n'est ni un PDF")
    assert_page_conforms(page)
    assert not Thread.objects.exists()

    page.get_by_label("Documents").set_input_files([pdf()])
    click(page, "Envoyer")
    expect(page.get_by_text("Votre message est envoyé.")).to_be_visible()
    assert_title(page, "Mes paiements")
    assert_page_conforms(page)

    thread = Thread.objects.get()
    services.thread_reply(thread=thread, agent=agent, body="Il part demain.", files=[])
    page.goto(live_server.url + "/mon-espace/messagerie/")
    expect(page.get_by_role("cell", name="Réponse disponible")).to_be_visible()
    with page.expect_navigation():  # the thread's subject in the table of threads
        page.get_by_role("table").get_by_role("link", name="Mes paiements", exact=True).click()
    expect(page.get_by_text("Il part demain.")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="releve.pdf").click()
    assert download.value.suggested_filename == "releve.pdf"
    with open(download.value.path(), "rb") as file:
        assert file.read(5) == b"%PDF-"


def test_the_new_message_by_keyboard_only(live_server, page):
    member = make_member(temporary=None, password=PERSONAL_PASSWORD)
    log_in(page, live_server.url, member)
    page.goto(live_server.url + "/mon-espace/messagerie/nouveau/")
    keyboard_focus(page, "#id_subject_1")
    page.keyboard.press("Space")
    keyboard_focus(page, "#id_body")
    page.keyboard.type("Bonjour, je change d'employeur.")
    keyboard_focus(page, "form[enctype] button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    thread = Thread.objects.get()
    assert thread.subject == "affiliation"


def test_an_address_change_and_a_reply_by_keyboard_only(live_server, page):
    member = make_member(temporary=None, password=PERSONAL_PASSWORD)
    thread = services.thread_create(member=member.user, subject="autre", body="?", files=[])
    log_in(page, live_server.url, member)
    page.goto(live_server.url + "/mon-espace/messagerie/demandes/adresse/")
    keyboard_focus(page, "#id_line_4")
    page.keyboard.type("5 rue du Port")
    keyboard_focus(page, "#id_postcode")
    page.keyboard.type("97133")
    page.keyboard.press("Tab")
    page.keyboard.type("Gustavia")
    keyboard_focus(page, "main button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert ChangeRequest.objects.get().address["locality"] == "Gustavia"

    page.goto(live_server.url + f"/mon-espace/messagerie/{thread.pk}/")
    keyboard_focus(page, "#id_body")
    page.keyboard.type("Je précise ma question.")
    keyboard_focus(page, "form[enctype] button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert thread.messages.count() == 2


def test_change_requests_without_javascript(live_server, nojs_page):
    # axe-core needs scripts: these pages are checked with it at 320 px and in English.
    page = nojs_page
    member = make_member(temporary=None, password=PERSONAL_PASSWORD)
    log_in(page, live_server.url, member)
    page.goto(live_server.url + "/mon-espace/messagerie/")
    click(page, "Changer mon adresse", role="link")
    page.get_by_label("Numéro et voie").fill("5 rue du Général de Gaulle")
    page.get_by_label("Code postal").fill("9713")
    page.get_by_label("Commune").fill("Saint-Barthélemy")
    click(page, "Envoyer ma demande")
    assert_title(page, "Changer mon adresse", error=True)
    expect(page.get_by_role("alert")).to_contain_text("5 chiffres")
    page.get_by_label("Code postal").fill("97133")
    click(page, "Envoyer ma demande")
    expect(page.get_by_text("Votre demande de changement d'adresse est envoyée.")).to_be_visible()

    page.goto(live_server.url + "/mon-espace/messagerie/demandes/coordonnees-bancaires/")
    page.get_by_label("Nouvel IBAN").fill(IBAN)
    page.get_by_label("Relevé d'identité bancaire (RIB)").set_input_files([pdf()])
    click(page, "Envoyer ma demande")
    expect(page.get_by_role("cell", name="Changement de coordonnées bancaires")).to_be_visible()
    assert ChangeRequest.objects.count() == 2

    page.goto(live_server.url + "/mon-espace/messagerie/nouveau/")
    page.get_by_label("Autre").check()
    page.get_by_label("Votre message").fill("Sans JavaScript.")
    click(page, "Envoyer")
    expect(page.get_by_text("Sans JavaScript.")).to_be_visible()


PAGES = [
    ("/mon-espace/messagerie/", "Ma messagerie", "My messages"),
    ("/mon-espace/messagerie/nouveau/", "Écrire à la caisse", "Write to the fund"),
    ("/mon-espace/messagerie/demandes/", "Mes demandes de changement", "My change requests"),
    ("/mon-espace/messagerie/demandes/adresse/", "Changer mon adresse", "Change my address"),
    (
        "/mon-espace/messagerie/demandes/coordonnees-bancaires/",
        "Changer mes coordonnées bancaires",
        "Change my bank details",
    ),
]


def _with_a_thread(member):
    thread = services.thread_create(
        member=member.user, subject="autre", body="Une question " + "longue " * 40, files=[]
    )
    services.address_change_request(
        member=member.user,
        address={"line_4": "1 rue du Port", "postcode": "97133", "locality": "Gustavia"},
    )
    return thread


def test_every_page_at_320_px(live_server, phone_page, assert_page_conforms):
    member = make_member(temporary=None, password=PERSONAL_PASSWORD)
    thread = _with_a_thread(member)
    log_in(phone_page, live_server.url, member)
    # The bank-details page last: its error state is checked below.
    for path, title, _english in [(f"/mon-espace/messagerie/{thread.pk}/", "Autre", ""), *PAGES]:
        phone_page.goto(live_server.url + path)
        assert_title(phone_page, title)
        assert_page_conforms(phone_page)
    # An error state, with its summary, fits too.
    phone_page.get_by_role("button", name="Envoyer ma demande").click()
    assert_title(phone_page, "Changer mes coordonnées bancaires", error=True)
    assert_page_conforms(phone_page)


def test_every_page_in_english(live_server, english_page, assert_page_conforms):
    member = make_member(temporary=None, password=PERSONAL_PASSWORD)
    _with_a_thread(member)
    page = english_page
    page.goto(live_server.url + "/compte/connexion/")
    page.get_by_label("Identifier").fill(member.identifier)
    page.get_by_label("Password", exact=True).fill(PERSONAL_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    for path, _title, english in PAGES:
        page.goto(live_server.url + path)
        assert_title(page, english)
        assert_page_conforms(page)
    page.goto(live_server.url + "/mon-espace/messagerie/")
    expect(page.get_by_role("cell", name="Sent")).to_be_visible()


def test_an_agent_answers_from_the_queue_and_decides_a_request(
    live_server, page, assert_accessible
):
    agent = factories.agent()
    member = make_member(temporary=None, password=PERSONAL_PASSWORD)
    services.thread_create(member=member.user, subject="paiements", body="Où est-il ?", files=[])
    services.address_change_request(
        member=member.user,
        address={"line_4": "1 rue du Port", "postcode": "97133", "locality": "Gustavia"},
    )
    agent_sign_in(page, live_server, agent)
    page.get_by_role("link", name="Messagerie : échanges à traiter").click()
    expect(page.get_by_text(member.user.identifier_masked)).to_be_visible()
    assert_accessible(page)
    with page.expect_navigation():
        page.locator("#result_list").get_by_role("link", name="Mes paiements").click()
    assert_accessible(page)
    click(page, "M’attribuer cet échange")
    expect(page.get_by_text("Cet échange vous est attribué.")).to_be_visible()
    page.get_by_label("Votre réponse").fill("Il part demain.")
    page.get_by_label("Documents").set_input_files([pdf()])
    click(page, "Envoyer la réponse")
    expect(page.get_by_text("Réponse envoyée")).to_be_visible()
    assert Thread.objects.get().status == Thread.Status.ANSWERED

    page.goto(live_server.url + "/agents/tableau-de-bord/")
    expect(page.get_by_text("demandes de changement à examiner")).to_be_visible()
    assert_accessible(page)

    page.goto(live_server.url + "/agents/messaging/changerequest/")
    assert_accessible(page)
    with page.expect_navigation():
        page.locator("#result_list").get_by_role("link", name="Changement d'adresse").click()
    assert_accessible(page)
    click(page, "Refuser la demande")
    assert_accessible(page)
    page.get_by_label("Motif du refus, que l'adhérent lira").fill("Justificatif manquant.")
    click(page, "Refuser la demande")
    expect(page.get_by_text("Demande refusée.")).to_be_visible()
    assert ChangeRequest.objects.get().refusal_reason == "Justificatif manquant."
