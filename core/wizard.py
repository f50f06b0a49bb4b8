"""Answers to a path of pages, kept in the server-side session: the machinery of a journey.

The registration (signup.wizard) and « Mot de passe oublié » (accounts.reset) are each a path
of pages, one form per page, whose answers so far decide the pages that follow. What they
share lives here, below both and below step 4's forms (verification.forms), and knows no
domain (docs/architecture.md, docs/decisions/wizard-answers-in-the-session.md):

- ``StepForm``: a page's form, which stores only cleaned values, JSON only;
- ``SessionAnswers``: one run's answers under a key of the session, dropped an hour after the
  last answer;
- ``first_open``, ``is_open``, ``previous``, ``following``: moving along a path;
- ``done_page``: the last page of a finished run, for an hour.

A page is any object with a ``slug`` (under which its answer is kept), a ``form_class`` (a
``StepForm``) and ``given(answers)``: the keyword arguments its form takes from the answers to
earlier pages (the NIR for the date of birth, the card chosen for the Vitale serial). So a form
never reads another page's answer by that page's slug: its page hands it what it needs.
"""

import time
from collections.abc import Callable

from .forms import Form

IDLE_SECONDS = 3600


def nothing_given(answers: dict) -> dict:
    """``given`` of a page whose form needs no earlier answer."""
    return {}


class StepForm(Form):
    """A page's form: ``stored()`` is what the session keeps of it, JSON only."""

    def __init__(self, *args, stored: dict | None = None, **kwargs):
        self.previously_stored = stored or {}
        super().__init__(*args, **kwargs)

    def stored(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}

    @classmethod
    def data_from(cls, stored: dict) -> dict:
        """The stored values as the form's input, to show them again and to re-check them."""
        return dict(stored)


def page_form(page, answers: dict, data=None, *, initial=None) -> StepForm:
    """The page's form, with what the page stored last time and what its page gives it."""
    stored = answers.get(page.slug)
    return page.form_class(data, initial=initial, stored=stored, **page.given(answers))


class SessionAnswers:
    """Answers to a path of pages, kept in the server-side session under ``session_key``.

    An hour (IDLE_SECONDS) after the last answer they are dropped, and a visitor's session (not
    a logged-in one, which keeps accounts' timeouts) expires with them. Showing a page reads
    them; only an answer writes them (``save``). The registration (``signup.wizard.Wizard``)
    and « Mot de passe oublié » (``accounts.reset.ResetState``) keep theirs this way.
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
        return page_form(page, self.answers, data, initial=initial)

    def _expire_within_the_hour(self) -> None:
        if not self.request.user.is_authenticated:
            self.request.session.set_expiry(IDLE_SECONDS)


def done_page(request, key: str) -> str | None:
    """Which last page this session's finished run (kept under ``key``) shows, for an hour."""
    done = request.session.get(key)
    if not done or time.time() - done.get("at", 0) > IDLE_SECONDS:
        return None
    return done["page"]


# Moving along a path of pages. ``path_of`` gives the pages some answers lead through (each
# journey binds its own, e.g. with functools.partial).


def first_open(answers: dict, *, path_of):
    """The first page of the path that has no answer yet (the last one never has)."""
    pages = path_of(answers)
    return next((page for page in pages if page.slug not in answers), pages[-1])


def is_open(answers: dict, page, *, path_of) -> bool:
    """Whether the page may be shown or posted: on the path, every page before it answered."""
    pages = path_of(answers)
    if page not in pages:
        return False
    return all(earlier.slug in answers for earlier in pages[: pages.index(page)])


def previous(answers: dict, page, *, path_of):
    """The page before this one on the path; None for the first."""
    pages = path_of(answers)
    index = pages.index(page)
    return pages[index - 1] if index else None


def following(answers: dict, page, *, path_of):
    """The page after this one once it is answered; None when the answers are complete."""
    pages = path_of(answers)
    index = pages.index(page)
    return pages[index + 1] if index + 1 < len(pages) else None
