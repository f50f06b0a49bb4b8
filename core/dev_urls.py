"""Addresses that exist only in development (DEBUG with the mailbox backend)."""

from django.urls import path

from . import views

urlpatterns = [path("mailbox/", views.dev_mailbox, name="dev_mailbox")]
