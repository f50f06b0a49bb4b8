"""A deployment's own colours are refused when text drawn in them would be hard to read."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from core.checks import contrast_ratio, fund_colours_contrast


def test_contrast_ratio_follows_wcag():
    assert contrast_ratio("#000", "#fff") == pytest.approx(21)
    assert contrast_ratio("#fff", "#fff") == pytest.approx(1)
    # The fund's default colours on white, as the accessibility statement relies on.
    assert contrast_ratio("#0b5e5a", "#ffffff") == pytest.approx(7.6, abs=0.05)
    assert contrast_ratio("#b5451b", "#ffffff") == pytest.approx(5.48, abs=0.05)


def test_default_colours_pass():
    assert fund_colours_contrast(None) == []


def test_a_pale_primary_colour_stops_the_checks(settings):
    settings.FUND = {**settings.FUND, "colour_primary": "#7fc8c4"}
    errors = fund_colours_contrast(None)
    assert {error.id for error in errors} == {"core.E001"}
    assert "FUND_COLOUR_PRIMARY=#7fc8c4" in errors[0].msg
    with pytest.raises(SystemCheckError):
        call_command("check")


def test_no_day_to_enrol_an_authenticator_stops_the_checks(settings):
    from core.checks import agent_enrolment_days

    settings.AGENT_ENROLMENT_DAYS = 0
    assert [error.id for error in agent_enrolment_days(None)] == ["core.E002"]
    settings.AGENT_ENROLMENT_DAYS = 1
    assert agent_enrolment_days(None) == []
