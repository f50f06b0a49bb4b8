"""The back-office's reads: identifier search, accounts' state, dashboard figures."""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import LoginCounter, TemporaryPassword, User
from audit.models import AuditEvent
from delivery.models import Letter
from identity import normalize_name
from registry.models import Person
from signup.models import FunnelCount

_DIGEST = re.compile(r"^[0-9a-f]{64}$")


def is_digest(term: str) -> bool:
    """Whether a search term is already a keyed digest (what the search redirects to)."""
    return bool(_DIGEST.match(term))


def looks_like_identifier(term: str) -> bool:
    """A term with many digits is a (mistyped) identifier, never a name: keep it out of URLs."""
    return sum(c.isdigit() for c in term) >= 5


def account_blocked_until(*, until) -> datetime.datetime | None:
    """Until when failed logins lock the account's unknown browsers out, if they still do."""
    return until if until is not None and until > timezone.now() else None


def blocked_filter() -> Q:
    """Accounts whose unknown browsers are locked out now (accounts.lockout)."""
    return Q(blocked_until__gt=timezone.now())


def member_accounts_with_state(queryset):
    """Annotate accounts with what the agents need to see at a glance (docs/product.md §8)."""
    latest_password = TemporaryPassword.objects.filter(user=OuterRef("pk")).order_by("-created_at")
    # The lock a stranger may have caused: the owner's own devices have counters of their own.
    unknown_browsers = LoginCounter.objects.filter(
        scope=LoginCounter.Scope.UNKNOWN_BROWSERS, key=OuterRef("login")
    )
    return queryset.annotate(
        pending_letter=Exists(
            Letter.objects.filter(
                user=OuterRef("pk"), status__in=[Letter.Status.PENDING, Letter.Status.PRINTED]
            )
        ),
        last_password_at=Subquery(latest_password.values("created_at")[:1]),
        last_password_channel=Subquery(latest_password.values("channel")[:1]),
        blocked_until=Subquery(unknown_browsers.values("locked_until")[:1]),
    )


# --- Dashboard ----------------------------------------------------------------------------------

CHANNELS = [
    ("email", _("Par email")),
    ("post", _("Par courrier")),
    ("review", _("Après examen par un agent")),
]
STEPS = [
    (1, _("Étape 1 — Vous êtes...")),
    (2, _("Étape 2 — Votre identifiant")),
    (3, _("Étape 3 — Vos coordonnées")),
    (4, _("Étape 4 — Vérification de votre identité")),
    (5, _("Étape 5 — Recevoir votre mot de passe")),
    (6, _("Étape 6 — Conditions générales d'utilisation")),
]
DAYS = 30


@dataclass
class DayRow:
    day: datetime.date
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class FunnelRow:
    label: str
    count: int
    share: int  # percent of the registrations started
    kind: str = "step"  # step, abandon, complete


@dataclass
class DashboardData:
    start: datetime.date
    end: datetime.date
    channels: list = field(default_factory=lambda: list(CHANNELS))
    registrations: list[DayRow] = field(default_factory=list)
    funnel: list[FunnelRow] = field(default_factory=list)
    started: int = 0
    abandoned: int = 0
    completed: int = 0

    @property
    def channel_totals(self) -> dict[str, int]:
        return {key: sum(row.counts[key] for row in self.registrations) for key, _l in CHANNELS}


