from django.urls import path
from django.views.generic import TemplateView

from . import views

app_name = "accounts"
urlpatterns = [
    path("connexion/", views.login_view, name="login"),
    path("deconnexion/", views.logout_view, name="logout"),
    path("choisir-mon-mot-de-passe/", views.password_choose_view, name="password_choose"),
    path(
        "mot-de-passe-oublie/",
        TemplateView.as_view(
            template_name="core/placeholder.html",
            extra_context={"page_title": "Mot de passe oublié"},
        ),
        name="password_reset",
    ),
]
