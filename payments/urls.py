from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("mon-espace/paiements/", views.payments_list, name="list"),
    path("mon-espace/paiements/<int:year>/", views.payments_list, name="year"),
    path("mon-espace/paiements/<int:year>.csv", views.payments_csv, name="csv"),
    path("mon-espace/attestations/", views.attestations, name="attestations"),
    path("mon-espace/cotisations/", views.contributions, name="contributions"),
    path("verifier-une-attestation/", views.verify, name="verify"),
]
