"""The compliance matrix: one row per requirement of the call, with the bid's status on it."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from bidkit.fileio import csv_text
from bidkit.findings import CheckResult, Finding, Severity
from bidkit.markup import escape
from bidkit.paths import printable
from bidkit.rules import RULES, matching

PASS, FAIL, WARN, UNCHECKED = "pass", "fail", "warning", "not checked"


@dataclass(frozen=True)
class MatrixRow:
    id: str
    requirement: str
    section: str
    status: str
    findings: list[Finding]
    #: Why rules of the requirement were not checked: "BUD006 ignored by bid.yaml:75", "BUD001 not run: …".
    unchecked: tuple[str, ...] = ()

    def finding_refs(self) -> list[str]:
        return [f"{f.rule} {f.display_file() or ''}:{f.location.line or ''}".strip() for f in self.findings] + list(self.unchecked)


def compliance_matrix(result: CheckResult) -> list[MatrixRow]:
    rows = []
    ignored = {code: place for place, _, codes in result.ignored_by() for code in codes}
    for requirement in result.call.requirements if result.call else []:
        codes = matching(requirement.rules)
        found = [f for f in result.sorted_findings() if f.rule in codes]
        severities = {f.severity for f in found}
        # A rule that could have reported an error or warning here but did not run leaves the requirement
        # unanswered: not `pass` (an info rule never decides it).
        deciding = {code for code in codes if RULES[code].severity is not Severity.INFO}
        unchecked = tuple([f"{code} ignored by {ignored[code]}" for code in RULES if code in deciding and code in ignored] +
                          [f"{code} {result.not_run_reasons.get(code, 'not run')}" for code in result.rules_not_run if code in deciding])
        if not codes & set(result.rules_run):
            status = UNCHECKED
        elif Severity.ERROR in severities:
            status = FAIL
        elif Severity.WARNING in severities:
            status = WARN
        elif unchecked:
            status = UNCHECKED
        else:
            status = PASS
        # A call file of the bid's own is input like the bid: no control character reaches a report.
        rows.append(MatrixRow(printable(requirement.id), printable(requirement.text), printable(requirement.section),
                              status, found, unchecked))
    return rows


def render_matrix(rows: list[MatrixRow], fmt: str, *, color: bool = False) -> str:
    if fmt == "json":
        return json.dumps([
            {"id": r.id, "requirement": r.requirement, "section": r.section, "status": r.status, "findings": r.finding_refs()}
            for r in rows
        ], ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["id", "requirement", "section", "status", "findings"])
        for r in rows:
            writer.writerow([csv_text(cell) for cell in (r.id, r.requirement, r.section, r.status, "; ".join(r.finding_refs()))])
        return buffer.getvalue()
    from rich.console import Console
    from rich.table import Table

    style = {PASS: "green", FAIL: "bold red", WARN: "yellow", UNCHECKED: "dim"}
    table = Table(title="Compliance matrix", show_lines=False)
    for column in ("id", "requirement", "section", "status", "findings"):
        table.add_column(column)
    for r in rows:
        table.add_row(escape(r.id), escape(r.requirement), escape(r.section), f"[{style[r.status]}]{r.status}[/]",
                      "\n".join(escape(ref) for ref in r.finding_refs()))
    buffer = io.StringIO()
    Console(file=buffer, force_terminal=color, no_color=not color, width=140).print(table)
    return buffer.getvalue()
