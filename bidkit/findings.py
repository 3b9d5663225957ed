"""What a check produces: located findings and their severities, as plain values.

Reporters (``bidkit.report``) turn a ``CheckResult`` into text or JSON; nothing here prints.
"""

from __future__ import annotations

import enum
import os
import re
from dataclasses import field
from pathlib import Path
from typing import Any

from bidkit.paths import printable
from bidkit.records import record

#: A field path into the bid: keys and list indices, e.g. ("budget", "years", 0, "total").
FieldPath = tuple[str | int, ...]


def dotted(path: FieldPath) -> str:
    """A field path as editors show it: ``budget.years[0].total``."""
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@record(frozen=True)
class Location:
    """A place in a source file; line and column are 1-based, None where not known.

    A cell of a spreadsheet (``bidkit.sheets``) also has ``cell`` (``C7``) and, in a workbook,
    ``sheet`` (``Kosten``); ``line`` is then the CSV line the row starts on, or the sheet's row,
    and ``column`` the column's number (A = 1), not a character position.
    """

    file: Path | None
    line: int | None = None
    column: int | None = None
    sheet: str | None = None
    cell: str | None = None

    @property
    def cell_ref(self) -> str | None:
        """``Kosten!C7`` in a workbook, ``C7`` in a CSV file, None outside spreadsheets."""
        if self.cell is None:
            return None
        if self.sheet is None:
            return self.cell
        # as Excel writes a reference: a name with spaces, signs or a leading digit in quotes ('2017'!F5)
        plain = re.fullmatch(r"[^\W\d]\w*", self.sheet)
        quoted = self.sheet if plain else "'" + self.sheet.replace("'", "''") + "'"
        return f"{quoted}!{self.cell}"

    @property
    def binary(self) -> bool:
        """A workbook: its 'lines' are rows, and its bytes are no text to quote."""
        return self.sheet is not None


#: Characters of a message or hint at most: a value quoted in it (a 1 MB run of 'x') is cut in the middle.
MAX_MESSAGE = 1000


def _shortened(text: str) -> str:
    if len(text) <= MAX_MESSAGE:
        return text
    left_out = format(len(text) - MAX_MESSAGE + 40, ",").replace(",", ".")  # German, like every number shown
    return f"{text[:MAX_MESSAGE - 100]}… ({left_out} characters left out) …{text[-60:]}"


def relative_file(file: Path, start: Path | None = None) -> str:
    """``file`` relative to the current folder (or to ``start``, the bid folder), as a user would
    type it; a file outside that folder by its absolute path, not as ``../../x``. The name as the
    file system has it: for display, ``display_file``."""
    relative = os.path.relpath(file, start)
    return relative if not relative.startswith("..") else os.path.abspath(file)


def display_file(file: Path | None, start: Path | None = None) -> str | None:
    """``relative_file`` made printable (``paths.printable``: control characters escaped, the bytes
    of a name that is not UTF-8 as ``\\xff``): how every output names a file."""
    return None if file is None else printable(relative_file(file, start))


