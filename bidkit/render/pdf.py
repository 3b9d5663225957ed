"""HTML → PDF with WeasyPrint 70, through the sandboxed fetcher. The only WeasyPrint import, with
bidkit.render.parallel (imported from here and by the build only), which lays out in two processes,
and bidkit.render.linebreak (imported from here), which repairs one defect of its line breaking.

Layout and writing each run under a deadline (``BIDKIT_LAYOUT_SECONDS``, default 300 s; a
100-page bid takes about 20 s): a theme that makes WeasyPrint lay out hundreds of thousands
of boxes, or images that take long to decode, ends with exit 3 instead of a hang.

Two things make them faster without changing a byte: Python's cycle collector is off while they
run (WeasyPrint creates millions of boxes and styles that live until the end, and each collection
would scan them all again), and the German hyphenation patterns come parsed from the user's cache
folder instead of being parsed from pyphen's ``.dic`` in every process (``_hyphenation``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import io
import logging
import os
import pickle
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pydyf
import pyphen


@contextlib.contextmanager
def _sonames_only():
    """WeasyPrint 70 (weasyprint/text/ffi.py) tries other spellings of each library before its
    soname ('libgobject-2.0-0' before 'libgobject-2.0.so.0'); on Linux each miss makes ctypes run
    ldconfig and gcc in subprocesses (~0.3 s of every build). The sonames in the same lists are
    found by dlopen itself, so while WeasyPrint is imported the search answers at once."""
    if sys.platform != "linux":
        yield
        return
    import ctypes.util

    search = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        yield
    finally:
        ctypes.util.find_library = search


with _sonames_only():
    import weasyprint

from bidkit.render import linebreak  # noqa: E402,F401  (repairs WeasyPrint 70's line breaking: see there)
from bidkit.errors import RenderError
from bidkit.limits import deadline
from bidkit.render.fetcher import SandboxedFetcher
from bidkit.render.staged import EmbeddedFile

logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)

#: What WeasyPrint is asked to write for each variant (output intent, PDF version, embedded
#: files as associated files); the identification in the XMP is bidkit.render.final's (``CLAIMS``).
#: Here, not there: the layout process never loads pikepdf for a layout in one process.
WEASYPRINT_VARIANT = {"pdf/a-3a+ua-1": "pdf/a-3u", "pdf/a-3u": "pdf/a-3u", "pdf/ua-1": "pdf/ua-1", "pdf": None}


class _Expired(BaseException):
    """Raised into WeasyPrint by the deadline; a BaseException, so its broad excepts let it pass."""


def _seconds() -> float:
    from bidkit.limits import setting

    return setting("BIDKIT_LAYOUT_SECONDS")


@contextlib.contextmanager
def _no_collection():
    """No cyclic garbage collection inside the block (as it was after it). Cycles WeasyPrint
    leaves are collected afterwards; reference counting frees everything else as before."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _bounded(what: str, work):
    seconds = _seconds()
    try:
        with deadline(seconds, _Expired), _no_collection():
            return work()
    except _Expired:
        raise RenderError(f"WeasyPrint took longer than {seconds:g} s to {what}",
                          "Look for what makes the document huge (a theme's loops, very large images); "
                          "BIDKIT_LAYOUT_SECONDS sets the limit.") from None


def _safe_links(pages, note: Callable[[str, str], None] = lambda url, why: None) -> None:
    """Drop links of the document's own pages that lead anywhere but http(s) and mailto addresses
    (a theme's ``<a href="file:///…">`` or ``javascript:``): the same rule as for the bid's
    Markdown and for annexes. ``Page.links`` is WeasyPrint's documented list of
    (type, target, rectangle, box); internal links and attachments stay."""
    from bidkit.linkschemes import SAFE_URI_SCHEMES  # not bidkit.annexes: its models would load here

    for page in pages:
        kept = []
        for link in page.links:
            if link[0] == "external" and not str(link[1]).lower().startswith(SAFE_URI_SCHEMES):
                note(str(link[1]), "a link of the document may lead only to http(s) and mailto addresses")
                continue
            kept.append(link)
        page.links = kept


