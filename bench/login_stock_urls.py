"""The stock site's one address: django.contrib.auth's LoginView (bench/login_stock_settings)."""

from django.contrib.auth.views import LoginView
from django.urls import path

urlpatterns = [path("compte/connexion/", LoginView.as_view(), name="login")]
