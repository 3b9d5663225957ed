"""Tables from spreadsheets: the cells of a CSV file or an Excel workbook, each with its place.

A bid may keep a year's cost items and funding sources and a goal's KPIs in a spreadsheet
(``costs_file``, ``funding_file``, ``kpis_file``; layouts in README, "Spreadsheets in"). This
module reads such a table: it finds the header row by its column names (German or English),
takes the rows below it up to the first empty row or a sum row (``Summe …``, ``Gesamt …``), and
turns each cell into the plain value the models read — or into a located problem.

Every cell keeps its ``Location`` (file, sheet, row, column: ``kosten.xlsx:Kosten!C7``), so that
a finding about an imported value points at the cell, like one about a YAML value points at its
line. Numbers are read exactly or refused: a number cell with more decimals than the field has
(a float artefact such as 0.30000000000000004 included), a text cell that is not a German or
plain amount (``1.500`` could be 1500 or 1.5), a formula whose value the file does not hold.

Workbooks are untrusted: the file comes through ``bidkit.paths`` with a size limit; the archive
is checked before openpyxl opens it (entries, unpacked size: no zip bomb), rows and columns are
bounded, and a formula that refers to another workbook is refused rather than its cached value
believed. A formula's value is the one Excel or LibreOffice stored beside it (read by the same
rules as a typed value); a formula without one (a file written by a script) is refused.

``Spreadsheets`` serves one load of a bid (each workbook opened once); the supporters' register
(``bidkit.supporters``) reads its rows with ``csv_rows``/``xlsx_rows`` as well.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import functools
import io
import re
from dataclasses import field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable

from bidkit.findings import Location
from bidkit.models import scaled_amount
from bidkit.paths import BidFileError, bid_file, read_regular
from bidkit.records import record

#: A spreadsheet larger than this is refused (a budget table is a few hundred KB at most).
MAX_BYTES = 20_000_000
#: An .xlsx archive that unpacks to more than this, or holds more entries, is refused (zip bomb).
MAX_UNPACKED = 60_000_000
MAX_ENTRIES = 2_000
#: Rows and columns read at most; a table beyond them is refused, not cut.
MAX_ROWS = 50_000
MAX_COLUMNS = 64
#: Labels in the name column that end a table: the sum row under the items (as ``bidkit export`` writes).
SUM_LABELS = ("summe", "summen", "gesamt", "gesamtsumme", "insgesamt", "zwischensumme", "teilsumme", "endsumme",
              "total", "sum", "subtotal")


class SheetError(Exception):
    """A table that cannot be read as a whole (file, sheet, header); ``location`` says where.

    ``refused`` is the reason of ``bidkit.paths`` when the file itself is not read (missing, outside…)."""

    def __init__(self, message: str, hint: str, location: Location, *, refused: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.location = location
        self.refused = refused


class CellError(ValueError):
    """A cell whose value cannot be read exactly; the caller adds the cell's place."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@record(frozen=True)
class Cell:
    value: Any  # None, str (stripped), int, float, bool, datetime
    location: Location
    formula: str | None = None  # the formula of a workbook cell that holds one
    merged: str | None = None  # the merged range (B2:B3) whose value another cell holds

    @property
    def empty(self) -> bool:
        return (self.value is None or self.value == "") and self.formula is None


@record(frozen=True)
class Column:
    """A column a table may have: the field it fills, the header names it goes by, how a cell is read."""

    name: str  # the field (or a filter such as ``year``)
    headers: tuple[str, ...]  # accepted header texts, compared by ``header_key``
    read: Callable[[Any], Any]
    required: bool = False


@record
class Table:
    """The rows of a table below its header: field → cell per row (empty cells left out)."""

    file: str
    header: Location  # the header row's first named cell
    rows: list[dict[str, Cell]] = field(default_factory=list)
    columns: dict[str, int] = field(default_factory=dict)  # field → 0-based index
    header_names: dict[str, str] = field(default_factory=dict)  # field → the header as the table writes it


    def place(self, row: dict[str, Cell], name: str) -> Location:
        """The cell of column ``name`` in ``row``, also when it is empty (and so not in the row)."""
        if name in row:
            return row[name].location
        some = next(iter(row.values())).location
        number = re.sub(r"^[A-Z]+", "", some.cell or "")
        column = self.columns[name] + 1
        return dataclasses.replace(some, column=column, cell=f"{column_letter(column)}{number}")


