"""Accessibility sweep of logging in, the passwords and the private space, beyond
tests/browser/test_accounts.py (which walks them once in French on a desktop): every page and
error state with its title, the focus on the error summary, errors tied to their fields and the
fields' autocomplete; each page at 320 px and in English; the login with the keyboard alone;
the space's forms without JavaScript.
"""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.models import EmailChange
from accounts.tokens import email_change_url
from tests.accounts.factories import PERSONAL_PASSWORD, VITALE_SERIAL, make_member
from tests.browser.a11y import (
    assert_focus_on,
    assert_focus_visible,
    assert_no_horizontal_scroll,
    assert_title,
    focused,
    keyboard_focus,
)

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "le vent souffle sur Gustavia"


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Login and reset limits live in the shared cache: each test starts from zero.
    cache.clear()


def submit(page, name):
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def log_in(page, base, identifier, password):
    page.goto(base + "/compte/connexion/")
    page.get_by_label("Identifiant").fill(identifier)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    submit(page, "Se connecter")


def assert_errors_tied_to_fields(page) -> None:
    """The focus is on the error summary; each of its links leads to a field whose
    aria-describedby reads the error next to it (RGAA 11.10, WCAG 3.3.1)."""
    assert_focus_on(page)
    assert_focus_visible(page)
    problems = page.evaluate(
        """() => [...document.querySelectorAll(".error-summary a[href^='#']")].map((a) => {
            const field = document.getElementById(a.getAttribute("href").slice(1));
            if (!field) return "no field for " + a.textContent;
            const holder = field.closest("fieldset[aria-describedby]") || field;
            const described = (holder.getAttribute("aria-describedby") || "").split(/\\s+/)
                .map((id) => document.getElementById(id)).filter(Boolean)
                .map((el) => el.textContent).join(" ");
            const error = a.textContent.split(" : ").slice(1).join(" : ").trim();
            return described.includes(error) ? null : a.textContent + " not in " + described;
        }).filter(Boolean)"""
    )
    assert not problems, f"{page.url}: {problems}"


def autocomplete(page, label) -> str:
    return page.get_by_label(label, exact=True).get_attribute("autocomplete")


def test_login_and_its_errors(live_server, page, assert_page_conforms):
    base = live_server.url
    member = make_member(temporary=None, password=PERSONAL_PASSWORD)
    page.goto(base + "/compte/connexion/")
    assert_title(page, "Se connecter à Mon espace privé")
    assert_page_conforms(page)
    identifier = page.get_by_label("Identifiant")
    assert identifier.get_attribute("autocomplete") == "username"
    assert identifier.get_attribute("inputmode") == "numeric"
    assert autocomplete(page, "Mot de passe") == "current-password"

    submit(page, "Se connecter")  # empty
    assert_title(page, "Se connecter à Mon espace privé", error=True)
    assert_errors_tied_to_fields(page)
    assert_page_conforms(page)

    # Five wrong passwords lock the account; the sixth attempt, right, gets the same message.
    for _ in range(5):
        log_in(page, base, member.identifier, "not the password at all")
    log_in(page, base, member.identifier, PERSONAL_PASSWORD)
    assert page.url.endswith("/compte/connexion/")
    assert page.get_by_role("alert").get_by_text("l'accès au compte est suspendu").is_visible()
    assert_title(page, "Se connecter à Mon espace privé", error=True)
    assert_focus_on(page)
    assert_page_conforms(page)


# Each rule of the personal password, as a person meets it.
PASSWORD_RULES = [
    ("", "", "Renseigner cette information."),
    ("Questel1985", "Questel1985", "au moins 12 caractères"),
    ("password1234", "password1234", "fait partie des plus utilisés"),
    ("Dupont12051985", "Dupont12051985", "vos informations personnelles"),
    (NEW_PASSWORD, NEW_PASSWORD + "!", "ne sont pas identiques"),
]


def test_choosing_the_password_each_rule_is_an_accessible_error(
    live_server, page, assert_page_conforms
):
    base = live_server.url
    member = make_member()
    log_in(page, base, member.identifier, member.temporary_password)
    assert page.url.endswith("/compte/choisir-mon-mot-de-passe/")
    assert_title(page, "Choisir mon mot de passe")
    assert_page_conforms(page)
    assert autocomplete(page, "Nouveau mot de passe") == "new-password"
    assert autocomplete(page, "Confirmez le nouveau mot de passe") == "new-password"
    rules = [*PASSWORD_RULES, (member.temporary_password,) * 2 + ("mot de passe provisoire",)]
    for password, confirm, message in rules:
        page.get_by_label("Nouveau mot de passe", exact=True).fill(password)
        page.get_by_label("Confirmez le nouveau mot de passe").fill(confirm)
        submit(page, "Enregistrer mon mot de passe")
        assert page.locator(".error-summary").get_by_text(message).first.is_visible(), message
        assert_title(page, "Choisir mon mot de passe", error=True)
        assert_errors_tied_to_fields(page)
        assert_page_conforms(page)


