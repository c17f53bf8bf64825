"""tools/audit.py (`make audit`): a pass only when every package was looked up."""

from tools import audit

SKIPPED = {
    "dependencies": [
        {"name": "django", "version": "5.2.19", "skip_reason": "Dependency not found on PyPI"},
        {"name": "nh3", "version": "0.3.2", "skip_reason": "Dependency not found on PyPI"},
    ]
}
CLEAN = {"dependencies": [{"name": "django", "version": "5.2.19", "vulns": []}]}
VULNERABLE = {
    "dependencies": [
        {
            "name": "django",
            "version": "5.2.1",
            "vulns": [{"id": "PYSEC-2025-1", "fix_versions": ["5.2.2"]}],
        }
    ]
}


def test_a_report_that_looked_nothing_up_is_not_a_pass():
    # pip-audit itself prints "No known vulnerabilities found" and exits 0 for this report.
    status, lines = audit.judge(SKIPPED)
    assert status == 2
    assert lines[-1].startswith("NOT AUDITED: 2 of 2 packages could not be looked up")


def test_vulnerabilities_fail_with_their_fix():
    assert audit.judge(VULNERABLE) == (
        1,
        ["VULNERABLE django 5.2.1: PYSEC-2025-1 (fixed in: 5.2.2)"],
    )


def test_every_package_checked_and_clean_passes():
    assert audit.judge(CLEAN) == (0, ["1 packages checked: no known vulnerabilities."])


def test_no_reachable_service_says_so_and_fails(monkeypatch, capsys, tmp_path):
    fake = tmp_path / "pip-audit"
    fake.touch()
    monkeypatch.setattr(audit, "PIP_AUDIT", fake)
    answers = {"osv": (None, "ConnectionError: api unreachable"), "pypi": (SKIPPED, "")}
    monkeypatch.setattr(audit, "run_pip_audit", lambda service: answers[service])

    assert audit.main() == 2
    err = capsys.readouterr().err
    assert "DEPENDENCIES NOT CHECKED" in err
    assert "osv: ConnectionError: api unreachable" in err
    assert "pypi: NOT AUDITED" in err


def test_the_first_service_that_looks_everything_up_decides(monkeypatch, capsys, tmp_path):
    fake = tmp_path / "pip-audit"
    fake.touch()
    monkeypatch.setattr(audit, "PIP_AUDIT", fake)
    answers = {"osv": (None, "timeout"), "pypi": (VULNERABLE, "")}
    monkeypatch.setattr(audit, "run_pip_audit", lambda service: answers[service])

    assert audit.main() == 1
    assert "VULNERABLE django 5.2.1" in capsys.readouterr().out
