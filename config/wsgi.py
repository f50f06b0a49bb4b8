"""WSGI entry point for gunicorn: `gunicorn config.wsgi`.

A server started without DJANGO_SETTINGS_MODULE gets the production settings, which refuse to
start without their secrets: development is chosen explicitly (`make run`), never by omission.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()
