"""Ma messagerie and the change requests, the member's side (docs/product.md §13)."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import member_required

from . import selectors, services
from .forms import AddressChangeForm, BankDetailsChangeForm, ReplyForm, ThreadForm
from .models import Subject, Thread, attachments_storage
from .sealing import sealing_available


def _form_data(request):
    if request.method == "POST":
        return request.POST, request.FILES
    return None, None


@never_cache
@member_required
@require_GET
def threads(request):
    """The member's threads and requests, each with its status."""
    return render(
        request,
        "messaging/threads.html",
        {
            "threads": selectors.member_threads(request.user),
            "change_requests": selectors.member_change_requests(request.user)[:5],
        },
    )


# A server error's report must not carry what the member wrote (docs/product.md §5).
@sensitive_post_parameters("body")
@never_cache
@member_required
@require_http_methods(["GET", "POST"])
def thread_new(request):
    data, files = _form_data(request)
    initial = {"subject": request.GET.get("objet")} if request.GET.get("objet") else {}
    form = ThreadForm(data, files, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            thread = services.thread_create(
                member=request.user,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                files=form.cleaned_data["files"],
                request=request,
            )
        except services.LimitReached as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _(
                    "Votre message est envoyé. Nous vous prévenons par email dès qu'une réponse "
                    "vous attend."
                ),
            )
            return redirect("messaging:thread", pk=thread.pk)
    return render(
        request,
        "messaging/thread_new.html",
        {"form": form, "change_subjects": [Subject.ADDRESS, Subject.BANK_DETAILS]},
    )


@sensitive_post_parameters("body")
@never_cache
@member_required
@require_http_methods(["GET", "POST"])
def thread(request, pk: int):
    """One thread, and the form to write again while it is open. Another member's is a 404."""
    found = selectors.member_thread(request.user, pk)
    if found is None:
        raise Http404
    data, files = _form_data(request)
    form = ReplyForm(data, files) if found.is_open else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.thread_message_add(
                thread=found,
                member=request.user,
                body=form.cleaned_data["body"],
                files=form.cleaned_data["files"],
                request=request,
            )
        except services.LimitReached as error:
            form.add_error(None, str(error))
        except services.DecisionError:
            messages.error(request, _("Cet échange est clos : écrivez un nouveau message."))
            return redirect("messaging:thread", pk=found.pk)
        else:
            messages.success(request, _("Votre message est envoyé."))
            return redirect("messaging:thread", pk=found.pk)
    return render(
        request,
        "messaging/thread.html",
        {"thread": found, "form": form, "statuses": Thread.Status},
    )


@never_cache
@member_required
@require_GET
def attachment(request, pk: int):
    """A file of the member's, downloaded, never shown inline (no sniffing)."""
    found = selectors.member_attachment(request.user, pk)
    if found is None:
        raise Http404
    return attachment_response(found)


def attachment_response(found) -> FileResponse:
    """The file as a download, with its checked type; shared with the back-office."""
    response = FileResponse(
        attachments_storage().open(found.file.name, "rb"),
        as_attachment=True,
        filename=found.name,
        content_type=found.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@member_required
@require_GET
def change_requests(request):
    return render(
        request,
        "messaging/change_requests.html",
        {"change_requests": selectors.member_change_requests(request.user)},
    )


@never_cache
@member_required
@require_http_methods(["GET", "POST"])
def address_change(request):
    """« Changer mon adresse »: a request that an agent checks; the registry stays as it is."""
    form = AddressChangeForm(_form_data(request)[0])
    if request.method == "POST" and form.is_valid():
        try:
            services.address_change_request(
                member=request.user, address=form.cleaned_data["address"], request=request
            )
        except services.LimitReached as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Votre demande de changement d'adresse est envoyée."))
            return redirect("messaging:change_requests")
    return render(request, "messaging/address_change.html", {"form": form})


@sensitive_variables("form")
@sensitive_post_parameters("iban")
@never_cache
@member_required
@require_http_methods(["GET", "POST"])
def bank_details_change(request):
    """« Changer mes coordonnées bancaires »: the IBAN is sealed at once, never kept in clear."""
    if not sealing_available():
        return render(request, "messaging/bank_details_unavailable.html", status=503)
    data, files = _form_data(request)
    form = BankDetailsChangeForm(data, files)
    if request.method == "POST" and form.is_valid():
        try:
            services.bank_details_change_request(
                member=request.user,
                iban=form.cleaned_data["iban"],
                statement=form.cleaned_data["statement"],
                request=request,
            )
        except services.LimitReached as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Votre demande de changement de coordonnées bancaires est envoyée.")
            )
            return redirect("messaging:change_requests")
    return render(request, "messaging/bank_details_change.html", {"form": form})