def _through_file(write) -> bytes:
    """What ``write(target)`` writes, read back from a temporary file. Without a target WeasyPrint
    writes into a BytesIO that grows by doubling and is then copied: up to three copies of the
    file beside the laid-out document and the PDF objects, at the build's peak of memory
    (46 pages: 3.2 MB uncompressed; the peak of the write 2–3 MB lower through a file)."""
    with tempfile.TemporaryFile(prefix="bidkit-") as out:
        write(out)
        out.seek(0)
        return out.read()


def _write_part(document, variant: str, path: str) -> None:
    """The second part of a parallel layout, written in the child into the file at ``path`` (no
    embedded files: the first part has them)."""
    _safe_links(document.pages)  # dropped here too; only the first part's are named in the warnings
    with open(path, "wb") as out:
        _bounded("write the PDF", lambda: document.write_pdf(out, pdf_variant=WEASYPRINT_VARIANT[variant], pdf_tags=True,
                                                             uncompressed_pdf=True))


# --- page references ------------------------------------------------------------------------
# pydyf 0.13 (WeasyPrint 70's) builds ``PDF.page_references`` — a tuple of "N 0 R" for every page —
# anew on each use, and WeasyPrint's tagging uses it once per structure element: 12,000 times for
# 50 pages. The same tuple, kept while the page list is the same. tests/test_cache.py checks it.

def _page_references(self) -> tuple[bytes, ...]:
    numbers = tuple(self.pages["Kids"][::3])
    kept = self.__dict__.get("_bidkit_page_references")
    if kept is None or kept[0] != numbers:
        kept = (numbers, tuple(f"{number} 0 R".encode("ascii") for number in numbers))
        self.__dict__["_bidkit_page_references"] = kept
    return kept[1]


_PYDYF_PAGE_REFERENCES = pydyf.PDF.page_references
pydyf.PDF.page_references = property(_page_references)


# --- the pages' content, joined once painted ---------------------------------------------------
# WeasyPrint 70 paints each page (``Page.paint``) into a pydyf 0.13 ``Stream``, whose ``stream`` is a
# list of every operator and operand (bytes, text, numbers, a ``Dictionary`` for each marked
# content's MCID) — ~71,000 items for 46 pages — and keeps them all until the whole file is written,
# beside the laid-out boxes: the build's peak of memory. Nothing is added to a page's stream after
# its page is painted, and ``Stream.data`` joins the items' bytes with "\n"; so each page's list is
# joined into those bytes as soon as it is painted: the same file, 4–5 MB less at 46 pages (~10 MB
# at 100). tests/test_mem8_write.py fails loudly should WeasyPrint or pydyf change either.

def _paint_joined(self, stream, scale=1) -> None:
    _WEASYPRINT_PAINT(self, stream, scale)
    stream.stream[:] = [b"\n".join(pydyf._to_bytes(item) for item in stream.stream)]
    then = _PAINTED.pop(id(self), None)
    if then is not None:
        then()


#: page id → what to do once that page is painted (``after_painting``).
_PAINTED: dict[int, Callable[[], None]] = {}


@contextlib.contextmanager
def after_painting(page, then: Callable[[], None]):
    """``then()`` runs once ``page`` (a WeasyPrint page of the document written inside the block)
    is painted: WeasyPrint 70's ``generate_pdf`` paints every page in order, and only after the
    last one makes the fonts, the structure tree (``add_tags``: ~10 % of the file's memory) and
    writes the objects. A layout in two processes waits there, after its last page, for the
    second process to end (bidkit.render.parallel: the two processes' peaks do not add up).
    tests/test_mem9_stagger.py fails loudly should WeasyPrint change that order."""
    _PAINTED[id(page)] = then
    try:
        yield
    finally:
        _PAINTED.pop(id(page), None)


_WEASYPRINT_PAINT = weasyprint.document.Page.paint
weasyprint.document.Page.paint = _paint_joined


# --- the HTML parser's expressions -----------------------------------------------------------
# tinyhtml5 2.1 (WeasyPrint 70's HTML parser) caches in ``inputstream.characters_until_regex`` the
# expression ``chars_until`` reads with, but stores it under the expression instead of the
# characters (``characters = cache[(characters, opposite)] = regex`` assigns ``characters``
# first): every call misses, builds the expression's text again and looks it up in re's cache,
# ~20 % of parsing the HTML (0.1 s of the 46-page bid, before the layout can split). This cache
# makes each expression on its first miss exactly as tinyhtml5 does, and keeps it under the
# characters: the same expressions, the same tree. tests/test_split7.py fails loudly should
# tinyhtml5 change.

