"""`make audit`: check the installed packages against a vulnerability database, and say so
plainly when that could not be done.

pip-audit's default service answers "No known vulnerabilities found" (exit 0) even when it could
not look a single package up (each is "skipped": not found on the service). That is not a pass.
Here every package must have been looked up; otherwise the run fails and says which service was
tried and why.

Exit status: 0 every package checked, none vulnerable; 1 known vulnerabilities; 2 not checked
(no service reachable, or packages skipped). AUDIT_SERVICES (default "osv,pypi") is the order in
which pip-audit's services are tried.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

PIP_AUDIT = Path(sys.executable).with_name("pip-audit")
TIMEOUT_SECONDS = 600


def run_pip_audit(service: str) -> tuple[dict | None, str]:
    """pip-audit's JSON report with `service`, or None and the reason it gave none."""
    command = [
        str(PIP_AUDIT),
        "--skip-editable",
        "--progress-spinner",
        "off",
        "--format",
        "json",
        "--vulnerability-service",
        service,
    ]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired:
        return None, f"no answer in {TIMEOUT_SECONDS} s"
    try:
        return json.loads(done.stdout), ""
    except json.JSONDecodeError:
        lines = (done.stderr or done.stdout).strip().splitlines()
        return None, (lines[-1] if lines else f"pip-audit exited {done.returncode}")


def judge(report: dict) -> tuple[int, list[str]]:
    """(exit status, lines to print) for one service's report."""
    dependencies = report.get("dependencies", [])
    skipped = [d for d in dependencies if d.get("skip_reason")]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    lines = []
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "none yet"
            lines.append(
                f"VULNERABLE {dependency['name']} {dependency['version']}: {vuln['id']}"
                f" (fixed in: {fixes})"
            )
    if skipped:
        lines.append(
            f"NOT AUDITED: {len(skipped)} of {len(dependencies)} packages could not be looked up"
            f" ({skipped[0]['name']}: {skipped[0]['skip_reason']})"
        )
        return 2, lines
    if vulnerable:
        return 1, lines
    lines.append(f"{len(dependencies)} packages checked: no known vulnerabilities.")
    return 0, lines


def main() -> int:
    if not PIP_AUDIT.exists():
        print(f"make audit: {PIP_AUDIT} is missing (install '.[audit]')", file=sys.stderr)
        return 2
    reasons = []
    for service in os.environ.get("AUDIT_SERVICES", "osv,pypi").split(","):
        report, reason = run_pip_audit(service.strip())
        if report is None:
            reasons.append(f"{service}: {reason}")
            continue
        status, lines = judge(report)
        if status == 2:  # reached, but it could not look everything up: try the next one
            reasons.append(f"{service}: {lines[-1]}")
            continue
        print(f"make audit ({service}):")
        print("\n".join(lines))
        return status
    print(
        "make audit: DEPENDENCIES NOT CHECKED: no vulnerability database could be used.",
        *reasons,
        sep="\n  ",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main())
