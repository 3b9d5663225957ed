"""The build: validated bid → HTML → PDF (+ annexes), written atomically and reproducibly.

Steps: resolve the annexes (PDFs are read first, so a broken file stops the build before the
slow layout), render the HTML, lay it out and write the PDF with WeasyPrint (embedding the
non-PDF annexes), make the final file with the PDF annexes in one piece with pikepdf
(bidkit.render.final), write it atomically. ``step`` is told each step's name, for progress display.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from bidkit import __version__
from bidkit.annexes import annexes
from bidkit.errors import BidkitError, BuildRefused, RenderError
from bidkit.fileio import atomic_write
from bidkit.findings import Finding
from bidkit.loader import LoadedBid
from bidkit.gitinfo import git_state
from bidkit.paths import BidFileError, bid_file, shown, templates_dir
from bidkit.render.context import AnnexEntry, OpenPoint, build_context
from bidkit.render.final import CLAIMS
from bidkit.render.formatting import short_date
from bidkit.schema import SCHEMA_FILE
from bidkit.render.html import TemplateFailure, render_html
from bidkit.render.theme import ThemeContext, theme_path
from bidkit.supporters import read_register

#: ``--pdf-variant`` choices; the first is the default (archival and accessible: PDF/A-3a + PDF/UA-1).
PDF_VARIANTS = tuple(CLAIMS)


@dataclass(frozen=True)
class BuiltPdf:
    path: Path
    pages: int  # all pages, appended annexes included
    annexes_appended: int
    files_embedded: int
    refused: list[str]
    warnings: list[str]  # a draft's annexes that break the variant's claims (a final build refuses them)


def default_output(loaded: LoadedBid) -> Path:
    """``build/<city>-<call>.pdf`` below the current folder."""
    slug = re.sub(r"[^a-z0-9]+", "-", f"{loaded.bid.city.name}-{loaded.call.id}".lower()).strip("-")
    return Path("build") / f"{slug}.pdf"


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


@contextlib.contextmanager
def _source_date_epoch(moment: dt.datetime):
    """fontTools stamps subset fonts with SOURCE_DATE_EPOCH, else the current time."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(moment.timestamp()))
    try:
        yield
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def git_stamp(folder: Path) -> str | None:
    """"Commit abc1234 vom 26.11.2026" (plus "mit Änderungen") when ``folder`` is in a git work tree."""
    state = git_state(folder)
    if state is None:
        return None
    return f"Commit {state.commit} vom {short_date(state.date)}" + (", mit Änderungen" if state.dirty else "")


def bid_inputs(loaded: LoadedBid) -> tuple[set[Path], list[Path]]:
    """Every file the build reads because of the bid, and the folders it reads all of."""
    files = {document.path.resolve() for document in loaded.sources.sections.values()}
    if loaded.sources.call_document:
        files.add(loaded.sources.call_document.path.resolve())
    named = [annex.file for annex in annexes(loaded.bid)] if loaded.bid else []
    if loaded.bid and loaded.bid.supporters:
        named.append(loaded.bid.supporters.file)
    theme = loaded.bid.theme if loaded.bid else None
    if theme:
        named += [theme.logo, theme.stylesheet, *(font.file for font in theme.fonts)]
    files |= {path for name in named if (path := theme_path(loaded.bid_dir, name))}
    folders = [templates_dir().resolve()]
    if theme and (own := theme_path(loaded.bid_dir, theme.templates, folder=True)):
        folders.append(own)
    return files, folders


