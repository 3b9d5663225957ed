"""Which commit a bid folder is at, read from ``.git`` with dulwich — never by running git.

A bid folder may come with a repository someone else prepared (the repository found is the
nearest ``.git`` folder at or above the bid folder; a ``.git`` file pointing elsewhere is not
followed). Running ``git`` inside it
would execute what its configuration names (``core.fsmonitor``, filter drivers, hooks,
``core.pager``). dulwich reads the objects, the index and ``.gitignore`` files as data, and
nothing here runs a program: no filters (content is hashed as it is on disk), no hooks, and
no file named by the configuration (``core.excludesFile``) is opened. Every file read goes
through ``bidkit.paths.read_regular``, so a FIFO in place of ``.gitignore`` cannot hang.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from bidkit.limits import in_child
from bidkit.paths import BidFileError, read_regular

MAX_FILE_BYTES = 64_000_000  # larger work-tree files are taken as changed rather than hashed
MAX_FILES = 20_000  # a bid folder with more files is not walked for untracked ones
TIME_LIMIT = 10.0  # seconds for reading the state
MEMORY_LIMIT = 512 << 20  # bytes the reading may add


@dataclass(frozen=True)
class GitState:
    commit: str  # abbreviated, 7 characters
    date: dt.date  # the committer's date, in the committer's time zone
    dirty: bool  # the bid folder has uncommitted changes (staged, unstaged or untracked)


def git_state(folder: Path) -> GitState | None:
    """The state of the repository ``folder`` lies in, or None (no repository, or unreadable).

    Read in a child process bounded in time and memory: a prepared ``.git`` (a FIFO for its
    config, ``/dev/zero`` as packed-refs) can neither hang the build nor swell it.
    """
    try:
        return in_child(_read_state, folder.resolve(), seconds=TIME_LIMIT, memory=MEMORY_LIMIT)
    except Exception:  # noqa: BLE001 - a broken or hostile .git gives no stamp, never a traceback
        return None


def _work_tree(folder: Path) -> Path | None:
    """The nearest folder at or above ``folder`` holding a ``.git`` folder; None for none, and for a
    ``.git`` that is a file or link (a pointer to a repository elsewhere is not followed)."""
    for candidate in [folder, *folder.parents]:
        try:
            mode = os.lstat(candidate / ".git").st_mode
        except OSError:
            continue
        return candidate if stat.S_ISDIR(mode) else None
    return None


def _read_state(folder: Path) -> GitState | None:
    from dulwich.repo import Repo

    root = _work_tree(folder)
    if root is None:
        return None
    with Repo(str(root)) as repo:
        head = repo.head()
        commit = repo[head]
        zone = dt.timezone(dt.timedelta(seconds=commit.commit_timezone))
        day = dt.datetime.fromtimestamp(commit.commit_time, zone).date()
        return GitState(head.decode("ascii")[:7], day, _dirty(repo, folder, commit.tree))


def _dirty(repo, folder: Path, tree: bytes) -> bool:
    from dulwich.objects import Blob

    root = Path(repo.path).resolve()
    prefix = folder.resolve().relative_to(root).as_posix()
    below = (prefix + "/").encode() if prefix != "." else b""
    index = repo.open_index()
    for (old, new), _, _ in index.changes_from_tree(repo.object_store, tree):  # staged
        if (old or b"").startswith(below) or (new or b"").startswith(below):
            return True
    tracked = set()
    for name, entry in index.items():  # unstaged: the work tree against the index
        if not name.startswith(below):
            continue
        tracked.add(name)
        path = root / os.fsdecode(name)
        try:
            info = os.lstat(path)
        except OSError:
            return True  # deleted
        if stat.S_ISLNK(info.st_mode):
            data = os.fsencode(os.readlink(path))
        elif not stat.S_ISREG(info.st_mode):
            return True
        elif info.st_size == entry.size and int(info.st_mtime) == entry.mtime[0]:
            continue
        else:
            try:
                data = read_regular(path, max_bytes=MAX_FILE_BYTES)
            except BidFileError:
                return True
        if Blob.from_string(data).id != entry.sha:
            return True
    return _untracked(root, folder.resolve(), tracked)


def _untracked(root: Path, folder: Path, tracked: set[bytes]) -> bool:
    """Whether the folder holds a file git would list as untracked (not ignored)."""
    from dulwich.ignore import IgnoreFilter

    def patterns(file: Path) -> list[bytes]:
        try:
            return read_regular(file, max_bytes=1_000_000).splitlines()
        except BidFileError:
            return []

    # .gitignore files from the work tree's root down to the folder, and .git/info/exclude.
    def rules(base: Path, file: Path) -> tuple[Path, IgnoreFilter]:
        return base, IgnoreFilter(patterns(file))

    filters = [rules(root, root / ".git" / "info" / "exclude")]
    for parent in [folder, *folder.parents]:
        filters.insert(1, rules(parent, parent / ".gitignore"))
        if parent == root:
            break

    def ignored(relative: str, filters_here: list) -> bool:
        verdict = None
        for base, rule in filters_here:  # the deepest .gitignore that has a say wins, as in git
            if (root / relative).is_relative_to(base):
                result = rule.is_ignored((root / relative).relative_to(base).as_posix() + ("/" if relative.endswith("/") else ""))
                verdict = result if result is not None else verdict
        return bool(verdict)

    chains = {folder: filters}
    seen = 0
    for current, folders, files in os.walk(folder):  # does not follow symlinked folders
        here = Path(current)
        if here not in chains:
            chains[here] = [*chains[here.parent], rules(here, here / ".gitignore")]
        chain = chains[here]
        folders[:] = [d for d in folders if d != ".git" and not ignored((here / d).relative_to(root).as_posix() + "/", chain)]
        for name in files:
            seen += 1
            if seen > MAX_FILES:
                return False
            relative = (here / name).relative_to(root).as_posix()
            if relative.encode() not in tracked and not ignored(relative, chain):
                return True
    return False
