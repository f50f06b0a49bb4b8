"""System checks: a deployment's own colours must keep the pages readable (WCAG 1.4.3), and
its settings must make sense (every `manage.py` command and every start runs them)."""

from django.conf import settings
from django.core.checks import Error, register

# Backgrounds the fund's colours are drawn on, as in core/static/core/site.css: the page, and
# the footer and notices (--colour-light). The primary colour is also a background under white
# button text, which is the same ratio as white under it.
BACKGROUNDS = {"#ffffff": "white", "#f3f5f5": "the light grey of the footer"}
MINIMUM_RATIO = 4.5  # WCAG 2.1 AA / RGAA 3.2 for text of ordinary size


def relative_luminance(colour: str) -> float:
    """The WCAG relative luminance of a #rgb or #rrggbb colour."""
    hex_digits = colour.lstrip("#")
    if len(hex_digits) == 3:
        hex_digits = "".join(digit * 2 for digit in hex_digits)
    channels = [int(hex_digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """The WCAG contrast ratio of two colours, from 1 to 21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@register()
def fund_colours_contrast(app_configs, **kwargs):
    errors = []
    for key in ("colour_primary", "colour_accent"):
        colour = settings.FUND[key]
        for background, name in BACKGROUNDS.items():
            ratio = contrast_ratio(colour, background)
            if ratio < MINIMUM_RATIO:
                errors.append(
                    Error(
                        f"FUND_{key.upper()}={colour} has a contrast of {ratio:.2f}:1 on {name} "
                        f"({background}); text needs {MINIMUM_RATIO}:1 to be readable.",
                        hint="Choose a darker colour (WCAG 2.1 success criterion 1.4.3).",
                        id="core.E001",
                    )
                )
    return errors


@register()
def mailbox_only_in_development(app_configs, **kwargs):
    """The development mailbox keeps every email, temporary passwords included, on the disk."""
    if settings.EMAIL_BACKEND == "core.mailbox.MailboxBackend" and not settings.DEBUG:
        return [
            Error(
                "EMAIL_BACKEND is the development mailbox while DEBUG is off: temporary "
                "passwords would be written to the disk instead of sent.",
                hint="Set EMAIL_URL to the SMTP server; the mailbox is for development only.",
                id="core.E003",
            )
        ]
    return []


@register()
def agent_enrolment_days(app_configs, **kwargs):
    if settings.AGENT_ENROLMENT_DAYS < 1:
        return [
            Error(
                f"AGENT_ENROLMENT_DAYS={settings.AGENT_ENROLMENT_DAYS} leaves no day to enrol an "
                "authenticator app: no new agent could ever sign in.",
                hint="Set it to 1 or more (7 by default).",
                id="core.E002",
            )
        ]
    return []
