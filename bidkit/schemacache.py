"""The validators of ``Bid`` and ``Call`` from a kept core schema, for `bidkit check` (issue 12).

pydantic builds a model's core schema in Python the first time it validates (the models are
``defer_build``): ~40 M instructions of every `check` for ``Bid`` and ``Call``, about what the
whole check of the example costs. The schema is plain data except for references to bidkit's
validator functions, its model and enum classes and pydantic's own validator functions; it is
kept in the user's cache folder as marshal data (no pickle: reading it runs no code) with those
references as names, keyed by the versions of bidkit, pydantic, pydantic-core and Python and by
the bytes of bidkit/models.py. A reference is kept only when its name leads back to the very same
object, and the schema only when it reads back equal to what pydantic built; otherwise, and when
the file is missing or damaged, pydantic builds the schema as always.

``complete`` sets on the class what pydantic's ``complete_model_class`` sets for a model without
computed fields, deprecated fields or plugins (anything else: pydantic's own way). It relies on
pydantic 2.x's class attributes ``__pydantic_core_schema__``, ``__pydantic_validator__``,
``__pydantic_serializer__``, ``__pydantic_complete__`` and ``ConfigWrapper.core_config``;
tests/test_checkspeed_schema.py fails if they change, and holds the kept schema's validation
and dumps to pydantic's own.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import marshal
import sys
from pathlib import Path
from typing import Any

#: The format of the kept schemas; raise it when the encoding changes.
FORMAT = 3
_PLAIN = (str, int, float, bool, type(None))


class _Unkept(Exception):
    """A schema (or a part of it) that cannot be kept exactly."""


def complete(cls: type) -> None:
    """Make the model class ``cls`` ready to validate: its validators from the kept schema, else
    pydantic's way (keeping the schema for the next check)."""
    if cls.__pydantic_complete__ or not _simple(cls):
        return
    try:
        path = _kept_path(cls)
    except (OSError, RuntimeError):  # no cache folder (no home folder: RuntimeError): pydantic's way, nothing kept
        cls.model_rebuild()
        return
    try:
        _install(cls, _decoded(marshal.loads(path.read_bytes())))
        return
    except OSError:
        pass  # not kept yet (or the cache folder cannot be read)
    except Exception:  # noqa: BLE001 - a damaged file: whatever it holds, pydantic builds the schema
        pass
    cls.model_rebuild()
    try:
        encoded = _encoded(_stripped(cls.__pydantic_core_schema__))
        if not _same(_decoded(marshal.loads(marshal.dumps(encoded))), _stripped(cls.__pydantic_core_schema__)):
            raise _Unkept("does not read back equal")
    except _Unkept:
        return
    from bidkit.fileio import cache_write

    cache_write(path, marshal.dumps(encoded))


def _simple(cls: type) -> bool:
    """A model pydantic completes with nothing but its schema: no computed or deprecated fields, no plugins."""
    loader = sys.modules.get("pydantic.plugin._loader")
    no_plugins = loader is not None and loader.__doc__ == "bidkit: no pydantic plugins"
    return (no_plugins and not cls.__pydantic_decorators__.computed_fields
            and all(field.deprecated is None for field in cls.__pydantic_fields__.values()))


def _install(cls: type, schema: dict) -> None:
    """What pydantic's ``complete_model_class`` sets on a simple model (``_simple``), from ``schema``."""
    from pydantic._internal._config import ConfigWrapper
    from pydantic_core import SchemaSerializer, SchemaValidator

    config = ConfigWrapper(cls.model_config, check=False).core_config(title=cls.__name__)
    validator, serializer = SchemaValidator(schema, config), SchemaSerializer(schema, config)  # raise before any is set
    cls.__pydantic_computed_fields__ = {}
    cls.__pydantic_core_schema__ = schema
    cls.__pydantic_validator__ = validator
    cls.__pydantic_serializer__ = serializer
    cls.__pydantic_complete__ = True


@functools.cache
def _fingerprint() -> str:
    import pydantic
    import pydantic_core

    from bidkit import __version__, models

    digest = hashlib.sha256(f"{FORMAT} {__version__} {pydantic.VERSION} {pydantic_core.__version__} {sys.version}".encode())
    digest.update(Path(models.__file__).read_bytes())
    return digest.hexdigest()[:32]


def _kept_path(cls: type) -> Path:
    from bidkit.paths import cache_dir

    return cache_dir() / "schemas" / f"{cls.__module__}.{cls.__qualname__}-{_fingerprint()}.marshal"


