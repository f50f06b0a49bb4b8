"""Temporary-password emails per second: one `email_worker` against the SMTP server's own rate.

    python bench/emails.py [--emails 3000] [--rounds 2] [--target 200]

PostgreSQL on 127.0.0.1 (PG_URL, default postgres://postgres@127.0.0.1:5432): the bench
creates the database `mep_bench_emails`, migrates it, and for each round:

1. the reference: a plain SMTP client (smtplib, one connection) sends the same number of
   ready-made emails of the same size to the same local SMTP server (aiosmtpd, in its own
   process, accepting at once), as fast as it takes them: the wire's rate on this machine;
2. the worker: that many temporary-password emails are queued as a registration queues them,
   then one `manage.py email_worker --batch` (production settings) makes each password, sends
   each email and records each; timed from its 100th email received to its last (start-up
   left out), with its CPU time per email from /proc;
3. the same with `--batch-size 1` (one email taken at a time): what taking them together buys.

Then --kills times, a worker is SIGKILLed at a random instant while it sends: the emails the
SMTP server accepted and the outbox does not record as sent are those a crash sends twice (each
time with a new password, the first one void: docs/decisions/email-delivery-crash-safety.md).

Target (exit status 1 when missed): the worker's median rate over the rounds reaches --target
emails per second, by the clock. The emails per second of the worker's own CPU are printed
beside it: on a machine shared with other work, the clock also counts the others' turns.
Results: bench/results/emails-<date>.json and .md, with the commit.
"""

import argparse
import json
import multiprocessing
import os
import platform
import random
import smtplib
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import provenance  # noqa: E402

PG = os.environ.get("PG_URL", "postgres://postgres@127.0.0.1:5432")
DATABASE = "mep_bench_emails"
TICKS = os.sysconf("SC_CLK_TCK")
WARM_UP = 100  # emails received before the clock starts


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def _sink(port: int, count, ready) -> None:
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            with count.get_lock():
                count.value += 1
            return "250 OK"

    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


def start_sink(port: int):
    count, ready = multiprocessing.Value("l", 0), multiprocessing.Event()
    process = multiprocessing.Process(target=_sink, args=(port, count, ready), daemon=True)
    process.start()
    ready.wait(10)
    return process, count


def env_for(smtp_port: int) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": f"{PG}/{DATABASE}",
        "SECRET_KEY": "bench-emails-" + "s" * 50,
        "IDENTITY_HMAC_KEY": "bench-emails-identity-key",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "LOG_LEVEL": "WARNING",
    }


def psql(query: str) -> None:
    subprocess.run(["psql", "-q", PG + "/postgres", "-c", query], check=True)


def queue_emails(count: int, tag: str) -> None:
    """``count`` accounts with their temporary-password email queued (registration_complete)."""
    from accounts.models import User
    from delivery.models import EmailDelivery

    users = User.objects.bulk_create(
        User(
            login=f"bench-{tag}-{n}",
            kind=User.Kind.MEMBER,
            first_name="Marie-Hélène",
            last_name="Questel",
            identifier_masked="2 85 05 •• ••• •••",
            email=f"bench-{tag}-{n}@example.org",
            password="!",
        )
        for n in range(count)
    )
    EmailDelivery.objects.bulk_create(
        EmailDelivery(
            kind=EmailDelivery.Kind.TEMPORARY_PASSWORD,
            user=user,
            to_address=user.email,
            language="fr",
        )
        for user in users
    )


def sample_message() -> bytes:
    """A temporary-password email as the worker builds it, as bytes on the wire."""
    from django.utils import timezone

    from accounts.models import User
    from delivery.emails import Secret, email_message
    from delivery.models import EmailDelivery

    user = User(first_name="Marie-Hélène", last_name="Questel", identifier_masked="2 85 05 ••")
    delivery = EmailDelivery(
        pk=1, kind="temporary_password", user=user, to_address="a@example.org", language="fr"
    )
    secret = Secret(context={"password": "ACDEFGHJKMNP", "expires_at": timezone.now()})
    return email_message(delivery, secret).message().as_bytes(linesep="\r\n")


