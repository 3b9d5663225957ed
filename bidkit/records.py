"""``record``: a dataclass made without compiling code, for the modules `bidkit check` imports.

``@dataclass`` writes the source of ``__init__``, ``__eq__``, ``__hash__``, ``__repr__`` and (frozen)
``__setattr__``/``__delattr__`` for each class and compiles it with ``exec``: ~3–4 M instructions
per class, ~95 M of `check`'s 1,180 M for the two dozen classes on its path (issue 12: the floor is 535 M).
``record`` gives the same class (the same fields, ``dataclasses.fields``/``replace``/``asdict`` work on
it, equal and hashable alike, the same ``repr``, frozen alike) from functions written once here.
Creating an instance costs about what @dataclass's ``__init__`` costs (the arguments go into the
instance's ``__dict__`` in a few calls); a check of a large bid makes some thousands. tests/test_records.py holds it
against ``@dataclass``.

Supported: fields with a default or ``field(default=…, default_factory=…, compare=…, repr=…)``,
``frozen``, ``__post_init__``, inheritance from another record. Not: ``init=False`` fields,
``InitVar``, ``kw_only``, ``order``, ``slots`` (use ``@dataclass`` for those).
"""

from __future__ import annotations

import dataclasses
from dataclasses import MISSING, Field, FrozenInstanceError
from operator import attrgetter


def record(cls: type | None = None, /, *, frozen: bool = False):
    """``@record`` or ``@record(frozen=True)``, as ``@dataclass`` / ``@dataclass(frozen=True)``."""

    def wrap(cls: type) -> type:
        return _make(cls, frozen)

    return wrap if cls is None else wrap(cls)


def _make(cls: type, frozen: bool) -> type:
    fields: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        fields.update(getattr(base, "__dataclass_fields__", {}))
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        if isinstance(annotation, str) and annotation.startswith(("ClassVar", "typing.ClassVar")):
            continue
        value = cls.__dict__.get(name, MISSING)
        spec = value if isinstance(value, Field) else dataclasses.field(default=value)
        if spec.init is False or spec.kw_only is True:  # pragma: no cover - a programming error
            raise TypeError(f"record {cls.__name__}.{name}: init=False and kw_only are not supported")
        spec.name, spec.type, spec.kw_only, spec._field_type = name, annotation, False, dataclasses._FIELD  # type: ignore[attr-defined]
        if isinstance(value, Field):
            if spec.default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, spec.default)
        fields[name] = spec
    names = tuple(fields)
    count = len(names)
    defaults = {name: spec.default for name, spec in fields.items() if spec.default is not MISSING}
    factories = tuple((name, spec.default_factory) for name, spec in fields.items() if spec.default_factory is not MISSING)
    compared = tuple(name for name, spec in fields.items() if spec.compare)
    values = (lambda record: tuple(getattr(record, name) for name in compared)) if len(compared) < 2 else attrgetter(*compared)
    shown = tuple(name for name, spec in fields.items() if spec.repr)
    post_init = hasattr(cls, "__post_init__")
    plain = not factories and not post_init

    def __init__(self, *args, **kwargs):
        # Into the instance's __dict__ in a few calls (a frozen class's __setattr__ refuses, as
        # @dataclass's __init__ goes around it too).
        if not kwargs and len(args) == count and plain:  # every field given in order (a cell, a place): one call
            self.__dict__.update(zip(names, args))
            return
        if len(args) > count:
            raise TypeError(f"{cls.__name__}() takes {count} arguments, {len(args)} given")
        state = self.__dict__
        state.update(defaults)
        state.update(zip(names, args))
        if kwargs:
            for key in kwargs:
                if key not in fields:
                    raise TypeError(f"{cls.__name__}() got an unexpected keyword argument '{key}'")
                if names.index(key) < len(args):
                    raise TypeError(f"{cls.__name__}() got multiple values for argument '{key}'")
            state.update(kwargs)
        for name, factory in factories:
            if name not in state:
                state[name] = factory()
        if len(state) < count:
            missing = next(name for name in names if name not in state)
            raise TypeError(f"{cls.__name__}() missing required argument: '{missing}'")
        if post_init:
            self.__post_init__()

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}({', '.join(f'{name}={getattr(self, name)!r}' for name in shown)})"

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return values(self) == values(other)

    methods = {"__init__": __init__, "__repr__": __repr__, "__eq__": __eq__}
    if frozen:
        def __setattr__(self, name, value):
            if type(self) is cls or name in fields:
                raise FrozenInstanceError(f"cannot assign to field {name!r}")
            object.__setattr__(self, name, value)

        def __delattr__(self, name):
            if type(self) is cls or name in fields:
                raise FrozenInstanceError(f"cannot delete field {name!r}")
            object.__delattr__(self, name)

        def __hash__(self) -> int:
            return hash(values(self))

        methods.update(__setattr__=__setattr__, __delattr__=__delattr__, __hash__=__hash__)
    else:
        methods["__hash__"] = None  # as @dataclass: equal by value and mutable, so not hashable
    own = cls.__dict__
    explicit_hash = "__hash__" in own and not (own["__hash__"] is None and "__eq__" in own)
    for name, method in methods.items():
        if name == "__hash__" and not explicit_hash or name not in own:
            if method is not None:
                method.__qualname__ = f"{cls.__qualname__}.{name}"
            setattr(cls, name, method)
    cls.__dataclass_fields__ = fields
    cls.__match_args__ = names
    return cls


def from_fields(cls: type, rows) -> list:
    """Instances of the record class ``cls``, one per tuple of ``rows`` holding every field in order: what
    ``cls(*row)`` makes, without a call of ``__init__`` each (for data read back from a cache folder: a
    register of 500 supporters has some thousands of places). Not for a class with ``__post_init__``
    (it would not run); tests/test_chk9_register_cache.py holds it to ``__init__``."""
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} has __post_init__, which from_fields would not run")
    names, count = cls.__match_args__, len(cls.__match_args__)
    new = object.__new__
    made = []
    for row in rows:
        if len(row) != count:
            raise TypeError(f"{cls.__name__} has {count} fields, {len(row)} given")
        instance = new(cls)
        instance.__dict__.update(zip(names, row))  # into the instance's own dict, as __init__ puts them
        made.append(instance)
    return made
