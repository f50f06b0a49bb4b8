"""One service queues every letter, with one rule: an account has at most one waiting letter of
a kind (docs/decisions/one-letter-waiting.md)."""

import io

import pytest

from delivery.letters import letters_batch_generate
from delivery.models import Letter
from delivery.services import letter_queue
from messaging.services import BANK_LETTER_REASON
from tests.backoffice import factories
from tests.delivery.pdf_reading import read_letters

pytestmark = pytest.mark.django_db


def test_a_letter_with_a_password_waiting_serves_every_later_request():
    member = factories.member()
    first, queued = letter_queue(user=member, language="en", reason="password_reset")
    assert queued and (first.status, first.language) == (Letter.Status.PENDING, "en")
    # Whatever asks for it next, the letter waiting carries the newest password at print time.
    for reason in ("agent_request", "email_refused", "review_approved"):
        assert letter_queue(user=member, language="fr", reason=reason) == (first, False)
    assert list(Letter.objects.values_list("pk", flat=True)) == [first.pk]


def test_the_letter_waiting_keeps_its_requester_for_the_four_eyes_rule():
    member, agent = factories.member(), factories.agent()
    product, _ = letter_queue(user=member, language="fr", reason="password_reset")
    assert letter_queue(user=member, language="fr", reason="agent_request", requested_by=agent) == (
        product,
        False,
    )
    product.refresh_from_db()
    assert product.requested_by is None


def test_once_printed_a_new_letter_is_queued_and_a_language_defaults_to_french():
    member = factories.member()
    first, _ = letter_queue(user=member, language="fr", reason="password_reset")
    Letter.objects.filter(pk=first.pk).update(status=Letter.Status.PRINTED)
    second, queued = letter_queue(user=member, language="", reason="agent_request")
    assert queued and second != first and second.language == "fr"


def test_a_notice_waits_beside_a_password_letter_and_both_are_printed():
    member = factories.member()
    notice, queued = letter_queue(user=member, language="fr", reason=BANK_LETTER_REASON)
    assert queued
    password, queued = letter_queue(user=member, language="fr", reason="password_reset")
    assert queued
    # A second notice of the same reason is the same notice.
    assert letter_queue(user=member, language="fr", reason=BANK_LETTER_REASON) == (notice, False)

    out = io.BytesIO()
    report = letters_batch_generate(out=out)
    assert (report.printed, report.superseded) == (2, 0)
    assert set(Letter.objects.values_list("status", flat=True)) == {Letter.Status.PRINTED}
    pages = read_letters(out.getvalue())
    assert sorted(bool(page.password) for page in pages) == [False, True]
