"""The project's addresses: one include per part of the domain."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("core.urls")),
    path("inscription/", include("signup.urls")),
    path("compte/", include("accounts.urls")),
    path("mon-espace/", include("portal.urls")),
    path("mon-espace/messagerie/", include("messaging.urls")),
    path("", include("payments.urls")),
    path("back-office/", include("backoffice.urls")),
]

if settings.DEBUG and getattr(settings, "DEV_MAILBOX", False):
    urlpatterns.append(path("dev/", include("core.dev_urls")))
