"""Loading a bid folder: YAML files → merged data → validated ``Bid`` and ``Call``.

Every problem becomes a located ``Finding``; nothing stops at the first one. The loader
keeps the position-carrying YAML documents so that rules can point at file, line and column.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError, create_model

from bidkit.call_profiles import shipped_calls
from bidkit.errors import BidkitError
from bidkit.findings import FieldPath, Finding, Location
from bidkit.models import Bid, Call
from bidkit.rules import loading as codes
from bidkit.rules.registry import Rule, matching
from bidkit.yamlio import SourceDocument, YamlSyntaxError, load_document

#: Top-level fields every bid needs (call, title, city, contacts): without them not even a draft.
REQUIRED_FIELDS = frozenset(name for name, info in Bid.model_fields.items() if info.is_required())
MANIFEST = "bid.yaml"


@dataclass
class BidSources:
    """Which file each top-level key came from, to locate any field path."""

    bid_dir: Path
    sections: dict[str, SourceDocument] = field(default_factory=dict)
    call_document: SourceDocument | None = None

    def locate(self, path: FieldPath, *, key: bool = False, text_offset: int | None = None) -> Location:
        if path and path[0] in self.sections:
            document = self.sections[str(path[0])]
            if text_offset is not None:
                return document.locate_in_text(path, text_offset)
            return document.locate(path, key=key)
        return Location(self.bid_dir / MANIFEST, 1, 1)


@dataclass
class LoadedBid:
    bid_dir: Path
    sources: BidSources
    bid: Bid | None = None
    call: Call | None = None
    findings: list[Finding] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)
    #: Sections with errors (or in a file that did not parse): rules reading them are skipped.
    broken: set[str] = field(default_factory=set)

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
    schema_findings: list[Finding] = []
    loaded.bid = _validate(Bid, loaded.raw, loaded.sources.locate, schema_findings)
    # A section of a file that did not parse is not "missing": its syntax error says it all.
    loaded.findings += [f for f in schema_findings if not (f.rule == codes.MISSING_FIELD.code and f.path[0] in unparsed)]
    if loaded.bid is None:
        loaded.broken |= {str(f.path[0]) for f in schema_findings if f.path}
        loaded.bid = _partial_bid(loaded)
    loaded.call = _load_call(loaded)
    return loaded


#: ``Bid`` with every top-level field optional, to validate the sound sections of a broken bid.
_AnySections = create_model(
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
        partial = _AnySections.model_validate(sound)
    except ValidationError:  # pragma: no cover - every error names its section
        return None
    missing = {name for name in REQUIRED_FIELDS if getattr(partial, name) is None}
    loaded.broken |= missing
    return Bid.model_construct(**dict(partial))


def _read_files(loaded: LoadedBid) -> None:
    files = sorted(p for p in loaded.bid_dir.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    if loaded.bid_dir / MANIFEST not in files:
        loaded.findings.append(_finding(
            codes.FILE_MISSING, f"{MANIFEST} is missing in {loaded.bid_dir}",
            Location(loaded.bid_dir / MANIFEST),
            hint="Every bid folder needs bid.yaml naming the call and the city; `bidkit init` writes one.",
        ))
    # bid.yaml first, so that a section repeated elsewhere is reported at the repetition.
    files.sort(key=lambda p: (p.name != MANIFEST, p.name))
    for path in files:
        if path.resolve() == _call_file(loaded):
            continue  # a call file of the bid's own, read by _load_call
        document = _read_document(path, loaded.findings)
        if document is None:
            loaded.broken |= _top_level_keys(path)
            continue
        for key in document.data:
            if key in loaded.sources.sections:
                first = loaded.sources.sections[key].path.name
                loaded.findings.append(_finding(
                    codes.DUPLICATE_SECTION, f"'{key}' is already defined in {first}",
                    document.locate((key,), key=True), (key,),
                ))
                continue
            loaded.sources.sections[key] = document
            loaded.raw[key] = document.data[key]


def _top_level_keys(path: Path) -> set[str]:
    """The section names a file that did not parse seems to hold (so they are not 'missing')."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    return set(re.findall(r"^([A-Za-z_][\w-]*)\s*:", text, flags=re.MULTILINE))


def _read_document(path: Path, findings: list[Finding]) -> SourceDocument | None:
    try:
        document = load_document(path)
    except YamlSyntaxError as exc:
        findings.append(_finding(codes.YAML_SYNTAX, exc.message, exc.location, hint=exc.hint))
        return None
    except (OSError, UnicodeDecodeError) as exc:
        reason = "is not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else f"cannot be read ({exc.strerror})"
        findings.append(_finding(codes.FILE_MISSING, f"{path.name} {reason}", Location(path)))
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
    return (loaded.bid_dir / name.strip()).resolve()


def _load_call(loaded: LoadedBid) -> Call | None:
    name = loaded.raw.get("call")
    if not isinstance(name, str) or not name.strip():
        return None  # the model validation already reported it
    name = name.strip()
    profiles = shipped_calls()
    where = loaded.sources.locate(("call",))
    if name in profiles:
        path = profiles[name]
    elif name.endswith((".yaml", ".yml")) or "/" in name:
        path = (loaded.bid_dir / name)
        if not path.is_file():
            loaded.findings.append(_finding(
                codes.FILE_MISSING, f"call file '{name}' not found (looked in {path})", where, ("call",),
                hint="Give the path relative to the bid folder, e.g. `call: ./my-call.yaml`.",
            ))
            return None
    else:
        close = difflib.get_close_matches(name, profiles, n=1)
        hint = f"Did you mean '{close[0]}'?" if close else None
        loaded.findings.append(_finding(
            codes.UNKNOWN_CALL, f"unknown call '{name}'; shipped calls: {', '.join(profiles)}", where, ("call",),
            hint=hint,
        ))
        return None
    document = _read_document(path, loaded.findings)
    if document is None:
        return None
    loaded.sources.call_document = document
    call = _validate(Call, document.data, document.locate, loaded.findings)
    for index, requirement in enumerate(call.requirements if call else []):
        for j, pattern in enumerate(requirement.rules):
            if not matching([pattern]):
                where = ("requirements", index, "rules", j)
                loaded.findings.append(_finding(
                    codes.BAD_CONFIG, f"requirement {requirement.id} names no known rule '{pattern}'",
                    document.locate(where), where,
                ))
    return call


# --- pydantic errors → findings ------------------------------------------------------

_TYPE_HINTS = {
    "date": "Write dates as YYYY-MM-DD, e.g. 2016-12-05.",
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
    if kind == "missing":
        return _finding(
            codes.MISSING_FIELD, f"required field '{name}' is missing", locate(loc[:-1]), loc,
            hint=f"Add `{name}:` here. {_describe(model, loc)}".strip(),
        )
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1])
        close = difflib.get_close_matches(str(name), allowed, n=1, cutoff=0.6)
        hint = f"Did you mean '{close[0]}'?" if close else f"Allowed keys here: {', '.join(allowed)}."
        return _finding(codes.UNKNOWN_KEY, f"unknown key '{name}'", locate(loc, key=True), loc, hint=hint)
    message = error["msg"]
    value = error.get("input")
    if not isinstance(value, (dict, list)) and value is not None:
        message = f"{message} (found {str(value)!r})"
    hint = next((h for prefix, h in _TYPE_HINTS.items() if kind.startswith(prefix) and h), None)
    return _finding(codes.WRONG_TYPE, f"'{name}': {message}" if name != "" else message, locate(loc), loc, hint=hint)


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
