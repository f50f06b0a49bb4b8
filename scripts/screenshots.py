"""Screenshots of the pages at desktop and phone widths, into docs/screenshots/.

    python scripts/screenshots.py                  # every shot, French
    python scripts/screenshots.py --language en    # the same in English (names end in -en)
    python scripts/screenshots.py --only home cgu  # some of them

It runs the development server on a throwaway SQLite database (with the demo registry when
`manage.py demo_setup` exists) and the development mailbox, and drives Debian's Chromium
through Playwright. To add a page, add a Shot to SHOTS: a path, or a function that takes the
page and the server's address and leaves the page in the state to capture (filling a wizard
step, logging in...). The PNGs are reduced to a palette so that they stay small in git.
"""

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 360, "height": 740}}


@dataclass(frozen=True)
class Shot:
    name: str
    # A path on the site, or a function (page, base_url) -> None that gets the page ready.
    target: str | Callable
    # The whole page, or only what the screen shows first (smaller files for long texts).
    full_page: bool = False


# A person of the demo's kind (a valid NIR; the registry need not know it: the pages before
# the last one look the same either way, and the last one is the same by design).
DEMO = {
    "nir": "2850597701123",
    "last_name": "Questel",
    "first_name": "Marie",
    "birth_date": "12/05/1985",
    "email": "marie.questel@example.org",
    "mobile": "0690 12 34 56",
}
# The registration's pages in order, with what the person answers on each.
SIGNUP = [
    ("/inscription/", {"profile": "particulier"}),
    ("/inscription/identifiant/", {"nir": DEMO["nir"]}),
    (
        "/inscription/coordonnees/",
        {k: DEMO[k] for k in ("last_name", "first_name", "birth_date", "email", "mobile")},
    ),
    ("/inscription/verification/", {"affiliated": "oui"}),
    ("/inscription/verification/carte-vitale/", {"card": "photo"}),
    ("/inscription/verification/numero-de-serie/", {"serial": "80250000212345678901"}),
    ("/inscription/reception/", {}),
    ("/inscription/conditions/", {}),
]


def signup_until(path: str, *, empty: bool = False) -> Callable:
    """An action: answer the registration's pages from the start up to `path` (excluded),
    then, with `empty`, submit that page empty to show its error state."""

    def action(page, base_url: str) -> None:
        # A new session each time: the shots do not depend on each other's order.
        page.context.clear_cookies()
        for step_path, answers in SIGNUP:
            page.goto(base_url + step_path)
            if step_path == path:
                if empty:
                    signup_submit(page)
                return
            for name, value in answers.items():
                field = page.locator(f'main [name="{name}"]')
                if field.first.get_attribute("type") == "radio":
                    page.locator(f'main [name="{name}"][value="{value}"]').check()
                else:
                    field.fill(value)
            signup_submit(page)

    return action


def signup_submit(page) -> None:
    with page.expect_navigation():
        page.locator("main form:not(#abandon-form) button[type=submit]:not([form])").last.click()