def test_forgotten_password_error_states_and_the_letter_page(
    live_server, page, assert_page_conforms
):
    base = live_server.url
    # No confirmed email: the new temporary password goes by post.
    member = make_member(temporary=None, password=PERSONAL_PASSWORD, email_confirmed=False)
    page.goto(base + "/compte/mot-de-passe-oublie/")
    assert page.get_by_label("Identifiant").get_attribute("inputmode") == "numeric"
    assert page.get_by_label("Date de naissance").get_attribute("autocomplete") == "bday"
    page.get_by_label("Identifiant").fill("1 23")
    submit(page, "Suivant >")
    assert_title(page, "Mot de passe oublié", error=True)
    assert_errors_tied_to_fields(page)
    assert_page_conforms(page)
    page.get_by_label("Identifiant").fill(member.identifier)
    page.get_by_label("Date de naissance").fill("12/05/1985")
    submit(page, "Suivant >")
    for answer in ["Oui", "avec photo"]:
        submit(page, "Suivant >")  # no answer chosen
        assert_title(page, "Vérification de votre identité", error=True)
        assert_errors_tied_to_fields(page)
        assert_page_conforms(page)
        page.get_by_label(answer).check()
        submit(page, "Suivant >")
    page.get_by_label("Numéro de série de votre carte Vitale").fill("12")
    submit(page, "Suivant >")
    assert_title(page, "Vérification de votre identité", error=True)
    assert_errors_tied_to_fields(page)
    assert_page_conforms(page)
    page.get_by_label("Numéro de série de votre carte Vitale").fill(VITALE_SERIAL)
    submit(page, "Suivant >")
    assert_title(page, "Demande enregistrée")
    assert page.get_by_text("par courrier, dans les prochains jours").is_visible()
    assert_page_conforms(page)


def test_the_space_pages_titles_and_error_states(live_server, page, assert_page_conforms):
    base = live_server.url
    member = make_member(temporary=None, password=PERSONAL_PASSWORD)
    log_in(page, base, member.identifier, PERSONAL_PASSWORD)
    assert_title(page, "Mon espace")
    assert_page_conforms(page)

    page.goto(base + "/mon-espace/adresse-email/")
    assert_title(page, "Mon adresse email")
    assert autocomplete(page, "Adresse email") == "email"
    assert page.get_by_label("Adresse email").get_attribute("type") == "email"
    assert autocomplete(page, "Mot de passe actuel") == "current-password"
    page.get_by_label("Adresse email").fill("marie.b@example")
    page.get_by_label("Mot de passe actuel").fill("not my password")
    submit(page, "Recevoir le lien de confirmation")
    assert_title(page, "Mon adresse email", error=True)
    assert_errors_tied_to_fields(page)
    assert_page_conforms(page)
    page.get_by_label("Adresse email").fill("marie.b@example.net")
    page.get_by_label("Mot de passe actuel").fill(PERSONAL_PASSWORD)
    submit(page, "Recevoir le lien de confirmation")
    assert_title(page, "Consultez votre messagerie")
    assert_page_conforms(page)

    change = EmailChange.objects.get()
    link = email_change_url(change).replace("http://testserver", base)
    page.goto(link)
    assert_title(page, "Confirmer mon adresse email")
    assert_page_conforms(page)
    EmailChange.objects.filter(pk=change.pk).update(expires_at=timezone.now() - timedelta(1))
    page.goto(link)
    assert_title(page, "Ce lien a expiré")
    assert_page_conforms(page)
    EmailChange.objects.filter(pk=change.pk).update(expires_at=timezone.now() + timedelta(1))
    page.goto(link)
    submit(page, "Confirmer cette adresse")
    page.goto(link)
    assert_title(page, "Ce lien a déjà servi")
    page.goto(re.sub(r"/[0-9a-f]{32}/$", "/" + "0" * 32 + "/", link))
    assert_title(page, "Ce lien n'est pas valide")

    page.goto(base + "/mon-espace/mobile/")
    assert_title(page, "Mon numéro de téléphone mobile")
    mobile = page.get_by_label("Numéro de téléphone mobile")
    assert (mobile.get_attribute("type"), mobile.get_attribute("autocomplete")) == ("tel", "tel")
    mobile.fill("0590 27 60 60")
    submit(page, "Enregistrer")
    assert_errors_tied_to_fields(page)

    page.goto(base + "/mon-espace/mot-de-passe/")
    assert_title(page, "Changer mon mot de passe")
    assert autocomplete(page, "Mot de passe actuel") == "current-password"
    assert autocomplete(page, "Nouveau mot de passe") == "new-password"
    page.get_by_label("Mot de passe actuel").fill("not my password")
    page.get_by_label("Nouveau mot de passe", exact=True).fill(PERSONAL_PASSWORD)
    page.get_by_label("Confirmez le nouveau mot de passe").fill(PERSONAL_PASSWORD)
    submit(page, "Changer mon mot de passe")
    assert_title(page, "Changer mon mot de passe", error=True)
    assert_errors_tied_to_fields(page)
    assert_page_conforms(page)

    page.goto(base + "/mon-espace/connexions/")
    assert_title(page, "Mes dernières connexions")
    with page.expect_navigation():
        page.get_by_role("navigation").get_by_role("button", name="Se déconnecter").click()
    assert_title(page, "Accueil")
    assert page.get_by_role("status").get_by_text("Vous êtes déconnecté").is_visible()
    assert_page_conforms(page)


