"""« Vérifier une attestation » (docs/product.md §13): public, for whoever is shown an
attestation (a landlord, an employer), not a page of the member's space. It answers from the
payments' own records, so it stays beside them; the member's pages over the same data are the
space's (portal/payment_views.py)."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.clients import client_network
from core.throttle import limit_take
from payments import selectors
from payments.codes import code_digest
from payments.forms import VerifyForm

# Codes a client address may try in an hour on « Vérifier une attestation »: plenty for a
# landlord or an employer checking papers, nothing for someone enumerating 2^80 codes.
VERIFICATIONS_PER_HOUR = 30


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request):
    """« Vérifier une attestation »: public; what the fund issued under a code, or nothing.

    The answer for a wrong code is the same whatever the code: the page tells nothing but
    « not issued ». Attempts are counted per client address before the lookup.
    """
    form = VerifyForm(data=request.POST if request.method == "POST" else None)
    context = {"form": form}
    if request.method == "POST":
        # Open while the cache is down (docs/decisions/limits-when-the-cache-fails.md): a code
        # holds 80 random bits, so an hour of outage gives no enumeration a chance.
        if not limit_take(
            f"payments:verify:{client_network(request)}",
            limit=VERIFICATIONS_PER_HOUR,
            window=3600,
            when_cache_fails=True,
        ):
            return render(
                request,
                "payments/verify.html",
                {"form": VerifyForm(), "throttled": True},
                status=429,
            )
        if form.is_valid():
            context["checked"] = True
            context["attestation"] = selectors.attestation_find(
                code_digest(form.cleaned_data["code"])
            )
    return render(request, "payments/verify.html", context)
