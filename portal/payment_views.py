"""« Mes paiements », « Mes attestations », « Mes cotisations » (docs/product.md §13): the space's
pages over the payments app's data. Every page reads the logged-in member's own data only:
nothing in an address names a person, a payment or a contribution. The public « Vérifier une
attestation » stays with payments (payments/views.py): it is no page of the member's space."""

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.decorators import member_required
from core.spreadsheet import BOM, spreadsheet_cell, spreadsheet_writer
from payments import selectors
from payments.documents import affiliation_attestation, payments_attestation, situation_attestation
from payments.forms import PaymentsAttestationForm
from payments.models import Attestation
from payments.pdf import attestation_draw
from payments.services import attestation_issue


@never_cache
@member_required
@require_GET
def payments_list(request, year: int | None = None):
    """One year of payments (the latest by default), and every year's total to go to another."""
    person = request.user.person
    years = selectors.payment_year_totals(person)
    if not years:
        return render(request, "portal/payments.html", {"years": []})
    shown = years[0].year if year is None else year
    if shown not in {y.year for y in years}:
        raise Http404
    payments = list(selectors.payments_of_year(person, shown))
    total = next(y.total for y in years if y.year == shown)
    return render(
        request,
        "portal/payments.html",
        {"years": years, "year": shown, "payments": payments, "total": total},
    )


@never_cache
@member_required
@require_GET
def payments_csv(request, year: int):
    """The year's payments as a spreadsheet: UTF-8 with BOM, `;`, decimal comma."""
    payments = selectors.payments_of_year(request.user.person, year)
    if not payments.exists():
        raise Http404
    response = StreamingHttpResponse(_csv_lines(payments), content_type="text/csv; charset=utf-8")
    name = _("paiements-%(year)s.csv") % {"year": year}
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _csv_lines(payments):
    writer = spreadsheet_writer()
    yield BOM + writer.writerow(
        [
            _("Date"),
            _("Nature"),
            _("Libellé"),
            _("Début de période"),
            _("Fin de période"),
            _("Montant (€)"),
            _("Référence"),
        ]
    )
    for p in payments.iterator(chunk_size=500):
        yield writer.writerow(
            [
                p.date_paiement.strftime("%d/%m/%Y"),
                spreadsheet_cell(p.get_nature_display()),
                spreadsheet_cell(p.libelle),
                p.periode_debut.strftime("%d/%m/%Y") if p.periode_debut else "",
                p.periode_fin.strftime("%d/%m/%Y") if p.periode_fin else "",
                # A number, not text: « -45,50 » is a recovery the spreadsheet can add up.
                f"{p.montant:.2f}".replace(".", ","),
                spreadsheet_cell(p.reference),
            ]
        )


def _pdf(page, name: str) -> HttpResponse:
    response = HttpResponse(content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    attestation_draw(response, page)
    return response


@never_cache
@member_required
@require_http_methods(["GET", "POST"])
def attestations(request):
    """« Mes attestations »: the forms; a valid POST answers with the PDF itself."""
    user = request.user
    kind = request.POST.get("kind") if request.method == "POST" else None
    form = PaymentsAttestationForm(data=request.POST if kind == "paiements" else None)
    if user.person is not None and kind == "paiements" and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        payments = list(selectors.payments_between(user.person, start, end))
        total = sum((p.montant for p in payments), start=0)
        issued = attestation_issue(
            user=user,
            kind=Attestation.Kind.PAIEMENTS,
            period_start=start,
            period_end=end,
            total=total,
        )
        page = payments_attestation(
            user=user, payments=payments, start=start, end=end, total=total, code=issued.code
        )
        return _pdf(
            page, _("attestation-paiements-%(start)s-%(end)s.pdf") % {"start": start, "end": end}
        )
    if user.person is not None and kind == "affiliation":
        issued = attestation_issue(user=user, kind=Attestation.Kind.AFFILIATION)
        return _pdf(
            affiliation_attestation(user=user, code=issued.code), _("attestation-affiliation.pdf")
        )
    today = timezone.localdate()
    if not form.is_bound:
        form = PaymentsAttestationForm(
            initial={"start": f"01/01/{today.year - 1}", "end": f"31/12/{today.year - 1}"}
        )
    return render(
        request,
        "portal/attestations.html",
        {"form": form, "contributions": selectors.pays_contributions(user)},
    )


@never_cache
@member_required
@require_http_methods(["GET", "POST"])
def contributions(request):
    """« Mes cotisations »; a POST asks for the « attestation de situation » when up to date."""
    user = request.user
    if not selectors.pays_contributions(user):
        raise Http404
    account = selectors.contribution_account(user, today=timezone.localdate())
    if request.method == "POST" and account.up_to_date:
        issued = attestation_issue(user=user, kind=Attestation.Kind.SITUATION)
        page = situation_attestation(user=user, account=account, code=issued.code)
        return _pdf(page, _("attestation-situation.pdf"))
    return render(
        request,
        "portal/contributions.html",
        {"account": account, "refused": request.method == "POST"},
        status=409 if request.method == "POST" else 200,
    )
