"""The bid's annexes (Anlagen): every file the bid hands in besides the document itself.

Files come from four places: the scan of the signed MoU (``mou.file``), the scan of the
council resolution (``council_resolution.file``), the list ``annexes``, and partners' letters
(``partners[].letter.file``), numbered in that order.
PDF annexes are appended to the submission, other files embedded as attachments.
The check (ANX rules) and the build list them with the same function and resolve them
with ``bidkit.paths.bid_file``, so both see the same files, and read each PDF annex with
``read_pdf_annex``, so whatever the build would refuse is already an ANX finding. pypdf is
imported only when a PDF annex is read.

The check keeps what it concluded of each PDF annex (``pdf_annex_verdict``) in the user's cache
folder, keyed by the file's content and the code that judged it, so that `bidkit check` on
annexes it has seen before imports neither pypdf nor pikepdf (a third of a second on the example).
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import io
import itertools
import json
import os
import re
import sys
import warnings
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, field
from pathlib import Path

from bidkit.applicant import applicant_of, resolution_title
from bidkit.findings import FieldPath
from bidkit.linkschemes import SAFE_URI_SCHEMES
from bidkit.models import LETTER_TITLES, Bid
from bidkit.paths import MAX_RESOURCE_BYTES, BidFileError, cache_dir, read_regular
from bidkit.records import record

PDF_MAGIC = b"%PDF-"
#: A file embedded in the PDF (an annex that is not a PDF) goes through the renderer's fetcher,
#: which reads no file larger than this; `check` (ANX001) and the build refuse a larger one.
MAX_EMBEDDED_BYTES = MAX_RESOURCE_BYTES


@record(frozen=True)
class Annex:
    number: int
    title: str
    file: str  # as written in the bid, relative to the bid folder
    field: FieldPath  # where the bid names the file
    description: str | None = None
    #: The other places that name the same file (it is one annex, appended once).
    also: tuple[FieldPath, ...] = ()

    @property
    def is_pdf(self) -> bool:
        return self.file.lower().endswith(".pdf")

    @property
    def max_bytes(self) -> int | None:
        """The largest file the build embeds (None for a PDF: ANX003 judges its size as it reads it)."""
        return None if self.is_pdf else MAX_EMBEDDED_BYTES


def annexes(bid: Bid) -> list[Annex]:
    """All annexes of the bid in document order (sections that failed validation are None)."""
    found: list[tuple[str, str, FieldPath, str | None]] = []
    if bid.mou and bid.mou.file:
        found.append((f"{bid.mou.title} (unterzeichnet)", bid.mou.file, ("mou", "file"), None))
    resolution = bid.council_resolution
    if resolution and resolution.file:
        reference = resolution.reference.strip()
        label = reference if reference.lower().startswith("vorlage") else f"Vorlage {reference}"
        heading = resolution_title(applicant_of(bid.city).council) if bid.city else "Ratsbeschluss"
        title = f"{heading} vom {resolution.date:%d.%m.%Y}" + (f", {label}" if reference else "")
        found.append((title, resolution.file, ("council_resolution", "file"), None))
    for index, annex in enumerate(bid.annexes or []):
        found.append((annex.title, annex.file, ("annexes", index, "file"), annex.description))
    for index, partner in enumerate(bid.partners or []):
        letter = partner.letter
        if letter and letter.file:
            title = f"{LETTER_TITLES[letter.kind.value]}: {partner.name}"
            found.append((title, letter.file, ("partners", index, "letter", "file"), None))
    # A file named in two places (a partner's letter also listed under `annexes:`) is one annex,
    # cited by both, never appended twice.
    first: dict[str, int] = {}
    unique: list[list] = []
    for entry in found:
        file = os.path.normpath(entry[1])
        if file in first:
            unique[first[file]][4] += (entry[2],)
        else:
            first[file] = len(unique)
            unique.append([*entry, ()])
    return [Annex(number, *entry) for number, entry in enumerate(unique, start=1)]


# --- PDF annexes: read once, the same way for `check` (ANX003–ANX005) and `build` -------------

#: Deeper page trees are refused. Real files nest a few levels (a balanced tree of a million
#: pages needs six); pypdf walks the tree recursively, so a hostile depth would exhaust the stack.
MAX_PAGE_TREE_DEPTH = 64
#: Dictionaries and arrays bidkit looks into per annex; more is refused rather than walked for long.
MAX_OBJECTS = 500_000
#: Larger PDF annexes are refused (a submission portal takes far less).
MAX_PDF_ANNEX_BYTES = 200_000_000
#: Seconds reading one PDF annex may take (a 260-page annex takes a quarter of a second): damaged
#: files can send pypdf's repair on quadratic searches.
MAX_READ_SECONDS = 30.0
#: The most the streams of one PDF annex that bidkit (pypdf, pikepdf) may decode — pages'
#: contents, forms, fonts, object streams, metadata; not pictures, which it never decodes — may
#: decompress to, in all. A text page takes tens of kilobytes, a detailed plan a few megabytes;
#: a file of a few megabytes can hold a stream that inflates to gigabytes.
MAX_DECODED_BYTES = 200_000_000
#: Memory (bytes, besides bidkit's own) that reading one PDF annex may take, plus this many times its
#: size: the reading runs in a forked child limited to it and to MAX_READ_SECONDS (``in_child``),
#: since pypdf and pikepdf decode in C where no Python deadline reaches.
READ_MEMORY = 1_000_000_000
READ_MEMORY_PER_BYTE = 8
#: Catalog entries the clean copy keeps besides the pages (the form and the optional content's
#: layers only for the repair, which draws the fields into the pages and removes the content of
#: layers switched off: bidkit.render.final.repair_annex; neither is appended).
KEPT_CATALOG_ENTRIES = ("/StructTreeRoot", "/MarkInfo", "/Lang", "/Metadata", "/OutputIntents", "/AcroForm", "/OCProperties")
#: Actions that run code, start programs, open other files or send data: never appended.
ACTIVE_ACTIONS = {
    "/JavaScript": "JavaScript", "/Launch": "Launch action (starts a program)",
    "/GoToR": "link into another file (GoToR)", "/GoToE": "link into an embedded file (GoToE)",
    "/ImportData": "form data import (ImportData)", "/SubmitForm": "form submission (SubmitForm)",
    "/Rendition": "media action (Rendition)", "/RichMediaExecute": "media action (RichMediaExecute)",
    # what PDF/A forbids besides (ISO 19005-2 6.6.1): actions that play, hide, reset or switch
    "/Sound": "media action (Sound)", "/Movie": "media action (Movie)", "/ResetForm": "form reset (ResetForm)",
    "/Hide": "action that hides fields (Hide)", "/SetOCGState": "action that switches layers (SetOCGState)",
    "/Trans": "transition action (Trans)", "/GoTo3DView": "3D view action (GoTo3DView)",
}
#: The viewer commands (named actions) PDF/A allows (ISO 19005-2 6.6.1); others (Print, Quit, …) are removed.
PAGE_COMMANDS = ("/NextPage", "/PrevPage", "/FirstPage", "/LastPage")
#: Annotations that carry files or media players.
ACTIVE_ANNOTATIONS = {
    "/FileAttachment": "file attachment", "/RichMedia": "media player (RichMedia)", "/Screen": "media player (Screen)",
}


class PdfAnnexError(Exception):
    """A PDF annex that cannot be appended; ``reason`` says why, in words for the message."""

    def __init__(self, reason: str, *, encrypted: bool = False, transient: bool = False, excessive: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.encrypted = encrypted
        #: Says more of the moment than of the file (out of time or memory): never kept in the cache.
        self.transient = transient
        #: Reading it would take more than bidkit allows (decoded size, memory, time): ANX007.
        self.excessive = excessive

    def __reduce__(self):  # whole through the pipe from the reading child (``in_child``)
        return _annex_error, (self.reason, self.encrypted, self.transient, self.excessive)


def _annex_error(reason: str, encrypted: bool, transient: bool, excessive: bool) -> PdfAnnexError:
    return PdfAnnexError(reason, encrypted=encrypted, transient=transient, excessive=excessive)


@record(frozen=True)
class PdfAnnexContent:
    """A PDF annex as the build appends it."""

    pages: int
    #: Active content left out, one entry per item (e.g. "JavaScript", "file attachment").
    removed: tuple[str, ...]
    #: The annex's pages as bidkit appends them: a copy written by pypdf, active content removed,
    #: then repaired for PDF/A and PDF/UA (bidkit.render.final.repair_annex).
    data: bytes
    #: What the repair did, one entry per item (e.g. "review comment removed").
    repaired: tuple[str, ...] = ()

    @property
    def signatures(self) -> int:
        """Digital signatures the combined PDF cannot keep (ANX010)."""
        from bidkit.render.final import SIGNATURE_LOST

        return self.repaired.count(SIGNATURE_LOST)

    def repaired_summary(self) -> str:
        """``summary`` of what the repair did, digital signatures left out (ANX010 names them)."""
        from bidkit.render.final import SIGNATURE_LOST

        return summary(tuple(item for item in self.repaired if item != SIGNATURE_LOST))

    def removed_summary(self) -> str:
        """``JavaScript (2×), file attachment`` — what was removed, in order of first appearance."""
        return summary(self.removed)


def summary(items: tuple[str, ...]) -> str:
    """``JavaScript (2×), file attachment`` — each item once, counted, in order of first appearance."""
    counts = Counter(items)
    return ", ".join(what if n == 1 else f"{what} ({n}×)" for what, n in counts.items())


def read_pdf_annex(path: Path) -> PdfAnnexContent:
    """Read, check and clean a PDF annex; a file that cannot be appended raises PdfAnnexError.

    The check and the build both call this, so whatever the build would refuse is already an
    ANX finding; the result is kept for the file's size and modification time, so the build
    after the check reads each annex once.
    """
    try:
        stat = path.stat()
    except OSError as exc:
        raise PdfAnnexError(f"it cannot be read ({exc.strerror or exc})") from None
    if stat.st_size > MAX_PDF_ANNEX_BYTES:
        raise PdfAnnexError(f"it is larger than {MAX_PDF_ANNEX_BYTES // 1_000_000} MB")
    outcome = _read_pdf_annex(path, stat.st_size, stat.st_mtime_ns)
    if isinstance(outcome, PdfAnnexError):
        raise _annex_error(*outcome.__reduce__()[1])
    return outcome


@functools.lru_cache(maxsize=128)
def _read_pdf_annex(path: Path, size: int, mtime_ns: int) -> PdfAnnexContent | PdfAnnexError:
    try:
        data = read_regular(path, max_bytes=MAX_PDF_ANNEX_BYTES)
    except BidFileError as exc:  # replaced since it was resolved
        return PdfAnnexError(f"it cannot be read: {exc.message}")
    import pypdf  # noqa: F401 - imported once here, not again in each reading child

    import bidkit.render.final  # noqa: F401 - the same (pikepdf, for the repair)

    from bidkit.limits import ChildFailed, in_child

    try:
        return in_child(_clean_copy, data, seconds=MAX_READ_SECONDS + 5,
                        memory=READ_MEMORY + READ_MEMORY_PER_BYTE * len(data))
    except PdfAnnexError as exc:
        return exc
    except ChildFailed as exc:  # the bounds reached in C code (pypdf's or qpdf's decoding), or a crash
        return PdfAnnexError(f"reading it {exc} (it is damaged or built to exhaust the reader)", transient=True, excessive=True)


class _Overtime(BaseException):
    """Reading an annex ran out of time; a BaseException, so pypdf's ``except Exception`` lets it through."""


