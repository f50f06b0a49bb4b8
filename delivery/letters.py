"""Letters with a temporary password, printed in batches by the agents (docs/product.md §7).

A batch takes every pending letter, makes each account a new temporary password at that moment
(docs/product.md §4: never stored in clear, the previous one voided) and reads its postal address
on file, both through the hooks the owner of the accounts registers (``LetterRecipients``),
draws one page a letter into a PDF that is streamed to the agent and not kept, and records who
made the batch, when, and how many letters it holds. Posting is confirmed afterwards; a batch
printed again before it is posted gets new passwords, which voids the ones on the first print.
"""

import dataclasses
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import AuditEvent
from audit.services import audit_record
from core.clients import request_client

from .models import Letter, LetterBatch
from .pdf import LetterPage, LetterPrinter
from .postal import AddressError, PostalAddress, address_block
from .selectors import letter_held_back

# Letters are read and their passwords issued this many at a time: memory stays flat.
CHUNK_SIZE = 500

SKIP_REASONS = {
    "no_address": gettext_lazy("pas d'adresse postale dans le registre"),
    "address": gettext_lazy("adresse impossible à écrire en 38 caractères par ligne"),
    "inactive": gettext_lazy("compte verrouillé"),
    "four_eyes": gettext_lazy(
        "demandé par vous : un autre agent l'imprime, ou un superviseur l'approuve"
    ),
}


# Letters that carry no temporary password (a notice, e.g. a bank-details change confirmed),
# by their Letter.reason: the part of the product that asks for such a letter registers the
# function that writes its page, ``maker(letter, address_lines) -> LetterPage``.
NOTICE_MAKERS: dict[str, Callable[[Letter, list[str]], LetterPage]] = {}


def letter_kind(reason: str) -> str:
    """The kind of a letter by its reason: the notice's reason, or "" for a letter with a
    temporary password, whatever asked for it. An account has one waiting letter of a kind
    (delivery.services.letter_queue, docs/decisions/one-letter-waiting.md)."""
    return reason if reason in NOTICE_MAKERS else ""


def notice_maker(reason: str):
    """Register the page maker of the notice letters of ``reason`` (see NOTICE_MAKERS)."""

    def register(function):
        NOTICE_MAKERS[reason] = function
        return function

    return register


@dataclass(frozen=True)
class LetterRecipients:
    """What the batches need from the owner of the letters' recipients (accounts registers it in
    its AppConfig.ready, accounts.letters): delivery knows the accounts only through the user
    model, and never makes a password nor reads the registry itself."""

    # The postal address on file of an account (None: none on file), and the relations of the
    # user model it reads, which the batch loads with the letters (select_related).
    address: Callable[[object], PostalAddress | None]
    address_reads: tuple[str, ...]
    # A new temporary password for each of these account ids, in their order, made at ``at``
    # (the previous ones void): each as (the password in clear, until when it is valid).
    passwords_issue: Callable[[list[int], datetime.datetime], list[tuple[str, datetime.datetime]]]
    # Void the pending temporary passwords sent by post to these account ids.
    passwords_void: Callable[[list[int]], None]


_recipients: list[LetterRecipients] = []


def letter_recipients_register(recipients: LetterRecipients) -> None:
    """Register the hooks of LetterRecipients (once; a second registration replaces the first)."""
    _recipients[:] = [recipients]


def _hooks() -> LetterRecipients:
    if not _recipients:
        raise ImproperlyConfigured(
            "No LetterRecipients registered: the app of the accounts registers them when ready."
        )
    return _recipients[0]


@dataclass
class BatchReport:
    """What a batch run did: the batch (None when nothing was printed) and the letters left."""

    batch: LetterBatch | None = None
    printed: int = 0
    skipped: dict[int, str] = field(default_factory=dict)  # letter id → SKIP_REASONS key
    superseded: int = 0


def letters_pending_count() -> int:
    """How many letters wait for the next batch."""
    return Letter.objects.filter(status=Letter.Status.PENDING).count()


