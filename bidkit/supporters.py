"""The register of supporters: a CSV or XLSX file inside the bid folder, one supporter a row.

``supporters: {file: unterstuetzer.csv}`` in bid.yaml names it. Columns, by a header row in
German or English: ``name``/``Name``, ``kind``/``Art``, ``place``/``Ort``, ``date``/``Datum``
and optionally ``file``/``Scan`` (the scanned letter, relative to the bid folder). The check
(SUP rules) and the build read it with the same function, through ``bidkit.paths`` like every
file a bid names. A cell bidkit cannot read exactly (a date such as ``1.3.17`` or ``März 2017``,
a kind it does not know) is a problem at its row, never a guess.

Scans (column Scan) are PDFs: ``read_scans`` reads each one the way annexes are read
(``bidkit.annexes.read_pdf_annex``: resolved inside the bid folder, encrypted, damaged or
renamed files refused, active content removed), for the check (SUP003, SUP005) and the build,
which appends them as one annex "Unterstützungsschreiben" with a bookmark per letter. Images
(JPEG, PNG) are refused with a finding rather than converted: a scanner or `img2pdf` makes the
PDF, and bidkit decodes no untrusted images and guesses no page size.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import marshal
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import field
from pathlib import Path

from bidkit.annexes import PdfAnnexContent, PdfAnnexError, read_pdf_annex
from bidkit.findings import Location
from bidkit.models import SUPPORTER_KIND_TITLES, SupporterRegister
from bidkit.paths import BidFileError, bid_file, read_regular
from bidkit.records import from_fields, record

MAX_BYTES = 20_000_000

#: Header names (lower case) → column.
COLUMNS = {
    "name": "name", "kind": "kind", "art": "kind", "typ": "kind", "place": "place", "ort": "place",
    "date": "date", "datum": "date", "file": "file", "scan": "file", "datei": "file",
    "private": "private", "privat": "private",
}
REQUIRED = ("name", "kind", "place", "date")
#: The title of the annex the scans make together (its bookmark: "Anlage N: Unterstützungsschreiben").
SCANS_TITLE = "Unterstützungsschreiben"

#: Cell values (lower case) → kind; the English keys and the German words teams write.
KINDS = {
    **{kind: kind for kind in SUPPORTER_KIND_TITLES},
    "public body": "public_body",
    "bürger": "citizen", "bürgerin": "citizen", "bürgerin/bürger": "citizen", "privatperson": "citizen",
    "verein": "association", "initiative": "association", "verband": "association",
    "unternehmen": "company", "firma": "company",
    "hochschule": "research", "forschung": "research", "wissenschaft": "research",
    "öffentliche stelle": "public_body", "behörde": "public_body", "kommune": "public_body",
}

def _kind_words() -> tuple[str, str]:
    """The kinds as the register's German headers expect them: the first word of each kind, and
    every word bidkit reads, grouped by kind (``Verein, Initiative, Verband``)."""
    groups: dict[str, list[str]] = {}
    for word, kind in KINDS.items():
        if word not in SUPPORTER_KIND_TITLES and word != "public body":
            groups.setdefault(kind, []).append(word.title())
    return ", ".join(words[0] for words in groups.values()), "; ".join(", ".join(words) for words in groups.values())


KIND_NAMES, KIND_WORDS = _kind_words()
#: A character no person types into a cell (NUL, ESC, line breaks, …): refused, never printed.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

#: Cells of the optional column Privat/private: the supporter's name stays out of public variants.
PRIVATE_CELLS = {"ja": True, "yes": True, "x": True, "true": True, "nein": False, "no": False, "false": False, "": False}

_GERMAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@record(frozen=True)
class Supporter:
    line: int  # CSV: the line the row starts on; XLSX: the sheet's row number
    name: str
    kind: str  # a key of SUPPORTER_KIND_TITLES
    place: str
    date: dt.date
    file: str | None
    private: bool = False  # column Privat: the name stays out of public variants (citizens always do)
    #: column → its cell in this row (``unterstuetzer.xlsx:Tabelle1!D5``), for findings at the cell.
    cells: dict[str, Location] = field(default_factory=dict, compare=False)


@record(frozen=True)
class RegisterProblem:
    line: int | None  # None: the file as a whole
    message: str
    hint: str
    location: Location | None = None  # the cell at fault (or the row's first), as ``bidkit.sheets`` locates it


@record(frozen=True)
class Register:
    file: str  # as the bid names it
    path: Path | None  # resolved inside the bid folder; None when it cannot be read
    supporters: list[Supporter]
    problems: list[RegisterProblem]
    missing: bool = False  # the file is not there, or not inside the bid folder

    @property
    def where(self) -> str:
        """``unterstuetzer.xlsx`` (row N) or ``unterstuetzer.csv`` (line N) in messages."""
        return "row" if self.file.lower().endswith(".xlsx") else "line"


def read_register(bid_dir: Path, register: SupporterRegister) -> Register:
    """Every supporter of the register and every problem of its rows (all at once)."""
    try:
        path = bid_file(bid_dir, register.file, max_bytes=MAX_BYTES)
        data = read_regular(path, max_bytes=MAX_BYTES)
    except BidFileError as exc:
        return Register(register.file, None, [], [RegisterProblem(None, exc.message, "Put the register into the bid folder and name it relative to the folder.")], missing=True)
    return _parsed(register.file, path, data)


@functools.lru_cache(maxsize=8)
def _parsed(file: str, path: Path, data: bytes) -> Register:
    """The register in ``data``, parsed once per content: a build asks for it from its inputs,
    annexes, context and variant, a check from its rules (a workbook of 500 rows takes openpyxl
    a noticeable time); a register read before comes from the user's cache folder (``_cached``).
    Callers treat the result as read-only."""
    entry = _entry(file, path, data)
    register = _cached(entry, file, path)
    if register is None:
        register = _read(file, path, data)
        _keep(entry, register)
    return register


def _read(file: str, path: Path, data: bytes) -> Register:
    """The register in ``data``, parsed."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".xlsx"):
        rows, problems = _rows(path, data)
    else:
        return Register(file, path, [], [RegisterProblem(None, f"'{file}' is neither a .csv nor a .xlsx file",
                                                         "Save the register as CSV (UTF-8) or as Excel workbook (.xlsx).")])
    supporters: list[Supporter] = []
    rows = [row for row in rows if not _empty(row[1])]
    if rows:
        header_line, header, _ = rows[0]
        columns, header_problems = _columns(header_line, header)
        problems += header_problems
        if not header_problems:
            names = [str(cell or "").strip() for cell in header]
            while names and not names[-1]:
                names.pop()
            for line, cells, places in rows[1:]:
                supporter = _supporter(line, cells, columns, problems, places, names, csv=suffix == ".csv")
                if supporter:
                    supporters.append(supporter)
    elif not problems:
        problems.append(RegisterProblem(None, f"'{file}' holds no rows", "Write a header row (Name, Art, Ort, Datum, Scan) and one row per supporter."))
    return Register(file, path, supporters, problems)


