"""The approximate device shown in « Mes dernières connexions »."""

import pytest
from django.utils import translation

from accounts.devices import describe_user_agent

UA = {
    "firefox_windows": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
    ),
    "chrome_mac": (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
    ),
    "safari_iphone": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) "
        "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 "
        "Safari/604.1"
    ),
    "chrome_android": (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, "
        "like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36"
    ),
    "edge_windows": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
        "like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.87"
    ),
    "samsung": (
        "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, "
        "like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36"
    ),
    "firefox_linux": (
        "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0"
    ),
    "chrome_ipad": (
        "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1"
    ),
    "opera": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
        "like Gecko) Chrome/126.0.0.0 Safari/537.36 OPR/112.0.0.0"
    ),
}


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("firefox_windows", "Firefox sur Windows"),
        ("chrome_mac", "Chrome sur Mac"),
        ("safari_iphone", "Safari sur iPhone"),
        ("chrome_android", "Chrome sur Android"),
        ("edge_windows", "Edge sur Windows"),
        ("samsung", "Samsung Internet sur Android"),
        ("firefox_linux", "Firefox sur Linux"),
        ("chrome_ipad", "Chrome sur iPad"),
        ("opera", "Opera sur Windows"),
    ],
)
def test_common_browsers_are_named_with_their_system(key, expected):
    with translation.override("fr"):
        assert describe_user_agent(UA[key]) == expected


def test_unknown_or_empty_agent_is_said_unknown():
    with translation.override("fr"):
        assert describe_user_agent("") == "Appareil inconnu"
        assert describe_user_agent("curl/8.5.0") == "Appareil inconnu"


def test_description_follows_the_language():
    with translation.override("en"):
        assert describe_user_agent(UA["safari_iphone"]) == "Safari on iPhone"
