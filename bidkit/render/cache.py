"""The rebuild cache: a finished PDF kept under a key of everything its build read, so that an
unchanged rebuild writes the same bytes again without laying out a page.

- **Where**: ``$BIDKIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/bidkit``, else ``~/.cache/bidkit``;
  entries in its folder ``pdf/``. Never inside the bid folder: a cache folder there is not used.
- **Key** (sha256, ``build_key``), taken by the command line before the bid is read, so that a hit
  reads no bid (no pydantic, YAML, Jinja, rules: a rebuild costs less than `check`): Python's
  version, bidkit's version and its installed files (name, size, modification time), every
  installed distribution (its metadata folder's name, with the version, and time), the options
  (variant, draft, ``--variant``, ``--jobs`` when given: an automatic choice is the one key "auto",
  whatever it chose), the environment's settings (``SOURCE_DATE_EPOCH``, the build moment;
  ``BIDKIT_*`` but the cache's own), a draft's git state (its stamp), and every entry of the bid
  folder but ``.git`` and the build's own output: name, kind and a regular file's content — up to
  ``KEY_BYTES`` in all; a file beyond is keyed by its size, time and inode, so a 20 GB file beside
  the YAML costs a stat, not a minute. What the check and the build read besides is derived from
  these (the findings, a draft's open points, the build moment from the bid's date); neither reads
  the clock. The files the bid names, and the inputs outside the bid folder (bidkit's templates, a
  call file elsewhere), are known once the bid is read: the entry records them with a digest of
  their content and is taken only while they are as they were. The
  system's fonts are not in the key: after changing them, build once with ``--no-cache``.
- **Entries**: one file per key, ``<key>.entry``: a header line, the sha256 of the rest, a line of
  JSON facts, then the PDF. The facts: what the cold build printed before its steps (the check's
  report), the default output's name, the call's page limit, the pages, annexes and pages per
  section (the page-limit check), warnings, and the inputs (build.bid_inputs: those in the bid
  folder relative to it) — a hit refuses an output that is one of them as the cold build did. A
  report that names files is printed again only for the folder named alike from the same current
  folder. Written to a temporary file and renamed, so a concurrent build sees the old entry, the
  new one or none — never a part; read only when its digest matches (a damaged entry is a miss,
  and the next build replaces it). A build that fails (errors, a refused output, a render
  error) keeps nothing; one whose bid folder changed while it ran neither (``Unchanged``).
- **Size**: at most ``BIDKIT_CACHE_MB`` megabytes (default 200); after each store the entries
  used longest ago go first (a hit renews an entry's time).

A cache that cannot be read or written is no cache: the build goes on as without it.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import bidkit
from bidkit.fileio import cache_write
from bidkit.paths import cache_dir
from bidkit.records import record

MAGIC = b"bidkit-cache 1\n"
SUFFIX = ".entry"
#: A temporary file older than this is left over from a build that died while storing.
STALE_SECONDS = 3600
#: Settings that are not the key's: the cache's own (where it is, how large), and ``--jobs``'s
#: (the key holds the option).
OWN_SETTINGS = ("BIDKIT_CACHE_DIR", "BIDKIT_CACHE_MB", "BIDKIT_JOBS")
#: The metadata of an installed distribution (its version in the name).
DISTRIBUTIONS = (".dist-info", ".egg-info", ".egg-link")


def limit_bytes() -> int:
    from bidkit.limits import setting

    return int(setting("BIDKIT_CACHE_MB") * 1_000_000)


@record(frozen=True)
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
            facts = json.loads(facts_line.decode("utf-8", "surrogateescape"))
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
        # surrogateescape: the names of input files that are not UTF-8 are kept as their bytes
        rest = json.dumps(facts, ensure_ascii=False, sort_keys=True).encode("utf-8", "surrogateescape") + b"\n" + data
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

    def tree(self, label: str, root: Path, skip: set[Path], read: Callable[[str, str], bool] = lambda folder, name: True) -> None:
        """Every entry below ``root`` (not following links) but those of ``skip``: name, kind and a
        regular file's content (its size only where not ``read(folder, name)``); a folder by its
        entries, an empty one by its name."""
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not (folder == str(root) and d == ".git") and d != "__pycache__")
            if not dirs and not files and folder != str(root):
                self.add(f"{label}/{os.path.relpath(folder, root)}", "empty folder")
            for name in sorted(files + [d for d in dirs if os.path.islink(os.path.join(folder, d))]):
                path = os.path.join(folder, name)
                if Path(path) not in skip:
                    self.file(f"{label}/{os.path.relpath(path, root)}", path, read(folder, name))

    def file(self, label: str, path: str | Path, read: bool = True) -> None:
        try:
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                self.add(label, "link", os.readlink(path))
            elif stat.S_ISREG(info.st_mode) and not read:
                self.add(label, "file of", str(info.st_size))
            elif stat.S_ISREG(info.st_mode):
                fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
                with os.fdopen(fd, "rb") as handle:
                    self.add(label, "file", hashlib.file_digest(handle, "sha256").digest())
            else:  # a FIFO or device is never opened; the build refuses it too
                self.add(label, "other", str(stat.S_IFMT(info.st_mode)))
        except OSError as exc:
            self.add(label, "unreadable", str(exc.errno))


def _installed(key: _Key) -> None:
    """Python, bidkit's own files by name, size and time, and every installed distribution (its
    metadata folder's name holds the version; its time changes with a reinstall): the libraries
    the check reads the bid with (pydantic, PyYAML, Babel …) as well as those writing the PDF."""
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
    for entry in sys.path:  # not the script's folder nor the current one (`python -m`): where distributions are installed
        if os.path.basename(entry) not in ("site-packages", "dist-packages"):
            continue
        try:
            names = sorted(item for item in os.listdir(entry) if item.endswith(DISTRIBUTIONS))
        except OSError:
            continue
        key.add("path", entry)
        for name in names:
            try:
                key.add(name, str(os.stat(os.path.join(entry, name)).st_mtime_ns))
            except OSError:
                key.add(name, "-")


#: The bytes of the bid folder's files the key reads, in the walk's order (names sorted): the YAML
#: first, then every other file while the sum stays below; a file beyond is keyed by its size,
#: modification time and inode (a 20 GB file beside the YAML cost a minute on every rebuild). The
#: files the bid names are read whole all the same, for the entry's ``digest``.
KEY_BYTES = 256_000_000


def build_key(bid_dir: Path, options: dict[str, str], skip: Iterable[Path] = ()) -> str:
    """The key of a build of ``bid_dir``, taken before the bid is read: bidkit and the libraries
    as installed, ``options`` (the command line's, the environment's and whatever else the check
    and the build depend on), every entry of the bid folder but ``.git`` and ``skip`` (the build's
    own outputs) by name, kind and content (beyond ``KEY_BYTES`` in all: by size, time and inode).

    The files the YAML names, and inputs outside the bid folder (bidkit's templates, a call file
    elsewhere), are known only once the bid is read: an entry records them (``digest``) and is
    taken only while they are as they were."""
    key = _Key()
    _installed(key)
    for name in sorted(options):
        key.add(name, options[name])
    root = Path(bid_dir).resolve()
    budget = [KEY_BYTES]

    def read(folder: str, name: str) -> bool:
        try:
            info = os.lstat(os.path.join(folder, name))
        except OSError:
            return True  # named unreadable
        if stat.S_ISREG(info.st_mode) and info.st_size > budget[0]:
            key.add("stat", str(info.st_size), str(info.st_mtime_ns), str(info.st_ino))
            return False
        budget[0] -= info.st_size
        return True

    key.tree("bid", root, {Path(path).resolve() for path in skip}, read)
    return key.hash.hexdigest()


def digest(bid_dir: Path, files: Iterable[Path], folders: Iterable[Path]) -> str:
    """The digest of the inputs a build read (``files``, ``folders`` read whole): those in ``bid_dir``
    by their path in it (an entry serves a copy of the folder elsewhere), the others by theirs."""
    key, root = _Key(), Path(bid_dir).resolve()

    def label(path: Path) -> str:
        return f"bid:{path.relative_to(root)}" if path.is_relative_to(root) else f"path:{path}"

    for path in sorted(Path(path) for path in files):
        key.file(f"file:{label(path)}", path)
    for folder in sorted(Path(folder) for folder in folders):
        key.tree(f"folder:{label(folder)}", folder, set())
    return key.hash.hexdigest()


# --- a build's place in the cache ----------------------------------------------------------

class Lookup:
    """The entry of one `bidkit build`, looked up before the bid is read (bidkit.render.staged
    serves it without loading the bid). The folder's ``snapshot`` is taken before the key reads
    it: a build keeps its file only when the folder is so still (``Unchanged``)."""

    def __init__(self, store: BuildCache, bid_dir: Path, output: Path | None, options: dict[str, str]):
        self.store, self.bid_dir, self.output = store, Path(bid_dir), output
        # The build's own output is no input (build.check_outputs refuses it): it stays out of the
        # key, so a build writing into the bid folder is found again. Without -o the output's name
        # is known once the bid is read: any PDF in ./build may be it (should one be an input, the
        # entry is neither kept nor taken: ``keep``, ``load``).
        skip = [output] if output is not None else list(Path("build").glob("*.pdf"))
        self.skipped = {path.resolve() for path in skip}
        self.place = [str(bid_dir), os.getcwd()]  # the paths in a check's report depend on them
        self.before = snapshot(self.bid_dir)
        self.key = build_key(self.bid_dir, options, self.skipped)

    def load(self) -> Entry | None:
        """The entry, when the inputs it records (``digest``) are as they were, none of the build's
        outputs the key left out is one of them, and what it printed named no file — or was
        printed for the same folder, named alike, from the same current folder."""
        entry = self.store.load(self.key)
        if entry is None:
            return None
        try:
            files, folders = self.inputs_of(entry.facts)
            taken = (not self.skipped & set(files) and entry.facts["place"] in (None, self.place)
                     and entry.facts["digest"] == digest(self.bid_dir, files, folders))
        except (KeyError, TypeError, ValueError):
            taken = False
        return entry if taken else None

    def inputs(self, files: Iterable[Path], folders: Iterable[Path], named_files: bool) -> dict:
        """What an entry records of a build's inputs (build.bid_inputs), those in the bid folder
        relative to it, so the entry serves a copy of the folder elsewhere: for the output
        refusals of a build taken from it, and to see that they are as they were (``digest``).
        ``named_files``: what the build printed names files (``place``)."""
        root = self.bid_dir.resolve()

        def recorded(path: Path) -> str:
            return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)

        return {"files": sorted(recorded(Path(path)) for path in files),
                "folders": sorted(recorded(Path(folder)) for folder in folders),
                "digest": digest(root, files, folders), "place": self.place if named_files else None}

    def inputs_of(self, facts: dict) -> tuple[list[Path], list[Path]]:
        """(files, folders) an entry recorded (``inputs``), as paths of this bid folder."""
        root = self.bid_dir.resolve()
        return [root / path for path in facts["files"]], [root / folder for folder in facts["folders"]]

    def keep(self, data: bytes, facts: dict, outputs: Iterable[Path]) -> None:
        """The built file under the key, when no file of the bid folder changed since the snapshot
        and none of its inputs is a file whose content the key left out."""
        if self.skipped & set(self.inputs_of(facts)[0]):
            return
        Unchanged(self.store, self.bid_dir, self.before, outputs).store(self.key, data, facts)


def lookup(bid_dir: Path, output: Path | None, *, draft: bool, variant: str, bid_variant: str | None,
           jobs: int | None) -> Lookup | None:
    """The cache's lookup for `bidkit build` with these options, or None (no cache: it would lie in
    the bid folder, or cannot be read). The key holds what the check and the build depend on beyond
    the files: the options (``--jobs`` given; an automatic choice is the one key "auto", whatever
    it chose), the environment's settings (``SOURCE_DATE_EPOCH``, the build moment; ``BIDKIT_*``
    but the cache's own and ``--jobs``'s) and a draft's git stamp. Neither the check nor the build reads the clock."""
    from bidkit.render.cores import processes

    store = BuildCache.for_bid(bid_dir)
    if store is None:
        return None
    options = {"variant": variant, "draft": str(draft),
               "bid_variant": bid_variant or "", "jobs": "auto" if jobs is None else str(processes(jobs))}
    options |= {f"env:{name}": value for name, value in os.environ.items()
                if name == "SOURCE_DATE_EPOCH" or name.startswith("BIDKIT_") and name not in OWN_SETTINGS}
    if draft:
        from bidkit.gitinfo import git_state

        options["git"] = repr(git_state(Path(bid_dir)))
    try:
        return Lookup(store, bid_dir, output, options)
    except (OSError, RuntimeError, ValueError):
        return None
