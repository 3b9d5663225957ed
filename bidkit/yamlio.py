"""Reading YAML safely while keeping where every value stands in its file.

The round-trip loader of ruamel.yaml keeps line and column of each key, value and list
item; it builds only plain data (no Python objects from tags). Floats are read as
``Decimal`` straight from their text, so ``1234567.89`` never passes through a float.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.scalarstring import LiteralScalarString
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from bidkit.findings import FieldPath, Location

_SPECIAL_FLOATS = {".inf": "Infinity", "+.inf": "Infinity", "-.inf": "-Infinity", ".nan": "NaN"}


class _DecimalConstructor(RoundTripConstructor):
    def construct_decimal(self, node: Any) -> Decimal:
        text = str(node.value).replace("_", "")
        text = _SPECIAL_FLOATS.get(text.lower(), text)
        try:
            return Decimal(text)
        except InvalidOperation:  # pragma: no cover - the resolver only sends numbers
            return Decimal("NaN")


_DecimalConstructor.add_constructor("tag:yaml.org,2002:float", _DecimalConstructor.construct_decimal)


class YamlSyntaxError(Exception):
    """A file that is not well-formed YAML (or uses a feature bidkit refuses)."""

    def __init__(self, message: str, location: Location, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.location = location
        self.hint = hint


def _yaml() -> YAML:
    yaml = YAML(typ="rt", pure=True)
    yaml.Constructor = _DecimalConstructor
    yaml.allow_duplicate_keys = False
    return yaml


def load_yaml(path: Path) -> Any:
    """Load one YAML file; raise ``YamlSyntaxError`` with its location when it is broken."""
    text = path.read_text(encoding="utf-8")
    try:
        data = _yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        if "duplicate key" in problem:
            hint = "Each key may appear only once in a mapping; remove or rename the repeated key."
        else:
            hint = "Check indentation, colons and quotes near this line; quote text that contains ': ' or '#'."
        raise YamlSyntaxError(f"YAML syntax error: {problem}", Location(path, line, column), hint) from None
    except YAMLError as exc:
        raise YamlSyntaxError(f"YAML error: {exc}", Location(path), "Fix the YAML syntax.") from None
    tagged = _find_tag(data)
    if tagged is not None:
        tag, (line, column) = tagged
        raise YamlSyntaxError(
            f"YAML tag {tag!r} is not allowed",
            Location(path, line + 1, column + 1),
            "Bid files hold plain data: remove the '!'-tag and write the value itself.",
        )
    return data


@dataclass(frozen=True)
class SwallowedText:
    """A ``#word`` that YAML read as a comment right after a plain value (``title: A #B``)."""

    comment: str
    location: Location


def swallowed_hashtags(path: Path, node: Any) -> list[SwallowedText]:
    """Comments that start like a hashtag on the line of a value: almost always lost text.

    ``title: Aktionsprogramm #WolfsburgDigital`` gives the title "Aktionsprogramm"; a real
    comment is written with a space after ``#``.
    """
    found: list[SwallowedText] = []
    if isinstance(node, (CommentedMap, CommentedSeq)):
        for comments in node.ca.items.values():
            for token in comments or []:
                if token is None or isinstance(token, list):
                    continue
                text = token.value.split("\n", 1)[0]
                if re.match(r"#[^\s#!]", text):
                    mark = token.start_mark
                    found.append(SwallowedText(text, Location(path, mark.line + 1, mark.column + 1)))
        children = node.values() if isinstance(node, CommentedMap) else node
        for child in children:
            found.extend(swallowed_hashtags(path, child))
    return found


def _find_tag(node: Any, where: tuple[int, int] = (0, 0)) -> tuple[str, tuple[int, int]] | None:
    """The first explicit YAML tag (``!x``, ``!!str``, ``!!binary``…) in the data, with its position.

    Bids are plain data; a tag is either a mistake or an attempt to build objects.
    """
    if isinstance(node, bytes):
        return "!!binary", where
    tag_value = getattr(getattr(node, "tag", None), "value", None)
    if tag_value:
        return tag_value.replace("tag:yaml.org,2002:", "!!"), where
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            found = _find_tag(value, _value_position(node, key))
            if found:
                return found
    elif isinstance(node, CommentedSeq):
        for index, value in enumerate(node):
            found = _find_tag(value, _item_position(node, index))
            if found:
                return found
    return None


def _value_position(mapping: CommentedMap, key: Any) -> tuple[int, int]:
    try:
        return tuple(mapping.lc.value(key))  # type: ignore[return-value]
    except (KeyError, TypeError):
        return (mapping.lc.line, mapping.lc.col)


def _item_position(seq: CommentedSeq, index: int) -> tuple[int, int]:
    try:
        return tuple(seq.lc.item(index))  # type: ignore[return-value]
    except (KeyError, TypeError):
        return (seq.lc.line, seq.lc.col)


@dataclass
class SourceDocument:
    """One loaded YAML file: its path and the position-keeping data."""

    path: Path
    data: Any

    def locate_in_text(self, path: FieldPath, offset: int) -> Location:
        """The line of character ``offset`` inside the string at ``path``.

        Exact for literal block scalars (``|``), whose lines are the file's lines; for other
        scalars the start of the value.
        """
        start = self.locate(path)
        node = self.data
        for part in path:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return start
        if isinstance(node, LiteralScalarString) and start.line is not None:
            before = str(node)[:offset]
            line = start.line + 1 + before.count("\n")
            return Location(self.path, line, None)
        return start

    def locate(self, path: FieldPath, *, key: bool = False) -> Location:
        """Where ``path`` stands in this file, or its nearest existing ancestor.

        With ``key=True`` the position of the last key itself is given (for unknown keys).
        """
        node = self.data
        line, column = 0, 0
        if isinstance(node, (CommentedMap, CommentedSeq)):
            line, column = node.lc.line, node.lc.col
        for depth, part in enumerate(path):
            last = depth == len(path) - 1
            if isinstance(node, CommentedMap) and part in node:
                if last and key:
                    line, column = node.lc.key(part)
                else:
                    line, column = _value_position(node, part)
                node = node[part]
            elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
                line, column = _item_position(node, part)
                node = node[part]
            else:
                break
        return Location(self.path, line + 1, column + 1)


def iter_strings(node: Any, path: FieldPath = ()):
    """Every string value in the data with its field path (keys are not values)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from iter_strings(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from iter_strings(value, (*path, index))
    elif isinstance(node, str):
        yield path, str(node)
