"""The private space's notice of an address that refused the password's email, in Chromium:
axe-core, headings, phone width, with and without JavaScript."""

import pytest
from django.core.cache import cache

from delivery.models import EmailDelivery
from delivery.services import email_enqueue
from tests.accounts.factories import PERSONAL_PASSWORD, make_member
from tests.browser.a11y import assert_no_horizontal_scroll
from tests.browser.test_accounts import log_in
from tests.delivery.worker import run_worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def refused_member(smtp_server):
    member = make_member(
        temporary=None,
        password=PERSONAL_PASSWORD,
        email="nobody@example.org",
        email_confirmed=False,
    )
    email_enqueue(
        kind=EmailDelivery.Kind.TEMPORARY_PASSWORD,
        user=member.user,
        to_address=member.user.email,
        language="fr",
    )
    smtp_server.refuse, smtp_server.refusal = True, "550 5.1.1 No such user here"
    run_worker()
    return member


def test_the_notice_of_a_refused_address(
    live_server, page, phone_page, nojs_page, assert_page_conforms, refused_member
):
    for browser_page in (page, phone_page, nojs_page):
        log_in(browser_page, live_server.url, refused_member.identifier, PERSONAL_PASSWORD)
        notice = browser_page.locator("#email-refuse")
        assert "l'adresse nobody@example.org l'a refusé" in notice.inner_text()
        if browser_page is not nojs_page:  # axe-core runs as JavaScript in the page
            assert_page_conforms(browser_page)
            assert_no_horizontal_scroll(browser_page)
        with browser_page.expect_navigation():
            notice.get_by_role("link", name="Vérifier ou modifier mon adresse email").click()
        assert browser_page.url.endswith("/mon-espace/adresse-email/")