@record(frozen=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    hint: str
    location: Location
    path: FieldPath = ()

    @property
    def dotted_path(self) -> str:
        """The field path as editors show it: ``budget.years[0].total`` (a key's control characters escaped)."""
        return printable(dotted(self.path))

    def __post_init__(self) -> None:
        # Messages quote the bid's text and file names: no control character reaches a report, nor a pasted page.
        object.__setattr__(self, "message", _shortened(printable(self.message)))
        object.__setattr__(self, "hint", _shortened(printable(self.hint)))

    def display_file(self) -> str | None:
        """The file relative to the current folder, as a user would type it (control characters
        escaped); a file outside the current folder by its absolute path, not as ``../../x``."""
        return display_file(self.location.file)

    def place(self) -> str | None:
        """Where, as one string: ``kosten.xlsx:Kosten!C7``, ``kosten.csv:C7``, ``budget.yaml:12:7``."""
        file = self.display_file()
        if file is None:
            return None
        loc = self.location
        if loc.cell_ref:
            return f"{file}:{loc.cell_ref}"
        return ":".join([file] + [str(n) for n in (loc.line, loc.column) if n])

    def sort_key(self) -> tuple:
        loc = self.location
        return (str(loc.file or ""), loc.line or 0, loc.column or 0, self.rule)


@record(frozen=True)
class GroupScore:
    """How many of a group's checks pass (no error or warning), e.g. budget 5 of 6; ``not_run``
    of the ``total`` could not run because a section they read did not load (they do not pass)."""

    group: str
    passed: int
    total: int
    not_run: int = 0
    #: Of the ``total``, checks switched off by `checks: ignore` or `--ignore` (they do not pass).
    ignored: int = 0


@record
class CheckResult:
    """Everything one run of ``bidkit check`` found about one bid."""

    bid_dir: Path
    bid_title: str | None
    call: Any  # bidkit.models.Call | None (kept loose: this module imports no models)
    findings: list[Finding] = field(default_factory=list)
    #: Codes of the rules that ran (loader codes always; checks on sound sections), registry order.
    rules_run: list[str] = field(default_factory=list)
    #: Codes of the checks that could not run: a section they read did not load, or lost invalid items
    #: and the check needs every item (they count as not passing).
    rules_not_run: list[str] = field(default_factory=list)
    #: Why each of ``rules_not_run`` did not run, e.g. "not run: budget had invalid items, …".
    not_run_reasons: dict[str, str] = field(default_factory=dict)
    #: Pages per section of the rendered PDF, when one was checked.
    pages: dict[str, int] | None = None
    #: Checks switched off that would have run → the `checks: ignore` entry that did it (None: `--ignore`).
    #: They count as not passing, and every report names them with that place.
    ignored: dict[str, Location | None] = field(default_factory=dict)
    #: A group's name as this bid calls it: the MoU group after the agreement's kind ("Kooperationsvereinbarung").
    group_titles: dict[str, str] = field(default_factory=dict)

    @property
    def call_id(self) -> str | None:
        return self.call.id if self.call is not None else None

    def failing(self) -> set[str]:
        """Codes with at least one error or warning."""
        return {f.rule for f in self.findings if f.severity is not Severity.INFO}

    def scores(self) -> list[GroupScore]:
        from bidkit.rules import RULES

        failing = self.failing()
        not_run = set(self.rules_not_run)
        groups: dict[str, list[str]] = {}
        counted = {*self.rules_run, *not_run, *self.ignored}
        for code in (code for code in RULES if code in counted):  # the registry's order
            groups.setdefault(RULES[code].group, []).append(code)
        return [GroupScore(self.group_titles.get(g, g), sum(c not in failing and c not in not_run and c not in self.ignored for c in cs), len(cs),
                           sum(c in not_run for c in cs), sum(c in self.ignored for c in cs))
                for g, cs in groups.items()]

    def ignored_by(self) -> list[tuple[str, Location | None, list[str]]]:
        """The ignored checks by the line that switched them off: ``("bid.yaml:75", location, [codes])``,
        ``("--ignore", None, [codes])``; in the order of files and lines, the codes in the registry's."""
        places: dict[tuple, tuple[Location | None, list[str]]] = {}
        for code, where in self.ignored.items():
            line = (0, str(where.file), where.line or 0) if where else (1, "", 0)
            places.setdefault(line, (where, []))[1].append(code)
        return [(f"{display_file(where.file)}{f':{where.line}' if where.line else ''}" if where else "--ignore", where, codes)
                for _, (where, codes) in sorted(places.items())]

    @property
    def percent(self) -> float:
        scores = self.scores()
        total = sum(s.total for s in scores)
        return round(100 * sum(s.passed for s in scores) / total, 1) if total else 0.0

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    @property
    def complete(self) -> bool:
        return self.count(Severity.ERROR) == 0

    def sorted_findings(self) -> list[Finding]:
        return sorted(self.findings, key=Finding.sort_key)