def check_outputs(loaded: LoadedBid, outputs: dict[str, Path | None]) -> None:
    """Refuse (exit 2) an output that would replace an input of the bid, or that is no regular file."""
    files, folders = bid_inputs(loaded)
    targets: dict[Path, str] = {}
    for option, path in outputs.items():
        if path is None:
            continue
        try:
            target = path.resolve()
            exists, regular = target.exists(), target.is_file()
        except (OSError, ValueError, RuntimeError) as exc:
            raise BidkitError(f"{option} '{shown(path)}' cannot be used as output: {exc}", "Give a plain file path, e.g. build/bid.pdf.") from None
        bid_dir = loaded.bid_dir.resolve()
        if target in files or any(target.is_relative_to(folder) for folder in folders) or (
                target.parent == bid_dir and (target.suffix in (".yaml", ".yml") or target.name == SCHEMA_FILE)) or (
                target.is_relative_to(bid_dir) and ".git" in target.relative_to(bid_dir).parts):
            raise BidkitError(f"{option} '{shown(path)}' is an input of the bid; bidkit never overwrites its inputs",
                              "Write the output elsewhere, e.g. build/bid.pdf.")
        if exists and not regular:
            raise BidkitError(f"{option} '{shown(path)}' exists and is not a regular file", "Give the path of a new or a regular file.")
        if target in targets:
            raise BidkitError(f"{option} and {targets[target]} name the same file", "Give each output its own file.")
        targets[target] = option


def open_points(findings: Iterable[Finding], bid_dir: Path) -> list[OpenPoint]:
    """The check's findings as the draft's annex lists them, with places relative to the bid folder."""
    from bidkit.rules.german import german_title

    points = []
    for f in sorted(findings, key=Finding.sort_key):
        file = os.path.relpath(f.location.file, bid_dir) if f.location.file else ""
        where = file + (f":{f.location.line}" if f.location.line else "")
        points.append(OpenPoint(f.rule, f.severity.value, where, f.message, f.hint, german_title(f.rule), f.dotted_path,
                                file, f.location.line))
    return points


def keeps_claim(annex, variant: str, draft: bool, warnings: list[str]) -> None:
    """A final build refuses a PDF annex that would make ``variant``'s claims false (ANX006); a
    draft builds and warns."""
    from bidkit.render.final import inspect_annex
    from bidkit.rules.annexes import EXPORT_HINT

    reasons = inspect_annex(annex.content.data).breaks(variant)
    if not reasons:
        return
    message = f"annex {annex.number} '{annex.file}' would make {variant} false: {'; '.join(reasons)} (ANX006)"
    if not draft:
        raise BuildRefused(message, EXPORT_HINT)
    warnings.append(message)


def _annexes(loaded: LoadedBid, draft: bool):
    """(PDF annexes to append, files to embed, the list of annexes). A draft lists what is missing."""
    from bidkit.render.assemble import open_annex
    from bidkit.render.pdf import EmbeddedFile

    appended, embedded, entries = [], [], []
    for annex in annexes(loaded.bid):
        try:
            path = bid_file(loaded.bid_dir, annex.file)
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
    return appended, embedded, entries


def document_html(loaded: LoadedBid, *, draft: bool, annex_list: list[AnnexEntry], findings: Iterable[Finding] = (),
                  moment: dt.datetime | None = None) -> str:
    """The document's HTML (no WeasyPrint needed); a failing template is a RenderError naming file and line."""
    theme = ThemeContext.of(loaded.bid.theme, loaded.bid_dir, loaded.bid.city.name)
    context = build_context(
        loaded.bid, loaded.call, theme=theme, annexes=annex_list, draft=draft,
        stamp=" · ".join(filter(None, [f"bidkit {__version__}", git_stamp(loaded.bid_dir)])) if draft else None,
        open_points=open_points(findings, loaded.bid_dir) if draft else [], build_date=moment or build_datetime(loaded),
        register=read_register(loaded.bid_dir, loaded.bid.supporters) if loaded.bid.supporters else None,
    )
    own_templates = theme_path(loaded.bid_dir, loaded.bid.theme.templates, folder=True) if loaded.bid.theme else None
    try:
        return render_html(context, templates_dir(), bid_dir=loaded.bid_dir, overrides=own_templates)
    except TemplateFailure as failure:
        raise RenderError(f"template error in {failure}", "Fix the template at that line (theme templates live in the bid folder).") from None