def reference_run(port: int, count, emails: int, message: bytes) -> dict:
    """The SMTP server's own rate: one client that only sends, the same bytes each time."""
    received = count.value
    with smtplib.SMTP("127.0.0.1", port) as client:
        started = time.monotonic()
        for n in range(emails):
            client.sendmail("ne-pas-repondre@localhost", [f"ref-{n}@example.org"], message)
        seconds = time.monotonic() - started
    assert count.value - received == emails
    return {
        "emails": emails,
        "seconds": round(seconds, 3),
        "per_second": round(emails / seconds, 1),
    }


def worker_run(env: dict, count, emails: int, batch_size: int | None) -> dict:
    command = [sys.executable, "manage.py", "email_worker", "--batch", "--interval", "0"]
    if batch_size:
        command += ["--batch-size", str(batch_size)]
    received = count.value
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    first = last = None
    while last is None and process.poll() is None:
        done = count.value - received
        if first is None and done >= WARM_UP:
            first = (time.monotonic(), cpu_seconds(process.pid), done)
        if done >= emails:
            last = (time.monotonic(), cpu_seconds(process.pid), done)
        time.sleep(0.005)  # the bench's own polling leaves the two cores to the worker
    if process.wait() != 0 or first is None or last is None:
        raise SystemExit(f"email_worker failed or sent {count.value - received} of {emails}")
    timed = last[2] - first[2]
    seconds = last[0] - first[0]
    return {
        "emails": emails,
        "timed_emails": timed,
        "seconds": round(seconds, 3),
        "per_second": round(timed / seconds, 1),
        "cpu_ms_per_email": round(1000 * (last[1] - first[1]) / timed, 3),
    }


def kill_run(env: dict, count, tag: str, rng) -> int:
    """SIGKILL a worker at a random instant while it sends; the emails it sent unrecorded."""
    from delivery.models import EmailDelivery

    queue_emails(1000, tag)
    received = count.value
    process = subprocess.Popen(
        [sys.executable, "manage.py", "email_worker", "--interval", "0"], cwd=ROOT, env=env
    )
    while count.value - received < WARM_UP and process.poll() is None:
        time.sleep(0.005)
    time.sleep(rng.uniform(0, 1))
    process.kill()
    process.wait()
    time.sleep(0.2)  # what the SMTP server was taking when the worker died is counted, or not
    accepted = count.value - received
    ours = EmailDelivery.objects.filter(to_address__startswith=f"bench-{tag}-")
    recorded = ours.filter(status=EmailDelivery.Status.SENT).count()
    ours.filter(status=EmailDelivery.Status.QUEUED).update(status=EmailDelivery.Status.FAILED)
    return accepted - recorded


def machine() -> dict:
    model = ""
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "load_average": os.getloadavg(),
        "system": platform.platform(),
        "python": platform.python_version(),
    }


def _spread(values: list[int]) -> str:
    if not values:
        return "no"
    return f"{min(values)} to {max(values)} ({statistics.mean(values):.1f} on average)"


