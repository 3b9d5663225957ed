"""GitLab Code Quality report: a JSON array of issues (the ``codequality`` report of a CI job)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from bidkit.findings import CheckResult, Finding, Severity, display_file
from bidkit.report import Reporter

#: GitLab's severities are info, minor, major, critical, blocker; an error keeps a bid from being submitted.
SEVERITY = {Severity.ERROR: "critical", Severity.WARNING: "minor", Severity.INFO: "info"}


def _path(finding: Finding, result: CheckResult) -> str:
    """The file relative to the current folder (GitLab resolves it against the repository root)."""
    return Path(finding.display_file() or display_file(result.bid_dir)).as_posix()


def fingerprint(finding: Finding, path: str, repeat: int = 0) -> str:
    """Stable across runs and line shifts: rule, file, field path and message (plus a count for twins)."""
    key = "\0".join([finding.rule, path, finding.dotted_path, finding.message] + ([str(repeat)] if repeat else []))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class GitlabReporter(Reporter):
    name = "gitlab"
    description = "GitLab Code Quality report (JSON array of issues)"

    def render(self, result: CheckResult) -> str:
        issues, seen = [], set()
        for finding in result.sorted_findings():
            path = _path(finding, result)
            repeat = 0
            while (print_ := fingerprint(finding, path, repeat)) in seen:
                repeat += 1
            seen.add(print_)
            issues.append({
                "description": (f"{finding.location.cell_ref}: " if finding.location.cell_ref else "")
                + f"{finding.message}. {finding.hint}",
                "check_name": finding.rule,
                "fingerprint": print_,
                "severity": SEVERITY[finding.severity],
                "location": {"path": path, "lines": {"begin": finding.location.line or 1}},
            })
        return json.dumps(issues, ensure_ascii=False, indent=2) + "\n"
