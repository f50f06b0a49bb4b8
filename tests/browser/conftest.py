"""Browser tests: Debian's Chromium driven by Playwright, pages checked with axe-core.

When Chromium is absent they are skipped, loudly; with REQUIRE_BROWSER=1 (CI) its absence fails.
"""

import os
import shutil

import pytest

from tests.browser.a11y import assert_headings_in_order, assert_no_horizontal_scroll

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by fixtures
# in that same thread are safe (nothing else runs in it).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# WCAG 2.1 A and AA, the level the RGAA asks for.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM}: BROWSER TESTS SKIPPED."
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message + " REQUIRE_BROWSER=1 makes this a failure.")
        print("\n" + "!" * 72 + "\n" + message + "\n" + "!" * 72)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(locale="fr-FR")
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


@pytest.fixture
def nojs_page(browser):
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


# The narrowest screen the RGAA and WCAG 1.4.10 ask a page to work on without sideways scrolling.
PHONE_VIEWPORT = {"width": 320, "height": 640}


@pytest.fixture
def phone_page(browser):
    """A 320 px wide phone screen (use tests.browser.a11y.assert_no_horizontal_scroll on it)."""
    context = browser.new_context(locale="fr-FR", viewport=PHONE_VIEWPORT, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def english_page(browser):
    """A browser whose preferred language is English: the pages come in English."""
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def assert_accessible(axe):
    """Run axe-core on the page as it is and fail with its report on any violation."""

    def check(page):
        results = axe.run(page, options=AXE_OPTIONS)
        assert results.violations_count == 0, results.generate_report()

    return check


@pytest.fixture
def assert_page_conforms(assert_accessible):
    """Every check a page must pass as it is: axe-core, headings, no sideways scrolling.

    Call it on each page and each error state; check the title with a11y.assert_title.
    """

    def check(page):
        assert_accessible(page)
        assert_headings_in_order(page)
        assert_no_horizontal_scroll(page)

    return check
