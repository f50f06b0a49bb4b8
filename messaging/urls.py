from django.urls import path

from . import views

app_name = "messaging"
urlpatterns = [
    path("", views.threads, name="threads"),
    path("nouveau/", views.thread_new, name="thread_new"),
    path("<int:pk>/", views.thread, name="thread"),
    path("pieces-jointes/<int:pk>/", views.attachment, name="attachment"),
    path("demandes/", views.change_requests, name="change_requests"),
    path("demandes/adresse/", views.address_change, name="address_change"),
    path(
        "demandes/coordonnees-bancaires/",
        views.bank_details_change,
        name="bank_details_change",
    ),
]
