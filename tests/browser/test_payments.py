"""« Mes paiements », « Mes attestations », « Mes cotisations » and « Vérifier une attestation »
in Chromium: axe-core on every page and error state, keyboard only, without JavaScript, at
320 px and in English."""

import datetime
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from payments.models import Contribution
from tests.accounts.factories import PERSONAL_PASSWORD, make_company_member, make_member
from tests.browser.a11y import (
    assert_focus_visible,
    assert_no_horizontal_scroll,
    assert_title,
    tab_to,
)
from tests.payments import data

pytestmark = pytest.mark.django_db(transaction=True)

CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def farmer():
    """A retired farmer: a pension, health refunds, a recovery, and contributions."""
    member = make_member(temporary=None, password=PERSONAL_PASSWORD)
    person = member.user.person
    person.profils = "particulier,exploitant"
    person.save()
    this_year = datetime.date.today().year
    for year in (this_year - 2, this_year - 1):
        for month in range(1, 13):
            data.payment(person, on=datetime.date(year, month, 5))
    data.payment(
        person,
        on=datetime.date(this_year - 1, 12, 20),
        amount="-40.00",
        nature="maladie",
        libelle="Récupération d'un trop-perçu",
        periode_debut=None,
        periode_fin=None,
    )
    today = datetime.date.today()
    data.contribution(
        person=person,
        due=today - datetime.timedelta(days=60),
        montant_paye=Decimal("850.00"),
        statut=Contribution.Status.PAYE,
    )
    data.contribution(person=person, due=today + datetime.timedelta(days=30))
    return member


def logged_in(page, live_server, user):
    """The browser gets a session of ``user``, as after the login page (tested elsewhere)."""
    client = Client()
    client.force_login(user, backend="accounts.backends.MemberBackend")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


def click(page, name, *, role="button"):
    with page.expect_navigation():
        page.get_by_role(role, name=name, exact=True).click()


def test_every_page_conforms_and_an_attestation_is_verified(
    live_server, page, assert_page_conforms, farmer
):
    base = live_server.url
    logged_in(page, live_server, farmer.user)
    page.goto(base + "/mon-espace/")
    click(page, "Mes paiements", role="link")
    assert_title(page, f"Mes paiements de {datetime.date.today().year - 1}")
    assert page.get_by_text("Récupération d'un trop-perçu").is_visible()
    assert_page_conforms(page)
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Télécharger les paiements de")).click()
    assert download.value.suggested_filename.startswith("paiements-")

    click(page, "Mes attestations", role="link")
    assert_title(page, "Mes attestations")
    assert_page_conforms(page)
    page.get_by_label("Du").fill("31/02/2025")
    click(page, "Télécharger l'attestation de paiements (PDF)")
    assert_title(page, "Mes attestations", error=True)
    assert page.get_by_role("alert").is_visible()
    assert_page_conforms(page)
    page.get_by_label("Du").fill("01/01/2020")
    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger l'attestation de paiements (PDF)").click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")

    click(page, "Mes cotisations", role="link")
    assert_title(page, "Mes cotisations")
    assert page.get_by_text("À jour : aucune échéance en retard.").is_visible()
    assert_page_conforms(page)

    from pypdf import PdfReader

    pages = PdfReader(download.value.path()).pages
    code = CODE.search("".join(page.extract_text() for page in pages))[0]
    page.goto(base + "/verifier-une-attestation/")
    assert_title(page, "Vérifier une attestation")
    assert_page_conforms(page)
    page.get_by_label("Code de vérification").fill("nope")
    click(page, "Vérifier")
    assert_title(page, "Vérifier une attestation", error=True)
    assert_page_conforms(page)
    page.get_by_label("Code de vérification").fill(code)
    click(page, "Vérifier")
    assert page.get_by_text("Cette attestation a bien été délivrée par la caisse").is_visible()
    assert_page_conforms(page)
    page.get_by_label("Code de vérification").fill("ABCD-EFGH-JKLM-NPQR")
    click(page, "Vérifier")
    assert page.get_by_text("Aucune attestation délivrée par la caisse").is_visible()
    assert_page_conforms(page)


