"""Reading YAML safely and fast while keeping where every value stands in its file.

libyaml (through PyYAML's C parser) composes the node tree with line and column marks; this
module builds plain data from it — ``YamlMap``/``YamlSeq`` remember the position of each key,
value and item. Only plain data is built: YAML 1.2 core scalars (so ``no`` stays a string),
floats as ``Decimal`` from their text, dates (an impossible one such as ``2017-02-30`` stays
text, for the models to refuse with its place). An explicit tag may only repeat what the value's
text already is (``!!float 1.5``, ``!!str abc``): a tag that would change the reading (``!!str 123``,
``!!int '5'``) or asks for anything else (``!x``, ``!!python/…``, ``!!binary``) is an error, as are a
duplicate key and an alias expansion beyond a bound.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import marshal
import os
import re
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

from bidkit.findings import FieldPath, Location
from bidkit.records import record

try:
    from yaml.cyaml import CParser as _Parser  # libyaml: ~40x faster than the Python parser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)

        def dispose(self) -> None:
            pass

#: Values built from one document at most; bounds "billion laughs" alias expansion.
MAX_VALUES = 2_000_000
#: Characters of text built from one document at most; bounds aliases of long strings.
MAX_CHARS = 20_000_000
MAX_DIGITS = 1000
#: Lists and mappings nested in each other at most (a bid needs about 8); deeper is refused with a
#: location before any recursive walk (building, validation, templates) could exhaust the stack.
MAX_DEPTH = 64

_TAG = "tag:yaml.org,2002:"
_STR, _MAP, _SEQ = _TAG + "str", _TAG + "map", _TAG + "seq"
#: A ``#word`` right after a plain value, which YAML reads as a comment.
_SWALLOWED = re.compile(r"\s+(#[^\s#!]\S*)")


class _Resolver12(BaseResolver):
    """Implicit types of the YAML 1.2 core schema, plus ISO dates and timestamps."""


_Resolver12.yaml_implicit_resolvers = {}
for _tag, _regexp, _first in (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    # Decimal integers only: `0x249F0` and `0o444760` stay text, which no number field accepts, and so
    # does `0700`, which YAML 1.1 readers (PyYAML, many editors) take for the octal number 448.
    ("int", r"^[-+]?(?:0|[1-9][0-9]*)$", "-+0123456789"),
    # Floats written out only: `1e5` and `.5` stay text, which number fields refuse with the written-out form.
    ("float", r"^(?:[-+]?[0-9]+\.[0-9]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
     "-+0123456789."),
    ("timestamp", r"^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?"
                  r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::?[0-9]{2})?))?)?)$", "0123456789"),
):
    _Resolver12.add_implicit_resolver(_TAG + _tag, re.compile(_regexp), list(_first))


class _Composer(_Parser):  # type: ignore[misc, valid-type]
    """libyaml's node tree, with each node's tag left for the builder to work out.

    The composer asks for the tag of every node it makes (``resolve``) and tells a resolver where it
    descends and ascends; in Python these calls cost more than libyaml parsing the file. Here they
    are C builtins: ``resolve`` keeps its arguments in a ``slice`` (the node's ``tag``, unless the
    file writes a tag, which stays the text), the descent is not followed (no path resolvers).
    ``_Builder.tag`` gives the tag a resolver would have given (tests/test_yamlio_tags.py).
    """

    resolve = staticmethod(slice)  # (kind, value, implicit) -> slice(kind, value, implicit)
    descend_resolver = staticmethod(slice)  # (parent, index): nothing to follow
    ascend_resolver = staticmethod(tuple)

    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)


class _Tags(_Resolver12):
    """The tag the YAML 1.2 core schema gives a plain scalar; a plain scalar's depends on its text alone,
    so it is worked out once per distinct text."""

    def __init__(self) -> None:
        super().__init__()
        self.known: dict[str, str] = {}

    def plain(self, value: str) -> str:
        tag = self.known.get(value)
        if tag is None:
            tag = self.known[value] = self.resolve(ScalarNode, value, (True, False))
        return tag


_TAGS = _Tags()


class YamlMap(dict):
    """A mapping that knows where it, each key and each value stand (0-based line, column)."""

    __slots__ = ("mark", "key_marks", "value_marks", "block_text")


class YamlSeq(list):
    __slots__ = ("mark", "item_marks", "block_text")


class YamlSyntaxError(Exception):
    """A file that is not well-formed YAML, or uses a feature bidkit refuses."""

    def __init__(self, message: str, location: Location, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.hint = hint


@record(frozen=True)
class SwallowedText:
    """A ``#word`` read as a comment right after a plain value (``title: A #B``)."""

    comment: str
    location: Location


