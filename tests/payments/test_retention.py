"""Payments, contributions and attestations' records go when the « Données personnelles »
page says they do."""

import datetime

import pytest
from django.utils import timezone

from core.retention import retention_purge
from payments.models import Attestation, Contribution, Payment
from tests.accounts.factories import make_person
from tests.payments import data

pytestmark = pytest.mark.django_db


def test_payments_contributions_and_attestations_past_their_period_go():
    person, _nir = make_person()
    today = timezone.localdate()
    old_payment = data.payment(person, on=today - datetime.timedelta(days=21 * 365))
    kept_payment = data.payment(person, on=today - datetime.timedelta(days=19 * 365))
    old_call = data.contribution(person=person, due=today - datetime.timedelta(days=11 * 365))
    kept_call = data.contribution(person=person, due=today - datetime.timedelta(days=9 * 365))
    now = timezone.now()
    old = Attestation.objects.create(
        kind="affiliation",
        code_digest="a" * 64,
        holder_initials="M. D.",
        issued_at=now - datetime.timedelta(days=6 * 365),
    )
    recent = Attestation.objects.create(
        kind="affiliation", code_digest="b" * 64, holder_initials="M. D.", issued_at=now
    )
    counts = retention_purge()
    assert (counts["payments"], counts["contributions"], counts["attestations"]) == (1, 1, 1)
    assert list(Payment.objects.all()) == [kept_payment]
    assert list(Contribution.objects.all()) == [kept_call]
    assert list(Attestation.objects.all()) == [recent]
    assert not Payment.objects.filter(pk=old_payment.pk).exists()
    assert not Contribution.objects.filter(pk=old_call.pk).exists()
    assert not Attestation.objects.filter(pk=old.pk).exists()
