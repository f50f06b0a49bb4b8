"""What reaches the logs and how a client is recognized (docs/product.md §5, rate limits)."""

import io
import logging

import pytest
from django.test import RequestFactory

from core.clients import client_ip, client_network, network_of
from core.logging import RedactSecretsFilter, redact
from identity import make_nir

NIR = make_nir(sex=1, year=85, month=5, department="977", commune="01", order=123)


def test_a_nir_slipping_into_a_log_line_is_masked(caplog):
    logger = logging.getLogger("tests.redaction")
    logger.addFilter(RedactSecretsFilter())
    with caplog.at_level(logging.INFO, logger="tests.redaction"):
        logger.info("lookup failed for %s", NIR)
        parts = [NIR[0], NIR[1:3], NIR[3:5], NIR[5:7], NIR[7:10], NIR[10:13], NIR[13:]]
        logger.info("spaced %s", " ".join(parts))
    assert NIR not in caplog.text
    assert NIR[:13] not in caplog.text
    assert NIR[7:13] not in caplog.text.replace(" ", "")
    assert caplog.text.count("[masqué]") == 2


def test_an_iban_and_a_card_serial_are_masked():
    text = redact("iban FR76 3000 6000 0112 3456 7890 189 serial 802500002")
    assert "3000" not in text and "802500002" not in text


def test_ordinary_log_lines_are_left_alone():
    assert redact("GET /inscription/ 200 in 12 ms") == "GET /inscription/ 200 in 12 ms"


def test_the_client_address_ignores_a_forged_forwarded_header(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "203.0.113.7"


def test_behind_one_proxy_the_client_is_the_address_the_proxy_saw(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9"
    )
    assert client_ip(request) == "198.51.100.9"


def test_a_request_without_a_valid_address_gets_none_rather_than_garbage(settings):
    # Stored in PostgreSQL inet columns (axes, audit): anything but an address would fail there.
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="unknown")
    assert client_ip(request) == ""
    del request.META["REMOTE_ADDR"]
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == ""


def test_an_exception_s_text_and_traceback_are_masked_too():
    """A traceback quotes the exception's message and the source line: both are masked."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(RedactSecretsFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("tests.redaction.exceptions")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            int(f"NIR {NIR}")
        except ValueError:
            logger.exception("lookup failed")
        logger.warning("where %s", "here", stack_info=True)
    finally:
        logger.removeHandler(handler)
    text = out.getvalue()
    assert "Traceback" in text and "ValueError: invalid literal" in text
    assert NIR not in text and NIR[:13] not in text
    assert "[masqué]" in text


@pytest.mark.parametrize(
    "address, network",
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::ffff", "2001:db8:1:2::/64"),
        ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("", ""),
    ],
)
def test_limits_count_an_ipv6_client_by_its_64(address, network):
    assert network_of(address) == network


def test_the_client_network_of_a_request(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="2001:db8:aa:bb:1:2:3:4")
    assert client_network(request) == "2001:db8:aa:bb::/64"


@pytest.mark.django_db
def test_the_audit_log_is_given_the_client_as_values(settings):
    from django.contrib.auth.models import AnonymousUser

    from audit.models import AuditEvent
    from audit.services import audit_record
    from core.clients import request_client
    from tests.backoffice import factories

    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get(
        "/",
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
        HTTP_USER_AGENT="Firefox/" + "1" * 300,
    )
    request.user = AnonymousUser()
    event = audit_record(AuditEvent.Type.LOGOUT, client=request_client(request))
    assert (event.client_ip, event.user_agent, event.actor) == (
        "203.0.113.9",
        ("Firefox/" + "1" * 300)[:200],
        None,
    )

    request.user, request.META["REMOTE_ADDR"] = factories.member(), "not an address"
    settings.TRUSTED_PROXY_COUNT = 0
    event = audit_record(AuditEvent.Type.LOGOUT, client=request_client(request))
    assert (event.client_ip, event.actor) == (None, request.user)
    assert request_client(None) is None
    assert audit_record(AuditEvent.Type.LOGOUT).client_ip is None