@transaction.atomic
def letters_batch_generate(*, out, agent=None, request=None) -> BatchReport:
    """Print every pending letter into `out` (a binary file) as one PDF, in one batch.

    Letters that cannot be printed (no address on file, locked account) stay pending and are
    listed in the report. When an account has several pending letters of a kind (letter_kind),
    the latest is printed and the others are cancelled: one password each, or the first would
    be void on arrival; a notice is not a password letter, and both are printed. An account
    whose latest letter of a kind this agent asked for by hand is left out, all its letters of
    that kind pending (delivery.selectors.letter_held_back).
    """
    rows = [
        (pk, (user_id, letter_kind(reason)), requested, approved)
        for pk, user_id, reason, requested, approved in Letter.objects.select_for_update()
        .filter(status=Letter.Status.PENDING)
        .order_by("created_at", "pk")
        .values_list("pk", "user_id", "reason", "requested_by_id", "approved_by_id")
    ]
    latest = {key: pk for pk, key, *_ in rows}
    held = {
        pk: "four_eyes"
        for pk, key, requested, approved in rows
        if latest[key] == pk
        and letter_held_back(requested_by_id=requested, approved_by_id=approved, agent=agent)
    }
    held_keys = {key for pk, key, *_ in rows if pk in held}
    superseded = [pk for pk, key, *_ in rows if latest[key] != pk and key not in held_keys]
    if superseded:
        Letter.objects.filter(pk__in=superseded).update(status=Letter.Status.CANCELLED)
    printable = sorted(pk for pk in latest.values() if pk not in held)
    report = _print(printable, out=out, agent=agent)
    report.skipped.update(held)
    report.superseded = len(superseded)
    _audit_batch(report, agent=agent, request=request, reprint_of=None)
    return report


@transaction.atomic
def letters_batch_reprint(*, batch: LetterBatch, out, agent=None, request=None) -> BatchReport:
    """Print again the letters of a batch not yet posted, with new passwords, as a new batch.

    The passwords printed the first time are voided by the new ones (accounts.passwords). A
    letter this agent asked for by hand is not printed again by them
    (delivery.selectors.letter_held_back): it stays in its batch, for another agent.
    """
    rows = list(
        Letter.objects.select_for_update()
        .filter(batch=batch, status=Letter.Status.PRINTED)
        .order_by("created_at", "pk")
        .values_list("pk", "requested_by_id", "approved_by_id")
    )
    held = {
        pk: "four_eyes"
        for pk, requested, approved in rows
        if letter_held_back(requested_by_id=requested, approved_by_id=approved, agent=agent)
    }
    report = _print([pk for pk, *_ in rows if pk not in held], out=out, agent=agent)
    report.skipped.update(held)
    _audit_batch(report, agent=agent, request=request, reprint_of=batch.pk)
    return report


@transaction.atomic
def letters_batch_post(*, batch: LetterBatch, agent=None, request=None) -> int:
    """Record that the batch's printed letters went to the post; return how many."""
    count = Letter.objects.filter(batch=batch, status=Letter.Status.PRINTED).update(
        status=Letter.Status.POSTED
    )
    batch.posted_at = timezone.now()
    batch.posted_by = agent
    batch.save(update_fields=["posted_at", "posted_by"])
    audit_record(
        AuditEvent.Type.LETTER_POSTED,
        client=request_client(request),
        actor=agent,
        batch=batch.pk,
        letters=count,
    )
    return count


@transaction.atomic
def letter_cancel(*, letter: Letter, agent=None, request=None) -> bool:
    """Cancel a letter not yet posted; a printed one's password is voided with it."""
    if letter.status not in (Letter.Status.PENDING, Letter.Status.PRINTED):
        return False
    if letter.status == Letter.Status.PRINTED and letter.reason not in NOTICE_MAKERS:
        _hooks().passwords_void([letter.user_id])
    letter.status = Letter.Status.CANCELLED
    letter.save(update_fields=["status"])
    audit_record(
        AuditEvent.Type.AGENT_ACTION,
        client=request_client(request),
        actor=agent,
        subject=letter.user,
        action="letter_cancelled",
        letter=letter.pk,
    )
    return True


