"""The project's addresses as development mounts them (the mailbox page included)."""

from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [*project_urlpatterns, path("dev/", include("core.dev_urls"))]