def test_a_member_without_payments_and_a_company(live_server, page, assert_page_conforms):
    member = make_member(temporary=None, password=PERSONAL_PASSWORD)
    logged_in(page, live_server, member.user)
    page.goto(live_server.url + "/mon-espace/paiements/")
    assert page.get_by_text("aucune somme connue").is_visible()
    assert_page_conforms(page)

    company = make_company_member()
    data.contribution(
        company=company.user.company,
        due=datetime.date.today() - datetime.timedelta(days=10),
        statut=Contribution.Status.EN_RETARD,
    )
    page.context.clear_cookies()
    logged_in(page, live_server, company.user)
    page.goto(live_server.url + "/mon-espace/cotisations/")
    assert page.get_by_text("1 échéance en retard.").is_visible()
    assert_page_conforms(page)
    page.goto(live_server.url + "/mon-espace/attestations/")
    assert_page_conforms(page)


def test_keyboard_only(live_server, page, farmer):
    base = live_server.url
    logged_in(page, live_server, farmer.user)
    page.goto(base + "/mon-espace/")
    tab_to(page, "Mes paiements")
    assert_focus_visible(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/mon-espace/paiements/")
    tab_to(page, re.compile("Télécharger les paiements de"))
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith(".csv")
    tab_to(page, "Mes attestations")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, "Du")
    page.keyboard.press("Control+A")
    page.keyboard.type("01/01/2024")
    tab_to(page, "Télécharger l'attestation de paiements (PDF)")
    assert_focus_visible(page)
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith(".pdf")
    tab_to(page, "Télécharger l'attestation d'affiliation (PDF)")
    with page.expect_download() as download:
        page.keyboard.press("Space")
    assert "affiliation" in download.value.suggested_filename


def test_without_javascript(live_server, nojs_page, farmer):
    page = nojs_page
    logged_in(page, live_server, farmer.user)
    page.goto(live_server.url + "/mon-espace/")
    click(page, "Mes paiements", role="link")
    click(page, str(datetime.date.today().year - 2), role="link")
    assert page.get_by_role("heading", name=f"Année {datetime.date.today().year - 2}").is_visible()
    click(page, "Mes attestations", role="link")
    page.get_by_label("Au").fill("01/01/2000")
    click(page, "Télécharger l'attestation de paiements (PDF)")
    assert page.get_by_text("La fin de la période doit suivre son début.").first.is_visible()
    # The downloads are plain forms and links: what the browser sends without JavaScript.
    for form in page.locator("main form").all():
        assert form.get_attribute("method") == "post"
        assert form.get_attribute("action") == "/mon-espace/attestations/"
    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger l'attestation d'affiliation (PDF)").click()
    assert download.value.path().read_bytes().startswith(b"%PDF")
    click(page, "Mes cotisations", role="link")
    assert page.locator('main form[method="post"] button[type="submit"]').count() == 1
    page.goto(live_server.url + "/verifier-une-attestation/")
    page.get_by_label("Code de vérification").fill("ABCD-EFGH-JKLM-NPQR")
    click(page, "Vérifier")
    assert page.get_by_text("Aucune attestation délivrée par la caisse").is_visible()


@pytest.mark.parametrize(
    "path",
    [
        "/mon-espace/paiements/",
        "/mon-espace/attestations/",
        "/mon-espace/cotisations/",
        "/verifier-une-attestation/",
    ],
)
def test_at_320_px(live_server, phone_page, assert_page_conforms, farmer, path):
    logged_in(phone_page, live_server, farmer.user)
    phone_page.goto(live_server.url + path)
    assert_no_horizontal_scroll(phone_page)
    assert_page_conforms(phone_page)


def test_in_english(live_server, english_page, assert_page_conforms, farmer):
    page = english_page
    logged_in(page, live_server, farmer.user)
    base = live_server.url
    page.goto(base + "/mon-espace/paiements/")
    assert_title(page, f"My payments of {datetime.date.today().year - 1}")
    assert page.get_by_role("columnheader", name="Wording").is_visible()
    assert page.get_by_text("Pension", exact=True).first.is_visible()
    assert_page_conforms(page)
    page.goto(base + "/mon-espace/attestations/")
    assert_title(page, "My certificates")
    assert_page_conforms(page)
    page.goto(base + "/mon-espace/cotisations/")
    assert_title(page, "My contributions")
    assert_page_conforms(page)
    page.goto(base + "/verifier-une-attestation/")
    assert_title(page, "Check a certificate")
    assert_page_conforms(page)