#: The keys of a core schema whose values are data, not schemas: a default, a literal's or an enum's values,
#: an error's context. What they hold is kept as it is, a dict with a ``metadata`` key included.
_DATA = frozenset({"default", "expected", "members", "custom_error_context"})


def _stripped(schema: Any) -> Any:
    """``schema`` without the ``metadata`` of its schemas (JSON Schema hints for pydantic's Python side;
    pydantic-core reads none). Only a schema's own key goes — a dict with a ``type`` that is text —
    never a field, a union's tag or a key of a default that is named ``metadata``."""
    if isinstance(schema, dict):
        if not isinstance(schema.get("type"), str):  # a mapping of fields, of a union's choices, a config
            return {key: _stripped(value) for key, value in schema.items()}
        return {key: value if key in _DATA else _stripped(value) for key, value in schema.items() if key != "metadata"}
    if isinstance(schema, list):
        return [_stripped(value) for value in schema]
    return schema


def _reference(obj: Any) -> tuple:
    """("r", module, qualified name) of a function or class that its name leads back to."""
    module, name = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(name, str) or not (module == "bidkit.models" or module.startswith("pydantic")):
        raise _Unkept(f"no reference for {obj!r}")
    if _resolved(module, name) is not obj:
        raise _Unkept(f"{module}.{name} leads elsewhere")
    return ("r", module, name)


def _resolved(module: str, name: str) -> Any:
    """The function or class ``name`` of ``module``, when it is one of that name: a kept file may name
    only what bidkit's models or pydantic define, never import a module or reach anything else
    through one (``os.system`` through a module that imports ``os``)."""
    if not (module == "bidkit.models" or module == "pydantic" or module.startswith("pydantic.")) or module not in sys.modules:
        raise _Unkept(f"no module {module}")
    found: Any = sys.modules[module]
    for part in name.split("."):
        try:
            found = vars(found)[part]
        except (KeyError, TypeError):
            raise _Unkept(f"no {name} in {module}") from None
        if isinstance(found, (classmethod, staticmethod)):
            found = found.__func__
    if getattr(found, "__module__", None) != module or getattr(found, "__qualname__", None) != name:
        raise _Unkept(f"{module}.{name} is no function or class of that name")
    return found


def _encoded(schema: Any) -> tuple[Any, list]:
    """``schema`` as marshal data: its plain values as they are, in place of each reference None, and
    the references by name with the place of each (so that reading it back patches a few places
    instead of walking thousands of values)."""
    references: list[tuple[list, tuple]] = []

    def plain(value: Any, path: list) -> Any:
        if isinstance(value, dict):
            if not all(isinstance(key, str) for key in value):
                raise _Unkept("a key that is no text")
            return {key: plain(item, [*path, key]) for key, item in value.items()}
        if isinstance(value, list):
            return [plain(item, [*path, index]) for index, item in enumerate(value)]
        if type(value) in _PLAIN:
            return value
        if isinstance(value, enum.Enum):
            references.append((path, ("e", _reference(type(value)), value.name)))
        elif isinstance(value, functools.partial):
            if not all(type(arg) in _PLAIN for arg in (*value.args, *value.keywords.values())):
                raise _Unkept(f"a partial with other arguments: {value!r}")
            references.append((path, ("p", _reference(value.func), list(value.args), dict(value.keywords))))
        elif callable(value):
            references.append((path, _reference(value)))
        else:
            raise _Unkept(f"cannot keep {type(value).__name__}")
        return None

    return plain(schema, []), references


def _decoded(kept: Any) -> Any:
    """The schema ``_encoded`` gave: its plain data with each reference put back in its place."""
    schema, references = kept
    for path, reference in references:
        place = schema
        for part in path[:-1]:
            place = place[part]
        place[path[-1]] = _object(reference)
    return schema


def _object(reference: tuple) -> Any:
    kind = reference[0]
    if kind == "r":
        return _resolved(reference[1], reference[2])
    if kind == "e":
        return _object(reference[1])[reference[2]]
    if kind == "p":
        return functools.partial(_object(reference[1]), *reference[2], **reference[3])
    raise _Unkept(f"unknown kind {kind!r}")


def _same(a: Any, b: Any) -> bool:
    """Equal schemas: plain values equal and of one type, references the same objects, partials alike."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[key], b[key]) for key in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, functools.partial):
        return a.func is b.func and a.args == b.args and a.keywords == b.keywords
    if type(a) in _PLAIN:
        return a == b
    return a is b