@dataclass
class LaidOut:
    """The document laid out once (the slow part), ready to be written in any variant."""

    document: object  # weasyprint's Document
    appended: list  # assemble.PdfAnnex
    embedded: list  # pdf.EmbeddedFile
    fetcher: object
    moment: dt.datetime
    draft: bool

    def close(self) -> None:
        """Ends the child process of a layout in two processes (bidkit.render.parallel)."""
        close = getattr(self.document, "close", None)
        if close is not None:
            close()


def build_pdf(loaded: LoadedBid, output: Path, *, draft: bool, variant: str = PDF_VARIANTS[0],
              findings: Iterable[Finding] = (), html_output: Path | None = None,
              step: Callable[[str], None] = lambda name: None, jobs: int | None = 1) -> BuiltPdf:
    """``jobs``: processes for the layout (None: decided by cores, load and size; 1: serial)."""
    check_outputs(loaded, {"--output": output, "--html": html_output})
    laid_out = lay_out(loaded, draft=draft, variant=variant, findings=findings, html_output=html_output, step=step,
                       jobs=jobs)
    try:
        return write_variant(laid_out, output, variant, step=step)
    finally:
        laid_out.close()


def lay_out(loaded: LoadedBid, *, draft: bool, variant: str, findings: Iterable[Finding] = (),
            html_output: Path | None = None, step: Callable[[str], None] = lambda name: None,
            jobs: int | None = 1) -> LaidOut:
    """Read the annexes (a final build refuses one that breaks ``variant``'s claims, before the
    slow layout), render the HTML and lay it out."""
    moment = build_datetime(loaded)
    templates = templates_dir()
    step("Loading WeasyPrint")
    from bidkit.render import pdf  # WeasyPrint is imported only here
    from bidkit.render.fetcher import SandboxedFetcher

    step("Reading annexes")
    appended, embedded, entries = _annexes(loaded, draft)
    for annex in appended:
        keeps_claim(annex, variant, draft, [])
    step("Rendering HTML")
    html = document_html(loaded, draft=draft, annex_list=entries, findings=findings, moment=moment)
    if html_output:
        atomic_write(html_output, html.encode("utf-8"))
    fetcher = SandboxedFetcher([loaded.bid_dir, templates])
    with _source_date_epoch(moment):
        step("Laying out pages (WeasyPrint)")
        from bidkit.render.parallel import choose_jobs

        document = pdf.layout(html, base=templates, fetcher=fetcher, jobs=choose_jobs(jobs, len(html.encode("utf-8"))))
    return LaidOut(document, appended, embedded, fetcher, moment, draft)


def write_variant(laid_out: LaidOut, output: Path, variant: str, *, step: Callable[[str], None] = lambda name: None) -> BuiltPdf:
    """The final file in ``variant``, written atomically to ``output``."""
    from bidkit.render import pdf
    from bidkit.render.assemble import append_annexes
    from bidkit.render.parallel import Parts

    warnings: list[str] = []
    for annex in laid_out.appended:
        keeps_claim(annex, variant, laid_out.draft, warnings)
    with _source_date_epoch(laid_out.moment):
        parts = ", laid out in 2 processes" if isinstance(laid_out.document, Parts) else ""
        step(f"Writing PDF ({len(laid_out.document.pages)} pages{parts})")
        data = pdf.write(laid_out.document, variant=variant, fetcher=laid_out.fetcher, files=laid_out.embedded, moment=laid_out.moment)
    step(f"Writing the final file ({len(laid_out.appended)} PDF annex(es) appended)")
    data = append_annexes(data, laid_out.appended, variant=variant, draft=laid_out.draft)
    atomic_write(output, data)
    pages = len(laid_out.document.pages) + sum(a.pages for a in laid_out.appended)
    return BuiltPdf(output, pages, len(laid_out.appended), len(laid_out.embedded), laid_out.fetcher.refused, warnings)