def _rows(path: Path, data: bytes) -> tuple[list[tuple[int, list, list[Location]]], list[RegisterProblem]]:
    """(line, values, cells) per row, through the same reader as the budget's tables (``bidkit.sheets``):
    CSV in UTF-8 with ';' or ','; a workbook's first sheet, its size bounded before it is opened."""
    from bidkit import sheets

    try:
        rows = sheets.csv_rows(path, data) if path.suffix.lower() == ".csv" else sheets.xlsx_rows(path, data, sheets.FIRST_SHEET)
    except sheets.SheetError as exc:
        return [], [RegisterProblem(exc.location.line, exc.message, exc.hint, exc.location)]
    return [(row[0].location.line, [cell.value for cell in row], [cell.location for cell in row]) for row in rows if row], []


def _empty(cells: list) -> bool:
    return all(cell in (None, "") for cell in cells)


def _cell(value):
    if isinstance(value, str):
        return value.strip()
    return value


def _columns(line: int, header: list) -> tuple[dict[str, int], list[RegisterProblem]]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        column = COLUMNS.get(str(cell or "").strip().lower())
        if column and column not in columns:
            columns[column] = index
    lacking = [c for c in REQUIRED if c not in columns]
    if lacking:
        return columns, [RegisterProblem(line, f"the header row lacks the column(s) {', '.join(lacking)}",
                                         "The first row names the columns: Name, Art, Ort, Datum and optionally Scan.")]
    return columns, []