class _CharactersUntil(dict):
    def __missing__(self, key):
        characters, opposite = key
        if isinstance(characters, re.Pattern):  # not a key tinyhtml5 looks up: as before
            raise KeyError(key)
        regex = "".join([f"\\x{ord(character):02x}" for character in characters])
        if not opposite:
            regex = f"^{regex}"
        compiled = self[key] = re.compile(f"[{regex}]+")
        return compiled


def _parser_expressions() -> None:
    import tinyhtml5.inputstream

    if not isinstance(tinyhtml5.inputstream.characters_until_regex, _CharactersUntil):
        tinyhtml5.inputstream.characters_until_regex = _CharactersUntil()


_parser_expressions()


# --- hyphenation patterns ------------------------------------------------------------------
# pyphen 0.18 (WeasyPrint 70's) keeps parsed dictionaries in ``pyphen.hdcache`` (path → HyphDict
# with ``patterns``, ``cache`` and ``maxlen``); WeasyPrint asks ``pyphen.Pyphen(lang=…)``, which
# takes them from there. Parsing hyph_de's 66,000 patterns takes ~0.45 s; unpickling them ~0.03 s.
# tests/test_cache.py fails loudly should these internals change.

HYPHENATION_LANGUAGES = ("de",)  # the document's language (lang="de" in templates/base.html.j2)
_PATTERNS_MAGIC = b"bidkit-hyphenation 2\n"  # 2: the values shared (``_shared``)


class _PlainUnpickler(pickle.Unpickler):
    """Builds dicts, tuples, strings and numbers only: no class is ever looked up."""

    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed")


def _hyphenation(languages=HYPHENATION_LANGUAGES) -> None:
    """Put the patterns of ``languages`` into pyphen's cache, from the user's cache folder when
    a whole copy for this very .dic is there, else parsed and stored there (atomically) for the
    next build."""
    for language in languages:
        path = pyphen.LANGUAGES.get(pyphen.language_fallback(language) or "")
        if path is None or path in pyphen.hdcache:
            continue
        try:
            info = path.stat()
            stored = _patterns_file(path, info)
        except OSError:
            continue
        patterns = _read_patterns(stored)
        if patterns is None:
            hyph = pyphen.HyphDict(path)
            hyph.patterns = _shared(hyph.patterns)
            _write_patterns(stored, hyph.patterns, hyph.maxlen)  # pickled with the values shared
        else:
            hyph = object.__new__(pyphen.HyphDict)
            hyph.patterns, hyph.maxlen = patterns
            hyph.cache = {}
        pyphen.hdcache[path] = hyph


def _shared(patterns: dict) -> dict:
    """The same patterns with each distinct value one object: hyph_de's 66,000 patterns have
    only ~2,500 distinct (offset, values) pairs, and a pair of tuples for each cost ~8 MB in
    every layout process (pyphen only reads them)."""
    values: dict = {}
    return {key: values.setdefault(value, value) for key, value in patterns.items()}


def _patterns_file(path: Path, info: os.stat_result) -> Path:
    from bidkit.paths import cache_dir

    # The format's mark too: builds of another bidkit version keep their own file, not rewrite this one.
    origin = f"{path}\0{info.st_size}\0{info.st_mtime_ns}\0{pyphen.__version__}\0{sys.version}\0{_PATTERNS_MAGIC!r}"
    return cache_dir() / "hyphenation" / f"{path.stem}-{hashlib.sha256(origin.encode()).hexdigest()[:24]}.pickle"


def _read_patterns(stored: Path):
    """(patterns, maxlen) from ``stored`` when it is whole (its digest matches), else None."""
    try:
        raw = stored.read_bytes()
        digest, _, payload = raw.removeprefix(_PATTERNS_MAGIC).partition(b"\n")
        if not raw.startswith(_PATTERNS_MAGIC) or hashlib.sha256(payload).hexdigest().encode() != digest:
            return None
        patterns, maxlen = _PlainUnpickler(io.BytesIO(payload)).load()
        return (patterns, maxlen) if isinstance(patterns, dict) and isinstance(maxlen, int) else None
    except (OSError, ValueError, TypeError, EOFError, pickle.UnpicklingError):
        return None


