"""Rules on the annexes: every file the bid hands in must be there, inside the bid folder, and
every PDF annex readable the way the build appends it (``bidkit.annexes.read_pdf_annex``, through
``pdf_annex_verdict``, which keeps what it concluded per content)."""

from __future__ import annotations

import difflib
import itertools
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from bidkit.annexes import (
    MAX_DECODED_BYTES, MAX_EMBEDDED_BYTES, MAX_PAGE_TREE_DEPTH, MAX_PDF_ANNEX_BYTES, MAX_READ_SECONDS, READ_MEMORY, Annex, PdfAnnexVerdict,
    annexes, pdf_annex_verdict,
)
from bidkit.findings import Severity
from bidkit.paths import BidFileError, bid_file
from bidkit.rules.registry import RuleContext, Violation, rule

ERROR = Severity.ERROR
WARNING = Severity.WARNING
INFO = Severity.INFO


MAX_HINT_FILES = 10_000
TOO_LARGE_HINT = (f"Hand in a smaller file (at most {MAX_EMBEDDED_BYTES // 1_000_000} MB): compress or split it, "
                  "or export the table as PDF, which is appended instead of embedded.")


#: The sections whose files are the annexes, in the order that numbers them.
ANNEX_SOURCES = frozenset({"mou", "council_resolution", "annexes", "partners"})


def named(ctx: RuleContext, annex: Annex) -> str:
    """"annex 3 (title)" as the document numbers it; without the number while a section that
    holds annexes did not load or lost invalid items, since the numbers after it would be wrong."""
    if ANNEX_SOURCES & (ctx.broken | ctx.partial):
        return f"annex ({annex.title})"
    return f"annex {annex.number} ({annex.title})"


def missing_file_hint(bid_dir: Path, file: str) -> str:
    """Point at the nearest file of the bid folder, if one is close to what was written."""
    root = bid_dir.resolve()
    files = itertools.islice(root.rglob("*"), MAX_HINT_FILES)  # a huge folder is not walked to the end
    present = [p.relative_to(root).as_posix() for p in files if p.is_file()]
    twins = [name for name in present if unicodedata.normalize("NFC", name) == unicodedata.normalize("NFC", file)]
    if twins:
        return (f"The folder has '{twins[0]}', written with other Unicode code points for the same letters "
                "(e.g. 'ü' as 'u' and a combining diaeresis, as macOS and some archives store names): rename the "
                "file, or copy its name from the folder listing into the YAML file.")
    close = difflib.get_close_matches(file, present, n=1, cutoff=0.6)
    if close:
        return f"Did you mean '{close[0]}'?"
    return "Put the file into the bid folder and give its path relative to the folder, e.g. 'anlagen/datei.pdf'."


def annex_path_errors(ctx: RuleContext) -> Iterator[tuple[Annex, BidFileError]]:
    """Annexes whose file is not a file inside the bid folder (ANX001, ANX002 tell which way)."""
    if "annex path errors" not in ctx.memo:  # once per check: two rules ask
        found = []
        for annex in annexes(ctx.bid):
            try:
                bid_file(ctx.bid_dir, annex.file, max_bytes=annex.max_bytes)
            except BidFileError as exc:
                found.append((annex, exc))
        ctx.memo["annex path errors"] = found
    yield from ctx.memo["annex path errors"]


@rule(
    "ANX001", ERROR, "Annex file missing",
    hint="Put the file into the bid folder and give its path relative to the folder.",
    explanation=f"""
Every annex the bid lists (the signed MoU scan `mou.file`, `annexes[].file`, partners'
`letter.file`) is handed in with the submission: PDFs are appended to it, other files embedded.
A file that is not there would be missing from what the jury receives. So would a file that is
not a PDF and larger than {MAX_EMBEDDED_BYTES // 1_000_000} MB: the build embeds no larger file, and
refuses to claim it did.
""",
    reads=(),
)
def annex_missing(ctx: RuleContext) -> Iterator[Violation]:
    for annex, exc in annex_path_errors(ctx):
        if exc.reason == "too_large":
            yield Violation(annex.field, f"{named(ctx, annex)}: {exc}; the build embeds no larger file", TOO_LARGE_HINT)
        elif not exc.outside:
            yield Violation(annex.field, f"{named(ctx, annex)}: {exc}", missing_file_hint(ctx.bid_dir, annex.file))


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
            yield Violation(annex.field, f"{named(ctx, annex)}: {exc}")