@functools.cache  # asked once per cell of a table or register, of a handful of columns
def column_letter(index: int) -> str:
    """1 → ``A``, 27 → ``AA``."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def header_key(text: Any) -> str:
    """``Betrag (€)``, ``Betrag in EUR`` and `` betrag `` all → ``betrag``; ``Maßnahme`` → ``massnahme``."""
    text = str(text or "").strip().lower().replace("ß", "ss")
    text = re.sub(r"\((?:€|eur|euro)\)|\bin (?:€|eur|euro)(?!\w)|€", "", text)
    return re.sub(r"[\s_]+", " ", text).strip(" :.")


# --- reading the file ----------------------------------------------------------------------

class Spreadsheets:
    """The spreadsheets of one load of a bid: each file read and each workbook opened once, each
    sheet's rows built once (an exported workbook serves every year and every goal)."""

    def __init__(self, bid_dir: Path) -> None:
        self.bid_dir = bid_dir
        self._rows: dict[tuple[str, str | None], list[list[Cell]] | SheetError] = {}
        self._books: dict[Path, tuple[Any, Any]] = {}

    def table(self, file: str, sheet: str | None, columns: list[Column]) -> Table:
        """The table of ``columns`` in ``file`` (and ``sheet`` of a workbook); raises ``SheetError``."""
        key = (file, sheet)
        if key not in self._rows:
            try:
                self._rows[key] = self._read(file, sheet)
            except SheetError as exc:
                self._rows[key] = exc
        rows = self._rows[key]
        if isinstance(rows, SheetError):
            raise rows
        named = next((cell.location.sheet for row in rows for cell in row), sheet)  # the only sheet, when none was named
        return _table(file, self.bid_dir / file, rows, columns, named)

    def _read(self, file: str, sheet: str | None) -> list[list[Cell]]:
        try:
            path = bid_file(self.bid_dir, file, max_bytes=MAX_BYTES)
        except BidFileError as exc:
            raise SheetError(exc.message, "Put the spreadsheet into the bid folder and name it relative to the folder.",
                             Location(self.bid_dir / file), refused=exc.reason) from None
        suffix = path.suffix.lower()
        if suffix == ".csv":
            if sheet is not None:
                raise SheetError(f"'{file}' is a CSV file and has no sheets; `sheet: {sheet}` does not apply",
                                 "Remove `sheet:`, or name the workbook (.xlsx) that holds the sheet.", Location(path))
            return csv_rows(path, _read_bytes(path))
        if suffix == ".xlsx":
            if path not in self._books:
                self._books[path] = open_workbook(path, _read_bytes(path))
            return sheet_rows(path, self._books[path], sheet)
        raise SheetError(f"'{file}' is neither a .csv nor a .xlsx file",
                         "Save the table as Excel workbook (.xlsx) or as CSV (UTF-8).", Location(path))

    def close(self) -> None:
        for books in self._books.values():
            for book in books:
                book.close()
        self._books.clear()


def _read_bytes(path: Path) -> bytes:
    try:
        return read_regular(path, max_bytes=MAX_BYTES)
    except BidFileError as exc:
        raise SheetError(exc.message, "Put the spreadsheet into the bid folder as a regular file.", Location(path),
                         refused=exc.reason) from None