def _cut(cell: str) -> str:
    """A cell quoted in a message: its first 30 characters when it is longer than 40."""
    return cell if len(cell) <= 40 else cell[:30] + "…"


def _supporter(line: int, cells: list, columns: dict[str, int], problems: list[RegisterProblem],
               places: list[Location], header: list[str], *, csv: bool) -> Supporter | None:
    def cell(column: str):
        index = columns.get(column)
        return cells[index] if index is not None and index < len(cells) and index not in refused else None

    def at(column: str) -> Location | None:
        index = columns.get(column)
        return places[index] if index is not None and index < len(places) else (places[0] if places else None)

    found = len(problems)
    filled = len(cells)
    while filled and cells[filled - 1] in (None, ""):
        filled -= 1
    if csv and len(cells) < len(header):  # a row cut off, or a ';' missing: no cell is where its header says
        problems.append(RegisterProblem(
            line, f"the row has {len(cells)} of {len(header)} columns ({';'.join(header)})",
            "Write every column of the header row, empty ones as ';;': a separator is missing or the row is cut off.",
            places[0] if places else None))
        return None
    if filled > len(header) if not csv else len(cells) > len(header):
        problems.append(RegisterProblem(
            line, f"the row has {len(cells) if csv else filled} columns, the header row {len(header)} ({';'.join(header)})",
            "Write one value per column of the header row; a ';' inside a value needs quotes (\"Verein; e.V.\").",
            places[len(header)] if len(places) > len(header) else (places[0] if places else None)))
    refused: set[int] = set()
    # one search of the row's texts (a space is no control character), and cell by cell only where it finds one
    row_text = " ".join(value for value in cells if isinstance(value, str))
    for index, value in enumerate(cells if _CONTROL.search(row_text) else ()):
        if isinstance(value, str) and (control := _CONTROL.search(value)):
            refused.add(index)
            column = header[index] if index < len(header) else f"column {index + 1}"
            problems.append(RegisterProblem(
                line, f"the cell {column} holds the control character U+{ord(control.group()):04X}, which is no text",
                "Retype the cell: control characters come from copying out of other programs or from a damaged file.",
                places[index] if index < len(places) else None))
    name, place = str(cell("name") or "").strip(), str(cell("place") or "").strip()
    if not name and columns.get("name") not in refused:
        problems.append(RegisterProblem(line, "the supporter has no name", "Fill in the name, or delete the row.", at("name")))
    raw_kind = str(cell("kind") or "").strip()
    kind = KINDS.get(raw_kind.lower())
    if kind is None and columns.get("kind") not in refused:
        shown = _cut(raw_kind)
        problems.append(RegisterProblem(line, (f"Art '{shown}' is none of the kinds bidkit reads: {KIND_NAMES}" if shown
                                         else f"Art is empty: give one of the kinds {KIND_NAMES}"),
                                        f"Write one of: {KIND_WORDS} (or the English keys {', '.join(SUPPORTER_KIND_TITLES)}).",
                                        at("kind")))
    day = parse_date(cell("date"))
    if day is None and columns.get("date") not in refused:
        shown = _cut(str(cell("date") or ""))
        problems.append(RegisterProblem(line, f"date '{shown}' is no exact date" if shown else "the date is empty",
                                        "Write the date as TT.MM.JJJJ (e.g. 01.03.2017) or format the cell as date.", at("date")))
    scan = str(cell("file") or "").strip() or None
    private = PRIVATE_CELLS.get(str(cell("private") or "").strip().lower())
    if private is None:
        problems.append(RegisterProblem(line, f"Privat '{_cut(str(cell('private')))}' is neither ja nor nein",
                                        "Write ja (the name stays out of public variants) or nein, or leave the cell empty.",
                                        at("private")))
    if len(problems) > found:
        return None
    # each column's cell (``at``, for a column the header names), or the row's first when the row is shorter
    first = places[0] if places else None
    return Supporter(line, name, kind, place, day, scan, private,
                     {column: places[index] if index < len(places) else first for column, index in columns.items()})