@record
class SourceDocument:
    """One loaded YAML file: its path, the position-keeping data, and what it silently lost."""

    path: Path
    data: Any
    swallowed: list[SwallowedText] = field(default_factory=list)

    def locate(self, path: FieldPath, *, key: bool = False) -> Location:
        """Where ``path`` stands in this file, or its nearest existing ancestor.

        With ``key=True`` the position of the last key itself is given (for unknown keys).
        """
        line, column = getattr(self.data, "mark", (0, 0))
        node = self.data
        for depth, part in enumerate(path):
            last = depth == len(path) - 1
            if isinstance(node, YamlMap) and part in node:
                line, column = node.key_marks[part] if (last and key) else node.value_marks[part]
                node = node[part]
            elif isinstance(node, YamlSeq) and isinstance(part, int) and 0 <= part < len(node):
                line, column = node.item_marks[part]
                node = node[part]
            else:
                break
        return Location(self.path, line + 1, column + 1)

    def locate_in_text(self, path: FieldPath, offset: int) -> Location:
        """The line and column of character ``offset`` in the string at ``path``, as the rules read
        it: composed (NFC), whatever form the file holds it in.

        A literal block scalar's (``|``) lines are the file's lines. In a folded block (``>``), a
        plain or a quoted scalar over several lines the word at ``offset`` is looked for in the
        value's lines of the file (those indented more than its key): YAML joins the lines of such
        a text, but splits no word, so its n-th occurrence in the value is its n-th there. Else (an
        escape or a `\\` continuation in a quoted text) the start of the value.
        """
        start = self.locate(path)
        parent: Any = self.data
        for part in path[:-1]:
            try:
                parent = parent[part]
            except (KeyError, IndexError, TypeError):
                return start
        text = parent.get(path[-1]) if isinstance(parent, dict) and path else \
            parent[path[-1]] if isinstance(parent, list) and path and isinstance(path[-1], int) and path[-1] < len(parent) else None
        if not isinstance(text, str) or start.line is None:
            return start
        text = unicodedata.normalize("NFC", text)
        word = text[offset:offset + 40].split(maxsplit=1)[0] if text[offset:offset + 1].strip() else ""
        if path[-1] in getattr(parent, "block_text", ()):
            line = start.line + 1 + text[:offset].count("\n")
            before = text[text.rfind("\n", 0, offset) + 1:offset].count(word) if word else 0
            found = _occurrence(self.path, line - 1, 0, word, before + 1, line) if word else None
            return Location(self.path, line, found[1] if found else None)
        found = _occurrence(self.path, start.line - 1, start.column - 1, word, text[:offset].count(word) + 1) if word else None
        return Location(self.path, *found) if found else start


def _occurrence(path: Path, line: int, column: int, word: str, nth: int, last: int | None = None) -> tuple[int, int] | None:
    """(1-based line, column) of the ``nth`` occurrence of ``word`` in the file's lines (composed)
    from (0-based) ``line`` and ``column`` on, up to the 1-based line ``last``, else to the end of
    the value that starts there (its lines are indented more than its key, or blank); None when
    there are fewer (an escape, a continuation, or a file changed since it was read)."""
    lines = _file_lines(path)
    if not 0 <= line < len(lines):
        return None
    key = _KEY_INDENT.match(lines[line]).end()
    for number in range(line, len(lines) if last is None else min(last, len(lines))):
        text = lines[number]
        if number > line and last is None and text.strip() and _KEY_INDENT.match(text).end() <= key:
            return None  # the next key: past the value
        composed = unicodedata.normalize("NFC", text)
        at = _composed_column(text, column) if number == line else 0
        while (at := composed.find(word, at)) >= 0:
            nth -= 1
            if nth == 0:
                return number + 1, _raw_column(text, at) + 1
            at += len(word)
    return None


