from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("verifier-une-attestation/", views.verify, name="verify"),
]