def csv_rows(path: Path, data: bytes) -> list[list[Cell]]:
    """Every record of a CSV file (UTF-8; ``;``, ``,`` or a tab, as German and English Excel and
    "Unicode text" exports write them: the header line's most frequent of the three)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[:exc.start]
        line, column = before.count(b"\n") + 1, exc.start - (before.rfind(b"\n") + 1) + 1
        try:  # German Excel's „CSV (Trennzeichen-getrennt)“ writes Windows-1252: show the letter as it meant it
            meant = f" ('{data[exc.start:exc.start + 1].decode('cp1252')}' in Windows-1252, as Excel's "\
                    "'CSV (Trennzeichen-getrennt)' writes it)"
        except UnicodeDecodeError:
            meant = ""
        raise SheetError(f"'{path.name}' is not UTF-8 text: byte 0x{data[exc.start]:02X} at line {line}, column {column}{meant}",
                         "Save it as 'CSV UTF-8 (durch Trennzeichen getrennt)'.", Location(path, line, column)) from None
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)  # on a tie the first
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[Cell]] = []
    line = 1
    letters = [column_letter(n) for n in range(1, MAX_COLUMNS + 1)]  # once per file, not per cell
    try:
        for number, values in enumerate(reader, start=1):
            if number > MAX_ROWS:
                raise SheetError(f"'{path.name}' has more than {MAX_ROWS} rows", "Keep one table of the bid in the file.",
                                 Location(path, line))
            # Location(file, line, column, sheet, cell) and Cell(value, location, formula, merged) by position,
            # every field given: keywords or defaults cost a record a third more.
            rows.append([Cell(value.strip(), Location(path, line, n, None, f"{letters[n - 1]}{number}"), None, None)
                         for n, value in enumerate(values[:MAX_COLUMNS], start=1)])
            line = reader.line_num + 1
    except csv.Error as exc:
        raise SheetError(f"'{path.name}' cannot be read as CSV: {exc}", "Check the quotes in this line.", Location(path, line)) from None
    return rows


#: ``xlsx_rows(…, FIRST_SHEET)``: the workbook's first sheet, however many it has (the supporters' register).
FIRST_SHEET = 0


def xlsx_rows(path: Path, data: bytes, sheet: str | int | None) -> list[list[Cell]]:
    """Every row of one worksheet: cached values, with the formula of each cell that holds one."""
    books = open_workbook(path, data)
    try:
        return sheet_rows(path, books, sheet)
    finally:
        for book in books:
            book.close()


def open_workbook(path: Path, data: bytes) -> tuple[Any, Any]:
    """The workbook twice, read-only: with the values Excel stored, and with the formulas."""
    _check_archive(path, data)
    from openpyxl import load_workbook

    try:
        return (load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False),
                load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False))
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise SheetError(f"'{path.name}' cannot be read as a workbook ({type(exc).__name__})",
                         "Open it in Excel or LibreOffice and save it again as Excel workbook (.xlsx).", Location(path)) from None


def sheet_rows(path: Path, books: tuple[Any, Any], sheet: str | int | None) -> list[list[Cell]]:
    values_book, formula_book = books
    names = values_book.sheetnames
    if sheet == FIRST_SHEET and names:
        sheet = names[0]
    if sheet is None:
        if len(names) != 1:
            hidden = {name for name in names if getattr(values_book[name], "sheet_state", "visible") != "visible"}
            shown = ", ".join(f"{name} (hidden)" if name in hidden else name for name in names)
            suggested = next((name for name in names if name not in hidden), names[0] if names else "…")
            raise SheetError(f"'{path.name}' has {len(names)} sheets ({shown}); which one holds the table?",
                             "Name the sheet: `{file: " + path.name + ", sheet: " + suggested + "}`.", Location(path))
        sheet = names[0]
    elif sheet not in names:
        raise SheetError(f"'{path.name}' has no sheet '{sheet}'; its sheets: {', '.join(names)}",
                         "Name one of the workbook's sheets (case and spaces as the tab shows them).", Location(path))
    try:
        values = _bounded_rows(values_book[sheet], path)
        formulas = _bounded_rows(formula_book[sheet], path)
    except SheetError:
        raise
    except Exception as exc:
        raise SheetError(f"'{path.name}', sheet '{sheet}' cannot be read ({type(exc).__name__})",
                         "Open it in Excel or LibreOffice and save it again as Excel workbook (.xlsx).",
                         Location(path, sheet=sheet)) from None
    merged = _merged_away(values_book[sheet])
    rows = []
    for number, (row, row_formulas) in enumerate(zip(values, formulas), start=1):
        used = max((n for n, v in enumerate(row, 1) if v is not None), default=0)
        used = max([used] + [n for n, f in enumerate(row_formulas, 1) if f is not None])
        cells = []
        for n, value in enumerate(row[:used], start=1):
            text = row_formulas[n - 1] if n <= len(row_formulas) else None
            formula = text if isinstance(text, str) and text.startswith("=") else None
            if hasattr(text, "text"):  # an array formula
                formula = "=" + str(text.text)
            ref = f"{column_letter(n)}{number}"
            cells.append(Cell(value.strip() if isinstance(value, str) else value,
                              Location(path, number, n, sheet=sheet, cell=ref), formula, merged.get(ref)))
        rows.append(cells)
    return rows


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})"')


def _merged_away(worksheet) -> dict[str, str]:
    """The cells of merged ranges other than the first (which alone holds the value): ``{"B3": "B2:B3"}``.
    openpyxl's read-only sheets do not read merged ranges: they are taken from the sheet's XML
    (``_get_source``, openpyxl 3.1); a sheet without it has none."""
    from openpyxl.utils import column_index_from_string

    source = getattr(worksheet, "_get_source", None)
    if source is None:
        return {}
    with source() as xml:
        data = xml.read(MAX_UNPACKED + 1)
    away: dict[str, str] = {}
    for match in _MERGE.finditer(data):
        first, top, last, bottom = (part.decode() for part in match.groups())
        columns = range(column_index_from_string(first), min(column_index_from_string(last), MAX_COLUMNS) + 1)
        rows = range(int(top), min(int(bottom), MAX_ROWS + 1) + 1)
        if len(columns) * len(rows) > MAX_ROWS * 4:
            continue  # a whole-sheet merge says nothing of a table's cells
        for row in rows:
            for column in columns:
                ref = f"{column_letter(column)}{row}"
                if ref != f"{first}{top}":
                    away[ref] = f"{first}{top}:{last}{bottom}"
    return away


def _check_archive(path: Path, data: bytes) -> None:
    """Refuse what is no .xlsx archive, or one that unpacks to too much (before openpyxl sees it)."""
    import zipfile  # here: with bz2, lzma and shutil ~20 M instructions a check of a CSV register need not pay

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError):
        raise SheetError(f"'{path.name}' is not an Excel workbook (.xlsx): it is no zip archive",
                         "Save it as Excel workbook (.xlsx); an old .xls or a renamed file cannot be read.", Location(path)) from None
    if len(entries) > MAX_ENTRIES or sum(entry.file_size for entry in entries) > MAX_UNPACKED:
        raise SheetError(f"'{path.name}' unpacks to more than {MAX_UNPACKED // 1_000_000} MB or {MAX_ENTRIES} parts",
                         "Keep only the tables of the bid in the workbook (no images, no huge sheets).", Location(path))
    if not any(entry.filename == "xl/workbook.xml" for entry in entries):
        raise SheetError(f"'{path.name}' is a zip archive but no Excel workbook (no xl/workbook.xml)",
                         "Save it as Excel workbook (.xlsx).", Location(path))


def _bounded_rows(worksheet, path: Path) -> list[tuple]:
    rows = list(worksheet.iter_rows(max_row=MAX_ROWS + 1, max_col=MAX_COLUMNS, values_only=True))
    if len(rows) > MAX_ROWS:
        raise SheetError(f"'{path.name}', sheet '{worksheet.title}' has more than {MAX_ROWS} rows",
                         "Keep one table of the bid in the sheet.", Location(path, sheet=worksheet.title))
    return rows


#: A header of amounts in thousands or millions: „Betrag (T€)“, „in TEUR“, „Tsd. €“, „Mio. €“.
_SCALED_HEADER = re.compile(r"\bT\s?€|\bTEUR\b|\bTsd\b|\bTausend|\bMio\b|\bMillionen|\bk€", re.IGNORECASE)


# --- the table in the rows -------------------------------------------------------------------

def _table(file: str, path: Path, rows: list[list[Cell]], columns: list[Column], sheet: str | None) -> Table:
    names = {header_key(h): column.name for column in columns for h in column.headers}
    required = [c for c in columns if c.required]
    closest: tuple[int, list[Cell]] | None = None
    for index, row in enumerate(rows):
        found = {names[header_key(c.value)]: n for n, c in enumerate(row) if header_key(c.value) in names}
        if all(c.name in found for c in required):
            _refuse_twin_columns(file, row, names, columns)
            header = next(row[n].location for n in sorted(found.values()))
            table = Table(file, header, columns=found, header_names={name: str(row[n].value) for name, n in found.items()})
            table.rows = _data_rows(rows[index + 1:], table, columns)
            return table
        if found and (closest is None or len(found) > closest[0]):
            closest = (len(found), row)
    lacking = ", ".join(c.headers[0] for c in required)
    where = Location(path, sheet=sheet) if sheet else Location(path)
    if closest:
        row = closest[1]
        have = {names[header_key(c.value)] for c in row if header_key(c.value) in names}
        missing = ", ".join(c.headers[0] for c in required if c.name not in have)
        first = next(c for c in row if not c.empty)
        scaled = next((c for c in row if isinstance(c.value, str) and _SCALED_HEADER.search(c.value)), None)
        if scaled is not None and "amount" not in have:
            raise SheetError(f"the column '{scaled.value}' of '{file}' gives amounts in thousands or millions, "
                             "which bidkit does not read (a rounded amount is not the plan's)",
                             "Give the amounts in euros to the cent in a column 'Betrag'.", scaled.location)
        raise SheetError(f"the header row of '{file}' lacks the column(s) {missing}",
                         f"Name the columns in one row: {lacking} (see README, 'Spreadsheets in').", first.location)
    in_sheet = f" (sheet '{sheet}')" if sheet else ""
    raise SheetError(f"'{file}'{in_sheet} has no header row naming the columns {lacking}",
                     "Write a header row above the rows; README, 'Spreadsheets in', shows the layout.", where)


def _refuse_twin_columns(file: str, row: list[Cell], names: dict[str, str], columns: list[Column]) -> None:
    """Two header cells that name one field (``Betrag`` and ``Betrag (€)``, ``Bezeichnung`` and
    ``Position``): which one holds the values is a guess, so neither is taken."""
    cells: dict[str, list[Cell]] = {}
    for cell in row:
        if (key := header_key(cell.value)) in names:
            cells.setdefault(names[key], []).append(cell)
    twins = [(name, found) for name, found in cells.items() if len(found) > 1]
    if twins:
        said = "; ".join(" and ".join(f"{cell.location.cell} ('{cell.value}')" for cell in found)
                         + f" both name '{next(c for c in columns if c.name == name).headers[0]}'" for name, found in twins)
        raise SheetError(f"'{file}': the columns {said}; which one holds the values is not clear",
                         "Rename or delete one of each (e.g. 'Nr.' for a numbering column, which is not read).",
                         twins[0][1][1].location)


def _data_rows(rows: list[list[Cell]], table: Table, columns: list[Column]) -> list[dict[str, Cell]]:
    """The rows below the header up to the first empty row or the sum row (a label ``Summe …`` with
    only an amount beside it, as the export writes it). A row of items below an empty row is an
    error, not silently left out."""
    required = [c.name for c in columns if c.required]
    label = required[0]
    out = []
    for index, row in enumerate(rows):
        cells = {name: row[n] for name, n in table.columns.items() if n < len(row) and not row[n].empty}
        if all(c.empty for c in row):
            _refuse_rows_below(rows[index + 1:], table, required)
            break
        for name in required:
            n = table.columns.get(name)
            if name not in cells and n is not None and n < len(row) and row[n].merged:
                cell, header = row[n], table.header_names.get(name, name)
                raise SheetError(f"'{table.file}': {cell.location.cell} (column '{header}') is part of the merged cells "
                                 f"{cell.merged}, whose value only {cell.merged.split(':')[0]} holds",
                                 "Unmerge the cells (Excel: Zellen verbinden aufheben) and fill every row.", cell.location)
        if "amount" in table.columns and _sum_row(cells, label, required, table, out):
            _refuse_rows_below(rows[index + 1:], table, required, ended_by=cells[label])
            _check_sum(cells, out, table)
            break
        if cells:
            out.append(cells)
    return out


def _check_sum(cells: dict[str, Cell], items: list[dict[str, Cell]], table: Table) -> None:
    """The sheet's own sum (the amount beside ``Summe``) must be the sum of the items read: a
    difference means rows bidkit did not read as the sheet's author meant them."""
    if "amount" not in cells:
        return
    try:
        stated = cell_value(cells["amount"], read_money)
        total = sum((cell_value(row["amount"], read_money) for row in items if "amount" in row), Decimal(0))
    except CellError:
        return  # the amounts' own findings say why
    if stated != total:
        from bidkit.render.formatting import money

        place = cells["amount"].location
        raise SheetError(f"'{table.file}': the sum row says {money(stated, cents=True)} ({place.cell}), but the "
                         f"{len(items)} item(s) above it add up to {money(total, cents=True)}",
                         "Make every item a row of its own between the header and the sum row (no subtotals, "
                         "no merged cells), or correct the sum.", place)


