"""bidkit.records.record against @dataclass: the same classes, made without compiling code (issue 12)."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest

from bidkit.records import record

from conftest import REPO


def shapes(make, frozen: bool):
    """The same class bodies, made by ``make`` (record or dataclass)."""

    @make(frozen=frozen)
    class Point:
        """A point."""

        x: int
        y: int = 0
        label: str | None = None

    @make(frozen=frozen)
    class Bag:
        name: str
        items: list = field(default_factory=list)
        cells: dict = field(default_factory=dict, compare=False)
        path: tuple = ()

        def __post_init__(self) -> None:
            object.__setattr__(self, "name", self.name.strip())

    @make(frozen=frozen)
    class Labelled(Point):
        colour: str = "red"

    return Point, Bag, Labelled


CALLS = [
    ("Point", (1,), {}), ("Point", (1, 2), {}), ("Point", (1,), {"label": "a"}), ("Point", (), {"x": 3, "y": 4}),
    ("Point", (1, 2, "z"), {}), ("Point", (Decimal("NaN"),), {}),
    ("Bag", (" a ",), {}), ("Bag", ("b", [1]), {"path": (1, "x")}), ("Bag", ("c",), {"cells": {"k": 1}}),
    ("Labelled", (1, 2, None, "blue"), {}), ("Labelled", (5,), {"colour": "green"}),
]
BAD_CALLS = [
    ("Point", (), {}), ("Point", (1, 2, 3, 4), {}), ("Point", (1,), {"x": 2}), ("Point", (1,), {"z": 2}),
    ("Bag", (), {"items": []}),
]


@pytest.mark.parametrize("frozen", [True, False])
def test_record_behaves_as_dataclass(frozen):
    ours = {cls.__name__: cls for cls in shapes(record, frozen)}
    theirs = {cls.__name__: cls for cls in shapes(dataclass, frozen)}
    made = []
    for name, args, kwargs in CALLS:
        a, b = ours[name](*args, **kwargs), theirs[name](*args, **kwargs)
        made.append((a, b))
        assert repr(a) == repr(b)
        assert [f.name for f in dataclasses.fields(a)] == [f.name for f in dataclasses.fields(b)]
        assert dataclasses.asdict(a) == dataclasses.asdict(b)
        assert dataclasses.is_dataclass(a) and dataclasses.is_dataclass(type(a))
        changed = dataclasses.replace(a, **{dataclasses.fields(a)[0].name: args[0] if args else kwargs["x"]})
        assert changed == a and changed is not a
        assert a.__match_args__ == b.__match_args__
        if frozen:
            try:
                expected = hash(b)
            except TypeError:  # a list in a field
                with pytest.raises(TypeError):
                    hash(a)
            else:
                assert hash(a) == expected
            with pytest.raises(dataclasses.FrozenInstanceError):
                a.x = 9  # type: ignore[misc]
            with pytest.raises(dataclasses.FrozenInstanceError):
                del a.x
        else:
            assert type(a).__hash__ is None and type(b).__hash__ is None
            a.extra = 1  # a plain attribute, as on a dataclass
    for (a1, b1) in made:
        for (a2, b2) in made:
            assert (a1 == a2) == (b1 == b2), (a1, a2)
            assert (a1 != a2) == (b1 != b2)
    assert ours["Point"](1) != theirs["Point"](1)  # other classes are never equal, as between two dataclasses
    for name, args, kwargs in BAD_CALLS:
        with pytest.raises(TypeError):
            theirs[name](*args, **kwargs)
        with pytest.raises(TypeError):
            ours[name](*args, **kwargs)


def test_defaults_are_class_attributes_and_factories_are_not():
    Point, Bag, _ = shapes(record, True)
    assert Point.y == 0 and Point.label is None
    assert "items" not in Bag.__dict__
    assert Bag("a").items is not Bag("b").items


def test_own_methods_are_kept():
    @record(frozen=True)
    class Named:
        name: str

        def __repr__(self) -> str:
            return f"<{self.name}>"

    assert repr(Named("x")) == "<x>"


def test_check_makes_no_dataclass_of_its_own(tmp_path):
    """Every class bidkit makes on the way of `check` is a record (a @dataclass costs ~3.5 M instructions)."""
    probe = (
        "import dataclasses, sys\n"
        "made = []\n"
        "original = dataclasses._process_class\n"
        "def spy(cls, *args):\n"
        "    made.append(cls.__module__ + '.' + cls.__qualname__)\n"
        "    return original(cls, *args)\n"
        "dataclasses._process_class = spy\n"
        "sys.argv = ['bidkit', 'check', sys.argv[1]]\n"
        "from bidkit.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('MADE', *[name for name in made if name.startswith('bidkit')], file=sys.stderr)\n"
    )
    env = {"BIDKIT_CACHE_DIR": str(tmp_path), "NO_COLOR": "1", "PATH": "/usr/bin:/bin"}
    for _ in range(2):  # the second with the verdicts on the annexes in the cache, as every check after the first
        proc = subprocess.run([sys.executable, "-c", probe, str(Path(REPO) / "bid_data")], capture_output=True,
                              text=True, cwd=REPO, env=env)
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("MADE"), proc.stderr
    assert last.split()[1:] == []
