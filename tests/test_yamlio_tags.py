"""What the YAML reader makes of tags and plain scalars, exactly (issue 12: the composer's tag calls are C builtins).

``bidkit.yamlio`` lets libyaml compose nodes without asking Python for each node's tag; the builder
works the tag out (``_Builder.tag``). These cases pin what a resolver gave before: a tag the value
has anyway is accepted, any other refused with its name at the node's line and column.
"""

import datetime as dt
from decimal import Decimal

import pytest

from bidkit.yamlio import YamlSyntaxError, load_document

VALUES = [
    ("a: abc", "abc"),
    ("a: !!str abc", "abc"),
    ("a: ! abc", "abc"),
    ("a: '123'", "123"),
    ("a: !!str '123'", "123"),
    ("a: ! 123", 123),  # '!' asks for the tag of the text (libyaml: "plain implicit"), even when quoted
    ("a: ! true", True),
    ("a: |\n  x\n", "x\n"),
    ("a: 5", 5),
    ("a: !!int 5", 5),
    ("a: -12", -12),
    ("a: 1.50", Decimal("1.50")),
    ("a: !!float 1.5", Decimal("1.5")),
    ("a: .inf", Decimal("Infinity")),
    ("a: 1e5", "1e5"),
    ("a: .5", ".5"),
    ("a: 0x1E", "0x1E"),
    ("a: yes", "yes"),
    ("a: no", "no"),
    ("a: true", True),
    ("a: False", False),
    ("a: ~", None),
    ("a:", None),
    ("a: null", None),
    ("a: !!null null", None),
    ("a: 2017-03-15", dt.date(2017, 3, 15)),
    ("a: 2017-02-30", "2017-02-30"),
    ("a: 2017-03-15 10:00:00", dt.datetime(2017, 3, 15, 10, 0)),
    ("a: !!map {b: 1}", {"b": 1}),
    ("a: !!seq [1, x]", [1, "x"]),
    ("a: ! [1]", [1]),
    ("a: ! {b: c}", {"b": "c"}),
    ("5: x", "x"),
]


@pytest.mark.parametrize("text, value", VALUES, ids=[text for text, _ in VALUES])
def test_values(tmp_path, text, value):
    path = tmp_path / "x.yaml"
    path.write_text(text + "\n", encoding="utf-8")
    data = load_document(path).data
    found = next(iter(data.values()))
    assert found == value
    assert type(found) is type(value) or isinstance(found, type(value))  # YamlMap, YamlSeq


REFUSED = [
    ("a: !!str 123", "'!!str'", (1, 4)),
    ("a: ! '123'", "'!!int'", (1, 4)),
    ("a: ! \"true\"", "'!!bool'", (1, 4)),
    ("a: !!int '5'", "'!!int'", (1, 4)),
    ("a: !!int abc", "'!!int'", (1, 4)),
    ("a: !!binary aGVsbG8=", "'!!binary'", (1, 4)),
    ("a: !x foo", "'!x'", (1, 4)),
    ("a:\n  - !!python/name:os.system x", "'!!python/name:os.system'", (2, 5)),
    ("a: !!set {b}", "'!!set'", (1, 4)),
    ("a: !!omap [b: 1]", "'!!omap'", (1, 4)),
    ("a: !!seq {b: 1}", "'!!seq'", (1, 4)),
    ("a: !!map [1]", "'!!map'", (1, 4)),
    ("a: !!str [1]", "'!!str'", (1, 4)),
    ("a: !!str\n  b: 1", "'!!str'", (1, 4)),
    ("!!int x: 1", "'!!int'", (1, 1)),
]


@pytest.mark.parametrize("text, tag, where", REFUSED, ids=[text for text, _, _ in REFUSED])
def test_refused_tags(tmp_path, text, tag, where):
    path = tmp_path / "x.yaml"
    path.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(YamlSyntaxError) as caught:
        load_document(path)
    assert caught.value.message == f"YAML tag {tag} is not allowed"
    assert (caught.value.location.line, caught.value.location.column) == where


def test_positions_and_block_text(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("title: A #B\nitems:\n  - x\n  - |\n    one\n    two\n  - {k: v}\ntext: |\n  z\n", encoding="utf-8")
    doc = load_document(path)
    assert doc.data == {"title": "A", "items": ["x", "one\ntwo\n", {"k": "v"}], "text": "z\n"}
    assert doc.data.key_marks == {"title": (0, 0), "items": (1, 0), "text": (7, 0)}
    assert doc.data.value_marks == {"title": (0, 7), "items": (2, 2), "text": (7, 6)}
    assert doc.data["items"].item_marks == [(2, 4), (3, 4), (6, 4)]
    assert doc.data["items"].block_text == {1} and doc.data.block_text == {"text"}
    assert [(s.comment, s.location.line, s.location.column) for s in doc.swallowed] == [("#B", 1, 10)]
    assert doc.locate_in_text(("items", 1), 4).line == 6