#: Labels that start no item: a row labelled so with more than an amount is a subtotal („Gesamt …“ and
#: „Total …“ may start an item's name, „Gesamtkonzept“; they are a subtotal when they sum the items above).
_ONLY_SUMS = frozenset(SUM_LABELS) - {"gesamt", "total"}


def _sum_row(cells: dict[str, Cell], label: str, required: list[str], table: Table | None = None,
             items: list[dict[str, Cell]] = ()) -> bool:
    """Whether the row is the sum row (its label ``Summe …`` and nothing but an amount beside it).
    With ``table``, a subtotal (such a label with more cells filled: „Summe Sachkosten | Sachkosten |
    26.666,83“, as SUMMEWENN wants it) is refused: as an item it would count twice."""
    first = cells.get(label)
    words = header_key(first.value).split(" ") if first is not None and isinstance(first.value, str) else [""]
    word = words[0].rstrip(":")
    if word not in SUM_LABELS:
        return False
    filled = [name for name in required if name not in (label, "amount") and name in cells]
    if not filled:
        return True
    if table is not None and (word in _ONLY_SUMS or _sums_above(cells, label, items)):
        header = table.header_names.get(filled[0], filled[0])
        raise SheetError(f"'{table.file}': the row '{first.value}' ({first.location.cell}) looks like a subtotal, "
                         f"but its column '{header}' is filled, so it would be read as one more item and counted twice",
                         "Delete subtotal rows (bidkit sums each category itself); the one sum row under all items "
                         "has only its label and the amount.", first.location)
    return False


