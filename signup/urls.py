from django.urls import path
from django.views.generic import TemplateView

app_name = "signup"
urlpatterns = [
    path(
        "",
        TemplateView.as_view(
            template_name="core/placeholder.html",
            extra_context={"page_title": "Créer mon espace privé"},
        ),
        name="start",
    ),
]