# Accounts made in the throwaway database for the pages after login, one per width (a temporary
# password works until the personal one is chosen; a TOTP code works once): printed as JSON.
ACCOUNTS_SETUP = """
import json
from datetime import date, timedelta
from django_otp.plugins.otp_totp.models import TOTPDevice
from accounts.models import User
from accounts.passwords import temporary_password_issue
from identity import make_nir, mask_nir
from registry.digests import nir_digest
from registry.models import Person
from signup.models import FunnelCount

accounts = {"members": {}, "agents": {}}
for order, width in enumerate(["desktop", "phone"], start=901):
    nir = make_nir(sex=2, year=1985, month=5, department="977", commune="01", order=order)[:13]
    person = Person.objects.create(
        nir_digest=nir_digest(nir), nir_masked=mask_nir(nir), nom="QUESTEL",
        prenoms="MARIE, LOUISE", date_naissance=date(1985, 5, 12), affilie_sante=True,
        profils="particulier", adresse_4="12 RUE DU PORT",
        code_postal="97133", commune="SAINT-BARTHELEMY",
    )
    user = User(
        login=nir_digest(nir), kind=User.Kind.MEMBER, identifier_type=User.IdentifierType.NIR,
        identifier_masked=mask_nir(nir), profile="particulier", person=person,
        first_name="Marie", last_name="Questel", email="marie.questel@example.org",
        email_confirmed=True, mobile="+590690123456", channel=User.Channel.EMAIL,
    )
    user.set_unusable_password()
    user.save()
    clear, _ = temporary_password_issue(user=user, channel="email")
    accounts["members"][width] = [nir, clear]
    login = f"agent.{width}"
    agent = User.objects.create_user(
        login, "screenshots agent password", kind=User.Kind.AGENT, is_staff=True,
        is_superuser=True, first_name="Lise", last_name="Durand",
    )
    device = TOTPDevice.objects.create(user=agent, name="default", confirmed=True)
    accounts["agents"][width] = [login, "screenshots agent password", device.key]
today = date.today()
for days in range(30):
    day = today - timedelta(days=days)
    started = 20 + (days * 7) % 13
    for step in range(1, 7):
        FunnelCount.objects.get_or_create(
            day=day, event="step", step=step, count=started * (12 - step) // 11
        )
    FunnelCount.objects.get_or_create(day=day, event="abandon", step=4, count=started // 5)
    for channel, share in (("email", 3), ("post", 8), ("review", 12)):
        FunnelCount.objects.get_or_create(
            day=day, event="complete", channel=channel, count=started // share
        )
print(json.dumps(accounts))
"""
ACCOUNTS: dict = {}


def width_of(page) -> str:
    return "phone" if page.viewport_size["width"] < 600 else "desktop"


def member_log_in(page, base_url: str) -> None:
    """Log in with the temporary password: the page « Choisir mon mot de passe »."""
    page.context.clear_cookies()
    nir, temporary = ACCOUNTS["members"][width_of(page)]
    page.goto(base_url + "/compte/connexion/")
    page.locator("#id_identifier").fill(nir)
    page.locator("#id_password").fill(temporary)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def member_choose_password(page, base_url: str) -> None:
    """Go on from « Choisir mon mot de passe » to the private space's home."""
    for name in ("new_password", "new_password_confirm"):
        page.locator(f"#id_{name}").fill("le vent souffle sur Gustavia")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def login_page(page, base_url: str) -> None:
    page.context.clear_cookies()
    page.goto(base_url + "/compte/connexion/")


def agent_dashboard(page, base_url: str) -> None:
    """Sign in as an agent (password, then the TOTP code) and open the dashboard."""
    from django_otp.oath import TOTP

    page.context.clear_cookies()
    login, password, key = ACCOUNTS["agents"][width_of(page)]
    page.goto(base_url + "/agents/login/")
    page.locator("#id_username").fill(login)
    page.locator("#id_password").fill(password)
    with page.expect_navigation():
        page.locator("#login-form [type=submit]").click()
    page.locator("#id_code").fill(f"{TOTP(bytes.fromhex(key)).token():06d}")
    with page.expect_navigation():
        page.locator("#login-form [type=submit]").click()
    page.goto(base_url + "/agents/tableau-de-bord/")