def _print(ids: list[int], *, out, agent) -> BatchReport:
    report = BatchReport()
    if not ids:
        return report
    now = timezone.now()
    batch = LetterBatch.objects.create(created_at=now, created_by=agent, letter_count=0)
    printer = LetterPrinter(
        out, title=_("Courriers Mon espace privé"), author=settings.FUND["name"]
    )
    # The texts of a letter depend on its language and identifier type only: made once each.
    texts: dict[tuple, LetterPage] = {}
    for start in range(0, len(ids), CHUNK_SIZE):
        letters = list(
            Letter.objects.filter(pk__in=ids[start : start + CHUNK_SIZE])
            .select_related("user", *(f"user__{name}" for name in _hooks().address_reads))
            .order_by("created_at", "pk")
        )
        _print_chunk(letters, printer=printer, now=now, batch=batch, report=report, texts=texts)
    if report.printed == 0:
        # Nothing printable: no batch, no PDF, nothing changed.
        transaction.set_rollback(True)
        return BatchReport(skipped=report.skipped)
    printer.close()
    batch.letter_count = report.printed
    batch.save(update_fields=["letter_count"])
    report.batch = batch
    return report


def _print_chunk(letters, *, printer, now, batch, report, texts) -> None:
    hooks = _hooks()
    printable = []
    for letter in letters:
        reason = None
        if not letter.user.is_active:
            reason = "inactive"
        elif (address := hooks.address(letter.user)) is None:
            reason = "no_address"
        else:
            try:
                lines = address_block(address)
            except AddressError as error:
                reason = "no_address" if "no postcode" in str(error) else "address"
        if reason:
            report.skipped[letter.pk] = reason
        else:
            printable.append((letter, lines))
    notices = [(letter, lines) for letter, lines in printable if letter.reason in NOTICE_MAKERS]
    if notices:
        for letter, lines in notices:
            printer.add(NOTICE_MAKERS[letter.reason](letter, lines))
        Letter.objects.filter(pk__in=[letter.pk for letter, _lines in notices]).update(
            status=Letter.Status.PRINTED, batch=batch
        )
        report.printed += len(notices)
        printable = [item for item in printable if item[0].reason not in NOTICE_MAKERS]
    if not printable:
        return
    issued = hooks.passwords_issue([letter.user_id for letter, _lines in printable], now)
    for (letter, lines), (clear, expires_at) in zip(printable, issued, strict=True):
        key = (letter.language, letter.user.identifier_type)
        if key not in texts:
            texts[key] = letter_page(
                letter, address_lines=lines, password=clear, expires_at=expires_at
            )
        shared = texts[key]
        printer.add(
            dataclasses.replace(
                shared,
                address_lines=lines,
                password=clear,
                reference=shared.reference_template.replace(
                    "{identifier}", letter.user.identifier_masked
                ),
            )
        )
    Letter.objects.filter(pk__in=[letter.pk for letter, _lines in printable]).update(
        status=Letter.Status.PRINTED, batch=batch
    )
    report.printed += len(printable)
    del issued


def _audit_batch(report: BatchReport, *, agent, request, reprint_of) -> None:
    if report.batch is None:
        return
    data = {"batch": report.batch.pk, "letters": report.printed, "skipped": len(report.skipped)}
    if reprint_of is not None:
        data["reprint_of"] = reprint_of
    audit_record(AuditEvent.Type.LETTER_BATCH, client=request_client(request), actor=agent, **data)


