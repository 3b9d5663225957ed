"""One JSON object: bid, call, complete, summary, findings (and the completeness scores)."""

from __future__ import annotations

import json

from bidkit.findings import CheckResult, Finding, Severity, display_file
from bidkit.report import Reporter


def finding_json(finding: Finding) -> dict:
    return {
        "rule": finding.rule,
        "severity": finding.severity.value,
        "message": finding.message,
        "hint": finding.hint,
        "file": finding.display_file(),
        "line": finding.location.line,
        "column": finding.location.column,
        "path": finding.dotted_path or None,
    } | ({"sheet": finding.location.sheet, "cell": finding.location.cell} if finding.location.cell else {})


class JsonReporter(Reporter):
    name = "json"
    description = "one JSON object (documented in README)"

    def render(self, result: CheckResult) -> str:
        document = {
            "bid": result.bid_title,
            "call": result.call_id,
            "complete": result.complete,
            "summary": {s.value: result.count(s) for s in Severity},
            "findings": [finding_json(f) for f in result.sorted_findings()],
            "completeness": {
                "percent": result.percent,
                "sections": [{"section": s.group, "passed": s.passed, "total": s.total, "not_run": s.not_run}
                             | ({"ignored": s.ignored} if s.ignored else {}) for s in result.scores()],
            },
        }
        if result.ignored:  # checks switched off, with the `checks: ignore` entry that did it (file null: `--ignore`)
            document["ignored"] = [{"rule": code, "file": display_file(where.file) if where else None,
                                    "line": where.line if where else None}
                                   for _, where, codes in result.ignored_by() for code in codes]
        if result.pages is not None:
            document["pages"] = result.pages
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