def _sums_above(cells: dict[str, Cell], label: str, items: list[dict[str, Cell]]) -> bool:
    """Whether the row's amount is the sum of the items above it that share its other cells (its category)."""
    try:
        amount = cell_value(cells["amount"], read_money) if "amount" in cells else None
        keys = [name for name in cells if name not in (label, "amount")]
        same = [row for row in items if all(name in row and row[name].value == cells[name].value for name in keys)]
        total = sum((cell_value(row["amount"], read_money) for row in same if "amount" in row), Decimal(0))
    except CellError:
        return False
    return amount is not None and len(same) >= 2 and amount == total


def _refuse_rows_below(rows: list[list[Cell]], table: Table, required: list[str], ended_by: Cell | None = None) -> None:
    """Items in the next rows that are not empty, below what ended the table (an empty row, or the
    sum row ``ended_by``), are an error: they would be left out without a word."""
    following = next((row for row in rows if not all(c.empty for c in row)), None)
    if following is None:
        return
    cells = {name: following[n] for name, n in table.columns.items() if n < len(following) and not following[n].empty}
    if all(name in cells for name in required) and not _sum_row(cells, required[0], required):
        place = cells[required[0]].location
        if ended_by is not None:
            raise SheetError(f"'{table.file}': the rows from {place.cell} on stand below the sum row "
                             f"'{ended_by.value}' ({ended_by.location.cell}), which ends the table",
                             "Delete subtotal rows (bidkit sums each category itself), or move the sum row below the "
                             "last item.", place)
        raise SheetError(f"'{table.file}': the rows from {place.cell} on stand below an empty row, which ends the table",
                         "Delete the empty row, so that every item belongs to the table (or move other tables further down "
                         "with a header row of their own).", place)


