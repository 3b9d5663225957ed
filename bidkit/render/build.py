"""The build: validated bid → HTML → PDF (+ annexes), written atomically and reproducibly.

Steps: resolve the annexes (PDFs are read first, so a broken file stops the build before the
slow layout), render the HTML, lay it out and write the PDF with WeasyPrint (embedding the
non-PDF annexes), make the final file with the PDF annexes in one piece with pikepdf
(bidkit.render.final), write it atomically. ``step`` is told each step's name, for progress display.

``build_pdf`` runs the steps in this process; the command line runs them in three
(bidkit.render.staged), after looking the build up in the rebuild cache: ``check_and_prepare``
(the check, then ``stage``: annexes and HTML) in a worker,
the layout and WeasyPrint's writing in a process of their own, the final file in its own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bidkit import __version__
from bidkit.annexes import annexes
from bidkit.errors import BidkitError, BuildRefused, RenderError
from bidkit.fileio import atomic_write
from bidkit.findings import Finding, display_file
from bidkit.loader import LoadedBid, transliterate
from bidkit.gitinfo import git_state
from bidkit.paths import BidFileError, bid_file, resolved_inside, templates_dir
from bidkit.limits import MAX_LAYOUT_HTML_BYTES
from bidkit.schema import SCHEMA_FILE
from bidkit.render.theme import ThemeContext, theme_path
from bidkit.supporters import read_register
from bidkit.models import Removal
from bidkit.variants import DocumentVariant, is_private_supporter, kept_annexes, refuse_html_leaks, secrets
from bidkit.render import staged
from bidkit.render.staged import BuiltPdf, Staged  # noqa: F401 - BuiltPdf: the build's result, as before

if TYPE_CHECKING:
    from bidkit.render.context import AnnexEntry, OpenPoint

# Templates (jinja2, Babel) and the final file (pikepdf) are imported where they are used: the
# worker's check does not need them.


def __getattr__(name: str):
    if name == "PDF_VARIANTS":
        return _variants()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _variants() -> tuple[str, ...]:
    """``--pdf-variant`` choices (``PDF_VARIANTS``); the first is the default (archival and
    accessible: PDF/A-3a + PDF/UA-1)."""
    from bidkit.render.final import CLAIMS

    return tuple(CLAIMS)


def default_output(loaded: LoadedBid, document_variant: str | None = None) -> Path:
    """``build/<city>-<call>.pdf`` below the current folder (``…-public.pdf`` for a variant)."""
    city = transliterate(loaded.bid.city.name)[:MAX_NAME_PART].rstrip("-")  # Märkisch-Oderland → maerkisch-oderland
    name = "-".join(filter(None, [city, transliterate(loaded.call.id)[:MAX_NAME_PART].rstrip("-"),
                                  document_variant and transliterate(document_variant)]))
    return Path("build") / f"{name}.pdf"


#: Characters of the city's name (and the call's id) in the default output's name at most: a name of
#: hundreds of characters gave a file name longer than the 255 bytes a file system allows.
MAX_NAME_PART = 60


def build_datetime(loaded: LoadedBid) -> dt.datetime:
    """SOURCE_DATE_EPOCH when set; otherwise a date taken from the bid, never the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise BidkitError(f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds", "Unset it or give a Unix timestamp.") from None
    day = loaded.bid.reference_date(loaded.call)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


def git_stamp(folder: Path) -> str | None:
    """"Commit abc1234 vom 26.11.2026" (plus "mit Änderungen") when ``folder`` is in a git work tree."""
    from bidkit.render.formatting import short_date

    state = git_state(folder)
    if state is None:
        return None
    return f"Commit {state.commit} vom {short_date(state.date)}" + (", mit Änderungen" if state.dirty else "")


def bid_inputs(loaded: LoadedBid) -> tuple[set[Path], list[Path]]:
    """Every file the build reads because of the bid, and the folders it reads all of: those
    named below, and whatever else went through the resolver for this bid folder (spreadsheets,
    scans, a stylesheet's pictures: ``paths.resolved_inside``)."""
    files = {document.path.resolve() for document in loaded.sources.sections.values()}
    if loaded.sources.call_document:
        files.add(loaded.sources.call_document.path.resolve())
    named = [annex.file for annex in annexes(loaded.bid)] if loaded.bid else []
    if loaded.bid and loaded.bid.supporters:
        named.append(loaded.bid.supporters.file)
        named += [s.file for s in read_register(loaded.bid_dir, loaded.bid.supporters).supporters if s.file]
    theme = loaded.bid.theme if loaded.bid else None
    if theme:
        named += [theme.logo, theme.stylesheet, *(font.file for font in theme.fonts)]
    files |= {path for name in named if (path := theme_path(loaded.bid_dir, name))}
    files |= resolved_inside(loaded.bid_dir)
    folders = [templates_dir().resolve()]
    if theme and (own := theme_path(loaded.bid_dir, theme.templates, folder=True)):
        folders.append(own)
    return files, folders


def check_outputs(loaded: LoadedBid, outputs: dict[str, Path | None], example: str = "build/bid.pdf") -> None:
    """Refuse (exit 2) an output that would replace an input of the bid, or that is no regular file.

    ``example``: an output the command would write, for the hints (``build/kfp.xlsx`` for an export)."""
    from bidkit.render.outputs import refuse_outputs

    files, folders = bid_inputs(loaded)
    refuse_outputs(outputs, loaded.bid_dir, files, folders, SCHEMA_FILE, example)


def check_schema_output(output: Path) -> None:
    """Refuse (exit 2) a schema written over a file of the bid folder it lies in, other than the
    folder's own schema (bid.schema.json beside bid.yaml)."""
    from bidkit.check import check_bid
    from bidkit.loader import MANIFEST

    try:
        target = output.resolve()
        bid_dir = next((folder for folder in target.parents if (folder / MANIFEST).is_file()), None)
    except (OSError, RuntimeError, ValueError):
        return  # atomic_write says why it cannot write there
    if bid_dir is None or target == bid_dir / SCHEMA_FILE:
        return
    _, loaded = check_bid(bid_dir)
    check_outputs(loaded, {"--output": output}, example="bid.schema.json")


def open_points(findings: Iterable[Finding], bid_dir: Path) -> list[OpenPoint]:
    """The check's findings as the draft's annex lists them, with places relative to the bid folder."""
    from bidkit.render.context import OpenPoint
    from bidkit.rules.german import german_title

    points = []
    for f in sorted(findings, key=Finding.sort_key):
        file = display_file(f.location.file, bid_dir) or ""  # printable: a name that is not UTF-8 too
        if f.location.cell_ref:  # a spreadsheet's cell: kosten.xlsx:Kosten!C7
            where = f"{file}:{f.location.cell_ref}"
        else:
            where = file + (f":{f.location.line}" if f.location.line else "")
        points.append(OpenPoint(f.rule, f.severity.value, where, f.message, f.hint, german_title(f.rule), f.dotted_path,
                                file, f.location.line, f.location.cell_ref or ""))
    return points


def keeps_claim(annex, variant: str, draft: bool, warnings: list[str]) -> None:
    """A final build refuses a PDF annex that would make ``variant``'s claims false (ANX006); a
    draft builds and warns."""
    from bidkit.render.final import inspect_annex
    from bidkit.rules.annexes import EXPORT_HINT

    for piece in annex.pieces:  # the scans annex: each letter
        reasons = inspect_annex(piece.content.data).breaks(variant)
        if not reasons:
            continue
        message = f"annex {piece.number} '{piece.file}' would make {variant} false: {'; '.join(reasons)} ({piece.claim_rule})"
        if not draft:
            raise BuildRefused(message, EXPORT_HINT)
        warnings.append(message)


def _annexes(loaded: LoadedBid, draft: bool, document_variant: DocumentVariant | None = None):
    """(PDF annexes to append, files to embed, the list of annexes) of the variant. A draft lists
    what is missing."""
    from bidkit.render.assemble import open_annex, open_scans
    from bidkit.render.context import AnnexEntry
    from bidkit.render.staged import EmbeddedFile

    appended, embedded, entries = [], [], []
    for annex in kept_annexes(loaded.bid, document_variant):
        try:
            path = bid_file(loaded.bid_dir, annex.file, max_bytes=annex.max_bytes)
            if annex.is_pdf:
                appended.append(open_annex(annex.number, annex.title, annex.file, path))
            else:
                embedded.append(EmbeddedFile(path, path.name, f"Anlage {annex.number}: {annex.title}"))
        except (BidFileError, RenderError) as exc:
            if not draft:
                raise RenderError(f"annex {annex.number}: {exc}", "Run `bidkit check` and fix the ANX findings.") from None
            entries.append(AnnexEntry(annex.number, annex.title, annex.file, annex.description, None, present=False))
            continue
        pages = appended[-1].pages if annex.is_pdf else None
        entries.append(AnnexEntry(annex.number, annex.title, annex.file, annex.description, pages))
    register = read_register(loaded.bid_dir, loaded.bid.supporters) if loaded.bid.supporters else None
    if register and document_variant and Removal.PRIVATE_SUPPORTERS in document_variant:
        # A private supporter's letter is left out with the name: the scan shows both.
        register = dataclasses.replace(register, supporters=[s for s in register.supporters if not is_private_supporter(s)])
    scans = open_scans(len(entries) + 1, loaded.bid_dir, register, draft=draft) if register else None
    if scans:
        appended.append(scans)
        entries.append(AnnexEntry(scans.number, scans.title, f"{register.file}, Spalte Scan",
                                  "1 Schreiben mit Lesezeichen" if len(scans.letters) == 1 else f"{len(scans.letters)} Schreiben, je mit Lesezeichen", scans.pages, present=bool(scans.letters)))
    return appended, embedded, entries


def document_context(bid, call, bid_dir: Path, *, draft: bool, annex_list: list[AnnexEntry], moment: dt.datetime,
                     findings: Iterable[Finding] = (), document_variant: DocumentVariant | None = None) -> dict:
    """What the templates get (bidkit.render.context): for the build, and for `check` comparing a
    theme's templates with bidkit's (THM006)."""
    from bidkit.render.context import build_context

    return build_context(
        bid, call, theme=ThemeContext.of(bid.theme, bid_dir, bid.city.name), annexes=annex_list, draft=draft,
        stamp=" · ".join(filter(None, [f"bidkit {__version__}", git_stamp(bid_dir)])) if draft else None,
        open_points=open_points(findings, bid_dir) if draft else [], build_date=moment,
        register=read_register(bid_dir, bid.supporters) if bid.supporters else None, variant=document_variant,
    )


def document_html(loaded: LoadedBid, *, draft: bool, annex_list: list[AnnexEntry], findings: Iterable[Finding] = (),
                  moment: dt.datetime | None = None, document_variant: DocumentVariant | None = None) -> str:
    """The document's HTML (no WeasyPrint needed); a failing template is a RenderError naming file and line."""
    from bidkit.render.html import TemplateFailure, render_html
    from bidkit.render.names import keep_whole, name_words

    context = document_context(loaded.bid, loaded.call, loaded.bid_dir, draft=draft, annex_list=annex_list,
                               findings=findings, moment=moment or build_datetime(loaded), document_variant=document_variant)
    own_templates = theme_path(loaded.bid_dir, loaded.bid.theme.templates, folder=True) if loaded.bid.theme else None
    try:
        html = render_html(context, templates_dir(), bid_dir=loaded.bid_dir, overrides=own_templates)
        return keep_whole(html, name_words(loaded.bid, loaded.call))
    except TemplateFailure as failure:
        raise RenderError(f"template error in {failure}", "Fix the template at that line (theme templates live in the bid folder).") from None


@dataclass
class LaidOut:
    """The document laid out once (the slow part), ready to be written in any variant."""

    document: object  # weasyprint's Document (or parallel.Parts)
    fetcher: object
    staged: Staged
    appended: list  # assemble.PdfAnnex: each variant judges them anew (``keeps_claim``)

    def close(self) -> None:
        """Ends the child process of a layout in two processes (bidkit.render.parallel)."""
        close = getattr(self.document, "close", None)
        if close is not None:
            close()

    def release(self) -> None:
        """Lets go of the laid-out document once it is written: its boxes are most of the build's
        memory, and the final file (pikepdf) would need as much again beside them. The build runs
        with the cycle collector off, so one collection frees the cycles among them."""
        self.close()
        self.document = None
        gc.collect()


def build_pdf(loaded: LoadedBid, output: Path, *, draft: bool, variant: str | None = None,
              findings: Iterable[Finding] = (), html_output: Path | None = None,
              step: Callable[[str], None] = lambda name: None,
              document_variant: DocumentVariant | None = None, jobs: int | None = 1) -> BuiltPdf:
    """Build the PDF to ``output`` in this process (the command line builds in three, and takes an
    unchanged rebuild from the rebuild cache: bidkit.render.staged). ``variant`` one of
    ``PDF_VARIANTS``, by default the first; ``document_variant`` the bid's variant (``--variant``),
    None for the full bid; ``jobs`` the processes for the layout (None: decided by cores, load and
    size; 1: serial)."""
    from bidkit.render.cores import IdleMeter

    meter = IdleMeter() if jobs is None else None  # the idle cores over the build so far decide the split
    prepared = prepare(loaded, output, draft=draft, variant=variant, findings=findings, html_output=html_output,
                       step=step, document_variant=document_variant, jobs=jobs, load=_load_weasyprint)
    laid_out = LaidOut(*staged.lay_out(prepared, step, meter), prepared, [])
    try:
        built, data = _write_final(laid_out, prepared.variant, prepared.warnings, step, release=True)
    finally:
        laid_out.close()
    return built


def _load_weasyprint() -> None:
    from bidkit.render import pdf  # noqa: F401 - WeasyPrint is imported only here


def check_and_prepare(bid_dir: Path, output: Path | None, *, draft: bool, variant: str, bid_variant: str | None,
                      html_output: Path | None, cache, jobs: int | None, step: Callable[[str], None], console):
    """`bidkit build`'s check and its build up to the layout, in the build's worker process
    (bidkit.render.staged), which alone imports the check's libraries: ((the output, the call's page
    limit, the page-limit rule as plain data), the bid staged for the layout), or (exit code, None)
    when the build is refused. ``console`` prints rich markup to the user (the check's report, the
    refusal). ``cache``: the build's ``cache.Lookup`` (a miss), None without the cache; the staged
    bid carries what its entry records besides the file: what was printed here, the default
    output, the page limit, the inputs (bidkit.render.staged.remember)."""
    import types

    from bidkit.check import check_bid
    from bidkit.errors import EXIT_FINDINGS
    from bidkit.report.text import TextReporter
    from bidkit.rules.document import PAGE_LIMIT

    console = _Printed(console)
    result, loaded = check_bid(bid_dir)
    document_variant = None
    if bid_variant and loaded.renderable:
        from bidkit.rules.variants import build_findings
        from bidkit.variants import resolve

        document_variant = resolve(loaded.bid, bid_variant)
        # VAR002 warns for every variant in `check`; for the one built it is an error.
        result.findings = [f for f in result.findings if f.rule != "VAR002"] + build_findings(loaded, document_variant)
    if result.failing():
        TextReporter().print(result, console)
    elif result.findings:
        console.print(f"check: no errors or warnings ({len(result.findings)} info; `bidkit check` shows them)")
    if not result.complete and not draft:
        console.print("[bold red]Build refused:[/] fix the errors above, or use --draft for a marked draft.")
        return EXIT_FINDINGS, None
    if not loaded.renderable:
        console.print("[bold red]Cannot render even a draft:[/] the call and the manifest (title, city, contacts) must load; "
            "fix the errors above.")
        return EXIT_FINDINGS, None
    default = default_output(loaded, bid_variant)
    target = output or default
    # The page limit's rule as plain data: the command line's process checks the limit without the rules.
    limit_rule = types.SimpleNamespace(code=PAGE_LIMIT.code, severity=PAGE_LIMIT.severity, hint=PAGE_LIMIT.hint)
    inputs = bid_inputs(loaded)  # as the output refusals see them (``prepare``)
    prepared = prepare(loaded, target, draft=draft, variant=variant, findings=result.findings, html_output=html_output,
                       step=step, document_variant=document_variant, jobs=jobs)
    if cache is not None:
        prepared.cache = (cache, {"report": console.printed, "default": str(default), "page_limit": loaded.call.page_limit,
                                  "limit_rule": [PAGE_LIMIT.code, PAGE_LIMIT.severity.value, PAGE_LIMIT.hint],
                                  "schema_file": SCHEMA_FILE,
                                  **cache.inputs(*inputs, named_files=result.failing())})
    return (target, loaded.call.page_limit, limit_rule), prepared


class _Printed:
    """A console that remembers the markup printed to it (a build taken from the cache prints it again)."""

    def __init__(self, console) -> None:
        self.console, self.printed = console, []

    def print(self, markup: str = "") -> None:
        self.printed.append(markup)
        self.console.print(markup)


def prepare(loaded: LoadedBid, output: Path, *, draft: bool, variant: str | None = None,
            findings: Iterable[Finding] = (), html_output: Path | None = None,
            step: Callable[[str], None] = lambda name: None,
            document_variant: DocumentVariant | None = None, jobs: int | None = 1,
            load: Callable[[], None] = lambda: None) -> Staged:
    """The build up to the layout (``build_pdf``'s arguments): the outputs checked, then the bid
    staged for the layout (``stage``). ``load()`` loads WeasyPrint (in the step of that name; the
    command line loads it in another process meanwhile)."""
    variant = variant or _variants()[0]
    check_outputs(loaded, {"--output": output, "--html": html_output})
    step(staged.LOADING_STEP)
    load()
    return stage(loaded, output, draft=draft, variant=variant, findings=findings, html_output=html_output, step=step,
                 document_variant=document_variant, jobs=jobs)[0]


def stage(loaded: LoadedBid, output: Path, *, draft: bool, variant: str, findings: Iterable[Finding] = (),
          html_output: Path | None = None, step: Callable[[str], None] = lambda name: None,
          document_variant: DocumentVariant | None = None, jobs: int | None = 1) -> tuple[Staged, list]:
    """(The bid staged for the layout, the PDF annexes read). Reads the annexes (a final build
    refuses one that breaks ``variant``'s claims, before the slow layout) and renders the HTML;
    ``document_variant`` is the variant of the bid (``--variant``), None for the full bid."""
    from bidkit.render.assemble import final_annex

    moment = build_datetime(loaded)
    templates = templates_dir()
    step("Reading annexes")
    appended, embedded, entries = _annexes(loaded, draft, document_variant)
    warnings: list[str] = [message for annex in appended for message in annex.left_out]
    for annex in appended:
        keeps_claim(annex, variant, draft, warnings)
    step("Rendering HTML")
    html = document_html(loaded, draft=draft, annex_list=entries, findings=findings, moment=moment,
                         document_variant=document_variant)
    encoded = html.encode("utf-8")
    removed = []
    if document_variant:  # the HTML is searched before it is written or laid out, the file once more at the end
        register = read_register(loaded.bid_dir, loaded.bid.supporters) if loaded.bid.supporters else None
        removed = secrets(loaded.bid, document_variant, register)
        refuse_html_leaks(html, removed, document_variant)
    if html_output:
        atomic_write(html_output, encoded)
    if len(encoded) > MAX_LAYOUT_HTML_BYTES:
        raise RenderError(f"the document's HTML has {len(encoded) / 1e6:.1f} MB, more than bidkit lays out "
                          f"({MAX_LAYOUT_HTML_BYTES / 1e6:.0f} MB, about 450 pages)",
                          "A bid this long cannot be submitted as one document: shorten the lists (measures, cost items, "
                          "partners, supporters) or move details into annexes.")
    return Staged(html, output, templates, [loaded.bid_dir, templates], moment, draft, variant,
                  [final_annex(annex) for annex in appended], embedded, warnings, jobs, document_variant, removed), appended


def lay_out(loaded: LoadedBid, *, draft: bool, variant: str, findings: Iterable[Finding] = (),
            html_output: Path | None = None, step: Callable[[str], None] = lambda name: None,
            document_variant: DocumentVariant | None = None, jobs: int | None = 1) -> LaidOut:
    """Read the annexes, render the HTML and lay it out, to be written in any variant
    (``write_variant``); ``document_variant`` is the variant of the bid (``--variant``), None for the full bid."""
    from bidkit.render.cores import IdleMeter

    meter = IdleMeter() if jobs is None else None  # the idle cores over the build so far decide the split
    step(staged.LOADING_STEP)
    _load_weasyprint()
    prepared, appended = stage(loaded, Path(), draft=draft, variant=variant, findings=findings, html_output=html_output,
                               step=step, document_variant=document_variant, jobs=jobs)
    return LaidOut(*staged.lay_out(prepared, step, meter), prepared, appended)


def write_variant(laid_out: LaidOut, output: Path, variant: str, *, step: Callable[[str], None] = lambda name: None) -> BuiltPdf:
    """The final file in ``variant``, written atomically to ``output``."""
    warnings: list[str] = [message for annex in laid_out.appended for message in annex.left_out]
    for annex in laid_out.appended:
        keeps_claim(annex, variant, laid_out.staged.draft, warnings)
    return _write_final(laid_out, variant, warnings, step, output=output)[0]


def _write_final(laid_out: LaidOut, variant: str, warnings: list[str], step: Callable[[str], None],
                 release: bool = False, output: Path | None = None) -> tuple[BuiltPdf, bytes]:
    """The final file in ``variant`` (to ``output``, else the staged one); with ``release`` the
    laid-out document is let go of as soon as WeasyPrint has written it (``LaidOut.release``: no
    other variant can be written then)."""
    written = staged.write(laid_out.document, laid_out.fetcher, laid_out.staged, variant, step, last=release)
    if release:
        laid_out.release()
    target = dataclasses.replace(laid_out.staged, output=output) if output is not None else laid_out.staged
    return staged.finish(target, written, variant, warnings, step)
