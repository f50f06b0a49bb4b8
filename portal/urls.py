from django.urls import path

from . import payment_views, views

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
    path("paiements/", payment_views.payments_list, name="payments"),
    path("paiements/<int:year>/", payment_views.payments_list, name="payments_year"),
    path("paiements/<int:year>.csv", payment_views.payments_csv, name="payments_csv"),
    path("attestations/", payment_views.attestations, name="attestations"),
    path("cotisations/", payment_views.contributions, name="contributions"),
]
