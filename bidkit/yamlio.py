"""Reading YAML safely and fast while keeping where every value stands in its file.

libyaml (through PyYAML's C parser) composes the node tree with line and column marks; this
module builds plain data from it — ``YamlMap``/``YamlSeq`` remember the position of each key,
value and item. Only plain data is built: YAML 1.2 core scalars (so ``no`` stays a string),
floats as ``Decimal`` from their text, dates (an impossible one such as ``2017-02-30`` stays
text, for the models to refuse with its place); any explicit tag (``!x``, ``!!python/…``,
``!!binary``), a duplicate key, or an alias expansion beyond a bound is an error.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

from bidkit.findings import FieldPath, Location

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

_TAG = "tag:yaml.org,2002:"


class _Resolver12(BaseResolver):
    """Implicit types of the YAML 1.2 core schema, plus ISO dates and timestamps."""


_Resolver12.yaml_implicit_resolvers = {}
for _tag, _regexp, _first in (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    # Decimal integers only: `0x249F0` and `0o444760` stay text, which no number field accepts.
    ("int", r"^[-+]?[0-9]+$", "-+0123456789"),
    # Floats written out only: `1e5` and `.5` stay text, which number fields refuse with the written-out form.
    ("float", r"^(?:[-+]?[0-9]+\.[0-9]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
     "-+0123456789."),
    ("timestamp", r"^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?"
                  r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::?[0-9]{2})?))?)?)$", "0123456789"),
):
    _Resolver12.add_implicit_resolver(_TAG + _tag, re.compile(_regexp), list(_first))


class _Composer(_Parser, _Resolver12):  # type: ignore[misc, valid-type]
    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        _Resolver12.__init__(self)


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


@dataclass(frozen=True)
class SwallowedText:
    """A ``#word`` read as a comment right after a plain value (``title: A #B``)."""

    comment: str
    location: Location


@dataclass
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
        """The line of character ``offset`` in the string at ``path``.

        Exact for literal block scalars (``|``), whose lines are the file's lines; for other
        scalars the start of the value.
        """
        start = self.locate(path)
        parent: Any = self.data
        for part in path[:-1]:
            try:
                parent = parent[part]
            except (KeyError, IndexError, TypeError):
                return start
        if path and path[-1] in getattr(parent, "block_text", ()) and start.line is not None:
            text = parent[path[-1]]
            return Location(self.path, start.line + 1 + text[:offset].count("\n"), None)
        return start


def load_document(path: Path) -> SourceDocument:
    """Load one YAML file; raise ``YamlSyntaxError`` with its location when it is broken."""
    text = path.read_text(encoding="utf-8")
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
    builder = _Builder(path, text.splitlines(), composer)
    data = builder.build(node) if node is not None else None
    return SourceDocument(path, data, builder.swallowed)


class _Builder:
    """Plain data from a node tree, with positions; refuses what is not plain data."""

    def __init__(self, path: Path, lines: list[str], resolver: _Resolver12) -> None:
        self.path = path
        self.lines = lines
        self.resolver = resolver
        self.values = 0
        self.chars = 0
        self.active: set[int] = set()
        self.swallowed: list[SwallowedText] = []

    def fail(self, message: str, node: Any, hint: str) -> YamlSyntaxError:
        mark = node.start_mark
        return YamlSyntaxError(message, Location(self.path, mark.line + 1, mark.column + 1), hint)

    def build(self, node: Any) -> Any:
        self.values += 1
        if self.values > MAX_VALUES:
            raise self.fail("YAML expands to too many values (aliases?)", node, "Write the data out without '*alias' repetitions.")
        if id(node) in self.active:
            raise self.fail("YAML alias refers to itself", node, "Remove the recursive '*alias'.")
        if isinstance(node, ScalarNode):
            value = self.scalar(node)
            if isinstance(value, str):
                self.chars += len(value)
                if self.chars > MAX_CHARS:
                    raise self.fail(f"YAML expands to more than {MAX_CHARS:,} characters of text (aliases?)", node,
                                    "Write the text out once instead of repeating it with '*alias'.")
            return value
        self.active.add(id(node))
        try:
            if isinstance(node, MappingNode):
                return self.mapping(node)
            return self.sequence(node)
        finally:
            self.active.discard(id(node))

    def mapping(self, node: MappingNode) -> YamlMap:
        if node.tag != _TAG + "map":
            raise self.tag_error(node)
        result = YamlMap()
        result.mark = (node.start_mark.line, node.start_mark.column)
        result.key_marks, result.value_marks, result.block_text = {}, {}, set()
        for key_node, value_node in node.value:
            key = self.build(key_node)
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                raise self.fail("keys must be plain words", key_node, "Write the key as a word, e.g. 'title:'.")
            if key in result:
                line = result.key_marks[key][0] + 1
                raise self.fail(f"duplicate key '{key}' (first on line {line})", key_node,
                                "Each key may appear only once in a mapping; remove or rename the repeated key.")
            result[key] = self.build(value_node)
            result.key_marks[key] = (key_node.start_mark.line, key_node.start_mark.column)
            result.value_marks[key] = self.value_mark(value_node)
            if getattr(value_node, "style", None) == "|":
                result.block_text.add(key)
        return result

    def sequence(self, node: SequenceNode) -> YamlSeq:
        if node.tag != _TAG + "seq":
            raise self.tag_error(node)
        result = YamlSeq(self.build(item) for item in node.value)
        result.mark = (node.start_mark.line, node.start_mark.column)
        result.item_marks = [self.value_mark(item) for item in node.value]
        result.block_text = {i for i, item in enumerate(node.value) if getattr(item, "style", None) == "|"}
        return result

    @staticmethod
    def value_mark(node: Any) -> tuple[int, int]:
        # A block scalar's value starts at its '|' or '>' indicator.
        return (node.start_mark.line, node.start_mark.column)

    def scalar(self, node: ScalarNode) -> Any:
        plain = not node.style  # libyaml says "", the Python parser None
        implicit = self.resolver.resolve(ScalarNode, node.value, (True, False)) if plain else _TAG + "str"
        if node.tag != implicit:
            raise self.tag_error(node)
        if plain:
            self.check_swallowed(node)
        kind = node.tag[len(_TAG):]
        value = node.value
        if kind == "str":
            return value
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

    def tag_error(self, node: Any) -> YamlSyntaxError:
        tag = str(node.tag).replace(_TAG, "!!")
        return self.fail(f"YAML tag {tag!r} is not allowed", node,
                         "Bid files hold plain data: remove the '!'-tag and write the value itself (quote text).")

    def check_swallowed(self, node: ScalarNode) -> None:
        """`title: Foo #Bar` ends the value before '#Bar': report such hashtag-like comments."""
        end = node.end_mark
        if end.line >= len(self.lines):
            return
        rest = self.lines[end.line][end.column:]
        match = re.match(r"\s+(#[^\s#!]\S*)", rest)
        if match:
            self.swallowed.append(SwallowedText(match.group(1), Location(self.path, end.line + 1, end.column + match.start(1) + 1)))


def _timestamp(value: str) -> dt.date | dt.datetime:
    if len(value) == 10:
        return dt.date.fromisoformat(value)
    text = re.sub(r"[ \t]+", " ", value).replace("t", "T").replace(" ", "T", 1).replace(" ", "")
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def iter_strings(node: Any, path: FieldPath = ()):
    """Every string value in the data with its field path (keys are not values)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from iter_strings(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from iter_strings(value, (*path, index))
    elif isinstance(node, str):
        yield path, node
