"""The registration's state in the server-side session, and its final re-check.

What the session holds under "signup", and why:
- ``answers``: per page, the cleaned values that page's form stores (``StepForm.stored``):
  the NIR as its 13-character body (shown again on « < Précédent », checked again at the end,
  docs/product.md §5 allows it until completion or abandon), names, date of birth, email and mobile
  as cleaned; the Vitale serial, the IBAN, the employer account number and the amount of the
  last payment only as keyed digests. Never the raw POST.
- ``reached``: the step numbers already counted in the funnel for this run.
- ``touched``: the last answer given; an hour later without another, the whole state is
  dropped, and the session of an anonymous visitor expires an hour after its last answer (its
  database row is then removed by ``manage.py clearsessions``). Only answers write the session:
  showing a page reads it and nothing more.
Everything goes at completion and at « Abandonner ».
"""

import datetime
import time
from collections.abc import Callable

from django.utils import translation

from identity import parse_nir

from . import steps as wizard_steps
from .registration import Proof, Registration, SignupProfile
from .steps import Step

SESSION_KEY = "signup"
DONE_KEY = "signup_done"
IDLE_SECONDS = 3600


class SessionAnswers:
    """Answers to a path of pages, kept in the server-side session under ``session_key``.

    An hour (IDLE_SECONDS) after the last answer they are dropped, and a visitor's session (not
    a logged-in one, which keeps accounts' timeouts) expires with them. Showing a page reads
    them; only an answer writes them (``save``). The registration (``Wizard``) and « Mot de
    passe oublié » (accounts.reset) keep theirs this way.
    """

    # Set by each kind: where the answers live, the pages they lead through, and where the
    # last page of a finished run is remembered (``done_page``).
    session_key: str
    path_of: Callable[[dict], list]
    done_key: str

    def __init__(self, request):
        self.request = request
        state = request.session.get(self.session_key)
        if state is not None and time.time() - state.get("touched", 0) > IDLE_SECONDS:
            del request.session[self.session_key]  # a stale run is forgotten, not only ignored
            state = None
        self.state = state or self.fresh_state()

    def fresh_state(self) -> dict:
        return {"answers": {}, "touched": time.time()}

    @property
    def answers(self) -> dict:
        return self.state["answers"]

    def store(self, page, stored: dict) -> None:
        """Record a page's answer and forget the answers of pages no longer on the path."""
        self.answers[page.slug] = stored
        on_path = {p.slug for p in self.path_of(self.answers)}
        for slug in list(self.answers):
            if slug not in on_path:
                del self.answers[slug]

    def save(self) -> None:
        self.state["touched"] = time.time()
        self.request.session[self.session_key] = self.state
        self._expire_within_the_hour()

    def clear(self) -> None:
        self.request.session.pop(self.session_key, None)
        self.state = self.fresh_state()

    def finish(self, page: str) -> None:
        """Drop everything entered; keep only which last page to show ("email" or "post"),
        for an hour."""
        self.clear()
        self.request.session[self.done_key] = {"page": page, "at": time.time()}
        self._expire_within_the_hour()

    def form(self, page, data=None):
        stored = self.answers.get(page.slug)
        initial = page.form_class.data_from(stored) if stored is not None and data is None else None
        return page.form_class(data, initial=initial, answers=self.answers, stored=stored)

    def _expire_within_the_hour(self) -> None:
        if not self.request.user.is_authenticated:
            self.request.session.set_expiry(IDLE_SECONDS)


