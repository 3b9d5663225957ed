"""A cold build in three processes, so that the one living to the end stays small (issue 12).

The command line's process imports little (typer and bidkit's command line). It looks the build
up in the rebuild cache first (bidkit.render.cache, before the bid is read); a build taken from
there (``from_cache``) prints what its cold build printed and writes the file in this process,
which never loads the bid. Otherwise, before any thread starts, it forks two processes (``run``):

- the *layout process* imports WeasyPrint at once, lays the HTML out when it gets it (in two
  processes when that pays: bidkit.render.parallel), writes WeasyPrint's PDF, hands it over
  (``Written``) and ends: the laid-out boxes, most of a build's memory, go with it at once, with
  no collection to free them;
- the *worker* checks the bid and prints the check's report, reads the annexes and renders the
  HTML — bidkit's own work, with the bid's models, YAML, Jinja, Babel, pypdf — then hands over
  what the rest needs as plain data (``Staged``) and ends.

The command line's process shows the steps as they come, makes the final file (``finish``:
bidkit.render.final, pikepdf) and stores it in the rebuild cache (``remember``). So the
laying-out process never imports the check's libraries (tests/test_staged_build.py),
WeasyPrint's import overlaps the check and the HTML, and the final file is made beside neither.
An error in either process reaches the command line as the exception it raised there (a
``BidkitError`` with its message, hint and exit code); a process that dies is a render error.

The same steps run in one process (``build.build_pdf``, the preview, the tests): ``lay_out``,
``write`` and ``finish`` are the steps of both.

Nothing here imports WeasyPrint, pydantic or pikepdf at import time.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import field
from pathlib import Path

from bidkit.errors import RenderError
from bidkit.records import record

#: The step of a build taken from the rebuild cache (tests/test_cache.py looks for it).
CACHE_STEP = "Taking the PDF from the cache"
LOADING_STEP = "Loading WeasyPrint"


@record(frozen=True)
class BuiltPdf:
    path: Path
    pages: int  # all pages, appended annexes included
    annexes_appended: int
    files_embedded: int
    refused: list[str]
    warnings: list[str]  # a draft's annexes that break the variant's claims (a final build refuses them)
    sections: dict[str, int] = field(default_factory=dict)  # pages per top-level bookmark, as pdfcheck.section_pages reads them
    cached: bool = False  # taken from the rebuild cache (bidkit.render.cache)
    claims: str | None = None  # the standards the file claims ("pdf" when a draft had to drop them); None: as asked


@record(frozen=True)
class EmbeddedFile:
    path: Path
    name: str
    description: str


@record
class Staged:
    """What the layout and the final file need of a bid whose HTML is rendered: plain data."""

    html: str
    output: Path
    base: Path  # the templates folder: the HTML's base URL
    roots: list[Path]  # the folders the fetcher may read: the bid folder, the templates
    moment: dt.datetime
    draft: bool
    variant: str  # the PDF variant (build.PDF_VARIANTS)
    annexes: list  # final.AnnexPdf, in order (with their pages and files)
    embedded: list[EmbeddedFile]
    warnings: list[str]  # the annexes' (left out of a draft, breaking the variant's claims)
    jobs: int | None = 1  # layout processes: None decided by the build (bidkit.render.parallel)
    document_variant: object = None  # bidkit.variants.DocumentVariant, None for the full bid
    removed: list = field(default_factory=list)  # bidkit.variants.Secret: what the final file must not hold
    cache: object = None  # (bidkit.render.cache.Lookup, what its entry records besides the file): to store the file


@record
class Written:
    """WeasyPrint's PDF of the laid-out pages, and what the build reports of the layout."""

    data: bytes
    pages: int
    starts: list[tuple[str, int]]  # (label, first page) of each top-level bookmark
    refused: list[str]  # "URL: why" of what the fetcher refused


@contextlib.contextmanager
def source_date_epoch(moment: dt.datetime):
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


# --- the steps (in any process) ------------------------------------------------------------

