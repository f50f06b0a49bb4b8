"""Accessibility sweep of the registration, beyond tests/browser/test_signup.py (which checks
each page and error state with axe-core in French on a desktop): the whole walk, error states
included, at 320 px and in English, and a whole registration with the keyboard alone.

On each page: the title (« Erreur — » first after a failed submission, with the focus on the
error summary) and the checks of the walk.
"""

import re

import pytest
from django.core.cache import cache

from tests.browser.a11y import assert_focus_on, assert_no_horizontal_scroll, keyboard_focus
from tests.signup.factories import person_create
from tests.signup.walk import person_pages, url


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Registration rate limits live in the shared cache: each walk starts from zero.
    cache.clear()


# The step's own button (the last one of its form), never « Abandonner ».
STEP_BUTTON = "main form:not(#abandon-form) button[type=submit]:not([form]) >> nth=-1"


def fill(page, data: dict) -> None:
    for name, value in data.items():
        field = page.locator(f'main [name="{name}"]')
        kind = field.first.get_attribute("type")
        if kind == "radio":
            page.locator(f'main [name="{name}"][value="{value}"]').check()
        elif kind == "checkbox":
            field.set_checked(bool(value))
        else:
            field.fill(value)


def submit(page) -> None:
    with page.expect_navigation():
        page.locator(STEP_BUTTON).click()


def title_without_site(page) -> str:
    return re.sub(r" — Mon espace privé — .+$", "", page.title())


def check_step(page, check, *, error: bool) -> None:
    heading = page.get_by_role("heading", level=1).inner_text()
    stepper = page.locator(".stepper")
    expected = heading
    if stepper.count():
        expected += " — " + " ".join(stepper.inner_text().split())
    if error:
        prefix = (
            "Erreur — " if page.evaluate("document.documentElement.lang") == "fr" else "Error — "
        )
        expected = prefix + expected
    assert title_without_site(page) == expected
    check(page)


def walk(page, live_server, pages, check) -> None:
    for slug, data in pages:
        page.goto(live_server.url + url(slug))
        check_step(page, check, error=False)
        if data:
            # Submitted empty: the error state, with the focus on its summary.
            submit(page)
            assert page.url.endswith(url(slug)), f"{slug} accepted an empty form"
            check_step(page, check, error=True)
            assert_focus_on(page)
            fill(page, data)
        submit(page)
    # Page 7.
    check_step(page, check, error=False)


def test_a_person_registration_fits_a_320px_screen(live_server, phone_page):
    # axe-core runs in the two other walks; here what a narrow screen changes.
    walk(phone_page, live_server, a_person_pages(), assert_no_horizontal_scroll)


def test_a_person_registration_conforms_in_english(live_server, english_page, assert_page_conforms):
    walk(english_page, live_server, a_person_pages(), assert_page_conforms)


def test_a_person_registers_with_the_keyboard_alone(live_server, nojs_page):
    # Without JavaScript too: Tab, the arrow keys, Space and Enter, never a click.
    page = nojs_page
    page.goto(live_server.url + "/")
    keyboard_focus(page, 'main >> role=link[name="S\'inscrire"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    for slug, data in a_person_pages():
        assert page.url.endswith(url(slug)), (page.url, slug)
        for name, value in data.items():
            field = page.locator(f'main [name="{name}"]').first
            if field.get_attribute("type") == "radio":
                keyboard_focus(page, f'main [name="{name}"][value="{value}"]')
                page.keyboard.press("Space")
            else:
                keyboard_focus(page, f'main [name="{name}"]')
                page.keyboard.type(value)
        keyboard_focus(page, STEP_BUTTON)
        with page.expect_navigation():
            page.keyboard.press("Enter")
    assert page.get_by_role("heading", level=1).inner_text() == "Inscription terminée"


def a_person_pages():
    card = person_create()
    return person_pages(
        nir=card.nir,
        nom=card.nom,
        prenom=card.prenom,
        birth_date=card.birth_date_typed,
        secret=card.serial,
    )


def test_abandon_and_previous_do_not_look_like_the_next_step(live_server, page):
    page.goto(live_server.url + "/inscription/")
    page.get_by_label("Particulier", exact=True).check()
    submit(page)

    def background(name):
        button = page.locator("main .actions .button").filter(has_text=name)
        return button.evaluate("(el) => getComputedStyle(el).backgroundColor")

    # Only « Suivant > » is filled with the fund's colour; the others are outlined on white.
    assert background("Suivant >") == "rgb(11, 94, 90)"
    assert background("Abandonner") == "rgb(255, 255, 255)"
    assert background("< Précédent") == "rgb(255, 255, 255)"
