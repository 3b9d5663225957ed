"""Loading a bid folder: YAML files → merged data → validated ``Bid`` and ``Call``.

Every problem becomes a located ``Finding``; nothing stops at the first one. The loader
keeps the position-carrying YAML documents so that rules can point at file, line and column.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import functools
import re
import types
import typing
import unicodedata
from dataclasses import field
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError, create_model

from bidkit.call_profiles import call_problems, names_a_file, shipped_calls
from bidkit.errors import BidkitError
from bidkit.findings import FieldPath, Finding, Location, dotted
from bidkit.models import AMOUNT_PATTERN, ID_PATTERN, Bid, Call, scaled_amount
from bidkit.paths import BidFileError, bid_file
from bidkit.records import record
from bidkit.rules import loading as codes
from bidkit.rules.registry import Rule, matching
from bidkit.yamlio import SourceDocument, YamlSyntaxError, load_document

DATA_DIR = Path(__file__).parent / "data"
#: Top-level fields every bid needs (call, title, city, contacts): without them not even a draft.
REQUIRED_FIELDS = frozenset(name for name, info in Bid.model_fields.items() if info.is_required())
MANIFEST = "bid.yaml"
#: A bid YAML file or call file larger than this is refused (a bid is a few hundred KB at most).
MAX_YAML_BYTES = 16_000_000


@record
class BidSources:
    """Which file each top-level key came from, to locate any field path."""

    bid_dir: Path
    sections: dict[str, SourceDocument] = field(default_factory=dict)
    call_document: SourceDocument | None = None
    #: Field paths of values read from a spreadsheet → their cell (a list → its header row).
    cells: dict[FieldPath, Location] = field(default_factory=dict)

    def locate(self, path: FieldPath, *, key: bool = False, text_offset: int | None = None) -> Location:
        if self.cells:
            for end in range(len(path), 0, -1):
                if path[:end] in self.cells:
                    return self.cells[path[:end]]
        if path and path[0] in self.sections:
            document = self.sections[path[0]]
            if text_offset is not None:
                return document.locate_in_text(path, text_offset)
            return document.locate(path, key=key)
        return Location(self.bid_dir / MANIFEST, 1, 1)


@record
class LoadedBid:
    bid_dir: Path
    sources: BidSources
    bid: Bid | None = None
    call: Call | None = None
    findings: list[Finding] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)
    #: Sections with errors (or in a file that did not parse): None in ``bid``, which the document is
    #: drawn from. Rules reading them are skipped, unless the errors lie in items of a list (``partial``).
    broken: set[str] = field(default_factory=set)
    #: The bid the checks judge: ``bid`` plus the sound items of each section in ``partial``.
    checked: Bid | None = None
    #: Of each list that lost invalid items, the indices (in the YAML) of the items kept, in order.
    kept: dict[FieldPath, list[int]] = field(default_factory=dict)

    @property
    def partial(self) -> set[str]:
        """Broken sections whose errors all lie in items of their lists: ``checked`` holds their other items."""
        return {str(path[0]) for path in self.kept}

    def original_path(self, path: FieldPath) -> FieldPath:
        """A field path of ``checked`` as a path of the YAML: indices after left-out items move up."""
        original: list = []
        for part in path:
            kept = self.kept.get(tuple(original))
            original.append(kept[part] if kept is not None and isinstance(part, int) and 0 <= part < len(kept) else part)
        return tuple(original)

    @property
    def renderable(self) -> bool:
        """Whether even a draft can be drawn: the call and every required part of the bid load."""
        return self.bid is not None and self.call is not None and not (self.broken & REQUIRED_FIELDS)


def _finding(rule: Rule, message: str, location: Location, path: FieldPath = (), hint: str | None = None) -> Finding:
    return Finding(rule.code, rule.severity, message, hint or rule.hint, location, path)


def load_bid(bid_dir: Path) -> LoadedBid:
    """Read and validate every YAML file of ``bid_dir`` and the call it names."""
    if not bid_dir.exists():
        raise BidkitError(f"bid folder '{bid_dir}' does not exist", "Give the folder that holds bid.yaml, or create one with `bidkit init`.")
    if not bid_dir.is_dir():
        raise BidkitError(f"'{bid_dir}' is not a folder", "Give the folder that holds bid.yaml, not a file in it.")
    loaded = LoadedBid(bid_dir, BidSources(bid_dir))
    _read_files(loaded)
    if loaded.findings and not loaded.raw:
        return loaded
    unparsed = set(loaded.broken)
    imported = _import_tables(loaded)
    schema_findings: list[Finding] = []
    loaded.bid = _validate(Bid, loaded.raw, loaded.sources.locate, schema_findings)
    errors = [f.path for f in schema_findings] + imported.bad_rows
    schema_findings = _one_per_cause(loaded, schema_findings)
    # A value refused in its cell is not "missing" as well, nor a list whose table did not load.
    schema_findings = [f for f in schema_findings if not any(f.path[:len(p)] == p for p in imported.refused)]
    # A required value missing in a table is reported at its empty cell, not at the row.
    schema_findings = [dataclasses.replace(f, location=loaded.sources.cells[f.path])
                       if f.rule == codes.MISSING_FIELD.code and f.path in loaded.sources.cells else f for f in schema_findings]
    loaded.broken |= imported.broken
    # A section of a file that did not parse is not "missing": its syntax error says it all.
    loaded.findings += [f for f in schema_findings if not (f.rule == codes.MISSING_FIELD.code and f.path[0] in unparsed)]
    if loaded.bid is None or imported.bad_rows:
        whole = set(loaded.broken)  # unparsed, read from a table that failed, or meant by an unknown key
        loaded.broken |= {str(path[0]) for path in errors if path}
        loaded.bid = _partial_bid(loaded)
        loaded.checked = _sound_items(loaded, errors, whole)
    else:
        loaded.checked = loaded.bid
    loaded.call = _load_call(loaded)
    return loaded


@functools.cache
def _any_sections() -> type[Bid]:
    """``Bid`` with every top-level field optional, to validate the sound sections of a broken bid
    (made for a broken bid only: creating a model class costs ~2 M instructions at import)."""
    return create_model(
        "_AnySections",
        __base__=Bid,
        **{name: (Bid.model_fields[name].annotation | None, None) for name in REQUIRED_FIELDS},
    )


def _partial_bid(loaded: LoadedBid) -> Bid | None:
    """The bid with broken sections left as None, so that rules on the sound ones still run.

    Only the sound sections are validated; rules that read a broken one are skipped.
    """
    sound = {k: v for k, v in loaded.raw.items() if k not in loaded.broken}
    try:
        partial = _any_sections().model_validate(sound)
    except ValidationError:  # pragma: no cover - every error names its section
        return None
    missing = {name for name in REQUIRED_FIELDS if getattr(partial, name) is None}
    loaded.broken |= missing
    return Bid.model_construct(**dict(partial))


# --- items one by one ------------------------------------------------------------------------

#: Lists whose items are judged one by one (None: any index). An invalid item is reported and left
#: out of ``LoadedBid.checked``; the checks that judge items one by one (``partial_ok``) run on the
#: others. An error inside an item leaves out the innermost such item that holds it (a goal's KPI,
#: not the goal); a list without a sound item leaves out the item that holds it, else its section.
#: Budget years are not among them: the funding period may be taken from them (MEA003).
ITEM_LISTS: tuple[FieldPath, ...] = (
    ("goals",), ("goals", None, "kpis"), ("measures",), ("partners",), ("annexes",), ("mou", "parties"),
    ("budget", "years", None, "costs"), ("budget", "years", None, "funding"),
)


def _is_item_list(path: FieldPath) -> bool:
    return any(len(pattern) == len(path) and all(p == q or (p is None and isinstance(q, int)) for p, q in zip(pattern, path))
               for pattern in ITEM_LISTS)


def _item_of(path: FieldPath) -> FieldPath | None:
    """The innermost item of an ``ITEM_LISTS`` list that holds ``path`` (None: no such item)."""
    for end in range(len(path) - 1, 0, -1):
        if isinstance(path[end], int) and _is_item_list(path[:end]):
            return path[:end + 1]
    return None


def _value_at(data: Any, path: FieldPath) -> Any:
    for part in path:
        if isinstance(data, dict) and part in data or isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def _sound_items(loaded: LoadedBid, errors: list[FieldPath], whole: set[str]) -> Bid | None:
    """The bid the checks judge: ``loaded.bid`` plus, of each section whose schema errors all lie in
    items of its lists, the other items (their indices go into ``loaded.kept``).

    ``whole``: sections broken for other reasons (a file that did not parse, a table that did not
    read, a missing section), which stay broken.
    """
    drops: set[FieldPath] = set()
    for path in errors:
        item = _item_of(path) if path else None
        if item is None:
            whole.add(str(path[0]) if path else "")
        else:
            drops.add(item)
    changed = True
    while changed:  # a list left without items takes its holder along
        changed = False
        for items in {d[:-1] for d in drops}:
            value = _value_at(loaded.raw, items)
            if isinstance(value, list) and all((*items, i) in drops for i in range(len(value))):
                drops -= {(*items, i) for i in range(len(value))}
                holder = _item_of(items)
                if holder is None:
                    whole.add(str(items[0]))
                else:
                    drops.add(holder)
                changed = True
    drops = {d for d in drops if str(d[0]) not in whole and not any(d[:end] in drops for end in range(1, len(d)))}
    while drops:
        loaded.kept = {}
        for items in sorted({d[:-1] for d in drops}, key=len):
            loaded.kept[items] = [i for i in range(len(_value_at(loaded.raw, items))) if (*items, i) not in drops]
        sections = {k: _pruned(v, (k,), loaded.kept) for k, v in loaded.raw.items()
                    if k not in loaded.broken or k in loaded.partial}
        try:
            checked = _any_sections().model_validate(sections)
        except ValidationError as exc:  # defensive: a section whose items' errors do not explain all stays broken
            failed = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
            if not failed & {str(d[0]) for d in drops}:
                break
            drops = {d for d in drops if str(d[0]) not in failed}
            continue
        return Bid.model_construct(**dict(checked))
    loaded.kept = {}
    return loaded.bid


def _pruned(node: Any, path: FieldPath, kept: dict[FieldPath, list[int]]) -> Any:
    """``node`` (at ``path``) without the items ``kept`` leaves out; copies only along the way."""
    if not any(items[:len(path)] == path for items in kept):
        return node
    if isinstance(node, list):
        return [_pruned(node[i], (*path, i), kept) for i in kept.get(path, range(len(node)))]
    if isinstance(node, dict):
        return {key: _pruned(value, (*path, key), kept) for key, value in node.items()}
    return node


def _read_files(loaded: LoadedBid) -> None:
    # Every case of the extension is listed: a file that is not read (hidden, or `.YAML`) is named in a finding.
    names = sorted(p.name for p in loaded.bid_dir.iterdir() if p.suffix.lower() in (".yaml", ".yml"))
    if MANIFEST not in names:
        loaded.findings.append(_finding(
            codes.FILE_MISSING, f"{MANIFEST} is missing in {loaded.bid_dir}",
            Location(loaded.bid_dir / MANIFEST),
            hint="Every bid folder needs bid.yaml naming the call and the city; `bidkit init` writes one.",
        ))
    # bid.yaml first, so that a section repeated elsewhere is reported at the repetition.
    names.sort(key=lambda name: (name != MANIFEST, name))
    for name in names:
        if name.startswith(".") or not name.endswith((".yaml", ".yml")):
            call = _call_file(loaded)
            if call is None or call.name != name or call.parent != loaded.bid_dir:  # a call file is read by _load_call
                hidden = name.startswith(".")
                loaded.findings.append(_finding(
                    codes.HIDDEN_YAML if hidden else codes.YAML_CASE,
                    f"{name} is not read: {'a hidden file' if hidden else 'the extension is not lower case'}",
                    Location(loaded.bid_dir / name)))
            continue
        try:
            path = bid_file(loaded.bid_dir, name, max_bytes=MAX_YAML_BYTES)
        except BidFileError as exc:
            loaded.findings.append(_refused(exc, Location(loaded.bid_dir / name)))
            # Its sections are not "missing" (REQ001, REF001): the one error says it all. A file that is
            # not read tells no keys; by the convention `init` writes, goals.yaml holds `goals`.
            loaded.broken |= {Path(name).stem} & set(Bid.model_fields)
            continue
        if path == _call_file(loaded):
            continue  # a call file of the bid's own, read by _load_call
        document = _read_document(path, loaded.findings)
        if document is None:
            loaded.broken |= _top_level_keys(path)
            continue
        for key in document.data:
            if not isinstance(key, str):  # `2026: Jahr`: YAML reads the key as a number
                loaded.findings.append(_finding(
                    codes.WRONG_TYPE, f"a key must be text, found {type(key).__name__} {_excerpt(key)!r}",
                    document.locate((key,), key=True),
                    hint=f"bidkit's keys are English words ({', '.join(list(Bid.model_fields)[:3])}, …): "
                         "remove the line, or write it under the key it belongs to.",
                ))
                continue
            if key in loaded.sources.sections:
                first = loaded.sources.sections[key].path.name
                loaded.findings.append(_finding(
                    codes.DUPLICATE_SECTION, f"'{key}' is already defined in {first}: neither is read until one is removed",
                    document.locate((key,), key=True), (key,),
                ))
                # Which of the two the user meant is not known: the rules reading the section stay
                # quiet rather than judge the bid by the wrong one (REF001 "unknown partner" …).
                loaded.broken |= {key} & set(Bid.model_fields)
                continue
            loaded.sources.sections[key] = document
            loaded.raw[key] = document.data[key]


# --- tables from spreadsheets -----------------------------------------------------------------

@record
class _Imported:
    spreadsheets: Any  # bidkit.sheets.Spreadsheets, None when the bid names no table
    #: Field paths whose value (or whole list) a spreadsheet could not give; schema findings under them are knock-on.
    refused: list[FieldPath] = field(default_factory=list)
    #: Sections with a value that could not be read: rules reading them are skipped.
    broken: set[str] = field(default_factory=set)
    #: Rows (items) with a cell that could not be read: they are left out like an invalid item in YAML.
    bad_rows: list[FieldPath] = field(default_factory=list)
    reported: set[tuple] = field(default_factory=set)


def _import_tables(loaded: LoadedBid) -> _Imported:
    """Fill ``costs``/``funding`` of budget years and ``kpis`` of goals from their ``…_file`` tables.

    The YAML data stays as it is (its positions belong to the file); the raw data gets copies
    along the changed paths, and every imported value's cell goes into ``sources.cells``.
    """
    years = (loaded.raw.get("budget") or {}).get("years") if isinstance(loaded.raw.get("budget"), dict) else None
    owners = [*(years if isinstance(years, list) else []), *(loaded.raw.get("goals") if isinstance(loaded.raw.get("goals"), list) else [])]
    if not any(isinstance(o, dict) and o.keys() & {"costs_file", "funding_file", "kpis_file"} for o in owners):
        return _Imported(None)  # no table named: nothing of the spreadsheet machinery is loaded

    from bidkit import sheets

    imported = _Imported(sheets.Spreadsheets(loaded.bid_dir))
    try:
        _import_budget(loaded, imported)
        _import_goals(loaded, imported)
    finally:
        imported.spreadsheets.close()
    return imported


def _import_budget(loaded: LoadedBid, imported: _Imported) -> None:
    from bidkit import sheets

    budget = loaded.raw.get("budget")
    if isinstance(budget, dict) and isinstance(budget.get("years"), list) and any(
            isinstance(y, dict) and ("costs_file" in y or "funding_file" in y) for y in budget["years"]):
        years = []
        for index, year in enumerate(budget["years"]):
            if isinstance(year, dict) and ("costs_file" in year or "funding_file" in year):
                year = dict(year)
                for items, columns in (("costs", sheets.cost_columns), ("funding", sheets.funding_columns)):
                    rows = _import_table(loaded, imported, ("budget", "years", index), year, items, columns, "year")
                    if rows is not None:
                        year[items] = rows
            years.append(year)
        loaded.raw["budget"] = {**budget, "years": years}


def _import_goals(loaded: LoadedBid, imported: _Imported) -> None:
    from bidkit import sheets

    goals = loaded.raw.get("goals")
    if isinstance(goals, list) and any(isinstance(g, dict) and "kpis_file" in g for g in goals):
        copies = []
        for index, goal in enumerate(goals):
            if isinstance(goal, dict) and "kpis_file" in goal:
                goal = dict(goal)
                rows = _import_table(loaded, imported, ("goals", index), goal, "kpis", sheets.kpi_columns, "goal")
                if rows is not None:
                    goal["kpis"] = rows
            copies.append(goal)
        loaded.raw["goals"] = copies


def _import_table(loaded: LoadedBid, imported: _Imported, owner_path: FieldPath, owner: dict, items: str,
                  columns, key: str) -> list[dict] | None:
    """The rows of ``owner[items + '_file']`` as the list ``owner[items]`` (None: nothing to read)."""
    from pydantic import TypeAdapter

    from bidkit import sheets
    from bidkit.models import SheetTable

    reference = f"{items}_file"
    if reference not in owner:
        return None
    ref_path = (*owner_path, reference)
    section = str(owner_path[0])
    try:
        table_file = TypeAdapter(SheetTable).validate_python(owner[reference])
    except ValidationError:
        return None  # the model validation reports it at its place
    if items in owner:
        loaded.findings.append(_finding(
            codes.WRONG_TYPE, f"'{reference}': the list `{items}` is written here as well; give one of them",
            loaded.sources.locate(ref_path, key=True), ref_path,
            hint=f"Keep the rows in the spreadsheet and delete `{items}:`, or delete `{reference}:`.",
        ))
        imported.broken.add(section)
        return None
    list_path = (*owner_path, items)
    try:
        table = imported.spreadsheets.table(table_file.file, table_file.sheet, columns())
    except sheets.SheetError as exc:
        rule = {None: codes.SHEET_UNREADABLE, "missing": codes.FILE_MISSING}.get(exc.refused, codes.FILE_REFUSED)
        if exc.refused is None:  # the spreadsheet's own problem: once, however many references read it
            _report_once(loaded, imported, _finding(rule, exc.message, exc.location, ref_path, hint=exc.hint))
        else:  # a file not read: at its name in the YAML
            loaded.findings.append(_finding(rule, f"{reference}: {exc.message}", loaded.sources.locate(ref_path), ref_path,
                                            hint=exc.hint))
        imported.refused.append(list_path)
        imported.broken.add(section)
        return None
    wanted = owner.get("year") if key == "year" else owner.get("id")
    by_name = {}
    if items == "funding" and isinstance(loaded.raw.get("partners"), list):
        by_name = {str(p.get("name", "")).strip(): p.get("id") for p in loaded.raw["partners"] if isinstance(p, dict)}
    readers = {column.name: column.read for column in columns()}
    rows: list[dict] = []
    readers_of_table = _owners(loaded.raw, key, reference, table_file) if key in table.columns else set()
    for cells in table.rows:
        if key in table.columns:  # a table of several years (goals): this one's rows only
            if not cells.keys() - {key}:
                continue  # a goal without KPIs, as the export lists it
            try:
                if key not in cells:
                    raise sheets.CellError(f"the row has no {table.header_names[key]}, and the table holds several",
                                           f"Fill in the {table.header_names[key]} of the row.")
                value = sheets.cell_value(cells[key], readers[key])
                if value != wanted:
                    if value not in readers_of_table:  # a row no year (goal) reading this table takes is read nowhere
                        _report_once(loaded, imported, _finding(
                            codes.SHEET_UNREADABLE, f"'{table_file.file}': the row's {table.header_names.get(key, key)} "
                            f"'{value}' is {'no year' if key == 'year' else 'no goal'} of the bid that reads this table, "
                            f"so the row is read nowhere", table.place(cells, key), list_path,
                            hint=f"Correct it to one of: {', '.join(map(str, sorted(readers_of_table, key=str)))} "
                                 f"(or delete the row, or let that {'year' if key == 'year' else 'goal'} read the table)."))
                        imported.broken.add(section)
                    continue
            except sheets.CellError as exc:
                where = table.place(cells, key)
                _report_once(loaded, imported, _finding(codes.WRONG_TYPE, f"{table_file.file}: {exc.message}", where,
                                                        list_path, hint=exc.hint))
                imported.broken.add(section)
                continue
        item_path = (*list_path, len(rows))
        item: dict = {}
        loaded.sources.cells[item_path] = _row_location(cells)
        for name in table.columns.keys() - cells.keys() - {key}:  # empty cells: where a value is missing
            loaded.sources.cells[(*item_path, *name.split("."))] = table.place(cells, name)
        for name, cell in cells.items():
            if name == key:
                continue
            path = (*item_path, *name.split("."))
            loaded.sources.cells[path] = cell.location
            try:
                value = sheets.cell_value(cell, readers[name])
            except sheets.CellError as exc:
                label = name.replace(".", " ")
                loaded.findings.append(_finding(codes.WRONG_TYPE, f"'{label}': {exc.message}", cell.location, path, hint=exc.hint))
                imported.refused.append(path)
                imported.bad_rows.append(item_path)  # the row is left out, not the section: it is one item
                continue
            if name == "partner" and value in by_name:
                value = by_name[value]  # the export writes the partner's name
            elif name == "partner" and isinstance(value, str) and not re.fullmatch(ID_PATTERN, value):
                # A name, not an id, and no partner's: say so, not "an id may use only a-z".
                loaded.findings.append(_finding(codes.WRONG_TYPE, f"'partner': no partner has the name '{_excerpt(value)}'",
                                                cell.location, path, hint=_partner_hint(value, by_name)))
                imported.refused.append(path)
                imported.bad_rows.append(item_path)
                continue
            target = item
            *parents, last = name.split(".")
            for part in parents:
                target = target.setdefault(part, {})
            target[last] = value
        rows.append(item)
    loaded.sources.cells[list_path] = table.header
    if not rows:
        whose = f" for {key} {wanted}" if key in table.columns else ""
        loaded.findings.append(_finding(
            codes.SHEET_UNREADABLE, f"{reference}: '{table_file.file}' holds no rows{whose} below its header row",
            table.header, ref_path, hint="Write one row per item below the header row, without an empty row between.",
        ))
        imported.refused.append(list_path)
        imported.broken.add(section)
        return None
    return rows


def _row_location(cells: dict) -> Location:
    """A row of a table: its leftmost cell of the layout."""
    return min((cell.location for cell in cells.values()), key=lambda loc: loc.column or 0)


def _partner_hint(value: str, by_name: dict[str, str]) -> str:
    """The partner a name in a table probably means (the closest name, or one that begins with it)."""
    import difflib

    close = [name for name in by_name if name.lower().startswith(value.lower())] \
        or difflib.get_close_matches(value, list(by_name), n=1, cutoff=0.6)
    if close:
        return f"Did you mean '{close[0]}' (id {by_name[close[0]]})? Write its id or its name as partners.yaml has it."
    return "Write the partner's id or its name as partners.yaml has it (or add the partner there)."


def _owners(raw: dict, key: str, reference: str, table_file) -> set:
    """The years of the budget (``key`` "year") or the ids of the goals, as the YAML gives them,
    that read the same table (``reference``: ``costs_file``, …; ``table_file`` its file and sheet)."""
    owners = (raw.get("budget") or {}).get("years") if key == "year" else raw.get("goals")
    field = "year" if key == "year" else "id"

    def same(value) -> bool:
        file, sheet = (value.get("file"), value.get("sheet")) if isinstance(value, dict) else (value, None)
        return file == table_file.file and sheet == table_file.sheet

    return {owner.get(field) for owner in owners if isinstance(owner, dict) and same(owner.get(reference))} \
        if isinstance(owners, list) else set()


def _report_once(loaded: LoadedBid, imported: _Imported, finding: Finding) -> None:
    """A problem of a table that several references read (an exported workbook, a CSV of all years) is one problem."""
    key = (finding.rule, finding.message, finding.location)
    if key not in imported.reported:
        imported.reported.add(key)
        loaded.findings.append(finding)


#: The hint for each reason a file is refused (the rule's own hint for a link leading out).
_REFUSED_HINTS = {
    "not_regular": "Put a regular file there: a folder, FIFO, socket or device is never read as a file.",
    "too_large": "Check that it is the file meant: a bid's files are far smaller; shrink it, or split what it holds.",
    "invalid": "Rename the file, or replace it by a readable regular file (a loop of links or an odd name is not read).",
}


def _refused(exc: BidFileError, where: Location, path: FieldPath = (), what: str = "") -> Finding:
    """A file the bid names or holds that bidkit will not read (FIL001 missing, FIL002 refused)."""
    rule = codes.FILE_MISSING if exc.reason == "missing" else codes.FILE_REFUSED
    return _finding(rule, f"{what}{exc.message}", where, path, hint=_REFUSED_HINTS.get(exc.reason))


def _top_level_keys(path: Path) -> set[str]:
    """The section names a file that did not parse seems to hold (so they are not 'missing')."""
    try:
        data = path.read_bytes()
    except OSError:
        return set()
    wide = _wide_encoding(data[:400])
    if wide:
        bom = data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:4] == b"\x00\x00\xfe\xff"
        codec = wide.lower() if bom else wide.lower() + ("-be" if data[:1] == b"\x00" else "-le")
        text = data.decode(codec, errors="replace")
    else:
        text = data.decode("utf-8", errors="replace")
    return set(re.findall(r"^([A-Za-z_][\w-]*)\s*:", text, flags=re.MULTILINE))


def _wide_encoding(data: bytes) -> str | None:
    """``UTF-16`` (or ``UTF-32``) when ``data`` is text in that encoding (by its BOM, or by NUL bytes
    between ASCII characters), which editors on Windows offer as "Unicode"; else None."""
    if data[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):
        return "UTF-32"
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "UTF-16"
    head = data[:400]
    if len(head) >= 4 and head.count(0) * 3 >= len(head):
        return "UTF-32" if head.count(0) * 4 >= len(head) * 3 - 4 else "UTF-16"
    return None


def _read_document(path: Path, findings: list[Finding]) -> SourceDocument | None:
    try:
        document = load_document(path)
    except (YamlSyntaxError, UnicodeDecodeError) as exc:
        try:
            wide = _wide_encoding(path.read_bytes()[:400])
        except OSError:
            wide = None
        if wide:  # no line of it can be shown: its bytes are not the characters
            findings.append(_finding(
                codes.FILE_MISSING, f"{path.name} is {wide} text, not UTF-8", Location(path),
                hint=f"Save the file as UTF-8 (editors call it 'UTF-8' under 'Save with encoding'; '{wide}' or "
                     "'Unicode' writes two or four bytes per letter)."))
            return None
        if isinstance(exc, YamlSyntaxError):
            findings.append(_finding(codes.YAML_SYNTAX, exc.message, exc.location, hint=exc.hint))
            return None
        before = exc.object[:exc.start]
        line, column = before.count(b"\n") + 1, exc.start - (before.rfind(b"\n") + 1) + 1
        findings.append(_finding(
            codes.FILE_MISSING, f"{path.name} is not UTF-8 text: byte 0x{exc.object[exc.start]:02X} at line {line}",
            Location(path, line, column),
            hint="Save the file as UTF-8 (editors call it 'UTF-8' under 'Save with encoding'); Latin-1 and Windows-1252 "
                 "write umlauts as single bytes such as 0xE4 for 'ä'."))
        return None
    except OSError as exc:
        findings.append(_finding(codes.FILE_MISSING, f"{path.name} cannot be read ({exc.strerror})", Location(path)))
        return None
    for lost in document.swallowed:
        findings.append(_finding(
            codes.SWALLOWED_TEXT, f"'{lost.comment}' after a value is read as a comment, not as text",
            lost.location,
        ))
    if document.data is None:
        document.data = {}
    elif not isinstance(document.data, dict):
        kind = "list" if isinstance(document.data, list) else type(document.data).__name__
        findings.append(_finding(
            codes.WRONG_TYPE, f"{path.name} must hold a mapping of sections, not a {kind}",
            Location(path, 1, 1), hint="Start the file with top-level keys such as `goals:`.",
        ))
        return None
    return document


def _call_file(loaded: LoadedBid) -> Path | None:
    """The call file named in bid.yaml, when it is a path (not a shipped profile's name)."""
    name = loaded.raw.get("call")
    if not isinstance(name, str) or name.strip() in shipped_calls():
        return None
    try:
        return bid_file(loaded.bid_dir, name.strip())
    except BidFileError:
        return None


def _load_call(loaded: LoadedBid) -> Call | None:
    name = loaded.raw.get("call")
    if not isinstance(name, str) or not name.strip():
        return None  # the model validation already reported it
    name = name.strip()
    profiles = shipped_calls()
    where = loaded.sources.locate(("call",))
    if name in profiles:
        path = profiles[name]
    elif names_a_file(name):
        try:
            path = bid_file(loaded.bid_dir, name, max_bytes=MAX_YAML_BYTES)
        except BidFileError as exc:
            finding = _refused(exc, where, ("call",), "call file: ")
            hint = ("Give the path relative to the bid folder, e.g. `call: ./my-call.yaml`." if exc.reason == "missing" else
                    f"Copy the call file into the bid folder, or name a shipped call by its id: {', '.join(profiles)}.")
            loaded.findings.append(dataclasses.replace(finding, hint=hint))
            return None
    else:
        close = difflib.get_close_matches(name, profiles, n=1)
        hint = f"Did you mean '{close[0]}'?" if close else None
        loaded.findings.append(_finding(
            codes.UNKNOWN_CALL, f"unknown call '{name}'; shipped calls: {', '.join(profiles)}", where, ("call",),
            hint=hint,
        ))
        return None
    document, call = _read_call(path, loaded.findings)
    loaded.sources.call_document = document
    return call


def _read_call(path: Path, findings: list[Finding]) -> tuple[SourceDocument | None, Call | None]:
    """A call file read, validated and checked beyond its form (BAD_CONFIG, CALL_INCONSISTENT)."""
    document = _read_document(path, findings)
    if document is None:
        return None, None
    call = _validate(Call, document.data, document.locate, findings)
    for index, requirement in enumerate(call.requirements if call else []):
        for j, pattern in enumerate(requirement.rules):
            if not matching([pattern]):
                where = ("requirements", index, "rules", j)
                findings.append(_finding(
                    codes.BAD_CONFIG, f"requirement {requirement.id} names no known rule '{pattern}'",
                    document.locate(where), where,
                ))
    for where, message, hint in call_problems(call) if call else []:
        findings.append(_finding(codes.CALL_INCONSISTENT, message, document.locate(where), where, hint=hint))
    if call:
        _shadows_shipped(path, call, findings, document)
    return document, call


def _shadows_shipped(path: Path, call: Call, findings: list[Finding], document: SourceDocument) -> None:
    """A call file of the bid's own that takes a shipped call's id must be that call: else every report
    would name the shipped call for the bid's own rules (a minimum own share of 20 % for 35 %)."""
    shipped = shipped_calls().get(call.id)
    if shipped is None or shipped.resolve() == path.resolve():
        return
    from bidkit.call_profiles import shipped_call

    original = shipped_call(call.id).model_dump(mode="json")
    own = call.model_dump(mode="json")
    differing = [key for key in original if own.get(key) != original[key]]
    if not differing:
        return
    shown = ", ".join(f"{key} ({_excerpt(own.get(key))}; the shipped call: {_excerpt(original[key])})"
                      for key in differing[:3]) + (f" and {len(differing) - 3} more" if len(differing) > 3 else "")
    findings.append(_finding(codes.CALL_INCONSISTENT, f"the id '{call.id}' is a shipped call's, but this file differs "
                             f"from it in {shown}", document.locate(("id",)), ("id",),
                             hint=f"Give the call file an id of its own (e.g. '{call.id}-eigene'), or name the shipped call: "
                                  f"`call: {call.id}`."))


def load_call_file(path: Path) -> tuple[Call | None, list[Finding]]:
    """A call file read as `call: ./path.yaml` reads it (`bidkit calls show ./path.yaml`), with its findings."""
    findings: list[Finding] = []
    try:
        path = bid_file(path.parent, path.name, max_bytes=MAX_YAML_BYTES)
    except BidFileError as exc:
        return None, [_refused(exc, Location(path))]
    return _read_call(path, findings)[1], findings


# --- pydantic errors → findings ------------------------------------------------------

_TYPE_HINTS = {
    "date": "Write dates as YYYY-MM-DD, e.g. 2016-12-05.",
    "calendar_day": "Write dates as YYYY-MM-DD, e.g. 2016-12-05.",
    "ambiguous_number": "Write 150000 for one hundred and fifty thousand, or 150.0 for one hundred and fifty.",
    "number_range": "Write the figure in a unit that keeps it between 10^-15 and 10^15.",
    "decimal": "Write amounts as plain numbers without thousands separators or €, e.g. 500000 or 1250.50.",
    "int": "Write a whole number without separators, e.g. 124045.",
    "string": "Write text; quote values that YAML would read as numbers, dates or booleans.",
    "bool": "Write true or false.",
    "enum": None,
    "literal_error": None,
    "list": "Write a list: one '- ' item per line.",
    "dict": "Write a mapping of 'key: value' lines.",
    "model": "Write a mapping of 'key: value' lines.",
}


def _validate(model: type[BaseModel], data: Any, locate, findings: list[Finding]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            findings.append(_translate(model, error, locate))
        return None


def _translate(model: type[BaseModel], error: dict, locate) -> Finding:
    loc: FieldPath = tuple(error["loc"])
    kind: str = error["type"]
    name = loc[-1] if loc else ""
    value = error.get("input")
    if kind == "missing":
        return _finding(
            codes.MISSING_FIELD, f"required field '{name}' is missing", locate(loc[:-1]), loc,
            hint=f"Add `{name}:` here. {_describe(model, loc)}".strip(),
        )
    if kind == "extra_forbidden":
        suggestion = _suggested_key(model, loc)
        if suggestion is None:
            hint = f"Allowed keys here: {', '.join(_allowed_keys(model, loc[:-1]))}."
        elif _UNSEEN.sub("", str(name)).translate(_LOOK_ALIKE_LETTERS) == suggestion:
            hint = f"Write `{suggestion}:` anew: the key holds a character that looks like nothing or like a Latin letter."
        elif transliterate(str(name)) in german_keys():
            hint = f"Did you mean '{suggestion}'? bidkit's keys are English: write `{suggestion}:`."
        else:
            hint = f"Did you mean '{suggestion}'?"
        where = locate(loc, key=True)
        if value is None and (cut := _cut_by_comma(where, str(name))):
            key, text = cut
            hint = (f"Put the text in quotes: {key}: \"{_excerpt(text)}, {_excerpt(name)}\" (or write the mapping as "
                    "'key: value' lines).")
            if _form(model, (*loc[:-1], key)) == "amount":
                hint = "Write amounts without separators (1500.00): in `{…}` a comma separates entries."
            return _finding(codes.UNKNOWN_KEY, f"'{_excerpt(name)}' is no key: a comma inside {{…}} ends a value, so "
                            f"'{key}' was cut to '{_excerpt(text)}'", where, loc, hint=hint)
        return _finding(codes.UNKNOWN_KEY, f"unknown key {_shown_key(name)}", where, loc, hint=hint)
    form = _form(model, loc)
    if form in ("amount", "whole", "figure") and (digits := _digits(value)) > MAX_NUMBER_DIGITS:
        return _finding(codes.WRONG_TYPE, f"'{_label(loc)}': {_excerpt(value)} has {digits} digits: too large, not "
                        f"{_FORMS[form][0]} a bid can hold", locate(loc), loc,
                        hint=f"{_FORMS[form][1]} Check for a pasted or repeated value.")
    if kind in ("whole_number", "number_format", "money_format") and (unusual := _unusual_form(str(error["ctx"]["found"]))):
        return _unusual_finding(loc, str(error["ctx"]["found"]), unusual, form or "figure", locate)
    if kind == "whole_number":
        found, plain = str(error["ctx"]["found"]), error["ctx"]["plain"]
        short = found.rstrip("0").rstrip(".")
        read = f" ({found} = {short})" if plain and short != found else ""
        if plain:
            message = f"{found} is not a whole number: the dot is read as a decimal point{read}, not as a thousands separator"
        elif re.fullmatch(r"-?[0-9]+\.[0-9]+", found):
            message = f"{found} has decimals; a whole number is needed"
        elif found in ("true", "false"):
            message = f"{found} is a yes/no value, not a whole number"
        elif isinstance(value, str) and re.fullmatch(r"\s*[0-9]+\s*", found):  # `population: "8150"`
            return _finding(codes.WRONG_TYPE, f"'{_label(loc)}': \"{found}\" is a number in quotes, which YAML reads as text",
                            locate(loc), loc, hint=f"Remove the quotes: write `{found.strip()}`.")
        else:
            message = f"{_excerpt(found)!r} is not a whole number (digits 0-9 only)"
        return _finding(codes.WRONG_TYPE, f"'{_label(loc)}': {message}", locate(loc), loc,
                        hint=f"Write `{plain}`: whole numbers without separators." if plain else _FORMS["whole"][1])
    if kind == "money_format":
        scaled = scaled_amount(str(error["ctx"]["found"]))  # `1,2 Mio. €`: the amount in euros, written out
        plain = error["ctx"]["plain"] or (format(scaled[1].normalize(), "f") if scaled and scaled[1] is not None else "")
        return _finding(codes.WRONG_TYPE, _money_message(loc, str(error["ctx"]["found"])), locate(loc), loc,
                        hint=_money_hint(plain))
    if kind == "number_format":
        return _finding(codes.WRONG_TYPE, f"'{_label(loc)}': {_excerpt(error['ctx']['found'])!r} is not a number",
                        locate(loc), loc, hint=_FORMS["figure"][1])
    if kind == "string_pattern_mismatch" and error.get("ctx", {}).get("pattern") == ID_PATTERN:
        return _finding(
            codes.WRONG_TYPE, f"{_id_label(loc)} {_shown_key(value)} ({dotted(loc)}) may use only a-z, 0-9 and '-'",
            locate(loc), loc, hint=_id_hint(str(value)),
        )
    if loc and loc[-1] == "[key]" and not isinstance(value, str):  # a number as a key of `severity:` or `variants:`
        return _finding(codes.WRONG_TYPE, f"a key must be text, found {type(value).__name__} {_excerpt(value)!r}",
                        locate(loc[:-1], key=True), loc[:-2], hint=f"The keys here are names, not numbers. {_describe(model, loc[:-2])}".strip())
    if kind == "invalid_key":
        # `{amount: 1.500,00}`: in a flow mapping the comma ends the entry, `00` becomes a key (the number 0)
        where = locate(loc)
        hint = ("Keys are words (e.g. `title:`), not numbers: remove the line, or write it under the key it belongs to."
                if "{" not in _source_line(where) else "In `{…}` a comma separates entries: `amount: 1.500,00` reads as "
                "`amount: 1.500` and a key `00`. Write amounts without separators (1500.00); quote text with commas.")
        return _finding(codes.WRONG_TYPE, f"a key must be text, found {type(value).__name__} {_excerpt(value)!r}",
                        where, loc[:-1], hint=hint)
    if (kind.startswith("date") or kind == "calendar_day") and isinstance(value, str) and (german := re.fullmatch(r"\s*(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})\s*", value)):
        day, month, year = german.groups()
        return _finding(codes.WRONG_TYPE, f"'{_label(loc)}': {value.strip()} is written the German way; bidkit reads dates "
                        "as YYYY-MM-DD", locate(loc), loc, hint=f"Write {year}-{int(month):02d}-{int(day):02d} (YYYY-MM-DD).")
    if kind.startswith("date") and isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        # `2017-02-30` unquoted: YAML's date form, but no day of the calendar
        return _finding(codes.WRONG_TYPE, f"'{_label(loc)}': {value} is not a day of the calendar", locate(loc), loc,
                        hint=_TYPE_HINTS["date"])
    if kind in ("enum", "literal_error") and isinstance(value, str):
        allowed = re.findall(r"'([^']*)'", str(error.get("ctx", {}).get("expected", "")))
        if transliterate(value) in allowed:
            return _finding(codes.WRONG_TYPE, f"'{_label(loc)}': {value!r} is not one of {', '.join(allowed)}", locate(loc), loc,
                            hint=f"Write `{transliterate(value)}`: these values are lower-case ids, umlauts spelt out.")
    if form and (kind.endswith("_type") or kind.endswith("_parsing") or kind in _WRONG_KIND):
        noun, hint = _FORMS[form]
        return _finding(codes.WRONG_TYPE, f"'{_label(loc)}': {_found(value)} is not {noun}", locate(loc), loc, hint=hint)
    if kind in _BOUNDS and isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        key, relation = _BOUNDS[kind]
        bound = error["ctx"][key]
        negative = kind == "greater_than_equal" and bound == 0
        message = (f"{_excerpt(value)} is negative; {_FORMS[form][0] if form else 'the value'} is 0 or more" if negative
                   else f"{_excerpt(value)} {relation.format(bound)}")
        hint = _FORMS[form][1] if form else None
        if form == "amount" and negative:
            hint = "Write costs and funding as positive amounts: the plan adds each list up itself."
        return _finding(codes.WRONG_TYPE, f"'{_label(loc)}': {message}", locate(loc), loc, hint=hint)
    if kind in ("decimal_max_digits", "decimal_whole_digits"):
        most = error["ctx"].get("max_digits") or error["ctx"].get("whole_digits")
        where = "before the point" if kind == "decimal_whole_digits" else "in all"
        return _finding(codes.WRONG_TYPE, f"'{_label(loc)}': {_excerpt(value)} has too many digits for {_FORMS[form or 'figure'][0]}: "
                        f"at most {most} {where}", locate(loc), loc, hint=f"{_FORMS[form or 'figure'][1]} Check for a pasted or repeated value.")
    if kind == "string_too_long" and isinstance(value, str):
        return _finding(codes.WRONG_TYPE, f"'{_label(loc)}': {_excerpt(value)!r} has {len(value)} characters, more than "
                        f"{error['ctx']['max_length']}", locate(loc), loc,
                        hint=f"Write at most {error['ctx']['max_length']} characters.")
    if kind == "too_short" and isinstance(value, (list, dict, str)):
        least = error["ctx"]["min_length"]
        return _finding(codes.WRONG_TYPE, f"'{_label(loc)}': the list is empty; it needs at least {least} item(s)" if not value
                        else f"'{_label(loc)}': {len(value)} item(s); it needs at least {least}", locate(loc), loc,
                        hint=_TYPE_HINTS["list"])
    if kind == "finite_number":
        what = "infinite (.inf)" if isinstance(value, Decimal) and value.is_infinite() else "not a number (.nan)"
        return _finding(codes.WRONG_TYPE, f"'{_label(loc)}': the value is {what}", locate(loc), loc,
                        hint=_FORMS[form or "figure"][1])
    if kind in ("model_type", "model_attributes_type", "dict_type") and isinstance(value, (str, int, float)):
        target = _field_type(model, loc)
        if isinstance(target, type) and issubclass(target, BaseModel):  # a text where a mapping of keys belongs
            required = [key for key, info in target.model_fields.items() if info.is_required()] or list(target.model_fields)[:2]
            return _finding(codes.WRONG_TYPE, f"'{_label(loc)}': {_excerpt(value)!r} is one text; here belong the keys "
                            f"{', '.join(target.model_fields)}", locate(loc), loc,
                            hint=f"Write it as a mapping: {{{', '.join(f'{key}: …' for key in required)}}}.")
    message = error["msg"]
    if not isinstance(value, (dict, list)) and value is not None:
        message = f"{message} (found {_excerpt(value)!r})"
    hint = next((h for prefix, h in _TYPE_HINTS.items() if kind.startswith(prefix) and h), None)
    if kind == "ambiguous_number" and error.get("ctx", {}).get("found"):
        found = error["ctx"]["found"]  # the hint with the user's own number
        whole, decimals = found.split(".")
        fraction = f"{whole}.0" if set(decimals) == {"0"} else f"{found}0"  # the same value, not three decimals
        hint = f"Write {whole}{decimals} if that is meant, or {fraction} for {fraction.replace('.', ',')}."
    return _finding(codes.WRONG_TYPE, f"'{_label(loc)}': {message}" if name != "" else message, locate(loc), loc, hint=hint)


def _cut_by_comma(where: Location, name: str) -> tuple[str, str] | None:
    """(key, the text it kept) when an unknown key without a value is the rest of a plain text cut
    by a comma in a flow mapping (``{role: Dezernentin für Digitalisierung, Bildung und Kultur}``)."""
    line = _source_line(where)
    column = (where.column or 0) - 1
    if "{" not in line[:column] or not line[column:].startswith(name):
        return None
    before = line[:column].rstrip()
    if not before.endswith(","):
        return None
    text = before[:-1]
    colon = text.rfind(": ")
    if colon < 0 or text.rfind("{") > colon:
        return None
    key, value = text[:colon].split(",")[-1].split("{")[-1].strip(), text[colon + 2:].strip()
    return (key, value) if value and value[0] not in "\"'[{" else None


def _source_line(location: Location) -> str:
    """The text of the line ``location`` points at ("" when it cannot be read)."""
    try:
        lines = location.file.read_text(encoding="utf-8").replace("\r\n", "\n").split("\n") if location.file and location.line else []
    except (OSError, UnicodeDecodeError):
        return ""
    return lines[location.line - 1] if location.line <= len(lines) else ""


# --- the form a field takes ---------------------------------------------------------------

#: A field's form → how a message names it, and the hint that shows how to write it.
_FORMS = {
    "amount": ("an amount in EUR", "Write the amount as a plain number in EUR without thousands separators or €, "
                                   "a dot only before the cents, e.g. 500000 or 1250.50."),
    "whole": ("a whole number", "Write a whole number with the digits 0-9 only, without separators, e.g. 124045."),
    "figure": ("a number", "Write the number with digits and at most a dot before the decimals, e.g. 42 or 3.5."),
    "date": ("a date written as YYYY-MM-DD", "Write dates as YYYY-MM-DD, e.g. 2016-12-05."),
    "text": ("text", "Write text; quote values that YAML would read as numbers, dates or yes/no, e.g. \"2017\"."),
    "bool": ("true or false", "Write true or false."),
}
#: The validators of bidkit/models.py that give a field its form.
_VALIDATOR_FORMS = {"_exact_amount": "amount", "_whole_number": "whole", "_exact_value": "figure", "_calendar_day": "date"}
_BASE_FORMS = {Decimal: "figure", int: "whole", bool: "bool", dt.date: "date", str: "text"}
#: pydantic error types that mean "a value of another kind" besides ``*_type`` and ``*_parsing``.
_WRONG_KIND = {"calendar_day", "int_from_float", "date_from_datetime_inexact", "date_from_datetime_parsing"}
#: pydantic bound errors → (its ctx key, how a message says the value misses it).
_BOUNDS = {"greater_than_equal": ("ge", "is less than {}, the smallest allowed"), "greater_than": ("gt", "must be more than {}"),
           "less_than_equal": ("le", "is more than {}, the largest allowed"), "less_than": ("lt", "must be less than {}")}
#: More digits than any amount, count or figure of a bid has: reported as too large, never echoed whole.
MAX_NUMBER_DIGITS = 20


def _form(model: type[BaseModel], loc: FieldPath) -> str | None:
    """The form of the field at ``loc`` (a key of ``_FORMS``), from its bidkit validator or its type."""
    if not loc:
        return None
    parent = _field_type(model, loc[:-1])
    if isinstance(parent, type) and issubclass(parent, BaseModel) and str(loc[-1]) in parent.model_fields:
        info = parent.model_fields[str(loc[-1])]
        annotation, metadata = info.annotation, list(info.metadata)
    else:
        annotation, metadata = _field_type(model, loc), []
    while True:  # X | None and Annotated[X, …] down to X, collecting the validators on the way
        if typing.get_origin(annotation) is typing.Annotated:
            metadata += annotation.__metadata__
            annotation = annotation.__origin__
        elif (unwrapped := _unwrap(annotation)) is not annotation:
            annotation = unwrapped
        else:
            break
    for item in metadata:
        form = _VALIDATOR_FORMS.get(getattr(getattr(item, "func", None), "__name__", ""))
        if form:
            return form
    return next((form for base, form in _BASE_FORMS.items() if annotation is base), None)


def _excerpt(value: Any, limit: int = 40) -> str:
    """``value`` as text, cut in the middle when long: a message never echoes a pasted page."""
    text = str(value)
    return text if len(text) <= limit else f"{text[:limit - 12]}…{text[-8:]}"


def _found(value: Any) -> str:
    """How a message names a value of the wrong kind."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, dt.datetime):
        return f"{value.isoformat(' ')} (a date and time)"
    if isinstance(value, dt.date):
        return f"{value.isoformat()} (a date)"
    if isinstance(value, (list, dict)):
        return "a list" if isinstance(value, list) else "a mapping"
    if isinstance(value, (int, Decimal)):
        return f"{_excerpt(value)} (a number)"
    return repr(_excerpt(value))


def _digits(value: Any) -> int:
    """How many digits a number (or a number written as text) has; 0 for anything else."""
    if isinstance(value, Decimal) and value.is_finite():
        return max(len(value.as_tuple().digits), value.adjusted() + 1)
    if isinstance(value, int) and not isinstance(value, bool):
        return len(str(abs(value)))
    if isinstance(value, str) and re.fullmatch(r"\s*-?[0-9]+(\.[0-9]+)?\s*", value):
        return sum(c.isdigit() for c in value)
    return 0


_EXPONENT = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+")
_LEADING_DOT = re.compile(r"[-+]?\.[0-9]+")
_LEADING_ZERO = re.compile(r"[-+]?0[0-9]+")


def _unusual_form(text: str) -> tuple[str, str | None] | None:
    """``1e5`` → ("in exponent form", "100000"), ``.5`` → ("with a leading dot", "0.5"): forms bidkit
    refuses in every number field, with the number written out (None when it is absurdly large)."""
    text = text.strip()
    if _EXPONENT.fullmatch(text):
        what = "in exponent form"
    elif _LEADING_DOT.fullmatch(text):
        what = "with a leading dot"
    elif _LEADING_ZERO.fullmatch(text):
        octal = f" as the octal number {int(text, 8)}" if set(text.lstrip("+-")) <= set("01234567") else " as text"
        what = f"with a leading zero (unquoted, YAML 1.1 tools such as PyYAML and many editors read it{octal})"
    else:
        return None
    number = Decimal(text)
    return what, (format(number, "f") if abs(number.adjusted()) <= 15 else None)


def _unusual_finding(loc: FieldPath, found: str, unusual: tuple[str, str | None], form: str, locate) -> Finding:
    what, written = unusual
    found = found.strip()
    message = f"'{_label(loc)}': {found} is written {what}; bidkit reads numbers only written out in digits"
    rule = _FORMS[form][1]
    if written is None:
        message += ", and it is far too large"
        hint = rule
    elif form == "amount" and not re.fullmatch(AMOUNT_PATTERN, written.lstrip("-")):
        hint = f"{found} is {written}, which is no amount to the cent. {rule}"
    elif form == "whole" and not re.fullmatch(r"-?[0-9]+", written):
        hint = f"{found} is {written}, not a whole number. {rule}"
    else:
        hint = f"Write `{written}`: numbers in digits, without exponent (e), a leading dot or a leading zero."
    return _finding(codes.WRONG_TYPE, message, locate(loc), loc, hint=hint)


def _label(loc: FieldPath) -> str:
    """How a message names a field: its key, or for a list item the list with its index."""
    return dotted(loc[-2:]) if loc and isinstance(loc[-1], int) else str(loc[-1])


# --- one error per cause ---------------------------------------------------------------


def _one_per_cause(loaded: LoadedBid, findings: list[Finding]) -> list[Finding]:
    """An unknown key that stands for a missing one (`ziele:` for `goals:`) is one error, not many.

    The field it stands for is not reported missing as well, and a section it stands for counts
    as broken, so that the rules reading that section (REQ001, REF001, …) stay quiet.
    """
    meant = {(*f.path[:-1], key) for f in findings if f.rule == codes.UNKNOWN_KEY.code
             for key in [_suggested_key(Bid, f.path)] if key}
    loaded.broken |= {str(path[0]) for path in meant if len(path) == 1 and path[0] not in loaded.raw}
    return [f for f in findings if not (f.rule == codes.MISSING_FIELD.code and f.path in meant)]


# --- amounts ----------------------------------------------------------------------------


def _money_message(loc: FieldPath, found: str) -> str:
    label = _label(loc)
    if scaled := scaled_amount(found):  # `0,24 Mio. €`
        return f"'{label}': {_excerpt(found)!r} is not an amount: '{scaled[0]}' is not read"
    if re.fullmatch(r"-?[0-9]+\.[0-9]{3}", found):
        # `150.000` is the number 150 to YAML: say so, that is the trap.
        read = found.rstrip("0").rstrip(".")
        value = f" ({found} = {read})" if read != found else ""
        return (f"'{label}': {found} has three decimals: the dot is read as a decimal point{value}, "
                "not as a thousands separator")
    if re.fullmatch(r"-?[0-9]*\.[0-9]{3,}", found):
        return f"'{label}': {found} has more than two decimals; amounts are exact to the cent"
    if re.fullmatch(r"0[xXoObB][0-9a-fA-F_]+|[0-9]+(_[0-9]+)+", found):
        return f"'{label}': {found} is not a plain amount (hexadecimal, octal or '_' between digits are not read)"
    if re.search(r"[0-9]", found):
        return f"'{label}': {_excerpt(found)!r} is not a plain amount (thousands separators, decimal comma or € are not read)"
    return f"'{label}': {_excerpt(found)!r} is not an amount"


def _money_hint(plain: str) -> str:
    rule = "amounts are plain numbers in EUR without thousands separators, a dot only before the cents (500000, 1250.50)"
    return f"Write `{plain}`: {rule}." if plain else f"Write the amount as a number: {rule}."


# --- ids and key words ------------------------------------------------------------------

def transliterate(text: str) -> str:
    """``Bürger Dienste`` → ``buerger-dienste``: lower case, umlauts spelt out, other signs '-'."""
    from bidkit.letters import plain_letters

    text = plain_letters(text.strip().lower()).encode("ascii", "ignore").decode()  # é → e, ł → l
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def _id_label(loc: FieldPath) -> str:
    """``goal id`` for ``measures[2].goals[0]``, ``partner id`` for ``partners[1].id``."""
    if isinstance(loc[-1], int):
        owner = str(loc[-2])  # goals: [bürger] in a measure
    elif loc[-1] == "id":
        if len(loc) < 3:
            return "id"
        owner = str(loc[-3])  # partners[1].id
    else:
        owner = str(loc[-1])  # measure: …, field: …
    singular = owner[:-3] + "y" if owner.endswith("ies") else owner.removesuffix("s")
    return f"{'thematic field' if singular == 'field' else singular.replace('_', ' ')} id"


#: Characters a key or an id may hold unseen (pasted from a web page, Word or a PDF): format
#: characters, no-break and other spaces. A message shows them escaped (`contri\u200bbution`).
_UNSEEN = re.compile(r"[\u00a0\u00ad\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u2066-\u206f\u3000\ufeff]")
#: Letters of other scripts that look like Latin ones (Cyrillic, Greek): what the writer meant.
_LOOK_ALIKE_LETTERS = str.maketrans("аеорсухіјѕԁһӏοαν", "aeopcyxijsdhloav")


def _shown_key(text: str) -> str:
    """A key or an id as a message quotes it: characters it holds unseen escaped, named after it
    („'contri\u200bbution' (with U+200B ZERO WIDTH SPACE)“), and look-alike letters of other
    scripts named („U+0430 CYRILLIC SMALL LETTER A, not a Latin letter“)."""
    text = str(text)
    unseen = dict.fromkeys(_UNSEEN.findall(text))
    foreign = dict.fromkeys(c for c in text if c.translate(_LOOK_ALIKE_LETTERS) != c)
    shown = _UNSEEN.sub(lambda m: f"\\u{ord(m.group()):04x}", _excerpt(text))
    notes = [f"with U+{ord(c):04X} {unicodedata.name(c, 'an invisible character')}" for c in unseen]
    notes += [f"U+{ord(c):04X} {unicodedata.name(c, '?')} is no Latin letter" for c in foreign]
    return f"'{shown}'" + (f" ({'; '.join(notes)})" if notes else "")


def _id_hint(value: str) -> str:
    rules = "Ids use lower-case letters a-z, digits and '-' (ä → ae, ö → oe, ü → ue, ß → ss, spaces → '-')"
    suggestion = transliterate(_UNSEEN.sub("", value).translate(_LOOK_ALIKE_LETTERS))[:64].strip("-")
    if suggestion and re.fullmatch(ID_PATTERN, suggestion) and suggestion != value:
        return f"{rules}: write '{suggestion}', and refer to it by that id everywhere."
    return f"{rules}."


@functools.cache
def german_keys() -> dict[str, list[str]]:
    """German words for bidkit's keys (bidkit/data/german_keys.yaml): word → the keys it may mean.
    Read when an unknown key is explained, not with every check."""
    return {word: [keys] if isinstance(keys, str) else list(keys)
            for word, keys in load_document(DATA_DIR / "german_keys.yaml").data.items()}


def _suggested_key(model: type[BaseModel], loc: FieldPath) -> str | None:
    """The key an unknown key ``loc`` most likely means: by meaning (German), else by spelling."""
    allowed = _allowed_keys(model, loc[:-1])
    written = _UNSEEN.sub("", str(loc[-1])).translate(_LOOK_ALIKE_LETTERS)
    meant = [key for key in german_keys().get(transliterate(written), []) if key in allowed]
    if meant:
        return meant[0]
    close = difflib.get_close_matches(written, allowed, n=1, cutoff=0.6)
    return close[0] if close else None


def _field_type(model: type[BaseModel], path: FieldPath) -> Any:
    """The annotation reached by following ``path`` through nested models and lists."""
    current: Any = model
    for part in path:
        current = _unwrap(current)
        if isinstance(part, int):
            args = typing.get_args(current)
            current = args[0] if args else None
        elif isinstance(current, type) and issubclass(current, BaseModel) and part in current.model_fields:
            current = current.model_fields[part].annotation
        else:
            return None
    return _unwrap(current)


def _unwrap(annotation: Any) -> Any:
    """``X | None`` → ``X``."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
        return args[0]
    return annotation


def _allowed_keys(model: type[BaseModel], path: FieldPath) -> list[str]:
    target = _field_type(model, path)
    if isinstance(target, type) and issubclass(target, BaseModel):
        return list(target.model_fields)
    return []


def _describe(model: type[BaseModel], loc: FieldPath) -> str:
    parent = _field_type(model, loc[:-1])
    if isinstance(parent, type) and issubclass(parent, BaseModel):
        info = parent.model_fields.get(str(loc[-1]))
        if info and info.description:
            return info.description
    return ""
