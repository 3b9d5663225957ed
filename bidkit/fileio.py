"""Writing output files atomically: a temporary file in the same folder, then a rename; and text
for CSV files that a spreadsheet opening them does not run."""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from pathlib import Path

from bidkit.errors import BidkitError, RenderError
from bidkit.paths import shown


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step; on failure the old file stays untouched.

    Only a regular file (or a link, which is replaced, not written through) is ever replaced:
    a device, FIFO or folder at ``path`` is refused (a rename would replace ``/dev/full``).
    """
    try:
        existing = os.lstat(path)
    except OSError:
        existing = None  # not there, or not reachable: creating it below says why it fails
    if existing is not None and not (stat.S_ISREG(existing.st_mode) or stat.S_ISLNK(existing.st_mode)):
        raise BidkitError(f"'{shown(path)}' exists and is not a regular file", "Give the path of a new or a regular file.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise RenderError(f"cannot write {path}: {exc.strerror}", "Choose a folder you can write to (-o FILE).") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise RenderError(f"cannot write {path}: {exc.strerror}", "Check the path and free disk space.") from None
        raise


def cache_write(path: Path, data: bytes) -> bool:
    """Best effort, for the caches under ``paths.cache_dir()``: ``data`` at ``path`` whole or not
    at all (a temporary file renamed); False when it could not be written (a cache that cannot be
    written is no cache, never an error)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".part")
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
        return True
    except OSError:
        Path(tmp).unlink(missing_ok=True)
        return False


def write_sealed(path: Path, magic: bytes, payload: bytes) -> bool:
    """A cache entry: ``magic``, the SHA-256 of ``payload``, ``payload``, written as ``cache_write`` does."""
    return cache_write(path, magic + hashlib.sha256(payload).digest() + payload)


def read_sealed(path: Path | None, magic: bytes) -> bytes | None:
    """The payload of an entry ``write_sealed`` wrote, or None: none kept, another format, or damaged
    (its digest does not match): a miss, never an error."""
    if path is None:
        return None
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    head = len(magic)
    payload = blob[head + 32:]
    if blob[:head] != magic or hashlib.sha256(payload).digest() != blob[head:head + 32]:
        return None
    return payload


def prune_oldest(folder: Path, pattern: str, most: int) -> None:
    """Best effort, for a cache folder of entries ``pattern``: beyond ``most`` of them, the oldest
    written go, down to three quarters of ``most`` (so that not every write prunes)."""
    def age(file: Path) -> int:
        try:
            return file.stat().st_mtime_ns
        except OSError:
            return 0

    try:
        entries = list(folder.glob(pattern))
        if len(entries) > most:
            for old in sorted(entries, key=age)[: len(entries) - most * 3 // 4]:
                old.unlink(missing_ok=True)
    except OSError:
        pass


#: A cell starting with one of these is run as a formula by spreadsheet programs ("CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str) -> str:
    """Text for a CSV cell: a leading apostrophe before what a spreadsheet would run as a formula."""
    return "'" + value if value[:1] in FORMULA_STARTS else value