def parse_date(value) -> dt.date | None:
    """A date written exactly (``01.03.2017``, ``1.3.2017``, ``2017-03-01``, a date cell), else None.

    Two-digit years, month names and spreadsheet serial numbers are refused: they could be read
    more than one way.
    """
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else None
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    for pattern, order in ((_GERMAN_DATE, (2, 1, 0)), (_ISO_DATE, (0, 1, 2))):
        match = pattern.fullmatch(value.strip())
        if match:
            parts = [int(p) for p in match.groups()]
            try:
                return dt.date(parts[order[0]], parts[order[1]], parts[order[2]])
            except ValueError:
                return None
    return None


def duplicate_key(supporter: Supporter) -> tuple[str, str]:
    """Two rows with the same name at the same place are the same supporter."""
    return (" ".join(supporter.name.lower().split()), " ".join(supporter.place.lower().split()))


@record(frozen=True)
class Scan:
    """A supporter's scan as the build appends it, or why it cannot be appended."""

    supporter: Supporter
    content: PdfAnnexContent | None  # None: see ``problem``
    problem: str | None = None  # e.g. "'scans/a.pdf' is encrypted"


def scan_path(bid_dir: Path, supporter: Supporter) -> Path:
    """The PDF file of ``supporter``'s scan, through the one resolver; ``BidFileError`` says why not."""
    path = bid_file(bid_dir, supporter.file)
    if path.suffix.lower() != ".pdf":
        raise BidFileError(f"'{supporter.file}' is not a PDF (scans are appended as PDF pages; images are not converted)",
                           reason="invalid")
    return path


def unreadable_scan(supporter: Supporter, encrypted: bool, reason: str) -> str:
    return f"'{supporter.file}' is encrypted" if encrypted else f"'{supporter.file}' is not a readable PDF: {reason}"


def read_scans(bid_dir: Path, register: Register) -> list[Scan]:
    """Each scan the register names, in the register's order, read as PDF annexes are read."""
    scans = []
    for supporter in register.supporters:
        if supporter.file is None:
            continue
        try:
            scans.append(Scan(supporter, read_pdf_annex(scan_path(bid_dir, supporter))))
        except BidFileError as exc:
            scans.append(Scan(supporter, None, exc.message))
        except PdfAnnexError as exc:
            scans.append(Scan(supporter, None, unreadable_scan(supporter, exc.encrypted, exc.reason)))
    return scans


# --- registers read before, kept in the user's cache folder ---------------------------------------
# Parsing a register of 500 rows makes some 6,000 records (cells, places, supporters): ~100 M instructions
# of every check of such a bid, for a file that rarely changes. The parsed register is kept as marshal
# data (reading it runs no code) under the sha256 of the file's bytes, its name and path and of what
# parsing depends on (``_fingerprint``), with its own sha256 in front: a damaged entry is a miss.
# tests/test_chk9_register_cache.py holds a kept register to a parsed one.

#: Bumped when the kept form changes.
CACHE_FORMAT = 1
#: Entries kept at most; beyond, the oldest written go.
MAX_CACHED = 200
_MAGIC = b"bidkit register\n"
#: The modules whose code shapes a parsed register (besides Python's csv and openpyxl).
_SHAPING = ("supporters", "sheets", "models", "findings", "records", "paths")


@functools.cache
def _fingerprint() -> bytes:
    """What a parsed register depends on besides the file: bidkit's version and the code of the modules
    that parse it (their size and time, as ``bidkit.yamlio`` keys its cache), Python's version (csv) and
    openpyxl as installed (a workbook)."""
    from importlib.util import find_spec

    from bidkit import __version__

    parts = [f"register {CACHE_FORMAT}", __version__, sys.version]
    folder = Path(__file__).parent
    try:
        spec = find_spec("openpyxl")
        openpyxl = spec.origin if spec else None
    except (ImportError, ValueError):
        openpyxl = None
    for name, file in (*((name, folder / f"{name}.py") for name in _SHAPING), ("openpyxl", openpyxl)):
        try:
            stat = os.stat(file)  # type: ignore[arg-type]
            parts.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
        except (TypeError, OSError):
            parts.append(f"{name}:-")
    return "\n".join(parts).encode() + b"\n\0"