def lay_out(staged: Staged, step: Callable[[str], None], meter=None):
    """(WeasyPrint's laid-out document, its fetcher); ``meter`` (bidkit.render.cores.IdleMeter)
    for an automatic choice of the processes."""
    from bidkit.render import pdf  # WeasyPrint
    from bidkit.render.fetcher import SandboxedFetcher
    from bidkit.render.cores import processes

    if staged.jobs is None:  # decided by the build (bidkit.render.parallel)
        from bidkit.render.parallel import choose_jobs

        jobs = choose_jobs(None)
    else:  # given: a layout in one process never imports bidkit.render.parallel (~2.7 MB where the boxes live)
        jobs = processes(staged.jobs)
    fetcher = SandboxedFetcher(staged.roots)
    with source_date_epoch(staged.moment):
        step("Laying out pages (WeasyPrint)")
        document = pdf.layout(staged.html, base=staged.base, fetcher=fetcher, jobs=jobs,
                              meter=meter if staged.jobs is None else None)
    return document, fetcher


def write(document, fetcher, staged: Staged, variant: str, step: Callable[[str], None], last: bool = False,
          into=None) -> Written:
    """WeasyPrint's PDF of ``document`` in ``variant``, with the embedded files; ``last``: no
    other variant will be written; ``into``: a binary file for the PDF (``Written.data`` is then empty)."""
    from bidkit.render import pdf

    with source_date_epoch(staged.moment):
        parts = ", laid out in 2 processes" if _in_parts(document) else ""
        step(f"Writing PDF ({len(document.pages)} pages{parts})")
        data = pdf.write(document, variant=variant, fetcher=fetcher, files=staged.embedded, moment=staged.moment, last=last,
                         into=into) or b""
    for file in staged.embedded:  # WeasyPrint leaves out an attachment it could not fetch, without a word
        if (why := fetcher.reasons.get(file.path.as_uri())) is not None:
            raise RenderError(f"{file.description} '{file.name}' could not be embedded: {why}",
                              "Run `bidkit check` and fix the ANX findings.")
    return Written(data, len(document.pages), _bookmark_starts(document), list(fetcher.refused))


def render(staged: Staged, step: Callable[[str], None], meter=None, into=None) -> Written:
    """Laid out and written (the layout process's work); ``into`` as for ``write``."""
    document, fetcher = lay_out(staged, step, meter)
    try:
        return write(document, fetcher, staged, staged.variant, step, last=True, into=into)
    finally:
        close = getattr(document, "close", None)  # parallel.Parts: ends the second process
        if close is not None:
            close()


def finish(staged: Staged, written: Written, variant: str, warnings: list[str],
           step: Callable[[str], None]) -> tuple[BuiltPdf, bytes]:
    """The final file in ``variant`` from WeasyPrint's, written atomically to ``staged.output``;
    ``warnings`` the annexes' for this variant."""
    from bidkit.fileio import atomic_write
    from bidkit.render.final import append
    from bidkit.render.glyphs import keep_claims

    warnings = list(warnings)
    claimed = keep_claims(written.data, variant, draft=staged.draft, warnings=warnings)  # no character drawn as .notdef
    if staged.draft and claimed != "pdf" and _annexes_break(staged.annexes, claimed):
        warnings.append(f"the draft claims no PDF standard: its annexes could not be {claimed} (ANX006)")
        claimed = "pdf"  # a final build refuses such an annex (build.keeps_claim); a draft says no more than it is
    step(f"Writing the final file ({len(staged.annexes)} PDF annex(es) appended)")
    named = staged.document_variant.name if staged.document_variant else None
    data = append(written.data, staged.annexes, variant=claimed, draft=staged.draft, document_variant=named)
    if staged.document_variant:
        from bidkit.variants import refuse_leaks

        step("Searching the file for removed values")
        refuse_leaks(data, staged.removed, staged.document_variant)
    atomic_write(staged.output, data)
    pages = written.pages + sum(annex.pages for annex in staged.annexes)
    return BuiltPdf(staged.output, pages, len(staged.annexes), len(staged.embedded), written.refused, warnings,
                    _sections(written.starts, written.pages, staged.annexes), claims=claimed), data


def _annexes_break(annexes, variant: str) -> bool:
    """Whether appending one of ``annexes`` (annexpdf.AnnexPdf) makes ``variant``'s claims false."""
    from bidkit.render.final import inspect_annex

    return any(inspect_annex(data).breaks(variant)
               for annex in annexes for data in ([annex.data] if annex.data else [data for _, data in annex.letters]))