# --- cells → the values the models read -------------------------------------------------------

def cell_value(cell: Cell, read: Callable[[Any], Any]) -> Any:
    """What the model reads from ``cell``; ``CellError`` for a value that cannot be read exactly."""
    if cell.formula is not None:
        if re.search(r"\[[^\]]*\]", cell.formula):
            raise CellError(f"the cell holds a formula that refers to another workbook ({cell.formula})",
                            "Copy the value into the cell (Paste Special › Values only): bidkit reads nothing outside the bid folder.")
        if cell.value is None:
            raise CellError(f"the cell holds the formula {cell.formula} but no computed value",
                            "Open the workbook in Excel or LibreOffice and save it (that stores the values), or type the value.")
    if isinstance(cell.value, str) and _FORMULA_ERROR.fullmatch(cell.value.strip()):  # as Excel and LibreOffice store it
        raise CellError(f"'{cell.value.strip()}' is the error of a formula that fails in this cell, no value",
                        "Fix the formula in the spreadsheet (a deleted cell it refers to, a division by zero) and save it.")
    if isinstance(cell.value, (dt.datetime, dt.date, dt.time)):
        raise CellError(f"the cell is formatted as a date or time ({_as_date(cell.value)}), so it holds no plain value",
                        "Format the cell as a number or as text (Format › Cells › Number) and check the value it shows.")
    return read(cell.value)


def _as_date(value: dt.datetime | dt.date | dt.time) -> str:
    """A date cell as the user sees it, with the number it holds (Excel counts days from 30.12.1899)."""
    if isinstance(value, dt.time):
        return value.isoformat()
    moment = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
    days = (moment - dt.datetime(1899, 12, 30)).total_seconds() / 86400
    shown = moment.strftime("%d.%m.%Y") + ("" if moment.time() == dt.time() else moment.strftime(" %H:%M"))
    return f"{shown}, the number {int(days) if days.is_integer() else round(days, 6)}"


_SPACES = re.compile(r"[\s\u00a0\u202f]+")
#: Error values of formulas, English and German: #REF!, #DIV/0!, #WERT!, #NV, #N/A, #NAME?, #BEZUG!, Err:502.
_FORMULA_ERROR = re.compile(r"#(?:NULL!|DIV/0!|VALUE!|WERT!|REF!|BEZUG!|NAME\?|NUM!|ZAHL!|N/A|NV|SPILL!|ÜBERLAUF!|CALC!|"
                            r"GETTING_DATA|FIELD!|BLOCKED!|CONNECT!|UNKNOWN!)|Err:\d{3}", re.IGNORECASE)
