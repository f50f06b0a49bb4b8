"""The project's addresses plus the reference page of bench/signup_load.py.

The reference is the smallest page that still does what every registration step does besides
its own work: a session read and written in the database, behind the same middleware.
"""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def session_page(request):
    request.session["bench"] = request.session.get("bench", 0) + 1
    return HttpResponse("<!DOCTYPE html><title>bench</title><p>ok</p>")


urlpatterns = [*project_urlpatterns, path("bench/session/", session_page)]