def dashboard_data(*, today: datetime.date | None = None) -> DashboardData:
    """The dashboard's figures from signup.FunnelCount over the last 30 days (today included).

    Registrations by channel are the completed registrations (FunnelCount COMPLETE rows): they
    count the review queue too, which no account table does.
    """
    end = today or timezone.localdate()
    start = end - datetime.timedelta(days=DAYS - 1)
    rows = FunnelCount.objects.filter(day__gte=start, day__lte=end)
    per_day = defaultdict(lambda: {key: 0 for key, _l in CHANNELS})
    for row in (
        rows.filter(event=FunnelCount.Event.COMPLETE, channel__in=[k for k, _l in CHANNELS])
        .values("day", "channel")
        .annotate(total=Sum("count"))
    ):
        per_day[row["day"]][row["channel"]] += row["total"]
    data = DashboardData(start=start, end=end)
    data.registrations = [
        DayRow(
            day=start + datetime.timedelta(days=i),
            counts=dict(per_day[start + datetime.timedelta(days=i)]),
        )
        for i in range(DAYS)
    ]
    steps = dict(
        rows.filter(event=FunnelCount.Event.STEP)
        .values_list("step")
        .annotate(total=Sum("count"))
        .values_list("step", "total")
    )
    data.abandoned = (
        rows.filter(event=FunnelCount.Event.ABANDON).aggregate(t=Sum("count"))["t"] or 0
    )
    data.completed = (
        rows.filter(event=FunnelCount.Event.COMPLETE).aggregate(t=Sum("count"))["t"] or 0
    )
    data.started = steps.get(1, 0)

    def share(count):
        return round(100 * count / data.started) if data.started else 0

    data.funnel = [
        FunnelRow(label=str(label), count=steps.get(number, 0), share=share(steps.get(number, 0)))
        for number, label in STEPS
    ]
    data.funnel.append(
        FunnelRow(
            str(_("Inscriptions finalisées")), data.completed, share(data.completed), "complete"
        )
    )
    data.funnel.append(
        FunnelRow(str(_("Abandons")), data.abandoned, share(data.abandoned), "abandon")
    )
    return data


# --- Review queue -------------------------------------------------------------------------------


def review_candidates(signup_request, *, limit: int = 10):
    """Registry persons who may be the one behind a request: same NIR, or same name and birth.

    Names compare as the registration does (identity.normalize_name: case, accents, hyphens).
    """
    ids = []
    if signup_request.identifier_type == "nir" and signup_request.identifier_digest:
        ids += list(
            Person.objects.filter(nir_digest=signup_request.identifier_digest).values_list(
                "pk", flat=True
            )
        )
    if signup_request.birth_date and signup_request.last_name:
        wanted = normalize_name(signup_request.last_name)
        for pk, nom in Person.objects.filter(date_naissance=signup_request.birth_date).values_list(
            "pk", "nom"
        )[:500]:
            if normalize_name(nom) == wanted and pk not in ids:
                ids.append(pk)
    return Person.objects.filter(pk__in=ids[:limit]).order_by("nom", "prenoms")


@dataclass(frozen=True)
class VolumeAlert:
    """An agent whose actions of one kind today reached the alert threshold (docs/product.md §8)."""

    agent: object
    what: str  # "letters" or "unlocks"
    count: int
    threshold: int


def agent_volume_alerts(*, day: datetime.date | None = None) -> list[VolumeAlert]:
    """Agents who asked for many letters by hand, or unlocked many accounts, on ``day``.

    A letter asked for by hand or an unlock is how one agent could reach a member's account;
    a supervisor looks at an unusual day. Counted from the audit log, which records each.
    """
    day = day or timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    events = AuditEvent.objects.filter(
        at__gte=start, at__lt=start + datetime.timedelta(days=1), actor__kind=User.Kind.AGENT
    )
    kinds = {
        "letters": (
            Q(type=AuditEvent.Type.AGENT_ACTION, data__action="letter_requested")
            | Q(type=AuditEvent.Type.REVIEW_DECISION, data__decision="approved"),
            settings.AGENT_DAILY_LETTERS_ALERT,
        ),
        "unlocks": (
            Q(type=AuditEvent.Type.ACCOUNT_UNLOCKED),
            settings.AGENT_DAILY_UNLOCKS_ALERT,
        ),
    }
    alerts = []
    for what, (condition, threshold) in kinds.items():
        counts = defaultdict(int)
        for actor_id in events.filter(condition).values_list("actor_id", flat=True):
            counts[actor_id] += 1
        agents = User.objects.in_bulk([a for a, n in counts.items() if n >= threshold])
        alerts += [
            VolumeAlert(agent=agents[a], what=what, count=counts[a], threshold=threshold)
            for a in sorted(agents)
        ]
    return alerts