def _clean_copy(data: bytes) -> PdfAnnexContent:
    if PDF_MAGIC not in data[:1024]:
        raise PdfAnnexError("it does not start with %PDF- (is it a renamed file of another kind?)")
    if b"%%EOF" not in data[-1024:]:
        raise PdfAnnexError("the file is cut off (it does not end with %%EOF)")
    if decoded_size(data, MAX_DECODED_BYTES) > MAX_DECODED_BYTES:
        raise PdfAnnexError(f"it decompresses to more than {MAX_DECODED_BYTES // 1_000_000} MB", excessive=True)
    import logging

    from bidkit.limits import deadline  # with pickle, signal and threading: only when an annex is read

    # pypdf logs and warns about harmless quirks of the files it reads ("Object count 1105
    # exceeds defined trailer size 1092"); what it cannot read raises, and that is reported.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings(), deadline(MAX_READ_SECONDS, _Overtime):
            warnings.simplefilter("ignore")
            try:
                return _copy_without_active_content(data)
            except PdfAnnexError:
                raise
            # The boundary to a file from outside: on hostile or damaged input pypdf raises nearly
            # anything (PdfReadError, KeyError, AttributeError, AssertionError, RecursionError,
            # NotImplementedError for an unknown filter, ...). Each is a reason to refuse this
            # annex, never a crash, so every Exception is caught here on purpose.
            except MemoryError:  # the reading child's bound (READ_MEMORY)
                raise PdfAnnexError("reading it needs more memory than bidkit allows", transient=True, excessive=True) from None
            except Exception as exc:  # noqa: BLE001
                raise PdfAnnexError(f"it is damaged ({_describe(exc)})") from None
    except _Overtime:
        raise PdfAnnexError(f"reading it took longer than {MAX_READ_SECONDS:g} s (it is damaged or built to stall)",
                            transient=True, excessive=True) from None


