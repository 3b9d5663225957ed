"""Rules on the annexes: every file the bid hands in must be there, inside the bid folder."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from pathlib import Path

from bidkit.annexes import PDF_MAGIC, Annex, annexes
from bidkit.findings import Severity
from bidkit.paths import BidFileError, bid_file
from bidkit.rules.registry import RuleContext, Violation, rule

ERROR = Severity.ERROR


def missing_file_hint(bid_dir: Path, file: str) -> str:
    """Point at the nearest file of the bid folder, if one is close to what was written."""
    root = bid_dir.resolve()
    present = [p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()]
    close = difflib.get_close_matches(file, present, n=1, cutoff=0.6)
    if close:
        return f"Did you mean '{close[0]}'?"
    return "Put the file into the bid folder and give its path relative to the folder, e.g. 'anlagen/datei.pdf'."


def annex_path_errors(ctx: RuleContext) -> Iterator[tuple[Annex, BidFileError]]:
    """Annexes whose file is not a file inside the bid folder (ANX001, ANX002 tell which way)."""
    for annex in annexes(ctx.bid):
        try:
            bid_file(ctx.bid_dir, annex.file)
        except BidFileError as exc:
            yield annex, exc


@rule(
    "ANX001", ERROR, "Annex file missing",
    hint="Put the file into the bid folder and give its path relative to the folder.",
    explanation="""
Every annex the bid lists (the signed MoU scan `mou.file`, `annexes[].file`, partners'
`letter.file`) is handed in with the submission: PDFs are appended to it, other files embedded.
A file that is not there would be missing from what the jury receives.
""",
    reads=(),
)
def annex_missing(ctx: RuleContext) -> Iterator[Violation]:
    for annex, exc in annex_path_errors(ctx):
        if not exc.outside:
            yield Violation(annex.field, f"annex {annex.number} ({annex.title}): {exc}", missing_file_hint(ctx.bid_dir, annex.file))


@rule(
    "ANX002", ERROR, "Annex file outside the bid folder",
    hint="Copy the file into the bid folder and give a relative path without '..'.",
    explanation="""
The renderer reads only files inside the bid folder and bidkit's templates, so that a bid cannot
pull other files of the machine (or of the CI server) into the PDF. Absolute paths, paths with
'..' and symbolic links leading out of the folder are refused.
""",
    reads=(),
)
def annex_outside(ctx: RuleContext) -> Iterator[Violation]:
    for annex, exc in annex_path_errors(ctx):
        if exc.outside:
            yield Violation(annex.field, f"annex {annex.number} ({annex.title}): {exc}")


@rule(
    "ANX003", ERROR, "PDF annex is not a PDF",
    hint="Export the document as PDF (ideally PDF/A) again, or rename the file if it is not a PDF.",
    explanation="""
Files ending in `.pdf` are appended page by page to the submission. A file with that name that
does not start like a PDF (`%PDF-`) — a renamed Word document, an HTML error page saved by a
browser, an empty file — cannot be appended.
""",
    reads=(),
)
def annex_not_pdf(ctx: RuleContext) -> Iterator[Violation]:
    for annex in annexes(ctx.bid):
        if not annex.is_pdf:
            continue
        try:
            path = bid_file(ctx.bid_dir, annex.file)
        except BidFileError:
            continue  # ANX001/ANX002
        with path.open("rb") as stream:
            head = stream.read(1024)
        if PDF_MAGIC not in head:
            yield Violation(annex.field, f"annex {annex.number} ({annex.title}): '{annex.file}' is not a PDF file")
