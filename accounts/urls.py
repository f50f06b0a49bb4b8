from django.urls import path
from django.views.generic import TemplateView

app_name = "accounts"
urlpatterns = [
    path(
        "connexion/",
        TemplateView.as_view(
            template_name="core/placeholder.html",
            extra_context={"page_title": "Se connecter à Mon espace privé"},
        ),
        name="login",
    ),
    path(
        "deconnexion/",
        TemplateView.as_view(
            template_name="core/placeholder.html", extra_context={"page_title": "Déconnexion"}
        ),
        name="logout",
    ),
]
