"""The production settings as they are, plus one bench-only page (bench/login_urls.py).

Used only by bench/login_load.py: DJANGO_SETTINGS_MODULE=bench.login_settings.
"""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.login_urls"
