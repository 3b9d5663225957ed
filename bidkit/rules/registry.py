"""The rule registry: each rule's code, severity, hint and explanation live beside its check."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from pathlib import Path

from bidkit.findings import FieldPath, Location, Severity
from bidkit.models import Bid, Call
from bidkit.records import record


@record(frozen=True)
class Violation:
    """What a rule's check yields: where (field path) and what, in this instance."""

    path: FieldPath
    message: str
    hint: str | None = None
    #: Where in the text value the problem starts, to point at its line in a block scalar.
    text_offset: int | None = None
    #: A place in another file than the YAML (a row of the supporters' register); wins over ``path``.
    location: Location | None = None


@record(frozen=True)
class RuleContext:
    bid: Bid
    call: Call
    bid_dir: Path
    #: Sections that failed validation; they are None in ``bid``.
    broken: frozenset[str] = frozenset()
    #: Sections whose invalid items were left out: ``bid`` holds only their sound items.
    partial: frozenset[str] = frozenset()

    @cached_property
    def memo(self) -> dict:
        """What several rules compute alike, computed once per check (the annexes' files resolved, …)."""
        return {}

    @cached_property
    def data(self) -> dict:
        """The bid as plain JSON-like data (dumped once for all rules that read its texts), its
        text composed (NFC): „Göttingen“ pasted from a Mac as o + U+0308 is the city all the same."""
        return self._dumped[0]

    @cached_property
    def texts(self) -> list[tuple[FieldPath, str]]:
        """Every string value of the bid with its field path (``iter_strings`` of ``data``)."""
        return self._dumped[1]

    @cached_property
    def raw_data(self) -> dict | None:
        """``data`` when composing changed none of its texts: then it is the bid's dump exactly as
        ``model_dump`` makes it (what the variants' search reads); else None."""
        return None if self._dumped[2] else self._dumped[0]

    @cached_property
    def sections(self) -> dict[str, tuple[int, int]]:
        """Where each section's strings stand in ``texts`` (start, end): they are gathered section by section."""
        return self._dumped[3]

    @cached_property
    def _dumped(self) -> tuple[dict, list[tuple[FieldPath, str]], bool, dict[str, tuple[int, int]]]:
        """``data`` and ``texts`` in one walk over the dump: a large bid has thousands of values;
        whether a text was composed, and where each section's texts stand."""
        data = self.bid.model_dump(mode="json", exclude_none=True, warnings=False)
        texts: list[tuple[FieldPath, str]] = []
        composed: list[FieldPath] = []
        sections: dict[str, tuple[int, int]] = {}
        for name in list(data):
            start = len(texts)
            _compose_gathering({name: data[name]}, (), texts, composed, data)
            sections[name] = (start, len(texts))
        return data, texts, bool(composed), sections


def _compose_gathering(node: dict | list, path: FieldPath, found: list[tuple[FieldPath, str]],
                       composed: list[FieldPath], owner: dict | list | None = None) -> None:
    """Every string of a fresh dump in Unicode's composed form (NFC), in place, gathered with its field path
    as ``bidkit.yamlio.iter_strings`` gathers them (depth first); the paths of those composed into ``composed``.
    ``owner``: the container to compose in when ``node`` is a view of one of its items."""
    for key, value in node.items() if isinstance(node, dict) else enumerate(node):
        if isinstance(value, str):
            if not unicodedata.is_normalized("NFC", value):
                (node if owner is None else owner)[key] = value = unicodedata.normalize("NFC", value)
                composed.append((*path, key))
            found.append(((*path, key), value))
        elif isinstance(value, (dict, list)):
            _compose_gathering(value, (*path, key), found, composed)


Check = Callable[[RuleContext], Iterable[Violation]]


