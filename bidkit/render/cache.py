"""The rebuild cache: a finished PDF kept under a key of everything its build read, so that an
unchanged rebuild writes the same bytes again without laying out a page.

- **Where**: ``$BIDKIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/bidkit``, else ``~/.cache/bidkit``;
  entries in its folder ``pdf/``. Never inside the bid folder: a cache folder there is not used.
- **Key** (sha256): bidkit's version and its installed files (name, size, modification time),
  the libraries that shape the bytes (WeasyPrint, pydyf, fontTools, pikepdf, pyphen, Pillow,
  tinycss2, cssselect2 — where they are installed and when), Python's version, the options that
  change the file (variant, draft, ``--jobs`` when given: an automatic choice is the one key
  "auto", whatever it chose), the build moment (``SOURCE_DATE_EPOCH`` or the bid's date),
  a draft's git stamp and open points, and the content of every file the build may read: the
  whole bid folder but ``.git`` and the outputs (YAML, call, annexes, the supporters' register and
  its scans, the theme and its templates — the fetcher reads nothing outside the bid folder and
  the templates), a call file outside it, and the templates folders. The system's fonts are not
  in the key: after changing them, build once with ``--no-cache``.
- **Entries**: one file per key, ``<key>.entry``: a header line, the sha256 of the rest, a line of
  JSON facts (pages, annexes, the pages per section for the page-limit check, warnings), then the
  PDF. Written to a temporary file and renamed, so a concurrent build sees the old entry, the new
  one or none — never a part; read only when its digest matches (a damaged entry is a miss, and
  the next build replaces it).
- **Size**: at most ``BIDKIT_CACHE_MB`` megabytes (default 200); after each store the entries
  used longest ago go first (a hit renews an entry's time).

A cache that cannot be read or written is no cache: the build goes on as without it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import stat
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import bidkit
from bidkit.fileio import cache_write
from bidkit.paths import cache_dir

MAGIC = b"bidkit-cache 1\n"
SUFFIX = ".entry"
#: A temporary file older than this is left over from a build that died while storing.
STALE_SECONDS = 3600
#: Libraries whose version can change the bytes of the PDF.
LIBRARIES = ("weasyprint", "pydyf", "fontTools", "pikepdf", "pyphen", "PIL", "tinycss2", "cssselect2")


def limit_bytes() -> int:
    from bidkit.limits import setting

    return int(setting("BIDKIT_CACHE_MB") * 1_000_000)


@dataclass(frozen=True)
class Entry:
    data: bytes  # the PDF
    facts: dict  # what the build said about it (pages, sections, warnings …)


class BuildCache:
    """The entries of one cache folder."""

    def __init__(self, folder: Path, limit: int):
        self.folder, self.limit = folder, limit

    @classmethod
    def for_bid(cls, bid_dir: Path) -> BuildCache | None:
        """The user's cache, or None when it would lie inside the bid folder."""
        try:
            folder = cache_dir().resolve() / "pdf"
            if folder.is_relative_to(bid_dir.resolve()):
                return None
        except (OSError, RuntimeError, ValueError):
            return None
        return cls(folder, limit_bytes())

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}{SUFFIX}"

    def load(self, key: str) -> Entry | None:
        """The entry stored under ``key`` if it is there and whole."""
        path = self._path(key)
        try:
            with open(path, "rb") as handle:
                raw = handle.read()
        except OSError:
            return None
        if not raw.startswith(MAGIC):
            return None
        digest, _, rest = raw[len(MAGIC):].partition(b"\n")
        if hashlib.sha256(rest).hexdigest().encode() != digest:
            return None
        facts_line, _, data = rest.partition(b"\n")
        try:
            facts = json.loads(facts_line)
        except ValueError:
            return None
        if not isinstance(facts, dict):
            return None
        try:
            os.utime(path)  # used now: evicted last
        except OSError:
            pass
        return Entry(data, facts)

    def store(self, key: str, data: bytes, facts: dict) -> None:
        """Keep ``data`` under ``key`` (atomically), then bound the folder's size."""
        rest = json.dumps(facts, ensure_ascii=False, sort_keys=True).encode() + b"\n" + data
        entry = MAGIC + hashlib.sha256(rest).hexdigest().encode() + b"\n" + rest
        if len(entry) > self.limit or not cache_write(self._path(key), entry):
            return
        self.evict()

    def evict(self) -> None:
        """Remove the entries used longest ago until the folder holds at most ``limit`` bytes,
        and temporary files a dead build left."""
        entries = []
        try:
            scan = list(os.scandir(self.folder))
        except OSError:
            return
        now = time.time()
        for item in scan:
            try:
                info = item.stat(follow_symlinks=False)
            except OSError:
                continue
            if item.name.endswith(".part"):
                if now - info.st_mtime > STALE_SECONDS:
                    _remove(item.path)
            elif item.name.endswith(SUFFIX) and stat.S_ISREG(info.st_mode):
                entries.append((info.st_mtime, item.path, info.st_size))
        total = sum(size for _, _, size in entries)
        for _, path, size in sorted(entries):
            if total <= self.limit:
                break
            _remove(path)
            total -= size


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


