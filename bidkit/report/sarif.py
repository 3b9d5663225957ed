"""SARIF 2.1.0 for code-scanning tools: every rule as a reporting descriptor, findings as results."""

from __future__ import annotations

import json
from pathlib import Path

from bidkit import __version__
from bidkit.findings import CheckResult, Severity
from bidkit.report import Reporter
from bidkit.rules import RULES

LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


class SarifReporter(Reporter):
    name = "sarif"
    description = "SARIF 2.1.0 (code scanning)"

    def render(self, result: CheckResult) -> str:
        codes = list(RULES)
        rules = [
            {
                "id": code,
                "name": "".join(word.capitalize() for word in rule.title.split()),
                "shortDescription": {"text": rule.title},
                "fullDescription": {"text": rule.explanation},
                "help": {"text": f"{rule.hint}\n\n{rule.explanation}"},
                "defaultConfiguration": {"level": LEVEL[rule.severity]},
                "properties": {"group": rule.group},
            }
            for code, rule in RULES.items()
        ]
        results = []
        for finding in result.sorted_findings():
            entry = {
                "ruleId": finding.rule,
                "ruleIndex": codes.index(finding.rule),
                "level": LEVEL[finding.severity],
                "message": {"text": f"{finding.message}. {finding.hint}"},
            }
            if finding.display_file():
                region = {}
                if finding.location.line:
                    region["startLine"] = finding.location.line
                if finding.location.column:
                    region["startColumn"] = finding.location.column
                physical = {"artifactLocation": {"uri": Path(finding.display_file()).as_posix(), "uriBaseId": "%SRCROOT%"}}
                if region:
                    physical["region"] = region
                location = {"physicalLocation": physical}
                if finding.dotted_path:
                    location["logicalLocations"] = [{"fullyQualifiedName": finding.dotted_path, "kind": "member"}]
                entry["locations"] = [location]
            results.append(entry)
        log = {
            "$schema": SCHEMA,
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {"name": "bidkit", "version": __version__, "rules": rules}},
                "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().as_uri() + "/"}},
                "results": results,
                "columnKind": "unicodeCodePoints",
            }],
        }
        return json.dumps(log, ensure_ascii=False, indent=2) + "\n"