def _write_patterns(stored: Path, patterns: dict, maxlen: int) -> None:
    from bidkit.fileio import cache_write

    payload = pickle.dumps((patterns, maxlen), protocol=pickle.HIGHEST_PROTOCOL)
    cache_write(stored, _PATTERNS_MAGIC + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)


def prepare() -> None:
    """What every layout needs first, done ahead (the layout process does it while the HTML is rendered)."""
    _hyphenation()


def layout(html: str, *, base: Path, fetcher: SandboxedFetcher, jobs: int = 1, meter=None):
    """Lay out the pages (the slow part); the fetcher guards every file the HTML names. With
    ``jobs`` > 1 in two processes (bidkit.render.parallel), when the document can be split exactly
    and, with ``meter`` (bidkit.render.cores.IdleMeter: an automatic choice), when that pays."""
    _hyphenation()

    def render():
        return _bounded("lay out the pages", lambda: weasyprint.HTML(
            string=html, base_url=base.resolve().as_uri() + "/", url_fetcher=fetcher).render())

    try:
        if jobs > 1:
            from bidkit.render import parallel

            return parallel.layout(render, _write_part, meter)
        return render()
    except RenderError:
        raise
    except Exception as exc:
        if _empty_page_assertion(exc):
            from bidkit.errors import BuildRefused

            raise BuildRefused(
                "the document cannot be laid out: a block of it (a grid of signatures, a table row, the cover) is taller "
                "than an empty page, so WeasyPrint cannot place it (AssertionError: page_is_empty); the theme's sizes, "
                "line heights, spacing or margins are too large together",
                "Make the sizes in the theme's stylesheet (`theme.stylesheet` in bid.yaml) smaller, or build once "
                "without `stylesheet:` to see that it is the cause; `bidkit check` names the declarations.") from exc
        raise RenderError(f"WeasyPrint could not render the document: {exc or type(exc).__name__}",
                          "Run with --html FILE to inspect the HTML.") from exc


def _empty_page_assertion(exc: Exception) -> bool:
    """Whether ``exc`` is WeasyPrint 70's ``assert not page_is_empty`` in layout/page.py ``make_page``: nothing
    of the page's flow could be placed on an empty page (tests/test_thm9_css_bounds.py fails if this changes)."""
    import traceback

    if not isinstance(exc, AssertionError):
        return False
    frames = traceback.extract_tb(exc.__traceback__)
    return bool(frames) and frames[-1].name == "make_page" and frames[-1].filename.endswith(
        os.path.join("weasyprint", "layout", "page.py"))


def write(document, *, variant: str, fetcher: SandboxedFetcher, files: list[EmbeddedFile], moment: dt.datetime,
          last: bool = False, into=None) -> bytes | None:
    """The laid-out document as PDF bytes, tagged; ``variant`` one of build.PDF_VARIANTS (WeasyPrint
    writes what ``WEASYPRINT_VARIANT`` names for it, bidkit.render.final the identification);
    ``files`` embedded with the fixed date ``moment``; ``last``: no other variant will be written
    (a layout in two processes ends its second process before the merge). With ``into`` (a binary
    file) the PDF is written there and None returned: the layout process hands its file over
    without a copy of it in memory (bidkit.render.staged)."""
    attachments = [
        weasyprint.Attachment(url=f.path.as_uri(), url_fetcher=fetcher, name=f.name, description=f.description,
                              created=moment, modified=moment, relationship="Supplement")
        for f in files
    ]

    # Uncompressed (both parts of a parallel layout too): the final writer (pikepdf) compresses
    # every stream once, faster than WeasyPrint (~0.7 of 3 s writing 46 pages).
    def whole(part, out) -> None:
        _safe_links(part.pages, fetcher.note)
        part.write_pdf(out, pdf_variant=WEASYPRINT_VARIANT[variant], pdf_tags=True, attachments=attachments,
                       uncompressed_pdf=True)

    def to(out) -> None:
        if isinstance(document, weasyprint.Document):
            whole(document, out)
        else:  # parallel.Parts: both parts, merged
            document.write(whole, variant, out, last)

    try:
        if into is not None:
            _bounded("write the PDF", lambda: to(into))
            return None
        return _bounded("write the PDF", lambda: _through_file(to))
    except RenderError:
        raise
    except Exception as exc:
        raise RenderError(f"WeasyPrint could not write the PDF: {exc}", "Run with --html FILE to inspect the HTML.") from exc