def member_paths(base, member):
    """The private space's pages once logged in, with the email link's."""
    change = EmailChange.objects.create(
        user=member.user,
        new_email="marie.b@example.net",
        expires_at=timezone.now() + timedelta(days=1),
    )
    return [
        "/mon-espace/",
        "/mon-espace/adresse-email/",
        "/mon-espace/mobile/",
        "/mon-espace/mot-de-passe/",
        "/mon-espace/connexions/",
        email_change_url(change).replace("http://testserver", ""),
    ]


def test_every_page_fits_a_320px_screen(live_server, phone_page):
    page, base = phone_page, live_server.url
    member = make_member()
    for path in ["/compte/connexion/", "/compte/mot-de-passe-oublie/"]:
        page.goto(base + path)
        assert_no_horizontal_scroll(page)
        submit(page, "Se connecter" if "connexion" in path else "Suivant >")
        assert page.locator(".error-summary").is_visible()
        assert_no_horizontal_scroll(page)
    log_in(page, base, member.identifier, member.temporary_password)
    assert_no_horizontal_scroll(page)
    submit(page, "Enregistrer mon mot de passe")
    assert_no_horizontal_scroll(page)
    page.get_by_label("Nouveau mot de passe", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirmez le nouveau mot de passe").fill(NEW_PASSWORD)
    submit(page, "Enregistrer mon mot de passe")
    for path in member_paths(base, member):
        page.goto(base + path)
        assert_no_horizontal_scroll(page)
    page.goto(base + "/mon-espace/mot-de-passe/")
    submit(page, "Changer mon mot de passe")
    assert_no_horizontal_scroll(page)


# (path, English title) once logged in.
ENGLISH_TITLES = {
    "/mon-espace/": "My space",
    "/mon-espace/adresse-email/": "My email address",
    "/mon-espace/mobile/": "My mobile phone number",
    "/mon-espace/mot-de-passe/": "Change my password",
    "/mon-espace/connexions/": "My recent logins",
}


def test_the_pages_conform_in_english(live_server, english_page, assert_page_conforms):
    page, base = english_page, live_server.url
    member = make_member()
    page.goto(base + "/compte/connexion/")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert_title(page, "Log in to Mon espace privé")
    assert_page_conforms(page)
    submit(page, "Log in")
    assert_title(page, "Log in to Mon espace privé", error=True)
    assert_page_conforms(page)
    page.goto(base + "/compte/mot-de-passe-oublie/")
    assert_title(page, "Forgotten password")
    assert_page_conforms(page)

    page.goto(base + "/compte/connexion/")
    page.get_by_label("Identifier").fill(member.identifier)
    page.get_by_label("Password", exact=True).fill(member.temporary_password)
    submit(page, "Log in")
    assert_title(page, "Choose my password")
    assert_page_conforms(page)
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Confirm the new password").fill("short")
    submit(page, "Save my password")
    assert_title(page, "Choose my password", error=True)
    assert_page_conforms(page)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm the new password").fill(NEW_PASSWORD)
    submit(page, "Save my password")
    for path in member_paths(base, member):
        page.goto(base + path)
        assert page.evaluate("document.documentElement.lang") == "en"
        if path in ENGLISH_TITLES:
            assert_title(page, ENGLISH_TITLES[path])
        assert_page_conforms(page)


def test_switching_to_english_keeps_the_page_of_the_space(live_server, page):
    base = live_server.url
    member = make_member(temporary=None, password=PERSONAL_PASSWORD)
    log_in(page, base, member.identifier, PERSONAL_PASSWORD)
    page.goto(base + "/mon-espace/mot-de-passe/")
    with page.expect_navigation(url=base + "/mon-espace/mot-de-passe/"):
        page.get_by_role("button", name="English").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Change my password"
    with page.expect_navigation(url=base + "/mon-espace/mot-de-passe/"):
        page.get_by_role("button", name="Français").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Changer mon mot de passe"


def press_enter_on(page, selector):
    keyboard_focus(page, selector)
    assert_focus_visible(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def type_into(page, selector, text):
    keyboard_focus(page, selector)
    assert_focus_visible(page)
    page.keyboard.type(text)


def test_a_member_logs_in_chooses_a_password_and_logs_out_with_the_keyboard_alone(
    live_server, nojs_page
):
    # Without JavaScript too: Tab, Space and Enter, never a click.
    page, base = nojs_page, live_server.url
    member = make_member()
    page.goto(base + "/")
    press_enter_on(page, 'header >> role=link[name="Se connecter"]')
    assert page.url.endswith("/compte/connexion/")
    type_into(page, "#id_identifier", member.identifier)
    type_into(page, "#id_password", member.temporary_password)
    press_enter_on(page, 'main >> role=button[name="Se connecter"]')

    assert page.url.endswith("/compte/choisir-mon-mot-de-passe/")
    # The advice opens with Space, as a person reading before choosing would.
    keyboard_focus(page, "main summary")
    page.keyboard.press("Space")
    assert page.locator("main details").get_attribute("open") is not None
    type_into(page, "#id_new_password", NEW_PASSWORD)
    type_into(page, "#id_new_password_confirm", NEW_PASSWORD)
    press_enter_on(page, 'main >> role=button[name="Enregistrer mon mot de passe"]')

    assert page.url == base + "/mon-espace/"
    assert page.get_by_text("Votre mot de passe est enregistré").is_visible()
    press_enter_on(page, 'main >> role=link[name="Mes dernières connexions"]')
    assert page.get_by_text("(cette session)").is_visible()
    keyboard_focus(page, 'nav >> role=button[name="Se déconnecter"]')
    assert focused(page)["text"] == "Se déconnecter"
    with page.expect_navigation():
        page.keyboard.press("Space")
    assert page.get_by_text("Vous êtes déconnecté").is_visible()


def test_changing_the_email_and_the_password_work_without_javascript(
    live_server, nojs_page, smtp_server
):
    page, base = nojs_page, live_server.url
    member = make_member(temporary=None, password=PERSONAL_PASSWORD)
    log_in(page, base, member.identifier, PERSONAL_PASSWORD)
    page.goto(base + "/mon-espace/adresse-email/")
    submit(page, "Recevoir le lien de confirmation")
    # Without the script, the browser itself focuses the summary (its autofocus attribute).
    assert_focus_on(page)
    page.get_by_label("Adresse email").fill("marie.b@example.net")
    page.get_by_label("Mot de passe actuel").fill(PERSONAL_PASSWORD)
    submit(page, "Recevoir le lien de confirmation")
    link = email_change_url(EmailChange.objects.get()).replace("http://testserver", base)
    page.goto(link)
    submit(page, "Confirmer cette adresse")
    assert page.get_by_text("Votre adresse email est confirmée").is_visible()

    page.goto(base + "/mon-espace/mot-de-passe/")
    page.get_by_label("Mot de passe actuel").fill(PERSONAL_PASSWORD)
    page.get_by_label("Nouveau mot de passe", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirmez le nouveau mot de passe").fill(NEW_PASSWORD)
    submit(page, "Changer mon mot de passe")
    assert page.url == base + "/mon-espace/"
    with page.expect_navigation():
        page.get_by_role("navigation").get_by_role("button", name="Se déconnecter").click()
    log_in(page, base, member.identifier, NEW_PASSWORD)
    assert page.url == base + "/mon-espace/"
