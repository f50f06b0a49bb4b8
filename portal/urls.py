from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("adresse-email/", views.email_change, name="email_change"),
    path("adresse-email/lien-envoye/", views.email_sent, name="email_sent"),
    path(
        "adresse-email/confirmer/<int:pk>/<str:token>/",
        views.email_confirm,
        name="email_confirm",
    ),
    path("mobile/", views.mobile_change, name="mobile_change"),
    path("mot-de-passe/", views.password_change_view, name="password_change"),
    path("connexions/", views.logins, name="logins"),
    path("connexions/fermer-les-autres/", views.sessions_end, name="sessions_end"),
]
