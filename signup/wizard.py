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
Everything goes at completion and at « Abandonner ». The machinery is core.wizard's, shared with
« Mot de passe oublié » (accounts.reset).
"""

import datetime

from django.utils import translation

from core import wizard
from core.wizard import SessionAnswers, page_form
from identity import parse_nir
from verification.steps import proof_given

from . import steps as wizard_steps
from .registration import Registration, SignupProfile
from .steps import Step

SESSION_KEY = "signup"
DONE_KEY = "signup_done"


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
            form = page_form(step, self.answers, data=step.form_class.data_from(stored))
            if not form.is_valid() or _json(form.stored()) != stored:
                return step
        return None

    def registration(self) -> Registration:
        """The answers as the outcome service takes them (call after ``first_invalid``)."""
        answers = self.answers
        profile = self.profile
        language = translation.get_language() or "fr"
        given = proof_given(wizard_steps.verification_answer(answers))
        if profile == SignupProfile.ENTREPRISE:
            contact = answers[wizard_steps.COMPANY_CONTACT.slug]
            return Registration(
                profile=profile,
                language=language,
                last_name=contact["last_name"],
                first_name=contact["first_name"],
                email=contact["email"],
                mobile=contact["mobile"],
                siret=answers[wizard_steps.SIRET.slug]["siret"],
                proof=given.proof,
                proof_digest=given.digest,
            )
        contact = answers[wizard_steps.CONTACT.slug]
        return Registration(
            profile=profile,
            language=language,
            last_name=contact["last_name"],
            first_name=contact["first_name"],
            email=contact["email"],
            mobile=contact["mobile"],
            nir_body=parse_nir(answers[wizard_steps.NIR.slug]["nir"], key="forbidden").body,
            birth_date=datetime.date.fromisoformat(contact["birth_date"]),
            proof=given.proof,
            proof_digest=given.digest,
        )


def _json(value: dict) -> dict:
    """What a stored dict reads back as from the session's JSON (dates, decimals as text)."""
    return {
        key: item.isoformat() if isinstance(item, datetime.date) else item
        for key, item in value.items()
    }


def done_page(request) -> str | None:
    """Which page 7 this session's finished registration shows, for an hour after it finished."""
    return wizard.done_page(request, DONE_KEY)
