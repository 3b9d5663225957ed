"""Rules on the register of supporters (``supporters.file``): readable, unique, scans there, in time.

Findings point at the register's file and row (``unterstuetzer.csv`` line 17), not at bid.yaml;
a register that is missing or outside the bid folder is reported at ``supporters.file``.
"""

from __future__ import annotations

from collections.abc import Iterator

from bidkit.findings import FieldPath, Location, Severity
from bidkit.rules.registry import RuleContext, Violation, handed_in, rule
from bidkit.paths import BidFileError
from bidkit.supporters import Register, Supporter, duplicate_key, read_register, scan_path, unreadable_scan

FIELD: FieldPath = ("supporters", "file")


def _register(ctx: RuleContext) -> Register | None:
    """The register, read once per check however many rules ask (nine: resolving and reading the
    file costs a few system calls each time; ``read_register`` parses it once per content)."""
    if "register" not in ctx.memo:
        ctx.memo["register"] = read_register(ctx.bid_dir, ctx.bid.supporters) if ctx.bid.supporters else None
    return ctx.memo["register"]


def _scan_verdicts(ctx: RuleContext) -> list[tuple[Supporter, str | None, dict[str, list[str]]]]:
    """(supporter, why its scan cannot be appended or None, the variants it breaks) for every scan
    the register names: judged as `check` judges PDF annexes, from the verdict cache once read;
    once per check (two rules ask)."""
    if "scan verdicts" not in ctx.memo:
        ctx.memo["scan verdicts"] = _judged_scans(ctx)
    return ctx.memo["scan verdicts"]


def _judged_scans(ctx: RuleContext) -> list[tuple[Supporter, str | None, dict[str, list[str]]]]:
    from bidkit.annexes import pdf_annex_verdict

    register = _register(ctx)
    found = []
    for supporter in register.supporters if register else []:
        if supporter.file is None:
            continue
        try:
            verdict = pdf_annex_verdict(scan_path(ctx.bid_dir, supporter))  # kept per file in this process
        except BidFileError as exc:
            found.append((supporter, exc.message, {}))
            continue
        problem = unreadable_scan(supporter, verdict.encrypted, verdict.problem) if verdict.problem else None
        found.append((supporter, problem, verdict.breaks))
    return found


def _at(register: Register, line: int | None, cell: Location | None = None) -> Location | None:
    """The cell when the register knows it (``unterstuetzer.xlsx:Tabelle1!D5``), else the row."""
    return cell or (Location(register.path, line) if register.path is not None else None)


@rule(
    "SUP001", Severity.ERROR, "Register of supporters or one of its rows unreadable",
    hint="Fix the register at that row: columns Name, Art, Ort, Datum (TT.MM.JJJJ), optionally Scan and Privat.",
    explanation="""
`supporters: {file: unterstuetzer.csv}` names a register of supporters (CSV in UTF-8, or an
Excel workbook .xlsx) inside the bid folder. Its first row names the columns — Name, Art (kind:
Bürger, Verein, Unternehmen, Forschung, Öffentliche Stelle, or the English keys citizen,
association, company, research, public_body), Ort, Datum and optionally Scan (the scanned letter).
A row bidkit cannot read exactly — no name, an unknown kind, a date such as `1.3.17` or
`März 2017` that could be read more than one way, a cell with a control character (NUL, ESC:
left by copying out of another program), a CSV row with fewer or more columns than the header
row — is reported at its row and left out of the list and the counts, never guessed.
""",
    reads=("supporters",),
)
def register_unreadable(ctx: RuleContext) -> Iterator[Violation]:
    register = _register(ctx)
    for problem in register.problems if register else []:
        place = f"'{register.file}' {register.where} {problem.line}: " if problem.line else ""
        yield Violation(FIELD, place + problem.message, problem.hint,
                        location=None if register.missing else _at(register, problem.line, problem.location))


@rule(
    "SUP002", Severity.WARNING, "Supporter listed twice",
    hint="Delete the second row, or tell the two supporters apart (full name, place).",
    explanation="""
Support earns points (in the Bitkom call up to 15 of 45), so a jury counts supporters. Two rows
with the same name at the same place (case and spaces ignored) count one supporter twice, which
a jury will notice and hold against the whole list.
""",
    reads=("supporters",),
)
def duplicate_supporter(ctx: RuleContext) -> Iterator[Violation]:
    register = _register(ctx)
    first: dict[tuple[str, str], int] = {}
    for supporter in register.supporters if register else []:
        key = duplicate_key(supporter)
        if key in first:
            yield Violation(FIELD, f"'{register.file}' {register.where} {supporter.line}: {supporter.name} ({supporter.place}) "
                                   f"is already listed in {register.where} {first[key]}",
                            location=_at(register, supporter.line, supporter.cells.get("name")))
        else:
            first[key] = supporter.line


