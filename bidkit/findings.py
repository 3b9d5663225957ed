"""What a check produces: located findings and their severities, as plain values.

Reporters (``bidkit.report``) turn a ``CheckResult`` into text or JSON; nothing here prints.
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass, field
from pathlib import Path

#: A field path into the bid: keys and list indices, e.g. ("budget", "years", 0, "total").
FieldPath = tuple[str | int, ...]


def dotted(path: FieldPath) -> str:
    """A field path as editors show it: ``budget.years[0].total``."""
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Location:
    """A place in a source file; line and column are 1-based, None where not known."""

    file: Path | None
    line: int | None = None
    column: int | None = None


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    hint: str
    location: Location
    path: FieldPath = ()

    @property
    def dotted_path(self) -> str:
        """The field path as editors show it: ``budget.years[0].total``."""
        return dotted(self.path)

    def display_file(self) -> str | None:
        """The file relative to the current folder, as a user would type it."""
        if self.location.file is None:
            return None
        return os.path.relpath(self.location.file)

    def sort_key(self) -> tuple:
        loc = self.location
        return (str(loc.file or ""), loc.line or 0, loc.column or 0, self.rule)


@dataclass
class CheckResult:
    """Everything one run of ``bidkit check`` found about one bid."""

    bid_dir: Path
    bid_title: str | None
    call_id: str | None
    findings: list[Finding] = field(default_factory=list)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    @property
    def complete(self) -> bool:
        return self.count(Severity.ERROR) == 0

    def sorted_findings(self) -> list[Finding]:
        return sorted(self.findings, key=Finding.sort_key)
