"""The project's addresses plus the development mailbox, for its browser test."""

from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [*project_urlpatterns, path("dev/", include("core.dev_urls"))]