def _load(average: tuple) -> str:
    return " / ".join(f"{value:.2f}" for value in average)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--emails", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--target", type=float, default=200.0)
    parser.add_argument("--kills", type=int, default=10)
    args = parser.parse_args()

    load_at_start = os.getloadavg()
    smtp_port = free_port()
    env = env_for(smtp_port)
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "SECRET_KEY", "IDENTITY_HMAC_KEY")})
    os.environ.update(EMAIL_URL=env["EMAIL_URL"], ALLOWED_HOSTS="127.0.0.1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    psql(f"DROP DATABASE IF EXISTS {DATABASE}")
    psql(f"CREATE DATABASE {DATABASE}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env,
        check=True,
    )  # fmt: skip
    import django

    django.setup()
    sink, count = start_sink(smtp_port)
    message = sample_message()
    rounds = []
    try:
        for round_ in range(args.rounds):
            reference = reference_run(smtp_port, count, args.emails, message)
            queue_emails(args.emails, f"{round_}-batched")
            batched = worker_run(env, count, args.emails, None)
            queue_emails(args.emails, f"{round_}-one")
            one_by_one = worker_run(env, count, args.emails, 1)
            rounds.append({"reference": reference, "worker": batched, "one_at_a_time": one_by_one})
            print(
                f"round {round_ + 1}: SMTP server {reference['per_second']}/s; worker "
                f"{batched['per_second']}/s ({batched['cpu_ms_per_email']} ms CPU an email); "
                f"one at a time {one_by_one['per_second']}/s "
                f"({one_by_one['cpu_ms_per_email']} ms)",
                flush=True,
            )
        rng = random.Random(args.kills)
        unrecorded = [kill_run(env, count, f"kill{n}", rng) for n in range(args.kills)]
    finally:
        sink.terminate()
        from django.db import connections

        connections.close_all()
        psql(f"DROP DATABASE IF EXISTS {DATABASE}")

    median = round(statistics.median(r["worker"]["per_second"] for r in rounds), 1)
    server = round(statistics.median(r["reference"]["per_second"] for r in rounds), 1)
    cpu = round(statistics.median(r["worker"]["cpu_ms_per_email"] for r in rounds), 3)
    cpu_one = statistics.median(r["one_at_a_time"]["cpu_ms_per_email"] for r in rounds)
    met = median >= args.target
    result = {
        "bench": "emails",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": provenance.commit(),
        "machine": {**machine(), "load_average_at_start": load_at_start},
        "arguments": vars(args),
        "rounds": rounds,
        "summary": {
            "worker_per_second": median,
            "smtp_server_per_second": server,
            "share_of_smtp_server": round(median / server, 3),
            "worker_cpu_ms_per_email": cpu,
            # What the worker's own CPU allows, whatever else the machine runs
            # (docs/decisions/speed-measured-in-server-cpu.md).
            "worker_per_cpu_second": round(1000 / cpu, 1),
            "one_at_a_time_cpu_ms_per_email": cpu_one,
            "taking_together_saves": round(1 - cpu / cpu_one, 3),
            # Accepted by the SMTP server, not recorded as sent, when a worker was SIGKILLed.
            "unrecorded_at_kill": unrecorded,
            "target_per_second": args.target,
            "met": met,
        },
    }
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    (results / f"emails-{stamp}.json").write_text(json.dumps(result, indent=2) + "\n")
    summary = result["summary"]
    lines = [
        f"# Emails bench {stamp}",
        "",
        f"commit {result['commit']}; {result['machine']['cpu']}, "
        f"{result['machine']['cores']} cores, load average {_load(load_at_start)} at the "
        f"start, {_load(result['machine']['load_average'])} at the end",
        "",
        "| round | SMTP server alone | worker | CPU an email | one at a time | CPU an email |",
        "|---|---|---|---|---|---|",
        *(
            f"| {n + 1} | {r['reference']['per_second']}/s | {r['worker']['per_second']}/s "
            f"| {r['worker']['cpu_ms_per_email']} ms | {r['one_at_a_time']['per_second']}/s "
            f"| {r['one_at_a_time']['cpu_ms_per_email']} ms |"
            for n, r in enumerate(rounds)
        ),
        "",
        f"Median: worker {median}/s, {summary['share_of_smtp_server']:.0%} of the SMTP "
        f"server's {server}/s; {summary['worker_per_cpu_second']} emails per second of the "
        f"worker's own CPU ({cpu} ms an email); taking emails together saves "
        f"{summary['taking_together_saves']:.0%} of the worker's CPU an email. "
        f"Target {args.target}/s: {'met' if met else 'MISSED'}.",
        "",
        f"A worker SIGKILLed at {len(unrecorded)} random instants while sending had sent "
        f"{_spread(unrecorded)} emails that were not yet recorded (sent again after the lease, "
        "with a new password).",
    ]
    (results / f"emails-{stamp}.md").write_text("\n".join(lines) + "\n")
    print(
        f"\nOne email_worker: {median}/s by the clock (target {args.target}/s: "
        f"{'met' if met else 'MISSED'}); {cpu} ms of its own CPU an email "
        f"({summary['worker_per_cpu_second']}/s of CPU); the SMTP server alone {server}/s.\n"
        f"Commit {result['commit']}; {result['machine']['cores']} cores, load average "
        f"{_load(load_at_start)} at the start, {_load(result['machine']['load_average'])} at "
        f"the end (the clock counts the other processes' turns; the CPU figure much less).\n"
        f"Killed {len(unrecorded)} times: {_spread(unrecorded)} emails sent, not recorded.\n"
        f"Results: bench/results/emails-{stamp}.md and .json",
        flush=True,
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