SHOTS = [
    Shot("home", "/", full_page=True),
    Shot("cgu", "/cgu/"),
    Shot("mentions-legales", "/mentions-legales/"),
    Shot("donnees-personnelles", "/donnees-personnelles/"),
    Shot("accessibilite", "/accessibilite/"),
    Shot("contact", "/contact/", full_page=True),
    Shot("signup-1-profil", "/inscription/", full_page=True),
    Shot("signup-1-erreur", signup_until("/inscription/", empty=True), full_page=True),
    Shot("signup-2-identifiant", signup_until("/inscription/identifiant/"), full_page=True),
    Shot("signup-3-coordonnees", signup_until("/inscription/coordonnees/"), full_page=True),
    Shot(
        "signup-3-erreur",
        signup_until("/inscription/coordonnees/", empty=True),
        full_page=True,
    ),
    Shot("signup-4-verification", signup_until("/inscription/verification/"), full_page=True),
    Shot(
        "signup-4-carte-vitale",
        signup_until("/inscription/verification/carte-vitale/"),
        full_page=True,
    ),
    Shot(
        "signup-4-numero-de-serie",
        signup_until("/inscription/verification/numero-de-serie/"),
        full_page=True,
    ),
    Shot("signup-5-reception", signup_until("/inscription/reception/"), full_page=True),
    Shot("signup-6-conditions", signup_until("/inscription/conditions/"), full_page=True),
    Shot("signup-7-terminee", signup_until("end"), full_page=True),
    Shot("login", login_page, full_page=True),
    Shot("password-choose", member_log_in, full_page=True),
    Shot("space-home", member_choose_password, full_page=True),
    Shot("dashboard", agent_dashboard, full_page=True),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="+", metavar="NAME", help="names of the shots to take")
    parser.add_argument("--language", choices=["fr", "en"], default="fr")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--colours", type=int, default=64, help="palette size of the PNGs")
    args = parser.parse_args()

    shots = [shot for shot in SHOTS if not args.only or shot.name in args.only]
    if not shots:
        parser.error(f"no shot named {args.only}; known: {', '.join(s.name for s in SHOTS)}")
    if not os.path.exists(CHROMIUM):
        sys.exit(f"Chromium not found at {CHROMIUM}: apt-get install chromium (or CHROMIUM_PATH).")
    args.out.mkdir(parents=True, exist_ok=True)

    with (
        tempfile.TemporaryDirectory(prefix="screenshots-") as workdir,
        server(Path(workdir)) as url,
    ):
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            for width_name, viewport in WIDTHS.items():
                context = browser.new_context(
                    viewport=viewport,
                    locale="en-GB" if args.language == "en" else "fr-FR",
                    is_mobile=width_name == "phone",
                    reduced_motion="reduce",
                )
                page = context.new_page()
                for shot in shots:
                    if callable(shot.target):
                        shot.target(page, url)
                    else:
                        page.goto(url + shot.target)
                    suffix = "" if args.language == "fr" else f"-{args.language}"
                    path = args.out / f"{shot.name}-{width_name}{suffix}.png"
                    page.screenshot(path=path, full_page=shot.full_page)
                    size = png_shrink(path, colours=args.colours)
                    print(f"{path.relative_to(ROOT)}  {size // 1024} KiB")
                context.close()
            browser.close()
    return 0


class server:
    """The development server on a throwaway database, stopped on exit."""

    def __init__(self, workdir: Path):
        self.port = free_port()
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            # Throwaway keys and database: nothing of the developer's own .env or data is used.
            "SECRET_KEY": secrets.token_urlsafe(50),
            "IDENTITY_HMAC_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
        }
        self.process = None

    def manage(self, *arguments: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *arguments], cwd=ROOT, env=self.env, check=True
        )

    def manage_output(self, *arguments: str) -> str:
        return subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    def __enter__(self) -> str:
        self.manage("migrate", "--noinput", "--verbosity", "0")
        commands = subprocess.run(
            [sys.executable, "manage.py", "help", "--commands"],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        if "demo_setup" in commands:
            try:
                self.manage("demo_setup")
            except subprocess.CalledProcessError:
                print("demo_setup failed: the screenshots are taken without a demo registry.")
        output = self.manage_output("shell", "-c", ACCOUNTS_SETUP)
        ACCOUNTS.update(json.loads(output.strip().splitlines()[-1]))
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/", timeout=2)  # noqa: S310 (our own server)
                return url
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.__exit__()
                    sys.exit("The development server did not start.")
                time.sleep(0.3)

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def png_shrink(path: Path, *, colours: int) -> int:
    """Reduce a screenshot to a palette of `colours` (flat UI colours survive it); return bytes."""
    from PIL import Image

    with Image.open(path) as image:
        reduced = image.convert("RGB").quantize(colors=colours, dither=Image.Dither.NONE)
    reduced.save(path, optimize=True)
    return path.stat().st_size


if __name__ == "__main__":
    sys.exit(main())