def pdf_annexes(ctx: RuleContext) -> Iterator[tuple[Annex, PdfAnnexVerdict]]:
    """Each PDF annex inside the bid folder with what reading it as the build reads it concludes."""
    if "pdf annexes" not in ctx.memo:  # once per check: seven rules ask (resolving a path costs a few system calls)
        found = []
        for annex in annexes(ctx.bid):
            if not annex.is_pdf:
                continue
            try:
                path = bid_file(ctx.bid_dir, annex.file)
            except BidFileError:
                continue  # ANX001/ANX002
            found.append((annex, pdf_annex_verdict(path)))
        ctx.memo["pdf annexes"] = found
    yield from ctx.memo["pdf annexes"]


@rule(
    "ANX003", ERROR, "PDF annex is not a readable PDF",
    hint="Export the document as PDF (ideally PDF/A) again, or rename the file if it is not a PDF.",
    explanation=f"""
Files ending in `.pdf` are appended page by page to the submission, and `bidkit check` reads
each one exactly as `bidkit build` will. A file that does not start like a PDF (`%PDF-`) — a
renamed Word document, an HTML error page saved by a browser, an empty file — is refused, and
so is a PDF that is cut off (no `%%EOF` at its end), larger than {MAX_PDF_ANNEX_BYTES // 1_000_000} MB, damaged so
that it cannot be parsed (one that takes too long or too much memory to read: ANX007), without a catalog,
without pages, or whose page tree loops, nests deeper than {MAX_PAGE_TREE_DEPTH} levels or holds nodes that
are neither `/Page` nor `/Pages`. The message gives the reason. Such files come from
interrupted downloads or uploads and broken scanners; exporting or scanning the document again
gives a sound file.

Example: `letter: {{file: anlagen/brief.pdf}}` where the file ends in the middle → "'anlagen/brief.pdf'
is not a readable PDF: the file is cut off (it does not end with %%EOF)".
""",
    reads=(),
)
def annex_not_pdf(ctx: RuleContext) -> Iterator[Violation]:
    for annex, verdict in pdf_annexes(ctx):
        if verdict.problem and not verdict.encrypted and not verdict.excessive:
            yield Violation(annex.field, f"{named(ctx, annex)}: '{annex.file}' is not a readable PDF: {verdict.problem}")


@rule(
    "ANX004", INFO, "Active content removed from a PDF annex",
    hint="Nothing to do; to hand in the annex exactly as it is, export it without scripts, attachments and file links.",
    explanation="""
An annex is a document for the jury to read, not a program. What a PDF can hold beyond pages
is left out when it is appended: JavaScript (on opening, in links, form fields or the
document's name tree), Launch actions (start a program), page and form actions (`/AA`),
file-attachment annotations and embedded files, media players, XFA forms, actions that open,
import or send files (GoToR, GoToE, ImportData, SubmitForm), and links whose target is not
`http:`, `https:` or `mailto:` (e.g. `file:///…`). The pages themselves stay as they are. This
finding says which annex had what, so that nobody is surprised that a form no longer
calculates or an attachment is gone.
""",
    reads=(),
)
def annex_active_content(ctx: RuleContext) -> Iterator[Violation]:
    for annex, verdict in pdf_annexes(ctx):
        if not verdict.problem and verdict.removed:
            yield Violation(annex.field, f"{named(ctx, annex)}: removed from '{annex.file}': {verdict.removed}")


@rule(
    "ANX005", ERROR, "PDF annex is encrypted",
    hint="Save or export the document again without password and without security settings (in the PDF viewer: remove security).",
    explanation="""
An encrypted PDF (with an open password, or only with permissions such as "no printing") cannot
be appended to the submission: its pages would have to be decrypted first, and what may be done
with them is for the author to decide. bidkit refuses such an annex instead of guessing the
password or ignoring the author's settings; ask for the file without security settings.
""",
    reads=(),
)
def annex_encrypted(ctx: RuleContext) -> Iterator[Violation]:
    for annex, verdict in pdf_annexes(ctx):
        if verdict.problem and verdict.encrypted:
            yield Violation(annex.field, f"{named(ctx, annex)}: '{annex.file}' is encrypted")


EXPORT_HINT = ("Export the annex as PDF/A with fonts embedded (LibreOffice: File › Export as PDF › 'Archive (PDF/A)' "
               "and 'Universal Accessibility (PDF/UA)'; Word: Save as PDF › Options › 'PDF/A compliant'; a filled-in form "
               "or marked-up file: print it to PDF), or build with --pdf-variant pdf, which claims no standard.")