class Wizard(SessionAnswers):
    """The registration's answers, and what the funnel and the final check need besides."""

    session_key = SESSION_KEY
    path_of = staticmethod(wizard_steps.path)
    done_key = DONE_KEY

    def fresh_state(self) -> dict:
        return {**super().fresh_state(), "reached": []}

    @property
    def profile(self) -> str:
        return self.answers.get(wizard_steps.PROFILE.slug, {}).get("profile", "")

    @property
    def started(self) -> bool:
        return bool(self.answers)

    def store(self, step: Step, stored: dict) -> None:
        changes_kind = SignupProfile.ENTREPRISE in (self.profile, stored.get("profile"))
        if step is wizard_steps.PROFILE and self.profile != stored["profile"] and changes_kind:
            # Person and company paths share nothing but the last two pages: start afresh.
            self.state["answers"] = {}
        super().store(step, stored)
        self.state.pop("invalid", None)

    def reach(self, step: Step) -> bool:
        """Note that the step is reached; True the first time in this run."""
        if step.number in self.state["reached"]:
            return False
        self.state["reached"].append(step.number)
        return True

    @property
    def last_step_number(self) -> int:
        return max(self.state["reached"], default=0)

    def mark_invalid(self, step: Step) -> None:
        self.state["invalid"] = step.slug

    def is_marked_invalid(self, step: Step) -> bool:
        return self.state.get("invalid") == step.slug

    def form(self, step: Step, data=None):
        stored = self.answers.get(step.slug)
        if data is None and stored is not None and self.is_marked_invalid(step):
            # Sent back by the final check: show the stored values with their errors.
            data = step.form_class.data_from(stored)
        return super().form(step, data)

    def first_invalid(self) -> Step | None:
        """Re-check every page of the path with what it stored; the first one that fails."""
        for step in wizard_steps.path(self.answers):
            if step in wizard_steps.FINAL_STEPS:
                break
            stored = self.answers.get(step.slug)
            if stored is None:
                return step
            form = step.form_class(
                data=step.form_class.data_from(stored), answers=self.answers, stored=stored
            )
            if not form.is_valid() or _json(form.stored()) != stored:
                return step
        return None

    def registration(self) -> Registration:
        """The answers as the outcome service takes them (call after ``first_invalid``)."""
        answers = self.answers
        profile = self.profile
        language = translation.get_language() or "fr"
        if profile == SignupProfile.ENTREPRISE:
            contact = answers[wizard_steps.COMPANY_CONTACT.slug]
            account = answers[wizard_steps.EMPLOYER_ACCOUNT.slug]
            return Registration(
                profile=profile,
                language=language,
                last_name=contact["last_name"],
                first_name=contact["first_name"],
                email=contact["email"],
                mobile=contact["mobile"],
                siret=answers[wizard_steps.SIRET.slug]["siret"],
                proof=Proof.NONE if account.get("no_account") else Proof.EMPLOYER_ACCOUNT,
                proof_digest=account.get("account_digest", ""),
            )
        contact = answers[wizard_steps.CONTACT.slug]
        proof, digest = Proof.NONE, ""
        if wizard_steps.VITALE_SERIAL.slug in answers:
            proof, digest = Proof.VITALE, answers[wizard_steps.VITALE_SERIAL.slug]["serial_digest"]
        elif wizard_steps.IBAN.slug in answers:
            proof, digest = Proof.IBAN, answers[wizard_steps.IBAN.slug]["iban_digest"]
        elif wizard_steps.AMOUNT.slug in answers:
            proof, digest = Proof.AMOUNT, answers[wizard_steps.AMOUNT.slug].get("amount_digest", "")
        return Registration(
            profile=profile,
            language=language,
            last_name=contact["last_name"],
            first_name=contact["first_name"],
            email=contact["email"],
            mobile=contact["mobile"],
            nir_body=parse_nir(answers[wizard_steps.NIR.slug]["nir"], key="forbidden").body,
            birth_date=datetime.date.fromisoformat(contact["birth_date"]),
            proof=proof,
            proof_digest=digest,
        )


def _json(value: dict) -> dict:
    """What a stored dict reads back as from the session's JSON (dates, decimals as text)."""
    return {
        key: item.isoformat() if isinstance(item, datetime.date) else item
        for key, item in value.items()
    }


def done_page(request, key: str = DONE_KEY) -> str | None:
    """Which last page this session's finished run shows, for an hour after it finished."""
    done = request.session.get(key)
    if not done or time.time() - done.get("at", 0) > IDLE_SECONDS:
        return None
    return done["page"]
