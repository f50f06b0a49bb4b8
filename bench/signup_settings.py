"""The production settings as they are, plus one bench-only page (bench/signup_urls.py).

Used only by bench/signup_load.py: DJANGO_SETTINGS_MODULE=bench.signup_settings.
"""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.signup_urls"