@rule(
    "ANX006", WARNING, "PDF annex would make the PDF/A or PDF/UA claim false",
    hint=EXPORT_HINT,
    explanation="""
The submission claims PDF/A-3a and PDF/UA-1 by default (`--pdf-variant`), and the claim covers
the appended annexes too. What bidkit can mend without changing a printed page it mends (ANX009);
what is left is this finding. A PDF annex that shows text in a font that is not embedded
(typical of office exports that rely on Helvetica or Arial being installed) breaks every PDF/A
and PDF/UA claim — invisible text, such as the OCR layer over a scan, may use any font — and so
does a font whose ToUnicode map gives glyphs U+0000, U+FEFF or U+FFFE (its text cannot be read out
or searched; WeasyPrint's form fonts do this); one that
paints in uncalibrated DeviceCMYK (print-shop exports) breaks PDF/A, whose output intent is
sRGB; so does an annotation that prints without a fixed appearance of its own (a filled-in form
whose viewer was to draw the fields, in a font bidkit cannot write them in; a highlight saved
without its look), since bidkit cannot draw it as a viewer would. So do, for the claims they break: a page (or one of
its boxes that cannot be cut to the page) smaller than 3 or larger than 14,400 units (200 inches,
a long CAD plan: export it at a smaller scale or split it), graphics states nested deeper than 28,
images of a bit depth PDF/A does not know, fonts without a ToUnicode map and without a standard
encoding (their text cannot be read out), glyph widths that disagree with the embedded font where
bidkit cannot move the text back exactly (a CMap other than Identity-H), and in a tagged annex
figures or formulas without a text alternative (an empty `/Alt` is none), headings of no level
(`/H`) and tables or lists whose parts stand where they may not (a cell retyped `/P` in a row).
The finding names the annex,
what it contains and which variants it breaks. A final `bidkit build` refuses such an annex for
a variant it breaks (a draft warns and builds); export the annex as PDF/A (print a filled-in
form to PDF), or build with `--pdf-variant pdf`, which claims no standard.

Example: a form from the Land whose fields were filled in a viewer → "annex 4 (Antragsformular):
'anlagen/formular.pdf' has annotations that print without a fixed appearance: form field (2×): it
would make pdf/a-3a+ua-1, pdf/a-3u false".
""",
    reads=(),
)
def annex_breaks_claim(ctx: RuleContext) -> Iterator[Violation]:
    for annex, verdict in pdf_annexes(ctx):
        variants = list(verdict.breaks)
        if not verdict.problem and variants:
            reasons = "; ".join(verdict.breaks[variants[0]])
            yield Violation(annex.field, f"{named(ctx, annex)}: '{annex.file}' has {reasons}: "
                                         f"it would make {', '.join(variants)} false")


@rule(
    "ANX007", ERROR, "PDF annex would exhaust the reader",
    hint="Open the annex and save it again, or print it to PDF again (\"Microsoft Print to PDF\", macOS: File › "
         "Export as PDF); a scan: scan it again.",
    explanation=f"""
A bid folder is untrusted input, and bidkit reads every PDF annex within bounds: the streams it
decodes (pages' contents, forms, fonts, object streams, metadata; not pictures) may decompress
to at most {MAX_DECODED_BYTES // 1_000_000} MB in all, and reading the annex runs in a separate process that may take
{MAX_READ_SECONDS:g} s and about {READ_MEMORY // 1_000_000_000} GB of memory (more for large files). A file of a few megabytes can hold a
stream that inflates to gigabytes ("decompression bomb"), whether built to stall a server or
written by a broken program; such an annex is refused by `bidkit check` and by `bidkit build`,
never appended. Saving the document again, or printing it to a new PDF, writes the pages anew
and drops what they do not show.

Example: an annex whose page has a content stream of 3 MB that inflates to 3 GB → "'anlagen/x.pdf'
cannot be read within bidkit's bounds: it decompresses to more than {MAX_DECODED_BYTES // 1_000_000} MB".
""",
    reads=(),
)
def annex_exhausts_reader(ctx: RuleContext) -> Iterator[Violation]:
    for annex, verdict in pdf_annexes(ctx):
        if verdict.problem and verdict.excessive:
            yield Violation(annex.field, f"{named(ctx, annex)}: '{annex.file}' cannot be read within "
                                         f"bidkit's bounds: {verdict.problem}")


def _field_name(field) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in field).lstrip(".")


