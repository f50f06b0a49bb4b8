"""`make audit`: known vulnerabilities of the locked dependencies, with pip-audit.

pip-audit reads the locks as they are (hashes required, nothing resolved) and asks an advisory
source about each pinned version: PyPI's JSON API by default (AUDIT_SERVICE=osv for OSV).
Three outcomes:

- a vulnerability is known: the list is printed and the command fails (so does `make test`);
- every package was checked and none is known: it says so;
- the advisory source could not be reached, or could not answer for some packages (a
  network that only reaches the package index, as on the project's build machines): it says
  loudly which packages went unchecked and succeeds, so that an offline test run is not
  failed by the network; AUDIT_STRICT=1 makes it fail instead (for a CI that can reach it).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def main(locks: list[str]) -> int:
    command = [
        str(BIN / "pip-audit"),
        "--require-hashes",
        "--disable-pip",
        "--progress-spinner",
        "off",
        "--timeout",
        "20",
        "--format",
        "json",
        "--vulnerability-service",
        os.environ.get("AUDIT_SERVICE", "pypi"),
    ]
    for lock in locks:
        command += ["--requirement", lock]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    strict = os.environ.get("AUDIT_STRICT") == "1"
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"AUDIT NOT DONE: the advisory source could not be reached ({last}).")
        return 1 if strict else 0
    vulnerable, unchecked = [], []
    for dependency in report.get("dependencies", []):
        name = f"{dependency['name']} {dependency.get('version', '')}".strip()
        if dependency.get("skip_reason"):
            unchecked.append(name)
        for vulnerability in dependency.get("vulns", []):
            fixes = ", ".join(vulnerability.get("fix_versions", [])) or "no fix yet"
            vulnerable.append(f"{name}: {vulnerability['id']} (fixed in {fixes})")
    checked = len(report.get("dependencies", [])) - len(unchecked)
    for line in vulnerable:
        print(f"VULNERABLE {line}")
    if unchecked:
        print(
            f"AUDIT INCOMPLETE: {len(unchecked)} of {checked + len(unchecked)} packages could "
            "not be checked (the advisory source did not answer for them): " + ", ".join(unchecked)
        )
    if vulnerable:
        return 1
    if unchecked:
        return 1 if strict else 0
    print(f"No known vulnerability in the {checked} locked packages.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["requirements.txt", "requirements-dev.txt"]))