def remember(staged: Staged, built: BuiltPdf, data: bytes) -> None:
    """The final file into the rebuild cache, when the build looked it up there (``Staged.cache``)."""
    if staged.cache is None:
        return
    lookup, facts = staged.cache
    lookup.keep(data, {**facts, "pages": built.pages, "annexes_appended": built.annexes_appended,
                       "files_embedded": built.files_embedded, "refused": built.refused, "warnings": built.warnings,
                       "sections": list(built.sections.items()),  # in order
                       "claims": built.claims,
                       "place": facts["place"] or (lookup.place if built.refused else None)},  # a refused URL names a file
               outputs=[staged.output])


def from_cache(lookup, say: Callable[[str], None], step: Callable[[str], None]):
    """The build taken from the rebuild cache (a ``cache.Lookup``), in the command line's process,
    without reading the bid: what its cold build printed (``say``), its outputs refused as that
    build refused them, the file written. (The facts ``check_and_prepare`` gives, the ``BuiltPdf``),
    or None for a miss."""
    import types

    from bidkit.findings import Severity

    entry = lookup.load()
    if entry is None:
        return None
    facts = entry.facts
    try:
        target = lookup.output or Path(facts["default"])
        code, severity, hint = facts["limit_rule"]
        rule = types.SimpleNamespace(code=code, severity=Severity(severity), hint=hint)
        built = BuiltPdf(target, facts["pages"], facts["annexes_appended"], facts["files_embedded"], list(facts["refused"]),
                         list(facts["warnings"]), {title: pages for title, pages in facts["sections"]}, cached=True,
                         claims=facts["claims"])
        printed, page_limit, schema_file = [str(line) for line in facts["report"]], facts["page_limit"], facts["schema_file"]
        files, folders = lookup.inputs_of(facts)
    except (KeyError, TypeError, ValueError):
        return None  # an entry of another shape is a miss
    from bidkit.fileio import atomic_write
    from bidkit.render.outputs import refuse_outputs

    for markup in printed:
        say(markup)
    refuse_outputs({"--output": target}, lookup.bid_dir, files, folders, schema_file)
    step(CACHE_STEP)
    atomic_write(target, entry.data)
    return (target, page_limit, rule), built


def _in_parts(document) -> bool:
    """Whether ``document`` was laid out in two processes (a bidkit.render.parallel.Parts): a layout
    in one process never imports that module (~2.7 MB where the boxes live)."""
    parallel = sys.modules.get("bidkit.render.parallel")
    return parallel is not None and isinstance(document, parallel.Parts)


def bookmark_starts(document) -> list[tuple[str, int]]:
    """(label, first page) of each top-level bookmark of a WeasyPrint document."""
    return [(label, target[0]) for label, target, _children, _state in document.make_bookmark_tree()]


def _bookmark_starts(document) -> list[tuple[str, int]]:
    """(label, first page) of each top-level bookmark WeasyPrint made (of both parts of a layout
    in two processes, as the merged file has them), once the document is written."""
    return document.bookmark_starts() if _in_parts(document) else bookmark_starts(document)


def _sections(starts: list[tuple[str, int]], page: int, annexes: list) -> dict[str, int]:
    """Pages per section from WeasyPrint's bookmarks (``starts``, of ``page`` laid-out pages) and
    the annexes the final file appends with theirs (bidkit.render.final), as
    pdfcheck.section_pages reads them from the written file."""
    from bidkit.pdfcheck import pages_per_section

    starts = list(starts)
    for annex in (annex for annex in annexes if annex.files):  # as final.append appends them
        starts.append((annex.bookmark, page))
        page += annex.pages
    return pages_per_section(starts, page)


# --- the processes ---------------------------------------------------------------------------

