"""The private space (docs/product.md §13): what a member finds once logged in."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import member_required
from accounts.forms import PasswordChangeForm
from accounts.selectors import LinkStatus, email_change_for_link, recent_logins
from accounts.services import (
    LOGIN_EVENT,
    TooManyEmailChanges,
    email_change_confirm,
    email_change_request,
    mobile_update,
    password_change,
    sessions_end_others,
)
from messaging.selectors import member_replies_waiting

from .forms import EmailChangeForm, MobileForm
from .selectors import email_refused, member_file

LINK_ERROR_STATUS = {
    LinkStatus.WRONG: 404,
    LinkStatus.OTHER_ACCOUNT: 403,
    LinkStatus.EXPIRED: 410,
    LinkStatus.USED: 410,
}


def _data(request):
    return request.POST if request.method == "POST" else None


@never_cache
@member_required
@require_GET
def home(request):
    user = request.user
    return render(
        request,
        "portal/home.html",
        {
            "file": member_file(user),
            "replies_waiting": member_replies_waiting(user),
            "email_refused": email_refused(user),
        },
    )


@sensitive_post_parameters("current_password")
@never_cache
@member_required
@require_http_methods(["GET", "POST"])
def email_change(request):
    """« Modifier mon adresse email »: a link goes to the new address."""
    user = request.user
    initial = {} if user.email_confirmed else {"new_email": user.email}
    form = EmailChangeForm(user, data=_data(request), initial=initial, request=request)
    if request.method == "POST" and form.is_valid():
        try:
            change = email_change_request(user=user, new_email=form.cleaned_data["new_email"])
        except TooManyEmailChanges:
            form.add_error(
                "new_email",
                _("Vous avez demandé trop de changements d'adresse aujourd'hui. Réessayez demain."),
            )
        else:
            request.session["email_change_sent_to"] = change.new_email
            return redirect("portal:email_sent")
    return render(request, "portal/email_change.html", {"form": form})


@never_cache
@member_required
@require_GET
def email_sent(request):
    address = request.session.get("email_change_sent_to")
    if address is None:
        return redirect("portal:email_change")
    return render(request, "portal/email_sent.html", {"address": address})


@never_cache
@member_required
@require_http_methods(["GET", "POST"])
def email_confirm(request, pk: int, token: str):
    """The link sent to a new address. GET shows what it will do; the POST does it.

    A POST, not the GET, changes the address: mail scanners that open every link must not
    confirm it on the person's behalf.
    """
    status, change = email_change_for_link(pk, token, request.user)
    if status != LinkStatus.VALID:
        return render(
            request,
            f"portal/email_link_{status}.html",
            {"change": change},
            status=LINK_ERROR_STATUS[status],
        )
    if request.method == "POST":
        email_change_confirm(request=request, change=change)
        request.session.pop("email_change_sent_to", None)
        messages.success(
            request,
            _("Votre adresse email est confirmée : %(email)s.") % {"email": change.new_email},
        )
        return redirect("portal:home")
    return render(request, "portal/email_confirm.html", {"change": change})


@never_cache
@member_required
@require_http_methods(["GET", "POST"])
def mobile_change(request):
    user = request.user
    form = MobileForm(data=_data(request), initial=MobileForm.initial_for(user))
    if request.method == "POST" and form.is_valid():
        mobile_update(user=user, mobile=form.cleaned_data["mobile"])
        if form.cleaned_data["mobile"]:
            messages.success(request, _("Votre numéro de mobile est enregistré."))
        else:
            messages.success(request, _("Votre numéro de mobile est retiré."))
        return redirect("portal:home")
    return render(request, "portal/mobile_change.html", {"form": form})


@sensitive_post_parameters("current_password", "new_password", "new_password_confirm")
@never_cache
@member_required
@require_http_methods(["GET", "POST"])
def password_change_view(request):
    user = request.user
    form = PasswordChangeForm(user, data=_data(request), request=request)
    if request.method == "POST" and form.is_valid():
        end_others = form.cleaned_data["end_other_sessions"]
        password_change(
            request=request,
            user=user,
            password=form.cleaned_data["new_password"],
            end_other_sessions=end_others,
        )
        message = _("Votre mot de passe est changé.")
        if end_others:
            message += " " + _("Vos autres sessions sont fermées.")
        messages.success(request, message)
        return redirect("portal:home")
    return render(request, "portal/password_change.html", {"form": form})


@never_cache
@member_required
@require_GET
def logins(request):
    """The last ten logins, and « Ce n'était pas moi ? »."""
    rows = recent_logins(request.user, request.session.get(LOGIN_EVENT))
    return render(request, "portal/logins.html", {"logins": rows})


@member_required
@require_POST
def sessions_end(request):
    sessions_end_others(request=request, user=request.user)
    messages.success(request, _("Vos autres sessions sont fermées."))
    return redirect("portal:logins")
