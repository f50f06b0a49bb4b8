import re
from functools import lru_cache

import phonenumbers
from django.conf import settings
from django.utils.translation import gettext


def fund(request):
    """The fund's name and contact on every page (docs/product.md §1: configurable per deployment).

    ``fund.hours`` is translated when the catalogue knows it (the default is a msgid);
    ``fund.phone_international`` and ``fund.phone_uri`` serve readers abroad and `tel:` links.
    """
    configured = settings.FUND
    return {
        "fund": {
            **configured,
            "hours": gettext(configured["hours"]),
            **_phone_forms(configured["phone"], settings.PHONE_DEFAULT_REGION),
        },
        "dev_mailbox": settings.DEBUG and getattr(settings, "DEV_MAILBOX", False),
    }


@lru_cache(maxsize=8)
def _phone_forms(phone: str, region: str) -> dict:
    """The fund's phone number in international form and as a tel: URI (digits as typed if odd)."""
    fallback = {"phone_international": phone, "phone_uri": "tel:" + re.sub(r"[^0-9+]", "", phone)}
    try:
        number = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException:
        return fallback
    if not phonenumbers.is_possible_number(number):
        return fallback
    return {
        "phone_international": phonenumbers.format_number(
            number, phonenumbers.PhoneNumberFormat.INTERNATIONAL
        ),
        "phone_uri": phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.RFC3966),
    }
