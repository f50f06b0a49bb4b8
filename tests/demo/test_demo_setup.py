"""`manage.py demo_setup` (`make run`): a demo registry imported once, then left alone."""

import io

import pytest
from django.core.management import call_command

from registry.models import Company, Person


@pytest.mark.django_db
def test_demo_setup_imports_a_demo_registry_once(tmp_path, settings):
    settings.BASE_DIR = tmp_path
    call_command("demo_setup", count=40, stdout=io.StringIO())
    assert Person.objects.count() == 40
    assert Company.objects.exists()
    assert (tmp_path / "var" / "demo-identities.txt").exists()

    out = io.StringIO()
    call_command("demo_setup", count=40, stdout=out)
    assert "nothing to import" in out.getvalue()
    assert Person.objects.count() == 40