@record(frozen=True)
class Rule:
    code: str
    severity: Severity
    title: str
    hint: str
    explanation: str
    check: Check | None = None  # None: reported by the loader, not by a check
    #: Sections the check reads; it is skipped when one of them failed validation.
    reads: frozenset[str] = frozenset()
    #: Sections of ``reads`` the check judges item by item: when some of their items are invalid
    #: (and left out) it runs on the sound ones. Any other section it reads must be whole, since
    #: its answer depends on every item (a sum, a count, an id another item may hold).
    partial_ok: frozenset[str] = frozenset()

    def not_run_reason(self, broken: frozenset[str] | set[str], partial: frozenset[str] | set[str]) -> str | None:
        """Why the check cannot run on a bid with these sections broken and partial (None: it can)."""
        lost = sorted(self.reads & broken)
        if lost:
            return f"not run: {', '.join(lost)} did not load"
        incomplete = sorted((self.reads - self.partial_ok) & partial)
        if incomplete:
            return f"not run: {', '.join(incomplete)} had invalid items, and the check needs every item"
        return None

    @property
    def group(self) -> str:
        return GROUPS[self.code[:3]]


#: Groups of rules by code prefix: the section of the bid they judge (summary, matrix).
GROUPS: dict[str, str] = {
    "YML": "Dateien", "SCH": "Dateien", "FIL": "Dateien", "CAL": "Dateien", "CFG": "Dateien",
    "REQ": "Vollständigkeit", "REF": "Verweise", "TXT": "Texte", "DAT": "Termine", "CON": "Ansprechpartner",
    "ELI": "Teilnahmeberechtigung", "GOL": "Ziele", "MEA": "Maßnahmen", "PAR": "Partner",
    "MOU": "Memorandum of Understanding", "BUD": "Kosten- und Finanzierungsplan", "RES": "Ratsbeschluss",
    "ANX": "Anlagen", "SUP": "Unterstützer", "THM": "Gestaltung", "PDF": "Dokument",
    "VAR": "Fassungen",
}

RULES: dict[str, Rule] = {}


def _register(rule: Rule) -> Rule:
    if rule.code[:3] not in GROUPS:
        raise RuntimeError(f"rule code {rule.code} has no group")
    if rule.code in RULES:
        raise RuntimeError(f"rule code {rule.code} registered twice")
    RULES[rule.code] = rule
    return rule


def define(code: str, severity: Severity, title: str, *, hint: str, explanation: str) -> Rule:
    """Register a code the loader reports (syntax, schema, files)."""
    return _register(Rule(code, severity, title, hint, explanation.strip()))


def rule(code: str, severity: Severity, title: str, *, hint: str, explanation: str, reads: tuple[str, ...],
         partial_ok: tuple[str, ...] = ()):
    """Register the decorated function as the check of a completeness rule.

    ``reads``: the sections the check reads (it is skipped when one did not load); ``partial_ok``:
    those of them it judges item by item, so that it runs on their sound items when others were
    invalid. Checks with ``reads=()`` read whatever loaded, item by item (texts, annex files).
    """
    if not set(partial_ok) <= set(reads):
        raise RuntimeError(f"rule {code}: partial_ok names sections it does not read: {set(partial_ok) - set(reads)}")

    def decorate(check: Check) -> Check:
        _register(Rule(code, severity, title, hint, explanation.strip(), check, frozenset(reads), frozenset(partial_ok)))
        return check

    return decorate


def checks() -> Iterator[Rule]:
    return (r for r in RULES.values() if r.check is not None)


def matching(patterns: list[str]) -> set[str]:
    """Codes named by ``patterns``: whole codes (BUD004) or prefixes (BUD, BUD00)."""
    return {code for code in RULES for p in patterns if code.startswith(p.upper())}


def euro(amount) -> str:
    """An amount as rule messages show it (``500.000 €``); Babel loads only when one is shown."""
    from bidkit.render.formatting import money

    return money(amount)


def euros(*amounts) -> list[str]:
    """``amounts`` shown alike, as they stand in one message: all with cents when one has them."""
    from bidkit.render.formatting import any_cents, money

    cents = any_cents(amounts)
    return [money(amount, cents=cents) for amount in amounts]


def handed_in(ctx: RuleContext) -> tuple:
    """(the day the bid is handed in, how messages name it): the submission date when the bid gives
    one, else the call's deadline; a submission after the deadline (DAT002) counts from the deadline.
    Everything that must exist when the bid is handed in (MoU, letters, the council's resolution)
    is compared with this day."""
    day, deadline = ctx.bid.submission_date, ctx.call.deadline
    if day is not None and day <= deadline:
        return day, f"the submission ({day})"
    return deadline, f"the deadline ({deadline})"
