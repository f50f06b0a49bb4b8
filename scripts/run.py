"""`make run`: the web server, the email worker and the task worker together, stopped together on
Ctrl-C."""

import os
import signal
import subprocess
import sys
import time

HOST = os.environ.get("HOST", "127.0.0.1")
PORT = os.environ.get("PORT", "8000")


def main() -> int:
    # The development settings, chosen here explicitly (manage.py defaults to production).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    python = sys.executable
    processes = [
        subprocess.Popen([python, "manage.py", "runserver", f"{HOST}:{PORT}", "--noreload"]),
        subprocess.Popen([python, "manage.py", "email_worker", "--interval", "0.5"]),
        # Django's Tasks worker, for the registry imports uploaded in the back-office.
        subprocess.Popen(
            [
                python,
                "manage.py",
                "db_worker",
                "--queue-name",
                "registry",
                "--interval",
                "0.5",
                "--no-reload",
            ]
        ),
    ]
    time.sleep(2)
    subprocess.run([python, "manage.py", "demo_identities", "--url", f"http://{HOST}:{PORT}/"])

    def stop(*_):
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

    signal.signal(signal.SIGTERM, lambda *_: (stop(), sys.exit(0)))
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nArrêt du serveur web et du worker…")
    stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