def _entry(file: str, path: Path, data: bytes) -> Path | None:
    """Where the register parsed from ``data`` (named ``file``, at ``path``) is kept."""
    from bidkit.paths import cache_dir

    try:
        folder = cache_dir()
    except RuntimeError:  # no home folder to find the cache folder in: no cache
        return None
    names = f"{file}\0{path}\0".encode("utf-8", "surrogatepass")
    return folder / "supporters" / f"{hashlib.sha256(_fingerprint() + names + data).hexdigest()}.bin"


def _cached(entry: Path | None, file: str, path: Path) -> Register | None:
    """The register kept at ``entry``, or None: none kept, or not a whole one (a damaged entry is a miss)."""
    from bidkit.fileio import read_sealed

    if (payload := read_sealed(entry, _MAGIC)) is None:
        return None
    try:
        return _decoded(marshal.loads(payload), file, path)
    except Exception:  # noqa: BLE001 - whatever it holds, an entry that does not decode is a miss
        return None


def _keep(entry: Path | None, register: Register) -> None:
    """Keep ``register`` at ``entry`` when it reads back the same, whole or not at all."""
    from bidkit.fileio import prune_oldest, write_sealed

    if entry is None:
        return
    try:
        payload = marshal.dumps(_encoded(register))
        if not same_register(_decoded(marshal.loads(payload), register.file, register.path), register):
            return
    except (TypeError, ValueError):  # a value marshal does not write (a workbook's cell of another type)
        return
    if write_sealed(entry, _MAGIC, payload):
        prune_oldest(entry.parent, "*.bin", MAX_CACHED)


def same_register(one: Register, other: Register) -> bool:
    """Equal registers, the places of their supporters' cells included (``Supporter.cells`` is no part of
    a supporter's equality)."""
    return one == other and [s.cells for s in one.supporters] == [s.cells for s in other.supporters]


def _encoded(register: Register) -> tuple:
    """``register`` as plain data; a place in the register's own file as its fields without the file."""
    path = register.path

    def place(location: Location | None):
        if location is None:
            return None
        if location.file is not path and location.file != path:
            raise ValueError("a place in another file")
        return (location.line, location.column, location.sheet, location.cell)

    def day(date: dt.date | None):
        if date is None:
            return None
        if type(date) is not dt.date:
            raise ValueError("a date of another type")
        return date.toordinal()

    supporters = tuple((s.line, s.name, s.kind, s.place, day(s.date), s.file, s.private,
                        tuple((column, place(cell)) for column, cell in s.cells.items()))
                       for s in register.supporters)
    problems = tuple((p.line, p.message, p.hint, place(p.location)) for p in register.problems)
    return (supporters, problems, register.missing)


def _decoded(data: tuple, file: str, path: Path) -> Register:
    """The register ``_encoded`` wrote (the places in the file at ``path``)."""
    supporters, problems, missing = data

    def place(fields) -> Location | None:
        return None if fields is None else Location(path, *fields)

    date = dt.date.fromordinal
    return Register(file, path, from_fields(Supporter, [
        (line, name, kind, where, None if day is None else date(day), scan, private, _Places(path, cells))
        for line, name, kind, where, day, scan, private, cells in supporters
    ]), [RegisterProblem(line, message, hint, place(location)) for line, message, hint, location in problems], missing)


class _Places(Mapping):
    """A kept supporter's ``cells``: each column's place made when a finding asks for it (a register of
    500 rows has some thousands of places, and a check reports at a few)."""

    __slots__ = ("_path", "_cells")

    def __init__(self, path: Path, cells: tuple) -> None:
        self._path, self._cells = path, cells  # (column, (line, column, sheet, cell) or None) per column

    def __getitem__(self, column: str) -> Location | None:
        for name, fields in self._cells:
            if name == column:
                return None if fields is None else Location(self._path, *fields)
        raise KeyError(column)

    def __iter__(self):
        return (name for name, _ in self._cells)

    def __len__(self) -> int:
        return len(self._cells)

    def __repr__(self) -> str:
        return repr(dict(self.items()))