def letter_page(
    letter: Letter, *, address_lines: list[str], password: str, expires_at: datetime.datetime
) -> LetterPage:
    """The texts of one letter, in the language the person used (Letter.language)."""
    fund = settings.FUND
    user = letter.user
    language = letter.language if letter.language in dict(settings.LANGUAGES) else "fr"
    with translation.override(language):
        login_url = settings.SITE_URL + reverse("accounts:login")
        if user.identifier_type == get_user_model().IdentifierType.SIRET:
            label = _("Numéro SIRET")
            typed = _("votre numéro SIRET (14 chiffres)")
        else:
            label = _("Numéro de Sécurité Sociale")
            typed = _("votre numéro de Sécurité Sociale (13 chiffres, sans la clé)")
        today = timezone.localdate()
        expiry = timezone.localtime(expires_at).date()
        return LetterPage(
            sender_lines=[fund["long_name"], *([fund["parent"]] if fund["parent"] else [])]
            + list(fund["address_lines"])
            + [_("Téléphone : %(phone)s") % {"phone": fund["phone"]}, fund["email"]],
            address_lines=address_lines,
            date_line=_("Le %(date)s") % {"date": formats.date_format(today, "j F Y")},
            subject=_("Objet : votre mot de passe provisoire pour Mon espace privé"),
            # Filled in per letter; « : » is spaced the French way, not the English one.
            reference_template=_("%(label)s : %(identifier)s")
            % {"label": label, "identifier": "{identifier}"},
            reference=_("%(label)s : %(identifier)s")
            % {"label": label, "identifier": user.identifier_masked},
            salutation=_("Madame, Monsieur,"),
            intro=_(
                "Vous avez demandé à accéder à Mon espace privé, votre espace personnel en ligne "
                "de la %(fund)s. Voici le mot de passe provisoire qui vous permettra de vous "
                "connecter pour la première fois."
            )
            % {"fund": fund["long_name"]},
            password_label=_("Votre mot de passe provisoire"),
            password=password,
            password_hint=_(
                "12 caractères, sans espace. Les majuscules et les minuscules comptent."
            ),
            character_names={"upper": _("maj."), "lower": _("min."), "digit": _("chiffre")},
            expiry=_("Valable jusqu'au %(date)s inclus, pour une seule connexion.")
            % {"date": formats.date_format(expiry, "j F Y")},
            how_title=_("Comment vous connecter"),
            how_steps=[
                _("Rendez-vous sur %(url)s") % {"url": login_url},
                _("Saisissez %(identifier)s et ce mot de passe provisoire.")
                % {"identifier": typed},
                _(
                    "Choisissez ensuite votre mot de passe personnel : le mot de passe provisoire "
                    "ne servira plus."
                ),
            ],
            warning=_(
                "Si vous n'êtes pas à l'origine de cette demande, contactez-nous : nous "
                "désactiverons ce mot de passe. La caisse ne vous demandera jamais votre mot de "
                "passe."
            ),
            contact_title=_("Nous contacter"),
            contact_lines=[
                _("Téléphone : %(phone)s, %(hours)s")
                % {"phone": fund["phone"], "hours": fund["hours"]},
                _("Email : %(email)s") % {"email": fund["email"]},
                _("Adresse : %(address)s") % {"address": ", ".join(fund["address_lines"])},
            ],
            closing=_("Nous vous prions d'agréer, Madame, Monsieur, nos salutations distinguées."),
            signature=[_("Le service Mon espace privé"), fund["name"]],
            footer=_("%(fund)s — Ne communiquez jamais ce mot de passe à personne.")
            % {"fund": fund["name"]},
            colour=fund["colour_primary"],
        )


def letter_waiting_or_recent(*, user, reason: str, since) -> bool:
    """Whether a letter of ``reason``'s kind waits for ``user``, or any letter was queued to
    ``user`` since ``since`` and not cancelled (waiting, printed or posted): in one query, the
    limit of the callers that pay the postage of a request nobody vouches for (« Mot de passe
    oublié »), before they queue with ``delivery.services.letter_queue(none_waiting=True)``."""
    return (
        Letter.objects.filter(user=user)
        .filter(letter_waiting_of_kind(reason) | Q(created_at__gte=since))
        .exclude(status=Letter.Status.CANCELLED)
        .exists()
    )


def letter_waiting_of_kind(reason: str) -> Q:
    """The letters waiting for a batch of the same kind as a letter of ``reason``
    (docs/decisions/one-letter-waiting.md): a notice of this reason, or a letter with a
    temporary password, whatever asked for it."""
    waiting = Q(status=Letter.Status.PENDING)
    if letter_kind(reason):
        return waiting & Q(reason=reason)
    return waiting & ~Q(reason__in=list(NOTICE_MAKERS))
