"""SARIF 2.1.0 for code-scanning tools: every rule as a reporting descriptor, findings as results."""

from __future__ import annotations

import json
import os
import urllib.parse
from pathlib import Path

from bidkit import __version__
from bidkit.findings import CheckResult, Finding, Severity, relative_file
from bidkit.report import Reporter
from bidkit.rules import RULES

LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _uri(file: Path) -> str:
    """The file as a URI reference (SARIF §3.10): its bytes percent-encoded, so that any name — with
    a space, a '#', or not UTF-8 at all — stays a valid URI that leads to the very file."""
    return urllib.parse.quote(os.fsencode(Path(relative_file(file)).as_posix()), safe="/")


def _location(finding: Finding) -> dict:
    """A physical location (file, region) and the logical ones: the field path, a spreadsheet's cell.

    A cell of a workbook has no text region (SARIF §3.30: line and column address text, a binary
    artifact is addressed by bytes), so its place is the logical location ``Kosten!C7`` and the
    physical location's properties (sheet, cell, row, column). A CSV file is text: its region is
    the line the row starts on; its column counts fields, not characters, and is left to the cell.
    """
    loc = finding.location
    physical: dict = {"artifactLocation": {"uri": _uri(loc.file), "uriBaseId": "%SRCROOT%"}}
    region = {}
    if loc.line and not loc.binary:
        region["startLine"] = loc.line
    if loc.column and not loc.cell:
        region["startColumn"] = loc.column
    if region:
        physical["region"] = region
    logical = []
    if loc.cell_ref:
        physical["properties"] = {"sheet": loc.sheet, "cell": loc.cell, "row": int(loc.cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")),
                                  "column": loc.column}
        if loc.sheet is None:
            del physical["properties"]["sheet"]
        logical.append({"name": loc.cell, "fullyQualifiedName": loc.cell_ref, "kind": "element"})
    if finding.dotted_path:
        logical.append({"fullyQualifiedName": finding.dotted_path, "kind": "member"})
    location = {"physicalLocation": physical}
    if logical:
        location["logicalLocations"] = logical
    return location


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
                entry["locations"] = [_location(finding)]
                if finding.location.cell_ref:
                    entry["message"]["text"] = f"{finding.location.cell_ref}: {entry['message']['text']}"
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
        if result.ignored:  # checks switched off: disabled, with the `checks: ignore` entry that did it
            log["runs"][0]["invocations"] = [{
                "executionSuccessful": True,
                "ruleConfigurationOverrides": [
                    {"descriptor": {"id": code, "index": codes.index(code)}, "configuration": {"enabled": False},
                     "properties": {"ignoredBy": place}}
                    for place, _, ignored in result.ignored_by() for code in ignored],
                "toolConfigurationNotifications": [
                    {"level": "note", "message": {"text": f"{', '.join(ignored)} ignored by {place}: not checked"}}
                    | ({"locations": [{"physicalLocation": {
                        "artifactLocation": {"uri": _uri(where.file), "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": where.line}}}]} if where and where.line else {})
                    for place, where, ignored in result.ignored_by()],
            }]
        return json.dumps(log, ensure_ascii=False, indent=2) + "\n"
