"""What each attestation says (docs/product.md §13), in the member's language, ready for
payments.pdf."""

from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from payments.pdf import AttestationPage, Table
from registry.models import Profile


def money(amount: Decimal) -> str:
    """« 1 234,56 € » in French, « €1,234.56 » style left to the locale's number format."""
    return _("%(amount)s €") % {"amount": formats.number_format(amount, 2, force_grouping=True)}


def _date(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _page(*, title: str, holder_lines, paragraphs, table=None, closing=(), code: str):
    fund = settings.FUND
    verify_url = settings.SITE_URL + reverse("payments:verify")
    return AttestationPage(
        sender_lines=[
            fund["long_name"],
            *fund["address_lines"],
            _("Téléphone : %(phone)s — %(email)s")
            % {"phone": fund["phone"], "email": fund["email"]},
        ],
        title=title,
        date_line=_("Fait le %(date)s") % {"date": _date(timezone.localdate())},
        holder_lines=holder_lines,
        paragraphs=paragraphs,
        table=table,
        closing=[
            *closing,
            _(
                "Ce document est établi à la demande de l'intéressé(e) pour servir et valoir ce "
                "que de droit."
            ),
            _("Le directeur de la %(fund)s") % {"fund": fund["name"]},
        ],
        code_label=_("Code de vérification"),
        code=code,
        verify_hint=_("Vérifiez ce document sur %(url)s avec ce code.") % {"url": verify_url},
        footer=fund["long_name"],
        colour=fund["colour_primary"],
    )


def _person_lines(user) -> list[str]:
    person = user.person
    return [
        f"{person.prenoms.split(',')[0].strip()} {person.nom}",
        _("Né(e) le %(date)s — N° de Sécurité Sociale %(nir)s")
        % {
            "date": _date(person.date_naissance),
            "nir": user.identifier_masked or person.nir_masked,
        },
    ]


def payments_attestation(*, user, payments, start, end, total, code) -> AttestationPage:
    """« Attestation de paiements »: every payment of the period, and their total."""
    rows = [
        [
            _date(p.date_paiement),
            p.get_nature_display(),
            p.libelle,
            _("%(start)s au %(end)s")
            % {"start": _date(p.periode_debut), "end": _date(p.periode_fin)}
            if p.periode_debut
            else "",
            money(p.montant),
        ]
        for p in payments
    ]
    fund = settings.FUND["name"]
    period = {"start": _date(start), "end": _date(end), "fund": fund}
    if rows:
        paragraphs = [
            _(
                "La %(fund)s atteste avoir versé à la personne désignée ci-dessus, du %(start)s "
                "au %(end)s, les sommes suivantes :"
            )
            % period
        ]
    else:
        paragraphs = [
            _(
                "La %(fund)s atteste n'avoir versé aucune somme à la personne désignée "
                "ci-dessus du %(start)s au %(end)s."
            )
            % period
        ]
    table = (
        Table(
            header=[_("Date"), _("Nature"), _("Libellé"), _("Période"), _("Montant")],
            rows=rows,
            widths=[0.13, 0.19, 0.3, 0.23, 0.15],
            total=["", "", _("Total"), "", money(total)],
        )
        if rows
        else None
    )
    return _page(
        title=_("Attestation de paiements"),
        holder_lines=_person_lines(user),
        paragraphs=paragraphs,
        table=table,
        code=code,
    )


def affiliation_attestation(*, user, code) -> AttestationPage:
    """« Attestation d'affiliation »: the profiles held and the health affiliation."""
    person = user.person
    labels = dict(Profile.choices)
    profiles = ", ".join(str(labels[p]) for p in person.profile_list if p in labels)
    fund = settings.FUND["name"]
    paragraphs = [
        _(
            "La %(fund)s atteste que la personne désignée ci-dessus est connue de ses services "
            "au titre de : %(profiles)s."
        )
        % {"fund": fund, "profiles": profiles},
        _("Elle est affiliée à la %(fund)s pour l'assurance maladie.") % {"fund": fund}
        if person.affilie_sante
        else _("Elle n'est pas affiliée à la %(fund)s pour l'assurance maladie.") % {"fund": fund},
    ]
    return _page(
        title=_("Attestation d'affiliation"),
        holder_lines=_person_lines(user),
        paragraphs=paragraphs,
        code=code,
    )


def situation_attestation(*, user, account, code) -> AttestationPage:
    """« Attestation de situation »: the contributor is up to date with what was called."""
    fund = settings.FUND["name"]
    if user.company is not None:
        holder = [user.company.raison_sociale, _("SIRET %(siret)s") % {"siret": user.company.siret}]
    else:
        holder = _person_lines(user)
    paragraphs = [
        _(
            "La %(fund)s atteste qu'à la date du %(date)s, le cotisant désigné ci-dessus est "
            "à jour de ses obligations de paiement des cotisations appelées : aucune échéance "
            "n'est en retard."
        )
        % {"fund": fund, "date": _date(timezone.localdate())},
    ]
    if account.due:
        paragraphs.append(
            _("Restant à payer, non échu ou sous échéancier accordé : %(balance)s.")
            % {"balance": money(account.balance)}
        )
    return _page(
        title=_("Attestation de situation"),
        holder_lines=holder,
        paragraphs=paragraphs,
        code=code,
    )