_GERMAN = re.compile(r"-?(?:[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)(?:,[0-9]+)?")
_PLAIN = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def _number_text(text: str, *, money: bool) -> Decimal:
    """A number written as text: plain (``1250.50``) or German (``1.250,50``, ``1.500.000``).

    ``1.500`` or ``12.345`` could be German (thousands) or plain (decimals): refused, not guessed.
    """
    raw = text
    text = text.strip(" \t\u00a0\u202f")
    if money and (scaled := scaled_amount(text)):  # 0,24 Mio. €: the word is the trap, not the spaces
        word, amount = scaled
        written = f"{amount:,.2f}".translate(str.maketrans(",.", ".,")) if amount is not None else "1.500.000,00"
        raise CellError(f"'{raw}' is not an amount: '{word}' is not read", f"Write the amount in euros, e.g. {written}.")
    if money:
        text = re.sub(r"^(?:€|EUR)[\s\u00a0\u202f]*|[\s\u00a0\u202f]*(?:€|EUR)$", "", text, flags=re.IGNORECASE)
    if _SPACES.search(text):  # 1 500 000,00: spaces only between groups of thousands
        if not re.fullmatch(r"-?[0-9]{1,3}(?:[\s\u00a0\u202f][0-9]{3})+(?:,[0-9]+)?", text):
            raise CellError(f"'{raw}' is not {'an amount' if money else 'a number'}: spaces only between groups of three digits",
                            "Write the number as 1.500,00 or 1500,00, or make it a number cell.")
        text = _SPACES.sub("", text)
    ambiguous = re.fullmatch(r"-?[0-9]{1,3}[.,][0-9]{3}", text)
    if ambiguous:
        thousands = re.sub("[.,]", "", text)
        decimal = format(Decimal(text.replace(",", ".")).normalize(), "f").replace(".", ",")
        raise CellError(f"'{raw}' could be {thousands} (thousands separator) or {decimal} (decimal separator)",
                        f"Write {thousands},00 if {thousands} is meant (German notation: a comma before the decimals, "
                        "dots between thousands), or make it a number cell.")
    if "," in text and _GERMAN.fullmatch(text):
        number = text.replace(".", "").replace(",", ".")
    elif _PLAIN.fullmatch(text):
        number = text  # 1250.50: a dot before the decimals, as bidkit's CSV export writes
    elif _GERMAN.fullmatch(text) and text.count(".") > 1:
        number = text.replace(".", "")  # 1.500.000: more than one dot can only be thousands
    else:
        what = "an amount" if money else "a number"
        raise CellError(f"'{raw}' is not {what}",
                        "Write German notation (1.500,00 or 1500,00, € allowed) or a plain number (1500.00), or make it a number cell.")
    try:
        return Decimal(number)
    except InvalidOperation:  # pragma: no cover - the patterns above admit only digits
        raise CellError(f"'{raw}' is not a number", "Write the number with digits.") from None


def _float_decimal(value: float) -> Decimal:
    """A number cell exactly as the file stores it (Python's repr is the shortest text that reads back)."""
    if value != value or value in (float("inf"), float("-inf")):
        raise CellError("the cell holds no finite number", "Type the number.")
    return Decimal(repr(value))


def _is_artefact(number: Decimal) -> bool:
    """0.1+0.2 = 0.30000000000000004: 15 or more significant digits after the point are a float's, not a person's."""
    exponent = int(number.as_tuple().exponent)
    return exponent < 0 and len(number.as_tuple().digits) >= 15


def read_money(value: Any) -> Decimal:
    """An amount exactly as the cell holds it (``1.500,00`` → 1500.00); refuses more than cents."""
    if isinstance(value, bool) or isinstance(value, (dt.date, dt.time)):
        raise CellError(f"'{value}' is not an amount", "Write the amount as a number, e.g. 1.500,00.")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        number = _float_decimal(value)
    elif isinstance(value, str):
        number = _number_text(value, money=True)
    else:
        raise CellError(f"'{value}' is not an amount", "Write the amount as a number, e.g. 1.500,00.")
    if int(number.as_tuple().exponent) < -2:
        near = number.quantize(Decimal("0.01"))
        artefact = " (a rounding artefact of a formula or a pasted value)" if _is_artefact(number) else ""
        raise CellError(f"{format(number, 'f')} has more than two decimals{artefact}; amounts are exact to the cent",
                        f"Round it in the spreadsheet (=RUNDEN(…;2)) or type {format(near, 'f').replace('.', ',')} if that is meant.")
    return number