@rule(
    "ANX008", WARNING, "One file named as two different annexes",
    hint="Give each document its own file, or delete the second mention.",
    explanation="""
A file the bid names in several places is one annex, appended (or embedded) once, under the title
of its first mention: the signed MoU, the council resolution, the entries of `annexes:` and the
partners' letters, in that order. The usual case is meant: a partner's letter also listed under
`annexes:`. Any other — the MoU scan's file listed again as a statement of an advisory board, two
entries of `annexes:` with one file — is probably a slip, and the second title would be missing
from the list of annexes without a word. If any of the mentions marks the file `public: false`, it
is left out of the public variant.
""",
    reads=(),
)
def annex_named_twice(ctx: RuleContext) -> Iterator[Violation]:
    for annex in annexes(ctx.bid):
        for field in annex.also:
            kinds = {annex.field[0], field[0]}
            if kinds == {"annexes", "partners"}:
                continue  # a partner's letter listed under annexes as well: meant
            yield Violation(field, f"'{annex.file}' is already {named(ctx, annex)}, named at {_field_name(annex.field)}: "
                                   f"it is appended once, under that title, and this mention is not listed")


@rule(
    "ANX009", INFO, "PDF annex mended for PDF/A and PDF/UA",
    hint="Nothing to do; to hand in the annex exactly as it is, export it as PDF/A without comments and form fields.",
    explanation="""
PDF/A and PDF/UA forbid some things that annexes often hold and that do not change what their
pages print; bidkit mends them in the copy it appends (the file in the bid folder stays as it
is): images and inline images asking viewers to smooth them (`/Interpolate`, as scanner software
writes it) are drawn unsmoothed, transfer functions (`/TR`) go, reviewers' comments (sticky notes
and their pop-ups) and annotations that are hidden or do not print are removed, media
annotations go, form fields and other annotations that print (stamps, highlights with their
look) are drawn into the page as they print, as the content of their structure element (or as
an artifact), links get the print flag PDF/A asks for, and in a tagged annex what its tagging
program left outside the tags (a rule, a logo) is marked as an artifact; prepress entries that
point elsewhere (`/OPI`, `/Alternates`, `/Ref`) go, and rendering intents PDF/A does not know are
named as viewers read them (RelativeColorimetric), and so are blend modes PDF/A does not know
(Normal); PostScript XObjects (which no viewer draws) and printers' halftone settings go, and so
do presentation steps and a font's list of its glyphs (`/CIDSet`, `/CharSet`, often incomplete);
glyph widths (`/Widths`, `/W`) that disagree with the embedded TrueType program (common in office
output) are taken from the program, each glyph kept where it printed; a crop or trim box beyond
the page is cut to the page; in a tagged annex, heading levels that skip (H2 → H5) are
re-levelled under the annex, and a language tag that is none (`/Lang ()`, „deutsch!“) goes (the
text takes the document's language). The form itself goes: the annex is a
document to read, not a form to fill in. This finding says which annex was mended and how, so
that nobody is surprised that a comment is gone or a field cannot be edited. What cannot be mended
so is ANX006.

Example: an annex with a reviewer's note and a ticked check box → "mended in 'anlagen/x.pdf' for
PDF/A and PDF/UA: review comment removed, form field drawn into the page".
""",
    reads=(),
)
def annex_repaired(ctx: RuleContext) -> Iterator[Violation]:
    for annex, verdict in pdf_annexes(ctx):
        if not verdict.problem and verdict.repaired:
            yield Violation(annex.field, f"{named(ctx, annex)}: mended in '{annex.file}' for PDF/A and PDF/UA: {verdict.repaired}")


@rule(
    "ANX010", WARNING, "Digital signature of a PDF annex cannot be kept",
    hint="Hand in the signed file separately as well (as the call asks for signed documents), or have the "
         "document signed again after the combined PDF is made.",
    explanation="""
A digital signature (a qualified electronic signature of a letter of intent, a signed MoU) covers
the bytes of its own file: any copy of its pages in another file — the combined submission PDF —
is no longer signed, and no program can carry the signature over. bidkit appends the pages as
they print (the signature's field shows nothing, or is drawn into the page as it looks) and says
so here, so that nobody hands in the combined PDF believing the annex is still signed. Where the
call requires the signed original, hand it in as a file of its own.

Example: a partner's letter signed with a qualified e-signature → "annex 3 (Unterstützungsschreiben
Ostfalia): the digital signature of 'anlagen/loi.pdf' cannot be kept in the combined PDF: hand in
the signed file separately".
""",
    reads=(),
)
def annex_signature_lost(ctx: RuleContext) -> Iterator[Violation]:
    for annex, verdict in pdf_annexes(ctx):
        if not verdict.problem and verdict.signatures:
            what = "digital signature" if verdict.signatures == 1 else f"{verdict.signatures} digital signatures"
            yield Violation(annex.field, f"{named(ctx, annex)}: the {what} of '{annex.file}' cannot be kept in the "
                                         f"combined PDF: hand in the signed file separately")
