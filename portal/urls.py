from django.urls import path
from django.views.generic import TemplateView

app_name = "portal"
urlpatterns = [
    path(
        "",
        TemplateView.as_view(
            template_name="core/placeholder.html", extra_context={"page_title": "Mon espace"}
        ),
        name="home",
    ),
]