# --- the key -------------------------------------------------------------------------------

def snapshot(root: Path) -> dict[str, tuple]:
    """Every entry below ``root`` by path and stat signature (kind, size, modification time, inode):
    what a build read may not change while it runs (``Unchanged``). A walk of stat calls, no reading."""
    seen: dict[str, tuple] = {}
    for folder, dirs, files in os.walk(Path(root).resolve()):
        for name in files + dirs:
            path = os.path.join(folder, name)
            try:
                info = os.lstat(path)
                seen[path] = (info.st_mode, info.st_size, info.st_mtime_ns, info.st_ino)
            except OSError as exc:
                seen[path] = (exc.errno,)
    return seen


class Unchanged:
    """A cache that stores only when the bid folder is as it was before the bid was read
    (``snapshot`` then and now, the build's own outputs aside): a file saved while a build runs
    (an editor's autosave, a sync client) would otherwise put the file built from the old bytes
    under the key of the new ones, and every later build of the new bytes would take the old
    document from the cache."""

    def __init__(self, store: BuildCache, root: Path, before: dict[str, tuple], outputs: Iterable[Path] = ()):
        self.inner, self.root, self.before = store, root, before
        # the outputs and the folders that hold them (a build makes `build/` and changes its time)
        written = [Path(path).resolve() for path in outputs]
        self.outputs = {str(path) for output in written for path in (output, *output.parents)}

    def load(self, key: str) -> Entry | None:
        return self.inner.load(key)

    def store(self, key: str, data: bytes, facts: dict) -> None:
        def kept(seen: dict[str, tuple]) -> dict[str, tuple]:
            return {path: signature for path, signature in seen.items() if path not in self.outputs}

        if kept(snapshot(self.root)) == kept(self.before):
            self.inner.store(key, data, facts)


class _Key:
    """A sha256 over framed records (length-prefixed, so no two sequences read alike)."""

    def __init__(self) -> None:
        self.hash = hashlib.sha256()

    def add(self, *parts: str | bytes) -> None:
        for part in parts:
            data = part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part
            self.hash.update(len(data).to_bytes(8, "big"))
            self.hash.update(data)

    def tree(self, label: str, root: Path, skip: set[Path]) -> None:
        """Every entry below ``root`` (not following links): name, kind and a regular file's content."""
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not (folder == str(root) and d == ".git") and d != "__pycache__")
            for name in sorted(files + [d for d in dirs if os.path.islink(os.path.join(folder, d))]):
                path = os.path.join(folder, name)
                if Path(path) in skip:
                    continue
                self.file(f"{label}/{os.path.relpath(path, root)}", path)

    def file(self, label: str, path: str | Path) -> None:
        try:
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                self.add(label, "link", os.readlink(path))
            elif stat.S_ISREG(info.st_mode):
                fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
                with os.fdopen(fd, "rb") as handle:
                    self.add(label, "file", hashlib.file_digest(handle, "sha256").digest())
            else:  # a FIFO or device is never opened; the build refuses it too
                self.add(label, "other", str(stat.S_IFMT(info.st_mode)))
        except OSError as exc:
            self.add(label, "unreadable", str(exc.errno))


def _installed(key: _Key) -> None:
    """bidkit's own files and the libraries that shape the PDF, by name, size and time."""
    key.add("python", sys.version)
    key.add("bidkit", bidkit.__version__)
    package = Path(bidkit.__file__).parent
    for folder, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            path = os.path.join(folder, name)
            try:
                info = os.stat(path)
            except OSError:
                continue
            key.add(os.path.relpath(path, package), str(info.st_size), str(info.st_mtime_ns))
    for name in LIBRARIES:
        try:
            spec = importlib.util.find_spec(name)
            origin = spec.origin if spec else None
            info = os.stat(origin) if origin else None
        except (ImportError, ValueError, OSError):
            origin = info = None
        key.add(name, str(origin), f"{info.st_size}:{info.st_mtime_ns}" if info else "-")


def build_key(bid_dir: Path, *, inputs: tuple[set[Path], list[Path]], options: dict[str, str],
              outputs: Iterable[Path] = ()) -> str:
    """The key of a build of ``bid_dir``: ``inputs`` as build.bid_inputs gives them (files, folders
    read whole), ``options`` everything else that changes the bytes (variant, draft, moment …),
    ``outputs`` files the build writes (left out, should they lie in the bid folder)."""
    key = _Key()
    _installed(key)
    for name in sorted(options):
        key.add(name, options[name])
    root = bid_dir.resolve()
    skip = {path.resolve() for path in outputs}
    key.tree("bid", root, skip)
    files, folders = inputs
    for path in sorted(files):
        if not path.is_relative_to(root):
            key.file(f"file:{path}", path)
    for folder in folders:
        if not folder.is_relative_to(root):
            key.tree(f"folder:{folder}", folder, skip)
    return key.hash.hexdigest()
