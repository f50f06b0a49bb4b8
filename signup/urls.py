"""The registration's addresses, under /inscription/: one per page, so that « < Précédent »,
the browser's back button and the language switch all land on the same step."""

from django.urls import path

from . import views
from .steps import PROFILE, STEPS

app_name = "signup"
urlpatterns = [
    # The entry point that the home page and the header link to.
    path("", views.step_view, {"slug": PROFILE.slug}, name="start"),
    *(
        path(step.url, views.step_view, {"slug": step.slug}, name=step.url_name)
        for step in STEPS
        if step is not PROFILE
    ),
    path("terminee/", views.done, name="done"),
    path("abandonner/", views.abandon, name="abandon"),
    path("autre/demande-envoyee/", views.other_sent, name="other_sent"),
    path("aide/numero-de-securite-sociale/", views.help_nir, name="help_nir"),
    path("aide/numero-de-serie-carte-vitale/", views.help_serial, name="help_serial"),
    path(
        "aide/siret-et-numero-de-compte-employeur/",
        views.help_company,
        name="help_company",
    ),
]