@rule(
    "SUP003", Severity.ERROR, "Declared scan of a supporter missing or not appendable",
    hint="Put the scan into the bid folder as a PDF without password, fix its path, or empty the Scan cell.",
    explanation="""
A register row that names a scan (column Scan) promises the signed letter, and the build appends
every such scan to the submission as one annex "Unterstützungsschreiben" with a bookmark per
letter. A file that is not there or lies outside the bid folder would be missing from what the
jury receives. Scans are read exactly as PDF annexes are (see ANX003 and ANX005): a file that is
not a PDF (a JPEG or PNG is not converted: scan to PDF, or convert it with e.g.
`img2pdf scan.jpg -o scan.pdf`), is encrypted, cut off or damaged is reported at its row.
""",
    reads=("supporters",),
)
def scan_missing(ctx: RuleContext) -> Iterator[Violation]:
    register = _register(ctx)
    for supporter, problem, _ in _scan_verdicts(ctx):
        if problem:
            yield Violation(FIELD, f"'{register.file}' {register.where} {supporter.line}: scan of {supporter.name}: {problem}",
                            location=_at(register, supporter.line, supporter.cells.get("file")))


@rule(
    "SUP004", Severity.ERROR, "Letter of support dated after the bid is handed in",
    hint="Check the date in the register; a letter written after the bid was handed in cannot be part of it.",
    explanation="""
Letters of support are handed in with the bid, so none can be dated after the submission date
(`submission_date` in bid.yaml) or, when the bid gives none, after the call's deadline. A later
date is a typing error (2071 for 2017, month and day swapped) or a letter that does not belong
to this bid.
""",
    reads=("supporters",),
)
def dated_after_deadline(ctx: RuleContext) -> Iterator[Violation]:
    from bidkit.render.formatting import short_date  # Babel loads only when a message needs it

    register = _register(ctx)
    limit, _ = handed_in(ctx)
    named = "the submission" if limit == ctx.bid.submission_date else "the deadline"
    for supporter in register.supporters if register else []:
        if supporter.date > limit:
            yield Violation(FIELD, f"'{register.file}' {register.where} {supporter.line}: letter of {supporter.name} is dated "
                                   f"{short_date(supporter.date)}, after {named} ({short_date(limit)})",
                            location=_at(register, supporter.line, supporter.cells.get("date")))


@rule(
    "SUP005", Severity.WARNING, "Scan of a supporter would make the PDF/A or PDF/UA claim false",
    hint="Scan the letter again as PDF/A (a scanner's 'PDF/A' setting), or build with --pdf-variant pdf.",
    explanation="""
The scans are appended to the submission, and its PDF/A and PDF/UA claims (`--pdf-variant`)
cover them too. A scan with text in fonts that are not embedded breaks every claim; one that
paints in uncalibrated DeviceCMYK breaks PDF/A. The same judgement as ANX006 for other annexes:
a final `bidkit build` refuses such a scan for a variant it breaks, a draft warns and builds.
Active content (scripts, attachments, file links) is removed from scans as from every annex.
""",
    reads=("supporters",),
)
def scan_breaks_claim(ctx: RuleContext) -> Iterator[Violation]:
    register = _register(ctx)
    for supporter, _, breaks in _scan_verdicts(ctx):
        if breaks:
            first = next(iter(breaks))
            yield Violation(FIELD, f"'{register.file}' {register.where} {supporter.line}: scan of {supporter.name} '{supporter.file}' has "
                                   f"{'; '.join(breaks[first])}: it would make {', '.join(breaks)} false",
                            location=_at(register, supporter.line, supporter.cells.get("file")))


@rule(
    "SUP006", Severity.WARNING, "Register of supporters lists no one",
    hint="Name the register that lists the supporters, or remove `supporters:` from bid.yaml.",
    explanation="""
A register whose rows are all gone — only its header row, or nothing but empty rows — is most
often the wrong sheet or an export that failed. The document then has no list of supporters and
leaves out the register's note, although bid.yaml names a register.
""",
    reads=("supporters",),
)
def empty_register(ctx: RuleContext) -> Iterator[Violation]:
    register = _register(ctx)
    if register is not None and not register.missing and not register.supporters and not register.problems:
        yield Violation(FIELD, f"'{register.file}' lists no supporter: only its header row, or no row at all")