#: Where a line's key starts: after its indentation and any `- ` of list items.
_KEY_INDENT = re.compile(r"[ ]*(?:-[ ]+)*")


def _composed_column(line: str, column: int) -> int:
    return len(unicodedata.normalize("NFC", line[:column]))


def _raw_column(line: str, composed: int) -> int:
    """The column in ``line`` as written of the ``composed``-th character of its NFC form."""
    if unicodedata.is_normalized("NFC", line):
        return composed
    raw = 0
    while raw < len(line) and _composed_column(line, raw) < composed:
        raw += 1
    return raw


def _file_lines(path: Path) -> list[str]:
    """The lines of a bid file as YAML counts them (reports locate words in a few texts of it)."""
    try:
        stat = path.stat()
    except OSError:
        return []
    return _read_lines(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _read_lines(path: Path, modified: int, size: int) -> list[str]:
    try:
        return re.split(r"\r\n|\r|\n", path.read_text(encoding="utf-8-sig", errors="replace"))
    except OSError:
        return []


#: Line breaks to YAML, none to an editor or grep: every line number after one would be off by one.
_ODD_BREAK = re.compile("[\u0085\u2028\u2029]")
_ODD_NAMES = {"\u0085": "NEXT LINE (NEL)", "\u2028": "LINE SEPARATOR", "\u2029": "PARAGRAPH SEPARATOR"}


def _refuse_odd_break(path: Path, text: str, index: int) -> None:
    before = text[:index]
    where = Location(path, before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1)
    character = text[index]
    raise YamlSyntaxError(f"YAML error: the invisible character U+{ord(character):04X} {_ODD_NAMES[character]} breaks the line "
                          "for YAML, not for an editor", where,
                          "Replace it by a space (or a line break): it comes from copying out of a word processor, a PDF or "
                          "a web page.")


def load_document(path: Path) -> SourceDocument:
    """Load one YAML file; raise ``YamlSyntaxError`` with its location when it is broken.

    A file read before comes from the user's cache folder (``_cached``): the same data and places."""
    text = path.read_text(encoding="utf-8")
    entry = _entry(text)
    kept = _cached(entry, path)
    if kept is not None:
        return kept
    document = _parsed(path, text)
    _keep(entry, document)
    return document


def _parsed(path: Path, text: str) -> SourceDocument:
    if (odd := _ODD_BREAK.search(text)) is not None:
        _refuse_odd_break(path, text, odd.start())
    composer = _Composer(text)
    try:
        node = composer.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        where = Location(path, mark.line + 1 if mark else None, mark.column + 1 if mark else None)
        if mark and text[mark.index:mark.index + 1] == "\t":
            raise YamlSyntaxError("YAML syntax error: a tab character; YAML indents with spaces only", where,
                                  "Replace the tab by spaces (two per level, as in the lines around it).") from None
        raise YamlSyntaxError(
            f"YAML syntax error: {problem}", where,
            "Check indentation, colons and quotes near this line; quote text that contains ': ' or ' #'.",
        ) from None
    except yaml.reader.ReaderError as exc:  # a character YAML refuses (NUL, ESC, …): at its line and column
        index = len(text.encode("utf-8")[:exc.position].decode("utf-8", "ignore"))  # libyaml counts bytes
        if not isinstance(exc.character, int) or text[index:index + 1] != chr(exc.character):
            index = min(exc.position, len(text))  # the Python reader counts characters
        before = text[:index]
        where = Location(path, before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1)
        code = f"U+{exc.character:04X}" if isinstance(exc.character, int) else "a control character"
        raise YamlSyntaxError(f"YAML error: the control character {code}{' (NUL)' if exc.character == 0 else ''} is not allowed "
                              "in a YAML file", where,
                              "Delete the character (editors may show it as a box or ^@): it comes from copying out "
                              "of another program or from a damaged file.") from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(f"YAML error: {exc}", Location(path), "Fix the YAML syntax.") from None
    finally:
        composer.dispose()
    builder = _Builder(path, text.splitlines())
    if node is not None and "&" in text and "*" in text:  # anchors and aliases: measure before building
        builder.refuse_expansion(node)
    data = builder.build(node) if node is not None else None
    return SourceDocument(path, data, builder.swallowed)


class _Builder:
    """Plain data from a node tree, with positions; refuses what is not plain data."""

    def __init__(self, path: Path, lines: list[str]) -> None:
        self.path = path
        self.lines = lines
        #: Lines with a '#': only there can a plain value be followed by a comment (check_swallowed).
        self.commented = {number for number, line in enumerate(lines) if "#" in line}
        self.values = 0
        self.chars = 0
        self.active: set[int] = set()
        self.swallowed: list[SwallowedText] = []

    def refuse_expansion(self, root: Any) -> None:
        """Refuse at once a document whose aliases expand beyond the bounds ("billion laughs").

        The node graph shares an aliased node, so its expanded size is counted once per distinct
        node (linear in the file), instead of finding out by building it value by value."""
        sizes: dict[int, tuple[int, int]] = {}

        def size(node: Any, active: frozenset[int] = frozenset()) -> tuple[int, int]:
            if id(node) in sizes:
                return sizes[id(node)]
            if isinstance(node, ScalarNode):
                found = (1, len(node.value))
            elif id(node) in active:  # a recursive alias: the builder reports it
                return (0, 0)
            elif len(active) >= MAX_DEPTH:
                raise self.too_deep(node)
            else:
                inner = active | {id(node)}
                children = [part for pair in node.value for part in pair] if isinstance(node, MappingNode) else node.value
                counted = [size(child, inner) for child in children]
                found = (1 + sum(c[0] for c in counted), sum(c[1] for c in counted))
            sizes[id(node)] = found
            return found

        def too_big(node: Any) -> bool:
            values, chars = size(node)
            return values > MAX_VALUES or chars > MAX_CHARS

        if not too_big(root):
            return
        node = root  # point at the innermost node that is too big while none of its parts is
        while not isinstance(node, ScalarNode):
            children = [part for pair in node.value for part in pair] if isinstance(node, MappingNode) else node.value
            bigger = next((child for child in children if too_big(child)), None)
            if bigger is None:
                break
            node = bigger
        values, chars = size(node)
        raise self.fail(f"YAML aliases expand to {values:,} values and {chars:,} characters of text here "
                        f"(at most {MAX_VALUES:,} and {MAX_CHARS:,})", node,
                        "Write the data out without '*alias' repetitions.")

    def too_deep(self, node: Any) -> YamlSyntaxError:
        return self.fail(f"YAML nested deeper than {MAX_DEPTH} levels", node,
                         "A bid's data is a few levels deep; close the brackets or indentation that nest this far.")

    def fail(self, message: str, node: Any, hint: str) -> YamlSyntaxError:
        mark = node.start_mark
        return YamlSyntaxError(message, Location(self.path, mark.line + 1, mark.column + 1), hint)

    def build(self, node: Any) -> Any:
        self.values += 1
        if self.values > MAX_VALUES:
            raise self.fail("YAML expands to too many values (aliases?)", node, "Write the data out without '*alias' repetitions.")
        if node.__class__ is ScalarNode:
            value = self.scalar(node)
            if value.__class__ is str:
                self.chars += len(value)
                if self.chars > MAX_CHARS:
                    raise self.fail(f"YAML expands to more than {MAX_CHARS:,} characters of text (aliases?)", node,
                                    "Write the text out once instead of repeating it with '*alias'.")
            return value
        if id(node) in self.active:  # only a mapping or a list can hold itself
            raise self.fail("YAML alias refers to itself", node, "Remove the recursive '*alias'.")
        if len(self.active) >= MAX_DEPTH:
            raise self.too_deep(node)
        self.active.add(id(node))
        try:
            if node.__class__ is MappingNode:
                return self.mapping(node)
            return self.sequence(node)
        finally:
            self.active.discard(id(node))

    def mapping(self, node: MappingNode) -> YamlMap:
        if self.tag(node) != _MAP:
            raise self.tag_error(node)
        result = YamlMap()
        mark = node.start_mark
        result.mark = (mark.line, mark.column)
        result.key_marks, result.value_marks, result.block_text = key_marks, value_marks, block_text = {}, {}, set()
        build = self.build
        for key_node, value_node in node.value:
            key = build(key_node)
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                found = repr(key_node.value) if isinstance(key_node, ScalarNode) else "a list or mapping"
                raise self.fail(f"a key must be text, found {found}", key_node, "Write the key as a word, e.g. 'title:'.")
            if key == "<<" and not key_node.style:  # YAML 1.1's merge key: a plain key here, which no model knows
                raise self.fail("YAML merge keys ('<<') are not supported", key_node,
                                "Write the keys out in each mapping instead of merging '<<: *alias' into it.")
            if key in result:
                line = key_marks[key][0] + 1
                raise self.fail(f"duplicate key '{key}' (first on line {line})", key_node,
                                "Each key may appear only once in a mapping; remove or rename the repeated key.")
            result[key] = build(value_node)
            mark = key_node.start_mark
            key_marks[key] = (mark.line, mark.column)
            # A block scalar's value starts at its '|' or '>' indicator.
            mark = value_node.start_mark
            value_marks[key] = (mark.line, mark.column)
            if value_node.__class__ is ScalarNode and value_node.style == "|":
                block_text.add(key)
        return result

    def sequence(self, node: SequenceNode) -> YamlSeq:
        if self.tag(node) != _SEQ:
            raise self.tag_error(node)
        build = self.build
        items = node.value
        result = YamlSeq([build(item) for item in items])
        mark = node.start_mark
        result.mark = (mark.line, mark.column)
        result.item_marks = [(item.start_mark.line, item.start_mark.column) for item in items]
        result.block_text = {i for i, item in enumerate(items) if item.__class__ is ScalarNode and item.style == "|"}
        return result

    def scalar(self, node: ScalarNode) -> Any:
        value = node.value
        written = node.tag
        if node.style:  # quoted or a block: text, unless tagged (libyaml says "" for plain, the Python parser None)
            if (written.__class__ is not slice or written.step[0]) and self.tag(node) != _STR:
                raise self.tag_error(node)
            return value
        tag = _TAGS.known.get(value) or _TAGS.plain(value)
        # Without a tag in the file a plain scalar has the tag of its text; any other tag must be that one.
        if (written.__class__ is not slice or not written.step[0]) and self.tag(node) != tag:
            raise self.tag_error(node)
        end = node.end_mark
        if end.line in self.commented:
            self.check_swallowed(end)
        if tag == _STR:
            return value
        kind = tag[len(_TAG):]
        if kind == "null":
            return None
        if kind == "bool":
            return value.lower() == "true"
        if kind == "int":
            # Beyond Python's 4300-digit conversion limit the text stays text: no field takes it.
            return int(value) if len(value) <= MAX_DIGITS else value
        if kind == "float":
            special = {".inf": "Infinity", "+.inf": "Infinity", "-.inf": "-Infinity", ".nan": "NaN"}
            return Decimal(special.get(value.lower(), value))
        try:
            return _timestamp(value)
        except ValueError:
            # `2017-02-30` looks like a date but is none: keep the text, so that the field's
            # validation reports it with its place like a quoted bad date (SCH001), no crash.
            return value

    @staticmethod
    def tag(node: Any) -> str:
        """The node's tag as a YAML 1.2 core resolver gives it: the one written in the file, else, for a
        scalar, that of its text if plain and unquoted (``!`` makes it text), else its kind's default."""
        tag = node.tag
        if tag.__class__ is not slice:  # written in the file
            return tag
        if node.__class__ is ScalarNode:  # libyaml: plain if untagged and unquoted, or tagged '!' (even quoted)
            return _TAGS.plain(node.value) if tag.step[0] else _STR
        return _MAP if node.__class__ is MappingNode else _SEQ

    def tag_error(self, node: Any) -> YamlSyntaxError:
        tag = str(self.tag(node)).replace(_TAG, "!!")
        return self.fail(f"YAML tag {tag!r} is not allowed", node,
                         "Bid files hold plain data: remove the '!'-tag and write the value itself (quote text).")

    def check_swallowed(self, end: Any) -> None:
        """`title: Foo #Bar` ends the value before '#Bar': report such hashtag-like comments."""
        match = _SWALLOWED.match(self.lines[end.line], end.column)
        if match:
            self.swallowed.append(SwallowedText(match.group(1), Location(self.path, end.line + 1, match.start(1) + 1)))


# --- files read before, kept in the user's cache folder ------------------------------------------

#: Bumped when the kept form changes.
CACHE_FORMAT = 1
#: Entries kept at most; beyond, the oldest written go (a bid's file is a few to a few hundred KB).
MAX_CACHED = 1000
#: Larger data is not kept (aliases, expanded within the bounds, can make a small file's data large).
MAX_CACHED_BYTES = 8_000_000
_MAGIC = b"bidkit yaml\n"
_PLAIN = frozenset({str, int, bool, type(None)})


@functools.cache
def _fingerprint() -> bytes:
    """What the data built from a text depends on besides the text: this module (its bounds, tags and
    builder), PyYAML and libyaml as installed, bidkit's and Python's versions."""
    from bidkit import __version__

    parts = [f"yaml {CACHE_FORMAT}", __version__, sys.version, yaml.__version__, _Parser.__module__]
    for name in ("bidkit.yamlio", "yaml._yaml"):
        module = sys.modules.get(name)
        try:
            stat = os.stat(module.__file__)  # type: ignore[union-attr, arg-type]
            parts.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
        except (AttributeError, TypeError, OSError):
            parts.append(f"{name}:-")
    return "\n".join(parts).encode() + b"\n\0"


def _entry(text: str) -> Path | None:
    """Where the data of ``text`` is kept: under the sha256 of the text and of ``_fingerprint``."""
    from bidkit.paths import cache_dir

    try:
        folder = cache_dir()
    except RuntimeError:  # no home folder to find the cache folder in: no cache
        return None
    digest = hashlib.sha256(_fingerprint() + text.encode("utf-8", "surrogatepass")).hexdigest()
    return folder / "yaml" / f"{digest}.bin"


def _cached(entry: Path | None, path: Path) -> SourceDocument | None:
    """The document kept at ``entry``, or None: none kept, or not a whole one (a damaged entry is a miss)."""
    from bidkit.fileio import read_sealed

    if (payload := read_sealed(entry, _MAGIC)) is None:
        return None
    try:
        data, swallowed = marshal.loads(payload)
        return SourceDocument(path, _thawed(data),
                              [SwallowedText(comment, Location(path, line, column)) for comment, line, column in swallowed])
    except Exception:  # noqa: BLE001 - whatever it holds, an entry that does not decode is a miss
        return None


def _keep(entry: Path | None, document: SourceDocument) -> None:
    """Keep ``document`` at ``entry``, whole or not at all; drop the oldest entries beyond MAX_CACHED."""
    from bidkit.fileio import prune_oldest, write_sealed

    if entry is None:
        return
    try:
        payload = marshal.dumps((_frozen(document.data), [(s.comment, s.location.line, s.location.column)
                                                          for s in document.swallowed]))
    except (TypeError, ValueError):  # pragma: no cover - the builder makes only what _frozen writes
        return
    if len(payload) > MAX_CACHED_BYTES or not write_sealed(entry, _MAGIC, payload):
        return
    prune_oldest(entry.parent, "*.bin", MAX_CACHED)


def _frozen(data: Any) -> Any:
    """``data`` in a form ``marshal`` writes: plain values as they are, the rest as tuples (data holds no
    tuple). Equal texts and places become one object, which ``marshal`` writes once and reads back once."""
    shared: dict = {}
    one = shared.setdefault

    def frozen(value: Any) -> Any:
        kind = value.__class__
        if kind is str:
            return one(value, value)
        if kind in _PLAIN:
            return value
        if kind is YamlMap:
            keys = tuple(one(key, key) if key.__class__ is str else key for key in value)
            return ("m", value.mark, keys, tuple(map(frozen, value.values())),
                    tuple(one(mark, mark) for mark in map(value.key_marks.__getitem__, keys)),
                    tuple(one(mark, mark) for mark in map(value.value_marks.__getitem__, keys)), tuple(value.block_text))
        if kind is YamlSeq:
            return ("s", value.mark, tuple(map(frozen, value)), tuple(one(mark, mark) for mark in value.item_marks),
                    tuple(value.block_text))
        if kind is Decimal:
            return ("d", str(value))
        if kind is dt.datetime:
            return ("T", value.isoformat())
        if kind is dt.date:
            return ("t", value.isoformat())
        raise TypeError(f"cannot keep {kind.__name__}")

    return frozen(data)


def _thawed(value: Any) -> Any:
    """The data ``_frozen`` wrote."""
    if value.__class__ is not tuple:
        return value
    kind = value[0]
    if kind == "m":
        _, mark, keys, values, key_marks, value_marks, block_text = value
        result = YamlMap(zip(keys, [item if item.__class__ is not tuple else _thawed(item) for item in values]))
        if len(result) != len(keys):
            raise ValueError("duplicate key")
        result.mark = tuple(mark)
        result.key_marks = dict(zip(keys, key_marks))
        result.value_marks = dict(zip(keys, value_marks))
        result.block_text = set(block_text)
        return result
    if kind == "s":
        _, mark, values, item_marks, block_text = value
        result = YamlSeq([item if item.__class__ is not tuple else _thawed(item) for item in values])
        result.mark = tuple(mark)
        result.item_marks = list(item_marks)
        result.block_text = set(block_text)
        return result
    if kind == "d":
        return Decimal(value[1])
    if kind == "T":
        return dt.datetime.fromisoformat(value[1])
    if kind == "t":
        return dt.date.fromisoformat(value[1])
    raise ValueError(f"unknown kind {kind!r}")


def _timestamp(value: str) -> dt.date | dt.datetime:
    if len(value) == 10:
        return dt.date.fromisoformat(value)
    text = re.sub(r"[ \t]+", " ", value).replace("t", "T").replace(" ", "T", 1).replace(" ", "")
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def iter_strings(node: Any, path: FieldPath = ()) -> Iterator[tuple[FieldPath, str]]:
    """Every string value in the data with its field path (keys are not values), depth first.

    Gathered into a list by plain recursion: nested generators (``yield from`` per level) pass every
    string up through each level, which costs a bid of thousands of values more than the search itself.
    """
    found: list[tuple[FieldPath, str]] = []
    if isinstance(node, (dict, list)):
        _gather_strings(node, path, found)
    elif isinstance(node, str):
        found.append((path, node))
    return iter(found)


def _gather_strings(node: dict | list, path: FieldPath, found: list[tuple[FieldPath, str]]) -> None:
    for key, value in node.items() if isinstance(node, dict) else enumerate(node):
        if isinstance(value, str):
            found.append(((*path, key), value))
        elif isinstance(value, (dict, list)):
            _gather_strings(value, (*path, key), found)
