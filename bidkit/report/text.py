"""Findings for people: grouped by file, each with its source line, then a completeness summary."""

from __future__ import annotations

import io
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING

from bidkit.findings import CheckResult, Finding, Severity
from bidkit.report import Reporter
from bidkit.markup import NeedsRich, PlainConsole, escape
from bidkit.paths import printable

if TYPE_CHECKING:
    from rich.console import Console

STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


class TextReporter(Reporter):
    name = "text"
    description = "for people: grouped by file, with the source line and a summary"

    def render(self, result: CheckResult) -> str:
        if not self.color:  # the same text without importing rich, unless it holds what only rich prints
            console = PlainConsole()
            try:
                self.print(result, console)
                return console.text()
            except NeedsRich:
                pass
        from rich.console import Console

        buffer = io.StringIO()
        console = Console(file=buffer, force_terminal=self.color, no_color=not self.color,
                          highlight=False, soft_wrap=True, width=120)
        self.print(result, console)
        return buffer.getvalue()

    def print(self, result: CheckResult, console: Console) -> None:
        lines: dict[Path, list[str]] = {}
        findings = result.sorted_findings()
        for file, group in groupby(findings, key=lambda f: f.display_file() or "(bid)"):
            console.print(f"[bold]{escape(file)}[/]")
            for finding in group:
                self.print_finding(console, finding, lines)
        self.print_summary(result, console)

    def print_finding(self, console: Console, finding: Finding, cache: dict[Path, list[str]]) -> None:
        loc = finding.location
        if loc.cell_ref:
            where = loc.cell_ref  # a spreadsheet's cell: Kosten!C7
        else:
            where = f"{loc.line}:{loc.column}" if loc.line and loc.column else (str(loc.line) if loc.line else "-")
        console.print(f"  {where:>7}  [{STYLE[finding.severity]}]{finding.severity.value:<7}[/] "
                      f"[bold]{finding.rule}[/]  {escape(finding.message)}")
        source = None if loc.binary else _source_line(loc.file, loc.line, cache)  # a workbook's rows are no text lines
        if source is not None:
            # a CSV cell's column counts fields, not characters: no caret
            source, caret = _snippet(source, None if loc.cell else loc.column)
            console.print(f"  [dim]{loc.line:>7} |[/] {escape(source)}")
            if caret:
                console.print(f"  [dim]{'':>7} |[/] {' ' * (caret - 1)}[{STYLE[finding.severity]}]^[/]")
        if finding.dotted_path:
            console.print(f"           [dim]at {escape(finding.dotted_path)}[/]")
        console.print(f"           [green]hint:[/] {escape(finding.hint)}")

    def print_summary(self, result: CheckResult, console: Console) -> None:
        scores = result.scores()
        if scores:
            console.print("[bold]Completeness[/]")
            for score in scores:
                mark = "[green]✓[/]" if score.passed == score.total else "[red]✗[/]"
                unrun = f" ({score.not_run} not run: what they read did not load, had invalid items or is missing)" if score.not_run else ""
                unrun += f" ({score.ignored} ignored)" if score.ignored else ""
                console.print(f"  {mark} {escape(score.group)}: {score.passed}/{score.total} checks pass{unrun}")
            for place, _, codes in result.ignored_by():
                console.print(f"  [yellow]![/] ignored by {escape(place)}: {', '.join(codes)} (not checked; they do not pass)")
            percent = f"{result.percent:.1f}".replace(".", ",")  # German decimal comma, like every number shown
            console.print(f"  overall: {percent} % of {sum(score.total for score in scores)} checks pass")
        counts = {s: result.count(s) for s in Severity}
        tally = f"{counts[Severity.ERROR]} error(s), {counts[Severity.WARNING]} warning(s), {counts[Severity.INFO]} info"
        named = escape(printable(result.bid_title or str(result.bid_dir)))
        if result.complete:
            console.print(f"[bold green]✓[/] {named}: no errors ({tally})")
        else:
            console.print(f"[bold red]✗[/] {named}: {tally}")


def _source_line(file: Path | None, line: int | None, cache: dict[Path, list[str]]) -> str | None:
    if file is None or not line:
        return None
    if file not in cache:
        try:
            # lines as an editor counts them: not at U+2028 or U+0085, which str.splitlines breaks at too
            cache[file] = file.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n").split("\n")
        except OSError:
            cache[file] = []
    text = cache[file]
    return text[line - 1] if 0 < line <= len(text) else None


#: At most this many characters of a source line are shown, around the finding's column.
SNIPPET = 120


def _snippet(text: str, column: int | None) -> tuple[str, int | None]:
    """The source line as shown, and the caret's column in it: a line longer than ``SNIPPET``
    characters cut around ``column`` with … marks, control characters escaped (``\x00``)."""
    column = column if column and column > 0 else None
    start = 0 if column is None else max(0, min(column - 1 - SNIPPET // 2, len(text) - SNIPPET))
    end = start + SNIPPET
    head, tail = "…" if start else "", "…" if end < len(text) else ""
    # a column past the line's end (a missing value at its end) stays past it
    caret = None if column is None else len(head) + len(printable(text[start:column - 1])) + max(0, column - 1 - len(text)) + 1
    return head + printable(text[start:end]) + tail, caret
