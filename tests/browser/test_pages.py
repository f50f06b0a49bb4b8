"""The public pages in Chromium: accessible, usable with the keyboard, on a phone, in English."""

import re

import pytest
from django.core.mail import EmailMessage, get_connection

from tests.browser.a11y import (
    assert_focus_visible,
    assert_no_horizontal_scroll,
    assert_title,
    focused,
)

# (path, French title, English title)
PAGES = [
    ("/", "Accueil", "Home"),
    ("/cgu/", "Conditions générales d'utilisation", "Terms of use"),
    ("/mentions-legales/", "Mentions légales", "Legal notice"),
    ("/accessibilite/", "Déclaration d'accessibilité", "Accessibility statement"),
    ("/donnees-personnelles/", "Données personnelles", "Personal data"),
    ("/contact/", "Contact", "Contact"),
]


@pytest.mark.parametrize(("path", "title", "_"), PAGES)
def test_page_conforms_in_french(live_server, page, assert_page_conforms, path, title, _):
    page.goto(live_server.url + path)
    assert page.evaluate("document.documentElement.lang") == "fr"
    assert_title(page, title)
    assert_page_conforms(page)


@pytest.mark.parametrize(("path", "_", "title"), PAGES)
def test_page_conforms_in_english(live_server, english_page, assert_page_conforms, path, _, title):
    english_page.goto(live_server.url + path)
    assert english_page.evaluate("document.documentElement.lang") == "en"
    assert_title(english_page, title)
    assert_page_conforms(english_page)


def test_pages_fit_a_320px_screen_in_both_languages(live_server, phone_page):
    for path, _, _ in PAGES:
        phone_page.goto(live_server.url + path)
        assert_no_horizontal_scroll(phone_page)
    with phone_page.expect_navigation():
        phone_page.get_by_role("button", name="English").click()
    for path, _, _ in PAGES:
        phone_page.goto(live_server.url + path)
        assert phone_page.evaluate("document.documentElement.lang") == "en"
        assert_no_horizontal_scroll(phone_page)


def test_skip_link_is_the_first_tab_stop_and_leads_to_the_content(live_server, page):
    page.goto(live_server.url + "/cgu/")
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Aller au contenu"
    # Hidden until focused, then on screen.
    box = page.get_by_role("link", name="Aller au contenu").bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0 and box["width"] > 50
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url("**/cgu/#contenu")  # the browser follows the link a moment later
    assert focused(page)["id"] == "contenu"
    # The next Tab goes on from the content, not from the top of the page.
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Le service"


def test_header_is_reached_in_reading_order_with_visible_focus(live_server, page):
    page.goto(live_server.url + "/")
    reached = []
    for _ in range(6):
        page.keyboard.press("Tab")
        assert_focus_visible(page)
        reached.append(re.sub(r"\s+", " ", focused(page)["text"]))
    assert reached == [
        "Aller au contenu",
        "Aller au pied de page",
        "Mon espace privé CPS Saint-Barthélemy",
        "English",
        "Se connecter",
        "S'inscrire",
    ]


def test_every_tab_stop_of_the_home_page_shows_the_focus(live_server, page):
    page.goto(live_server.url + "/")
    stops = page.locator(
        "a[href], button, input:not([type=hidden]), select, textarea, summary"
    ).count()
    for _ in range(stops):
        page.keyboard.press("Tab")
        assert_focus_visible(page)
    # The last stop is the footer's last link: nothing was skipped or reached twice.
    assert focused(page)["text"] == "Contact"


def test_language_switch_keeps_the_page_and_its_query_string(live_server, nojs_page):
    nojs_page.goto(live_server.url + "/contact/?depuis=courrier")
    english = nojs_page.get_by_role("button", name="English")
    assert english.get_attribute("lang") == "en"
    with nojs_page.expect_navigation():
        english.click()
    assert nojs_page.url == live_server.url + "/contact/?depuis=courrier"
    assert (
        nojs_page.get_by_role("heading", level=1).inner_text() == "Contact the CPS Saint-Barthélemy"
    )
    french = nojs_page.get_by_role("button", name="Français")
    assert french.get_attribute("lang") == "fr"
    with nojs_page.expect_navigation():
        french.click()
    assert nojs_page.url == live_server.url + "/contact/?depuis=courrier"
    assert (
        nojs_page.get_by_role("heading", level=1).inner_text()
        == "Contacter la CPS Saint-Barthélemy"
    )


def test_language_switch_works_from_the_keyboard(live_server, page):
    page.goto(live_server.url + "/mentions-legales/")
    page.get_by_role("button", name="English").focus()
    # The form posts, then comes back to the same address: wait for that second load.
    with page.expect_navigation(url=live_server.url + "/mentions-legales/"):
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", level=1).inner_text() == "Legal notice"


@pytest.mark.urls("tests.browser.dev_urls")
def test_dev_mailbox_conforms_and_fits_a_phone(
    live_server, page, phone_page, assert_page_conforms, settings, tmp_path
):
    # The mailbox is served only in development: DEBUG with the mailbox backend.
    settings.DEBUG = True
    settings.DEV_MAILBOX = True
    settings.EMAIL_FILE_PATH = tmp_path
    body = (
        "Bonjour,\n\nVotre mot de passe provisoire : ABCD-EFGH-JKLM\n"
        "Connectez-vous : http://localhost:8000/compte/connexion/?suivant=/mon-espace/parametres/"
    )
    EmailMessage(
        "Votre mot de passe provisoire",
        body,
        to=["camille.dupont@example.org"],
        connection=get_connection("core.mailbox.MailboxBackend"),
    ).send()
    page.goto(live_server.url + "/dev/mailbox/")
    assert_title(page, "Boîte aux lettres de démonstration")
    assert page.get_by_text("ABCD-EFGH-JKLM").is_visible()
    assert_page_conforms(page)
    phone_page.goto(live_server.url + "/dev/mailbox/")
    assert_no_horizontal_scroll(phone_page)


def test_focus_stays_visible_in_windows_contrast_themes(live_server, browser):
    # Forced colours drop backgrounds and box shadows: only the outline is left to show focus.
    context = browser.new_context(locale="fr-FR", forced_colors="active")
    try:
        page = context.new_page()
        page.goto(live_server.url + "/")
        for _ in range(5):
            page.keyboard.press("Tab")
            style = page.evaluate(
                "() => { const s = getComputedStyle(document.activeElement);"
                " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
            )
            assert style[0] == "solid" and style[1] >= 2, (focused(page), style)
    finally:
        context.close()