#: A stream's data begins after ``stream`` and one end-of-line (never ``endstream``).
_STREAM_START = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[^\s/\[\]<>()]+|(\d+)\s+(\d+)\s+R)")
#: Filters whose output is at most as long as their input (undone before inflating).
_SHRINKING = {
    b"ASCIIHexDecode": lambda data: binascii.a2b_hex(re.sub(rb"\s", b"", data.split(b">")[0]).ljust(2, b"0")),
    b"ASCII85Decode": lambda data: base64.a85decode(data.split(b"~>")[0], adobe=False, ignorechars=b" \t\n\r\x0b\x0c\x00"),
}
_INFLATE_STEP = 1 << 20


def decoded_size(data: bytes, limit: int) -> int:
    """What the streams of the PDF ``data`` that a reader may decode inflate to, in all: counted
    up to a little past ``limit``, a step at a time, so a bomb costs neither its size in memory
    nor the time to inflate it. Pictures (``/Subtype /Image``) and embedded files are left out,
    as bidkit never decodes them (but for those the final writer does, see below). The file is
    read as bytes (streams are never inside other objects), so object streams are counted
    before any reader unpacks them. Filters given by
    reference are looked up (inflated as zlib data where that fails); LZW and run-length coding
    are left to the reading child's memory and time bounds."""
    total, position = 0, 0
    while total <= limit and (start := _STREAM_START.search(data, position)):
        end = data.find(b"endstream", start.end())
        end = len(data) if end < 0 else end
        position = end
        header = data[max(0, start.start() - 4096):start.start()]
        header = header[header.rfind(b"obj") + 1:]  # this object's dictionary
        filters = _FILTER.search(header)
        # Pictures and files bidkit never decodes, unless their data ends in a carriage return:
        # the final writer (bidkit.render.final._written) writes those anew, decoded.
        never_decoded = not data[max(start.end(), end - 3):end].rstrip(b"\n").endswith(b"\r")
        if filters is None or (never_decoded and (b"/Image" in header or b"/EmbeddedFile" in header)):
            continue
        names = filters.group(1)
        if filters.group(2):  # /Filter 7 0 R
            target = re.search(rb"(?<![0-9])%s\s+%s\s+obj\s*(\[[^\]]*\]|/[^\s/\[\]<>()]+)" % filters.group(2, 3), data)
            names = target.group(1) if target else b"/FlateDecode"
        names = re.findall(rb"/([^\s/\[\]<>()]+)", names)
        chunk = data[start.end():end]
        try:
            while names and names[0] in _SHRINKING:
                chunk = _SHRINKING[names.pop(0)](chunk)
        except (ValueError, binascii.Error):
            continue  # the reader fails on it (or reads little)
        inflated = 0
        flates = list(itertools.takewhile(lambda name: name in (b"FlateDecode", b"Fl"), names))
        if flates:
            chunks = iter([chunk])
            for _ in flates:
                chunks = _inflate(chunks)
            for piece in chunks:
                inflated += len(piece)
                if total + inflated > limit:
                    break
        total += inflated
    return total


