"""The dependencies are installed from locks with hashes (make lock), consistent with the
requirements and constraints they are made from."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s\\;]+)")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked(path: str) -> dict[str, tuple[str, list[str]]]:
    """name → (version, hashes) of a lock written by pip-compile --generate-hashes."""
    packages, current = {}, None
    for line in (ROOT / path).read_text().splitlines():
        match = PIN.match(line)
        if match:
            current = canonical(match.group(1))
            packages[current] = (match.group(2), [])
        elif current and line.strip().startswith("--hash=sha256:"):
            packages[current][1].append(line.strip().removeprefix("--hash=sha256:").rstrip(" \\"))
        elif line and not line.startswith((" ", "#")):
            current = None
    return packages


def requested(path: str) -> set[str]:
    names = set()
    for line in (ROOT / path).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.add(canonical(re.split(r"[\[<>=!~ ]", line, maxsplit=1)[0]))
    return names


@pytest.mark.parametrize("lock", ["requirements.txt", "requirements-dev.txt"])
def test_every_locked_package_has_an_exact_version_and_its_hashes(lock):
    packages = locked(lock)
    assert packages
    for name, (version, hashes) in packages.items():
        assert hashes, f"{name} has no hash in {lock}"
        assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes), name
        assert re.fullmatch(r"[0-9][0-9A-Za-z.+!]*", version), (name, version)


def test_the_locks_hold_what_the_requirements_ask_for():
    assert requested("requirements.in") <= set(locked("requirements.txt"))
    assert requested("requirements-dev.in") <= set(locked("requirements-dev.txt"))


def test_the_development_lock_keeps_the_versions_of_the_production_lock():
    production, development = locked("requirements.txt"), locked("requirements-dev.txt")
    for name, (version, _hashes) in production.items():
        assert development[name][0] == version, name


def test_the_locks_follow_the_constraints():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        match = PIN.match(line)
        if match:
            pins[canonical(match.group(1))] = match.group(2)
    for name, (version, _hashes) in locked("requirements-dev.txt").items():
        if name in pins:
            assert version == pins[name], f"{name}: locked {version}, constrained {pins[name]}"


def test_the_makefile_installs_the_locks_in_hash_checking_mode():
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes" in makefile
    assert "-r requirements.txt" in makefile and "-r requirements-dev.txt" in makefile
    assert "-r requirements.in" not in makefile  # nothing resolved at install time
