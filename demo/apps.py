from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo's setup (`manage.py demo_setup`, run by `make run`): it fills every app with
    demo data, so it sits at the top of the layers, beside config (docs/architecture.md)."""

    name = "demo"
