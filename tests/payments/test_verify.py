"""« Vérifier une attestation »: public, one answer for every wrong code, limited per client.

An attestation issued and then verified is in tests/portal/test_payments.py."""

import html

import pytest
from django.urls import reverse

from payments.views import VERIFICATIONS_PER_HOUR

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_a_wrong_code_gets_one_answer_and_the_page_is_rate_limited(client, settings):
    wrong = text(client.post(reverse("payments:verify"), {"code": "ABCD-EFGH-JKLM-NPQR"}))
    assert "Aucune attestation" in wrong
    malformed = client.post(reverse("payments:verify"), {"code": "12"})
    assert "16 lettres et chiffres" in text(malformed)
    for _ in range(VERIFICATIONS_PER_HOUR):
        client.post(reverse("payments:verify"), {"code": "ABCD-EFGH-JKLM-NPQR"})
    throttled = client.post(reverse("payments:verify"), {"code": "ABCD-EFGH-JKLM-NPQR"})
    assert throttled.status_code == 429
    assert "Trop de vérifications" in text(throttled)
