"""The registration's pages: one address per step, the state in the session (signup.wizard)."""

import logging

from django.contrib import messages
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.clients import client_network
from core.forms import full_keyboard

from . import services
from . import steps as wizard_steps
from .models import FunnelCount
from .steps import TOTAL_STEPS, Step
from .wizard import Wizard, done_page

logger = logging.getLogger(__name__)


def step_url(step: Step) -> str:
    name = "start" if step is wizard_steps.PROFILE else step.url_name
    return reverse(f"signup:{name}")


# A step shows back what was typed (the NIR, after « < Précédent »): never kept by a browser's
# or a proxy's cache, and the identifiers and proofs never copied into an error report.
@sensitive_post_parameters("nir", "siret", "birth_date", "serial", "iban", "amount", "account")
@never_cache
@require_http_methods(["GET", "POST"])
def step_view(request, slug: str):
    """Show a step, or take its answer and go to the next one; a step out of order is refused.

    Showing a page writes nothing (a registration step should cost little more than a bare
    page, docs/product.md §9): the session and the funnel are written when an answer is taken.
    """
    step = wizard_steps.BY_SLUG[slug]
    wizard = Wizard(request)
    if not wizard_steps.is_open(wizard.answers, step):
        # Skipped, forged, or past the hour: back to the first page still to answer.
        return redirect(step_url(wizard_steps.first_open(wizard.answers)))

    if request.method == "POST":
        form = wizard.form(step, data=request.POST)
        if form.is_valid():
            if step in wizard_steps.FINAL_STEPS:
                return _finish(request, wizard, step, form)
            wizard.store(step, form.stored())
            # Every path goes on past an answered page to a final one (FINAL_STEPS).
            following = wizard_steps.following(wizard.answers, step)
            assert following is not None, f"the path ends at {step.slug}"
            _reach(wizard, following)
            wizard.save()
            return redirect(step_url(following))
    else:
        form = wizard.form(step)
        if step is wizard_steps.PROFILE and _reach(wizard, step):
            wizard.save()
    context = _context(wizard, step, form)
    context["keyboard"] = full_keyboard(request, form, "nir")
    return render(request, step.template, context)


def _reach(wizard: Wizard, step: Step) -> bool:
    """Count the step in the funnel the first time this run is sent to it."""
    if not wizard.reach(step):
        return False
    services.funnel_record(event=FunnelCount.Event.STEP, profile=wizard.profile, step=step.number)
    return True


def _context(wizard: Wizard, step: Step, form) -> dict:
    previous = wizard_steps.previous(wizard.answers, step)
    answers = wizard.answers
    return {
        "step": step,
        "total_steps": TOTAL_STEPS,
        "form": form,
        "previous_url": step_url(previous) if previous else None,
        "contact": answers.get(wizard_steps.CONTACT.slug)
        or answers.get(wizard_steps.COMPANY_CONTACT.slug)
        or {},
        "contact_url": step_url(
            wizard_steps.COMPANY_CONTACT
            if wizard_steps.COMPANY_CONTACT.slug in answers
            else wizard_steps.CONTACT
        ),
        "by_post": _chose_post(answers),
        "function": answers.get(wizard_steps.OTHER_FUNCTION.slug, {}).get("function"),
    }


def _chose_post(answers: dict) -> bool:
    """Whether the person said they have no proof to give: then the password comes by post."""
    return (
        answers.get(wizard_steps.PROOF_CHOICE.slug, {}).get("proof") == "none"
        or answers.get(wizard_steps.EMPLOYER_ACCOUNT.slug, {}).get("no_account") is True
    )


def _finish(request, wizard: Wizard, step: Step, form):
    invalid = wizard.first_invalid()
    if invalid is not None:
        # A page no longer holds together (e.g. a NIR changed after the date of birth):
        # show it again with its errors.
        wizard.mark_invalid(invalid)
        wizard.save()
        return redirect(step_url(invalid))
    client = client_network(request)
    try:
        if step is wizard_steps.OTHER_REQUEST:
            data = form.cleaned_data
            services.other_request_create(
                function=wizard.answers[wizard_steps.OTHER_FUNCTION.slug]["function"],
                last_name=data["last_name"],
                first_name=data["first_name"],
                email=data["email"],
                mobile=data["mobile"],
                organisation=data["organisation"],
                message=data["message"],
                language=get_language() or "fr",
                client=client,
                request=request,
            )
            wizard.clear()
            return redirect("signup:other_sent")
        registration = wizard.registration()
        try:
            completion = services.registration_complete(
                registration=registration, client=client, request=request
            )
        except IntegrityError:
            # The same registration sent twice at once (a double click): the second one finds
            # the account the first one created.
            completion = services.registration_complete(
                registration=registration, client=client, request=request
            )
    except services.TooManyCompletions:
        wizard.save()
        return render(request, "signup/too_many.html", status=429)
    return _done_show(request, wizard, completion.page)


def _done_show(request, wizard: Wizard, page: str):
    """Send the person to page 7 of a registration that is now committed.

    The session that remembers page 7 is written here rather than by the middleware after
    the response is made: if it cannot be written (the database lost at that instant), the
    person still sees page 7, not an error hiding an account that exists and an email that
    is on its way.
    """
    wizard.finish(page)
    try:
        request.session.save()
    except Exception:
        logger.exception("Registration committed, but its session could not be written.")
        request.session.modified = False  # nothing more to try at the end of the request
        return render(request, "signup/done.html", {"by_post": page == services.Page.POST})
    request.session.modified = False  # written above, once
    return redirect("signup:done")


@require_GET
def done(request):
    """Page 7. The same bytes for everyone on the same path: nothing personal, no token."""
    page = done_page(request)
    if page is None:
        return redirect("signup:start")
    return render(request, "signup/done.html", {"by_post": page == services.Page.POST})


@require_POST
def abandon(request):
    """« Abandonner »: everything entered is forgotten; back to the home page."""
    wizard = Wizard(request)
    if wizard.started:
        services.funnel_record(
            event=FunnelCount.Event.ABANDON, profile=wizard.profile, step=wizard.last_step_number
        )
    wizard.clear()
    messages.info(
        request, _("Votre inscription est abandonnée : ce que vous aviez saisi est effacé.")
    )
    return redirect("core:home")


@require_GET
def other_sent(request):
    return render(request, "signup/other_sent.html")


@require_GET
def help_nir(request):
    back = _back_url(request, wizard_steps.NIR)
    return render(request, "signup/help_nir.html", {"back_url": back})


@require_GET
def help_serial(request):
    return render(
        request,
        "signup/help_serial.html",
        {
            "back_url": _back_url(request, wizard_steps.VITALE_SERIAL),
            "card_url": step_url(wizard_steps.VITALE_CARD),
        },
    )


@require_GET
def help_company(request):
    """Where a company finds its SIRET and the « numéro de compte employeur »."""
    answers = Wizard(request).answers
    step = (
        wizard_steps.EMPLOYER_ACCOUNT
        if wizard_steps.is_open(answers, wizard_steps.EMPLOYER_ACCOUNT)
        else wizard_steps.SIRET
    )
    return render(request, "signup/help_company.html", {"back_url": _back_url(request, step)})


def _back_url(request, step: Step) -> str:
    """« Revenir à mon inscription »: the page that links here, with its answers still there."""
    answers = Wizard(request).answers
    if wizard_steps.is_open(answers, step):
        return step_url(step)
    return step_url(wizard_steps.first_open(answers))
