"""Reporters: a ``CheckResult`` as text for people (rich) or one JSON object for machines."""

from __future__ import annotations

import json
from itertools import groupby

from rich.console import Console
from rich.markup import escape

from bidkit.findings import CheckResult, Finding, Severity

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def summary(result: CheckResult) -> dict[str, int]:
    return {s.value: result.count(s) for s in Severity}


def as_json(result: CheckResult) -> str:
    """Exactly one JSON object, as documented in README (``--format json``)."""
    document = {
        "bid": result.bid_title,
        "call": result.call_id,
        "complete": result.complete,
        "summary": summary(result),
        "findings": [_finding_json(f) for f in result.sorted_findings()],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def _finding_json(finding: Finding) -> dict:
    return {
        "rule": finding.rule,
        "severity": finding.severity.value,
        "message": finding.message,
        "hint": finding.hint,
        "file": finding.display_file(),
        "line": finding.location.line,
        "column": finding.location.column,
        "path": finding.dotted_path or None,
    }


def print_text(result: CheckResult, console: Console) -> None:
    """Findings grouped by file, each with line:column, severity, code, message and hint."""
    findings = result.sorted_findings()
    for file, group in groupby(findings, key=lambda f: f.display_file() or "(bid)"):
        console.print(f"[bold]{escape(file)}[/]")
        for finding in group:
            loc = finding.location
            where = f"{loc.line}:{loc.column}" if loc.line else "-"
            style = _STYLE[finding.severity]
            console.print(
                f"  {where:>7}  [{style}]{finding.severity.value:<7}[/] [bold]{finding.rule}[/]  {escape(finding.message)}",
                highlight=False,
            )
            if finding.dotted_path:
                console.print(f"           [dim]at {escape(finding.dotted_path)}[/]", highlight=False)
            console.print(f"           [green]hint:[/] {escape(finding.hint)}", highlight=False)
    counts = summary(result)
    tally = f"{counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} info"
    if result.complete:
        console.print(f"[bold green]✓[/] {escape(result.bid_title or str(result.bid_dir))}: no errors ({tally})")
    else:
        console.print(f"[bold red]✗[/] {escape(str(result.bid_dir))}: {tally}")