def read_figure(value: Any) -> Decimal:
    """A KPI value: a number cell or a number written as text (``12,5``), exactly."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise CellError(f"'{value}' is not a number", "Write the value as a number, e.g. 12,5.")
    if isinstance(value, int):
        return Decimal(value)
    number = _float_decimal(value) if isinstance(value, float) else _number_text(value, money=False)
    if isinstance(value, float) and _is_artefact(number):
        raise CellError(f"{format(number, 'f')} is a rounding artefact of a formula or a pasted value, not a figure",
                        "Round it in the spreadsheet (=RUNDEN(…;2)) or type the value.")
    if isinstance(value, float) and int(number.as_tuple().exponent) == -3:
        # A number cell holds a number, not text: 12.125 cannot mean 12125 there. One more digit
        # (the same value) keeps the model's check of ambiguous text (150.000 in YAML) from it.
        number = number.quantize(Decimal("0.0001"))
    return number


def read_whole(value: Any) -> int:
    """A year: a whole-number cell, ``2017`` as text, or ``2017.0``; anything else is refused (a
    year column also picks a table's rows: a cell that is no year is never taken for another year)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"[0-9]+", value.strip()):
        return int(value)
    raise CellError(f"'{value}' is not a whole number", "Write the year with four digits, e.g. 2017.")


def read_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


_YES = {"ja", "j", "x", "yes", "y", "true", "wahr", "1"}
_NO = {"nein", "n", "no", "false", "falsch", "0", "-", ""}


def read_flag(value: Any) -> bool:
    """ja/nein (also x, true/false, WAHR/FALSCH, a boolean cell); anything else is refused."""
    if isinstance(value, bool):
        return value
    text = read_text(value).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellError(f"'{value}' is neither ja nor nein", "Write ja or nein (an empty cell means nein).")


def read_choice(choices: dict[str, str], shown: list[str],
                also: tuple[Callable[[str], bool], str] | None = None) -> Callable[[Any], str]:
    """A reader for one of ``choices`` (cell text, case-insensitive → the model's value);
    ``also``: a test for further texts and the value they read as."""

    def read(value: Any) -> str:
        key = " ".join(read_text(value).lower().split())
        if key in choices:
            return choices[key]
        if also is not None and also[0](key):
            return also[1]
        raise CellError(f"'{value}' is none of {', '.join(shown)}", f"Write one of: {', '.join(shown)}.")

    return read


# --- the layouts (README, "Spreadsheets in"; the headers of ``bidkit export`` among them) -------

def _titles(enum_titles: dict[str, str], extra: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    choices = {**{key: key for key in enum_titles}, **{t.lower(): key for key, t in enum_titles.items()}, **extra}
    return choices, list(enum_titles.values())


def cost_columns() -> list[Column]:
    from bidkit.models import CATEGORY_TITLES  # the German names the document and the export use

    categories, shown = _titles(CATEGORY_TITLES, {"personal": "personalkosten", "sachmittel": "sachkosten",
                                                  "investition": "investitionen", "investitionskosten": "investitionen"})
    return [
        Column("title", ("Kostenposition", "Position", "Bezeichnung", "Titel", "title"), read_text, required=True),
        Column("category", ("Kategorie", "Kostenart", "category"), read_choice(categories, shown), required=True),
        Column("amount", ("Betrag", "Kosten", "amount"), read_money, required=True),
        Column("measure", ("Maßnahme", "Maßnahme-ID", "measure"), read_text),
        Column("budget_reservation", ("Haushaltsvorbehalt", "budget_reservation", "budget reservation"), read_flag),
        Column("year", ("Jahr", "Haushaltsjahr", "year"), read_whole),
    ]


def funding_columns() -> list[Column]:
    from bidkit.applicant import is_own_funds_title  # „Eigenmittel des Landkreises“ as the export writes it
    from bidkit.models import FUNDING_TITLES

    # The words treasurers use for the kinds, beside the titles the export writes.
    synonyms = {"eigenmittel": "eigenmittel", "eigenanteil": "eigenmittel", "eigene mittel": "eigenmittel",
                "haushaltsmittel": "eigenmittel", "bundesmittel": "bund", "bundesförderung": "bund",
                "landesmittel": "land", "landesförderung": "land", "europäische union (eu)": "eu",
                "europäische union": "eu", "eu-mittel": "eu", "eu-förderung": "eu", "drittmittel": "dritte"}
    kinds, shown = _titles(FUNDING_TITLES, synonyms)
    shown = ["Eigenmittel (also „Eigenmittel des Landkreises“, a partner's „Eigenmittel der Gemeinde …“ with its id under Partner)"
             if key == FUNDING_TITLES["eigenmittel"] else key for key in shown]
    return [
        Column("name", ("Finanzierungsquelle", "Quelle", "Geldgeber", "name"), read_text, required=True),
        Column("kind", ("Art", "Finanzierungsart", "kind"), read_choice(kinds, shown, (is_own_funds_title, "eigenmittel")),
               required=True),
        Column("amount", ("Betrag", "amount"), read_money, required=True),
        Column("secured", ("Gesichert", "secured"), read_flag),
        Column("partner", ("Partner", "Partner-ID", "partner"), read_text),
        Column("year", ("Jahr", "Haushaltsjahr", "year"), read_whole),
    ]


def kpi_columns() -> list[Column]:
    return [
        Column("name", ("Kennzahl", "KPI", "name"), read_text, required=True),
        Column("unit", ("Einheit", "unit"), read_text),
        Column("baseline.value", ("Ausgangswert", "Basiswert", "baseline"), read_figure),
        Column("baseline.year", ("Jahr", "Basisjahr", "Ausgangsjahr", "baseline year"), read_whole),
        Column("target.value", ("Zielwert", "target"), read_figure),
        Column("target.year", ("Zieljahr", "target year"), read_whole),
        Column("source", ("Quelle", "source"), read_text),
        Column("goal", ("Ziel-ID", "goal"), read_text),
    ]