def can_fork() -> bool:
    """A fork is safe only while this process runs no other thread (one might hold a lock the
    child needs)."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()


class Conn:
    """One end of a pair of pipes between two of the build's processes: pickled messages, each
    after its length (multiprocessing's connections would cost a rebuild from the cache ~20 ms
    of imports)."""

    def __init__(self, read_fd: int, write_fd: int):
        self.reader, self.writer = os.fdopen(read_fd, "rb"), os.fdopen(write_fd, "wb")

    def send(self, message) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        self.writer.write(len(data).to_bytes(8, "big"))
        self.writer.write(data)
        self.writer.flush()

    def recv(self):
        head = self.reader.read(8)
        size = int.from_bytes(head, "big") if len(head) == 8 else -1
        data = self.reader.read(size) if size >= 0 else b""
        if size < 0 or len(data) < size:
            raise EOFError("the other process ended")
        return pickle.loads(data)  # our own processes' bytes

    def close(self) -> None:
        for end in (self.reader, self.writer):
            with contextlib.suppress(OSError):
                end.close()


def conn_pair() -> tuple[Conn, Conn]:
    """(this process's end, the child's end)."""
    down_read, down_write = os.pipe()
    up_read, up_write = os.pipe()
    return Conn(up_read, down_write), Conn(down_read, up_write)


def _send(conn: Conn, message) -> None:
    _flush()  # what the process printed comes before what the command line prints next
    conn.send(message)


def _portable(exc: BaseException) -> BaseException:
    """``exc`` as it can cross to the command line's process: a bidkit error as it is; another
    one with its traceback from the child as a note (a bug shows where it happened)."""
    import traceback

    from bidkit.errors import BidkitError

    if not isinstance(exc, BidkitError):
        with contextlib.suppress(Exception):
            exc.add_note("".join(traceback.format_exception(exc)).rstrip())
    try:
        pickle.dumps(exc)
        return exc
    except Exception:  # noqa: BLE001 - an exception that does not pickle
        return RuntimeError(f"{type(exc).__name__}: {exc}")


class _Child:
    """A forked process running ``main(conn)``; what it sends arrives by ``get``."""

    def __init__(self, what: str, main: Callable[[Conn], None]):
        self.what = what
        ours, theirs = conn_pair()
        _flush()  # nothing buffered is written twice
        pid = os.fork()
        if pid == 0:  # the child: run, report, leave without the parent's cleanup
            code = 0
            try:
                ours.close()
                signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C: the command line's process reports it
                main(theirs)
            except BaseException as exc:  # noqa: BLE001 - handed to the parent
                code = 1
                with contextlib.suppress(BaseException):
                    _send(theirs, ("error", _portable(exc)))
            finally:
                _flush()
                os._exit(code)
        theirs.close()
        self.pid, self.conn = pid, ours

    def get(self):
        """The next message; an exception the child sent is raised here."""
        try:
            message = self.conn.recv()
        except (EOFError, OSError):
            raise self._ended() from None
        if message[0] == "error":
            raise message[1]
        return message

    def send(self, message) -> None:
        try:
            _send(self.conn, message)
        except OSError:  # the pipe is broken: the child has ended
            raise self._ended() from None

    def _ended(self) -> RenderError:
        with contextlib.suppress(OSError):
            pid, status = os.waitpid(self.pid, 0)  # it has closed its end of the pipe: it ends
            self.pid = 0 if pid else self.pid  # reaped: ``end`` must not signal a number the system reuses
            if pid and os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU:
                return RenderError(f"the build's {self.what} used more processor time than the layout and the writing "
                                   f"may take (BIDKIT_LAYOUT_SECONDS)",
                                   "Look for what makes the document huge (a theme's loops, very large images).")
        return RenderError(f"the build's {self.what} ended unexpectedly",
                           "Run the build again; if it fails again, build with --jobs 1 and report it.")

    def end(self, kill: bool = True) -> float:
        """Waits for the process (killed first with ``kill``); its CPU seconds."""
        if not self.pid:
            return 0.0
        if kill:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
        self.conn.close()
        try:
            _, _, usage = os.wait4(self.pid, 0)
        except ChildProcessError:
            return 0.0
        finally:
            self.pid = 0
        return usage.ru_utime + usage.ru_stime


def _layout_process(conn: Conn) -> None:
    """The layout process: WeasyPrint imported at once, then the layout of what it is handed."""
    from bidkit.render.cores import IdleMeter

    meter = IdleMeter()  # the idle cores from the build's start decide an automatic split
    from bidkit.render import pdf  # WeasyPrint

    pdf.prepare()
    _send(conn, ("ready",))
    message = conn.recv()
    if message[0] != "stage":
        return
    _kind, staged, ours, path = message
    meter.ours += ours  # the worker's CPU time was this build's, not another program's: idle for the layout
    _cpu_backstop()
    with open(path, "wb") as into:  # the command line reads it once this process has ended
        written = render(staged, lambda name: _send(conn, ("step", name)), meter, into)
    _send(conn, ("written", written))


#: Processor seconds a layout process may use beyond twice BIDKIT_LAYOUT_SECONDS (layout, then writing).
CPU_MARGIN = 60


def _cpu_backstop() -> None:
    """The kernel ends this process (SIGXCPU) once it has used more processor time than the layout
    and the writing may take: the deadline's exception can be swallowed by code that catches
    everything (WeasyPrint 70 drawing an SVG image), or not be raised at all inside C code."""
    import resource

    from bidkit.limits import setting

    budget = int(2 * setting("BIDKIT_LAYOUT_SECONDS")) + CPU_MARGIN
    used = resource.getrusage(resource.RUSAGE_SELF)
    budget += int(used.ru_utime + used.ru_stime)  # RLIMIT_CPU counts from the process's start
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        budget = min(budget, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # SIGXCPU's default action dumps core: not hundreds of MB
        if soft == resource.RLIM_INFINITY or soft > budget:
            resource.setrlimit(resource.RLIMIT_CPU, (budget, hard))


def _work_process(conn: Conn, prepare) -> None:
    extra, outcome = prepare(lambda name: _send(conn, ("step", name)))
    _send(conn, ("done", extra, outcome))


class _Shown:
    """The steps, shown once the first one starts (after the worker's report)."""

    def __init__(self, steps):
        self.steps, self.entered, self.shown = steps, None, []

    def step(self, name: str) -> None:
        if self.entered is None:
            self.context = self.steps()
            self.entered = self.context.__enter__()
        self.shown.append(name)
        self.entered.step(name)

    def close(self, *exc_info) -> None:
        if self.entered is not None:
            self.context.__exit__(*exc_info)


def run(prepare, steps, cache=None, say: Callable[[str], None] = print) -> tuple[object, BuiltPdf | None]:
    """The build of the command line: ``prepare(step)`` checks the bid (printing its report) and
    returns (facts for the command line, ``Staged`` — or None when nothing is built); ``steps()``
    is the context showing the steps. Returns (the facts, the built PDF or None). ``cache``: the
    build's ``cache.Lookup``; on a hit the file comes from there (``from_cache``, which re-prints
    the check's report with ``say``) and no process is started. Otherwise in three processes (the
    module's docstring) when this process may fork, else in this one."""
    shown = _Shown(steps)
    try:
        result = from_cache(cache, say, shown.step) if cache is not None else None
        if result is None:
            result = _forked(prepare, shown) if can_fork() else _here(prepare, shown)
    except BaseException as exc:
        shown.close(type(exc), exc, exc.__traceback__)
        raise
    shown.close(None, None, None)
    return result


def _here(prepare, shown: _Shown):
    from bidkit.render.cores import IdleMeter

    meter = IdleMeter()
    extra, outcome = prepare(shown.step)
    if not isinstance(outcome, Staged):
        return extra, outcome
    built, data = finish(outcome, render(outcome, shown.step, meter), outcome.variant, outcome.warnings, shown.step)
    remember(outcome, built, data)
    return extra, built


def _forked(prepare, shown: _Shown):
    import tempfile

    layout, work, pdf = None, None, None
    try:
        layout = _Child("layout process", _layout_process)  # WeasyPrint's import overlaps the check
        work = _Child("worker", lambda conn: _work_process(conn, prepare))
        ready = False
        message = work.get()
        while message[0] == "step":
            if shown.shown[-1:] == [LOADING_STEP] and not ready:  # the step ends when WeasyPrint is loaded
                layout.get()
                ready = True
            shown.step(message[1])
            message = work.get()
        _done, extra, outcome = message
        ours = work.end(kill=False)
        if not isinstance(outcome, Staged):
            return extra, outcome
        if not ready:
            layout.get()
        # WeasyPrint's PDF comes through a file, read here once the layout process has ended: never
        # a copy of it in this process while that one holds the laid-out pages.
        pdf = tempfile.NamedTemporaryFile(prefix="bidkit-", suffix=".pdf")
        # What the layout needs, no more: not the annexes' bytes, nor the variant's models (pydantic).
        layout.send(("stage", dataclasses.replace(outcome, annexes=[], warnings=[], document_variant=None, removed=[],
                                                  cache=None), ours, pdf.name))
        message = layout.get()
        while message[0] == "step":
            shown.step(message[1])
            message = layout.get()
        layout.end(kill=False)
        written = dataclasses.replace(message[1], data=pdf.read())
        built, data = finish(outcome, written, outcome.variant, outcome.warnings, shown.step)
        remember(outcome, built, data)
        return extra, built
    finally:
        if pdf is not None:
            pdf.close()
        if work is not None:
            work.end()
        if layout is not None:
            layout.end()
