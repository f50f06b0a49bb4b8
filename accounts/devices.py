"""An approximate device from a browser's User-Agent: "Firefox sur Windows", "Safari sur iPhone".

Enough for a person to recognise their own logins; not a fingerprint. Order matters: Edge and
Opera say "Chrome" too, Chrome says "Safari", Android says "Linux".
"""

import re

from django.utils.translation import gettext as _

_BROWSERS = [
    ("Edge", re.compile(r"\bEdg(?:e|A|iOS)?/")),
    ("Opera", re.compile(r"\b(?:OPR|Opera)/")),
    ("Samsung Internet", re.compile(r"\bSamsungBrowser/")),
    ("Firefox", re.compile(r"\b(?:Firefox|FxiOS)/")),
    ("Chrome", re.compile(r"\b(?:Chrome|CriOS|Chromium)/")),
    ("Safari", re.compile(r"\bSafari/")),
]
_SYSTEMS = [
    ("iPhone", re.compile(r"\biPhone\b")),
    ("iPad", re.compile(r"\biPad\b")),
    ("Android", re.compile(r"\bAndroid\b")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("ChromeOS", re.compile(r"\bCrOS\b")),
    ("Mac", re.compile(r"\bMac OS X\b|\bMacintosh\b")),
    ("Linux", re.compile(r"\bLinux\b")),
]


def describe_user_agent(user_agent: str) -> str:
    """A short French description of the browser and system a User-Agent names."""
    browser = next((name for name, pattern in _BROWSERS if pattern.search(user_agent)), None)
    system = next((name for name, pattern in _SYSTEMS if pattern.search(user_agent)), None)
    if browser and system:
        return _("%(browser)s sur %(system)s") % {"browser": browser, "system": system}
    if browser or system:
        return browser or system
    return _("Appareil inconnu")
