from django.conf import settings


def fund(request):
    """The fund's name and contact on every page (DESIGN §1: configurable per deployment)."""
    return {
        "fund": settings.FUND,
        "dev_mailbox": settings.DEBUG and getattr(settings, "DEV_MAILBOX", False),
    }
