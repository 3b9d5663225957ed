"""The compiled regular expressions of a `check`, kept in the cache folder (issue 12).

Python compiles a regular expression in pure Python (``re._parser``, ``re._compiler``): the ~110
patterns a `check` of the example uses — bidkit's rules and readers, and those of YAML, pydantic
and Babel — cost it ~90 M instructions, a tenth of the whole check. The result of that compiling
is plain data: the pattern, its flags and a list of integers (the code ``_sre`` runs). `check`
keeps that data for the patterns it used in the user's cache folder as marshal data (reading it
runs no code), keyed by Python's version and the format of re's code, and puts the patterns it
reads back into re's own cache before anything compiles: ``re.compile`` and ``re.match`` then find
them there, as they find every pattern compiled a second time. ``_sre`` validates the code it is
given (a damaged file is a pattern not taken, never a wrong one); a pattern is kept only when the
code rebuilt from its data equals, as a ``Pattern``, what ``re.compile`` made (same pattern, flags
and code), so a pattern read back is the one re would compile. Anything unexpected (another
Python whose re works otherwise, no cache folder, a damaged file) leaves re as it is.

tests/test_chk8a_regexcache.py holds every kept pattern to re's own compiling and a check's output
with kept patterns to one without.
"""

from __future__ import annotations

import hashlib
import marshal
import re
import sys
from pathlib import Path

#: The format of the kept file; raise it when the entries change.
FORMAT = 1
#: At most this many patterns are kept (re's own cache holds 512).
MOST = 384
#: The file is written again when a check compiled at least this many patterns it does not hold. Babel
#: compiles two patterns whose text differs from run to run (alternatives joined in the order of a set,
#: which changes with Python's string hashes): they alone never cause a write (writing the file costs about
#: what compiling them does), so a check that compiles only one or two patterns of its own pays for them.
NEW = 3

#: The entries read or made in this process, by (pattern, flags): (flags, code, groups, groupindex, indexgroup).
_kept: dict[tuple[str | bytes, int], tuple] = {}


def _path() -> Path:
    from bidkit.paths import cache_dir

    key = f"{FORMAT} {sys.version} {sys.hexversion} {sys.implementation.cache_tag} {getattr(re._compiler, 'MAGIC', '')}"
    return cache_dir() / "regex" / f"sre-{hashlib.sha256(key.encode()).hexdigest()[:32]}.marshal"


def _usable() -> bool:
    """re is the re this module knows: its cache a dict keyed by (type, pattern, flags), ``_sre.compile``."""
    compiler = getattr(re, "_compiler", None)
    return (isinstance(getattr(re, "_cache", None), dict) and isinstance(getattr(re, "_MAXCACHE", None), int)
            and callable(getattr(compiler, "_code", None)) and callable(getattr(getattr(compiler, "_sre", None), "compile", None)))


def preload() -> int:
    """Put the kept patterns into re's cache (those not there yet); the number put there."""
    try:
        if not _usable():
            return 0
        entries = marshal.loads(_path().read_bytes())
    except (OSError, RuntimeError, ValueError, EOFError, TypeError):  # none kept, no cache folder, damaged
        return 0
    if not isinstance(entries, list):
        return 0
    put = 0
    for entry in entries[:MOST]:
        try:
            pattern, flags, data = entry
            if type(pattern) not in (str, bytes) or type(flags) is not int or not isinstance(data, tuple):
                continue
            compiled = _built(pattern, data)
        except Exception:  # noqa: BLE001 - a damaged entry (wrong shape, code _sre refuses): not taken
            continue
        key = (type(pattern), pattern, flags)
        if key in re._cache:  # compiled before the check began (by Python's start-up or bidkit's command line)
            if re._cache[key] == compiled:
                _kept[pattern, flags] = data
        elif len(re._cache) < re._MAXCACHE:
            re._cache[key] = compiled
            _kept[pattern, flags] = data
            put += 1
    return put


def _built(pattern: str | bytes, data: tuple):
    """The ``Pattern`` of ``pattern`` from its kept data, as re._compiler.compile makes it."""
    final_flags, code, groups, groupindex, indexgroup = data
    if not (type(final_flags) is int and type(code) is list and type(groups) is int and type(groupindex) is dict
            and type(indexgroup) is tuple):
        raise ValueError("not a kept pattern")
    return re._compiler._sre.compile(pattern, final_flags, code, groups, groupindex, indexgroup)


def _data(pattern: str | bytes, flags: int) -> tuple:
    """What re._compiler.compile passes to ``_sre.compile`` for ``pattern`` (its steps, without the call)."""
    parsed = re._parser.parse(pattern, flags)
    code = re._compiler._code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return (int(flags | parsed.state.flags), [int(op) for op in code], parsed.state.groups - 1, groupindex, tuple(indexgroup))


def keep() -> None:
    """Keep the patterns in re's cache now (the ones this process used first), when some are not kept yet."""
    try:
        if not _usable():
            return
        used = [(key[1], key[2]) for key in list(re._cache)
                if len(key) == 3 and key[0] in (str, bytes) and type(key[1]) is key[0] and type(key[2]) is int]
    except Exception:  # noqa: BLE001 - re's cache is not what this module knows
        return
    new = [key for key in used if key not in _kept]
    if len(new) < NEW:
        return
    for pattern, flags in new:
        try:
            data = _data(pattern, flags)
            built, compiled = _built(pattern, data), re._cache.get((type(pattern), pattern, flags))
            if compiled is None or built != compiled or built.groupindex != compiled.groupindex \
                    or built.groups != compiled.groups:
                continue  # not rebuilt exactly: not kept
        except Exception:  # noqa: BLE001 - a pattern re compiled otherwise: not kept
            continue
        _kept[pattern, flags] = data
    order = [*used, *_kept]  # those this check used first; then those kept before
    entries = [[pattern, flags, _kept[pattern, flags]] for pattern, flags in dict.fromkeys(order) if (pattern, flags) in _kept]
    from bidkit.fileio import cache_write

    try:
        cache_write(_path(), marshal.dumps(entries[:MOST]))
    except (OSError, RuntimeError, ValueError):  # no cache folder (no home folder: RuntimeError): nothing kept
        pass
