"""The production settings as they are, but for the static files: served from the apps'
directories, so that the fault suite needs no `collectstatic` before it starts gunicorn.

Used only by the fault suite's processes: DJANGO_SETTINGS_MODULE=tests.faults.settings.
"""

from config.settings.production import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405 (the members' attachments among them)
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