def _inflate(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Zlib data inflated a step at a time (a broken stream ends where it breaks, as qpdf reads it)."""
    inflater = zlib.decompressobj()
    for chunk in chunks:
        while chunk and not inflater.eof:
            try:
                piece = inflater.decompress(chunk, _INFLATE_STEP)
            except zlib.error:
                return
            chunk = inflater.unconsumed_tail
            if piece:
                yield piece


def _describe(exc: Exception) -> str:
    """pypdf's message on one short line (it may quote bytes of the file)."""
    text = " ".join(str(exc).split())
    if isinstance(exc, KeyError):
        text = f"an entry {text} is missing"
    elif not text or type(exc).__module__.split(".")[0] != "pypdf":
        text = f"{type(exc).__name__}: {text}".rstrip(": ")
    return text if len(text) <= 120 else text[:119] + "…"


def _copy_without_active_content(data: bytes) -> PdfAnnexContent:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, NumberObject

    class UnencryptedReader(PdfReader):
        """Stops at an encrypted file before pypdf decrypts it (AES would need `cryptography`)."""

        def read(self, stream) -> None:
            super().read(stream)
            if "/Encrypt" in self.trailer:
                raise PdfAnnexError("it is encrypted", encrypted=True)

    reader = UnencryptedReader(io.BytesIO(data))
    root = reader.trailer.get("/Root")
    root = root.get_object() if root is not None else None
    # pypdf would search every object for another catalog, which can take minutes: a guess anyway
    if not isinstance(root, DictionaryObject) or root.get("/Type") != "/Catalog":
        raise PdfAnnexError("its catalog (/Root) is missing or damaged")
    if "/Collection" in root:  # a portfolio: its pages are a cover, its documents are embedded files
        names = root.get("/Names")
        names = names.get_object() if names is not None else None
        held = ", ".join(embedded_names(names)) if hasattr(names, "get") and "/EmbeddedFiles" in names else "none"
        raise PdfAnnexError(f"it is a PDF portfolio, whose documents ({held}) are files embedded in it, which are not "
                            "appended: save them as one PDF (Acrobat: 'Combine Files'), or name each as an annex")
    pages = _count_pages(root.get("/Pages"))
    removed = _document_active_content(root)
    writer = PdfWriter()
    writer.append(reader, import_outline=False)
    if len(writer.pages) != pages:
        raise PdfAnnexError(f"only {len(writer.pages)} of its {pages} pages can be read")
    for original, copy in zip(reader.pages, writer.pages):  # pypdf's append leaves out the link to the structure
        key = original.get("/StructParents")
        if isinstance(key, int):
            copy[NameObject("/StructParents")] = NumberObject(key)
    # What the final writer needs to keep the annex's claims (bidkit.render.final): its tags,
    # language, identification and output intent; cloned after the pages, so that the structure
    # tree points at the copied pages.
    for key in KEPT_CATALOG_ENTRIES:
        if key in root:
            writer.root_object[NameObject(key)] = root.raw_get(key).clone(writer)
    removed += _remove_active_content(writer.root_object)
    out = io.BytesIO()
    writer.write(out)
    from bidkit.render.final import repair_annex

    repaired, done = repair_annex(out.getvalue())
    return PdfAnnexContent(pages, tuple(removed), repaired, done)


def _count_pages(tree) -> int:
    """Pages of a page tree, walked without recursion; loops, depth and untyped nodes refused."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    count, seen = 0, set()
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_PAGE_TREE_DEPTH:
            raise PdfAnnexError(f"its page tree is nested deeper than {MAX_PAGE_TREE_DEPTH} levels")
        if isinstance(node, IndirectObject):
            if (node.idnum, node.generation) in seen:
                raise PdfAnnexError("its page tree refers to the same node twice (a loop, or a page with two parents)")
            seen.add((node.idnum, node.generation))
            node = node.get_object()
        if not isinstance(node, DictionaryObject):
            raise PdfAnnexError("its page tree holds something that is not a page")
        kind = node.get("/Type")
        if kind == "/Page":
            count += 1
        elif kind == "/Pages":
            kids = node.get("/Kids")
            kids = kids.get_object() if isinstance(kids, IndirectObject) else kids
            if not isinstance(kids, ArrayObject):
                raise PdfAnnexError("a node of its page tree has no list of pages (/Kids)")
            stack.extend((kid, depth + 1) for kid in reversed(kids))
        else:
            raise PdfAnnexError("a node of its page tree is neither /Type /Page nor /Pages")
    if not count:
        raise PdfAnnexError("it has no pages")
    return count


def _document_active_content(root) -> list[str]:
    """What the annex's catalog holds that runs or carries files; appending pages leaves it out."""
    found = []
    opening = root.get("/OpenAction")
    opening = opening.get_object() if opening is not None else None
    if hasattr(opening, "get") and _active(opening):
        found.append(f"{_active(opening)} on opening")
    if "/AA" in root:
        found.append("document actions (/AA)")
    names = root.get("/Names")
    names = names.get_object() if names is not None else None
    if hasattr(names, "get"):
        if "/JavaScript" in names:
            found.append("JavaScript")
        if "/EmbeddedFiles" in names:
            found.append(f"embedded files ({', '.join(embedded_names(names))})")
    return found


def embedded_names(names, most: int = 5) -> list[str]:
    """The names of (at most ``most`` of) the files a document's /Names embed, shown escaped."""
    from bidkit.paths import shown

    found: list[str] = []
    stack, seen = [names.get("/EmbeddedFiles")], 0
    while stack and len(found) < most and seen < 1000:
        node, seen = stack.pop(), seen + 1
        node = node.get_object() if node is not None else None
        if not hasattr(node, "get"):
            continue
        pairs = node.get("/Names")
        pairs = pairs.get_object() if pairs is not None else None
        for name in list(pairs)[0::2] if isinstance(pairs, list) else ():
            name = name.get_object()
            found.append(shown(name.decode("latin-1") if isinstance(name, bytes) else str(name)))
        kids = node.get("/Kids")
        kids = kids.get_object() if kids is not None else None
        stack.extend(reversed(list(kids)) if isinstance(kids, list) else ())
    return found[:most] + (["…"] if len(found) > most else []) if found else ["names unknown"]


def _active(obj) -> str | None:
    """What ``obj`` is if it is an active action or annotation (see the tables above), else None."""
    action = _value(obj, "/S")
    if action in ACTIVE_ACTIONS:
        return ACTIVE_ACTIONS[action]
    if action == "/Named" and _value(obj, "/N") not in PAGE_COMMANDS:
        return f"viewer command ({str(_value(obj, '/N') or '?').lstrip('/')[:20]})"
    if action == "/URI":
        uri = _value(obj, "/URI") or ""
        uri = (uri.decode("latin-1") if isinstance(uri, bytes) else str(uri)).strip()
        if not uri.lower().startswith(SAFE_URI_SCHEMES):
            scheme = uri.split(":", 1)[0][:20] if ":" in uri else ""
            return f"{scheme}: link" if scheme else "link without a scheme (a local file)"
    return ACTIVE_ANNOTATIONS.get(_value(obj, "/Subtype"))


def _value(obj, key: str):
    """The name or string ``obj[key]``, resolved when it is a reference (as a viewer does), else None."""
    value = obj.get(key)
    value = value.get_object() if value is not None else None
    return value if isinstance(value, (str, bytes)) else None  # a name, or a URI string


def _remove_active_content(root) -> list[str]:
    """Remove every active action and annotation and every /AA reachable from ``root``.

    Returns what went. A removed object is also emptied, so nothing else that points to it
    carries it into the submission.
    """
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    found = []
    acro_form = root.get("/AcroForm")
    acro_form = acro_form.get_object() if acro_form is not None else None
    if isinstance(acro_form, DictionaryObject) and "/XFA" in acro_form:
        del acro_form[NameObject("/XFA")]  # XFA forms carry their own scripts
        found.append("XFA form")
    containers = (IndirectObject, DictionaryObject, ArrayObject)  # numbers, names, strings hold nothing
    seen, removed, visits = set(), set(), 0
    compact = object()  # marks an array to drop removed entries from, once its items are done
    stack: list = [(None, None, root)]  # (container, key or index in it, value)
    while stack:
        container, key, value = stack.pop()
        if value is compact:
            container[:] = [item for item in container if item is not None]
            continue
        visits += 1
        if visits > MAX_OBJECTS:
            raise PdfAnnexError(f"it holds more than {MAX_OBJECTS} dictionaries and arrays")
        obj = value
        if isinstance(value, IndirectObject):
            ref = value.idnum, value.generation
            if ref in removed:
                _drop(container, key)
            if ref in seen:
                continue
            seen.add(ref)
            obj = value.get_object()
        if isinstance(obj, DictionaryObject):
            what = _active(obj) if container is not None else None
            if what:
                found.append(what)
                obj.clear()
                _drop(container, key)
                if isinstance(value, IndirectObject):
                    removed.add((value.idnum, value.generation))
                continue
            if "/AA" in obj:
                found.append("page actions (/AA)" if obj.get("/Type") == "/Page" else "form or annotation actions (/AA)")
                del obj[NameObject("/AA")]
            stack.extend((obj, k, v) for k, v in reversed(list(obj.items())) if isinstance(v, containers))
        elif isinstance(obj, ArrayObject):
            stack.append((obj, None, compact))
            stack.extend((obj, index, item) for index, item in reversed(list(enumerate(obj))) if isinstance(item, containers))
    return found


def _drop(container, key) -> None:
    """Take an entry out of a dictionary, or mark it in an array (compacted later)."""
    if isinstance(container, dict):
        del container[key]
    else:
        container[key] = None


# --- what the check concludes of a PDF annex, kept per content in the user's cache ----------

#: Verdicts kept at most; beyond, the oldest go (a verdict is a few hundred bytes).
MAX_VERDICTS = 2000
VERDICT_FORMAT = 4  # 2: bounded reading (decoded size, memory); verdicts of 1 may have accepted a bomb; 3: repaired; 4: signatures


@record(frozen=True)
class PdfAnnexVerdict:
    """What `bidkit check` concludes of a PDF annex (ANX003–ANX006), without the annex's bytes."""

    problem: str | None = None  # why it cannot be appended (PdfAnnexError.reason), else None
    encrypted: bool = False
    excessive: bool = False  # reading it would take more than bidkit allows (ANX007)
    pages: int = 0
    removed: str = ""  # PdfAnnexContent.removed_summary(): the active content left out
    repaired: str = ""  # ``summary`` of PdfAnnexContent.repaired: what was mended for PDF/A and PDF/UA
    #: Each variant whose claims appending the annex would make false, with the reasons, in
    #: the order of bidkit.render.final.CLAIMS (AnnexConformance.breaks).
    breaks: dict[str, list[str]] = field(default_factory=dict)
    signatures: int = 0  # digital signatures that cannot be kept (ANX010)


def pdf_annex_verdict(path: Path) -> PdfAnnexVerdict:
    """``read_pdf_annex`` and ``inspect_annex`` of the annex at ``path``, as the check reports them.

    A verdict is kept under the sha256 of the file's bytes and of the code that reached it
    (bidkit's version, this module, bidkit.render.final, the installed pypdf and pikepdf,
    Python's version), so that an annex read once is not read again until it or that code
    changes. Files that cannot be read, and verdicts of the moment (out of time or memory), are
    never kept. A cache folder that cannot be read or written is no cache.
    """
    return _verdict(path, *_identity(path))


def _identity(path: Path) -> tuple[int, int, int]:
    """Size, modification time and inode: what tells a file changed (as for ``read_pdf_annex``)."""
    try:
        stat = path.stat()
    except OSError:
        return -1, -1, -1
    return stat.st_size, stat.st_mtime_ns, stat.st_ino


@functools.lru_cache(maxsize=128)  # ANX003–ANX006 each ask for every annex
def _verdict(path: Path, size: int, mtime_ns: int, inode: int) -> PdfAnnexVerdict:
    entry = None
    if 0 <= size <= MAX_PDF_ANNEX_BYTES:
        try:
            data = read_regular(path, max_bytes=MAX_PDF_ANNEX_BYTES)
        except BidFileError:
            pass  # read_pdf_annex below says why
        else:
            entry = cache_dir() / "annexes" / f"{hashlib.sha256(_judge_fingerprint() + data).hexdigest()}.json"
            kept = _load_verdict(entry)
            if kept is not None:
                return kept
    try:
        content = read_pdf_annex(path)  # kept in this process for the build that follows the check
    except PdfAnnexError as exc:
        verdict = PdfAnnexVerdict(exc.reason, exc.encrypted, exc.excessive)
        if exc.transient:
            entry = None
    else:
        import bidkit.render.final  # noqa: F401 - imported once here (pikepdf), not again in each child
        from bidkit.limits import ChildFailed, in_child

        try:  # parses the pages' contents: bounded like the reading
            breaks = in_child(_inspected, content.data, seconds=MAX_READ_SECONDS,
                             memory=READ_MEMORY + READ_MEMORY_PER_BYTE * len(content.data))
        except ChildFailed as exc:
            verdict, entry = PdfAnnexVerdict(f"inspecting its pages {exc}", False, True), None
        except MemoryError:
            verdict, entry = PdfAnnexVerdict("inspecting its pages needs more memory than bidkit allows", False, True), None
        else:
            verdict = PdfAnnexVerdict(None, False, False, content.pages, content.removed_summary(), content.repaired_summary(),
                                      breaks, content.signatures)
    if entry is not None and _identity(path) == (size, mtime_ns, inode):  # what was read is what was hashed
        _store_verdict(entry, verdict)
    return verdict


def _inspected(data: bytes) -> dict[str, list[str]]:
    """What ``inspect_annex`` finds a clean copy breaks (PdfAnnexVerdict.breaks), run in a child."""
    from bidkit.render.final import inspect_annex

    conformance = inspect_annex(data)
    return {variant: conformance.breaks(variant) for variant in conformance.broken_variants()}


@functools.cache
def _judge_fingerprint() -> bytes:
    """What a verdict depends on besides the file: the judging code and the libraries, as installed."""
    import importlib.util

    from bidkit import __version__

    parts = [f"verdict {VERDICT_FORMAT}", __version__, sys.version]
    files = [Path(__file__), Path(__file__).parent / "render" / "final.py"]
    for library in ("pypdf", "pikepdf"):
        spec = importlib.util.find_spec(library)
        files.append(Path(spec.origin) if spec and spec.origin else Path(library))
    for file in files:
        try:
            stat = file.stat()
            parts.append(f"{file}:{stat.st_size}:{stat.st_mtime_ns}")
        except OSError:
            parts.append(f"{file}:-")
    return "\n".join(parts).encode() + b"\n\0"


def _load_verdict(entry: Path) -> PdfAnnexVerdict | None:
    """The kept verdict, or None when there is none or it is not one (a damaged entry is a miss)."""
    try:
        data = json.loads(entry.read_bytes())
        verdict = PdfAnnexVerdict(**data)
    except (OSError, ValueError, TypeError):
        return None
    sound = (
        (verdict.problem is None or isinstance(verdict.problem, str)) and isinstance(verdict.encrypted, bool)
        and isinstance(verdict.excessive, bool)
        and isinstance(verdict.pages, int) and isinstance(verdict.removed, str) and isinstance(verdict.repaired, str)
        and isinstance(verdict.breaks, dict) and type(verdict.signatures) is int
        and all(isinstance(k, str) and isinstance(v, list) and all(isinstance(r, str) for r in v)
                for k, v in verdict.breaks.items())
    )
    return verdict if sound else None


def _store_verdict(entry: Path, verdict: PdfAnnexVerdict) -> None:
    """Write the entry whole or not at all; drop the oldest beyond MAX_VERDICTS."""
    from bidkit.fileio import cache_write, prune_oldest

    if cache_write(entry, json.dumps(asdict(verdict), ensure_ascii=False).encode("utf-8")):
        prune_oldest(entry.parent, "*.json", MAX_VERDICTS)
