"""The public pages that belong to no part of the domain: home, legal texts, theme."""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import select_template
from django.utils.translation import get_language
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from .cookies import cookie_names
from .mailbox import read_mailbox

# The legal pages are long texts: one template per language rather than hundreds of msgids.
LEGAL_PAGES = {
    "cgu": "core/pages/cgu",
    "mentions-legales": "core/pages/mentions_legales",
    "accessibilite": "core/pages/accessibilite",
    "donnees-personnelles": "core/pages/donnees_personnelles",
    "contact": "core/pages/contact",
}


@require_GET
def home(request):
    return render(request, "core/home.html")


@require_GET
def legal_page(request, slug: str):
    base = LEGAL_PAGES.get(slug)
    if base is None:
        raise Http404
    language = (get_language() or settings.LANGUAGE_CODE)[:2]
    template = select_template([f"{base}.{language}.html", f"{base}.fr.html"])
    context = {
        "cgu_version": settings.CGU_VERSION,
        "cgu_date": settings.CGU_DATE,
        "hosting": settings.HOSTING,
        "site_url": settings.SITE_URL,
        "cookie_names": cookie_names(),
    }
    return HttpResponse(template.render(context, request))


@require_GET
@cache_control(max_age=3600, public=True)
def theme_css(request):
    """The fund's colours as CSS custom properties, so a deployment restyles without a build."""
    fund = settings.FUND
    css = (
        ":root {\n"
        f"  --colour-primary: {fund['colour_primary']};\n"
        f"  --colour-accent: {fund['colour_accent']};\n"
        "}\n"
    )
    return HttpResponse(css, content_type="text/css; charset=utf-8")


@require_GET
def dev_mailbox(request):
    """The development mailbox: every email sent, temporary passwords included.

    Served only with DEBUG and the mailbox backend (config/urls.py mounts it only then); the
    view checks again, so that no other URL configuration can expose it on a server.
    """
    if not (settings.DEBUG and getattr(settings, "DEV_MAILBOX", False)):
        raise Http404
    return render(request, "core/dev_mailbox.html", {"messages_in_box": read_mailbox()})
