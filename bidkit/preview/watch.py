"""Changes in the bid folder, and ``bidkit build --watch``: rebuild on every change.

watchfiles groups a burst of saves (an editor writing a backup, then the file) into one batch:
it yields once no change came for ``STEP_MS`` or after ``DEBOUNCE_MS`` at most. Editor backups,
swap files and ``.git`` are ignored, and so are the outputs (and their temporary files), which
may lie inside the watched folder.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

DEBOUNCE_MS = 400
STEP_MS = 60
READY_MS = 200  # the first (empty) batch comes this long after watching began


def changes(folder: Path, *, ignore: Callable[[], Iterable[Path]] = lambda: (),
            stop: threading.Event | None = None) -> Iterator[set[Path]]:
    """Each batch of changed paths below ``folder``, until ``stop`` is set (Ctrl-C raises KeyboardInterrupt).

    The first batch comes as soon as the folder is watched, empty unless something changed: do the
    first check or build then, so that a save during it is not missed.
    """
    import watchfiles

    default = watchfiles.DefaultFilter()

    def wanted(change: watchfiles.Change, path: str) -> bool:
        if not default(change, path):
            return False
        for output in ignore():
            name = os.path.basename(path)
            if path == str(output) or (os.path.dirname(path) == str(output.parent)
                                       and name.startswith(f".{output.name}.") and name.endswith(".part")):
                return False
        return True

    watching = False
    try:
        for batch in watchfiles.watch(folder, watch_filter=wanted, debounce=DEBOUNCE_MS, step=STEP_MS, stop_event=stop,
                                      rust_timeout=READY_MS, yield_on_timeout=True):
            if batch or not watching:
                watching = True
                yield {Path(path) for _, path in batch}
    except RuntimeError as exc:  # watchfiles' WatchfilesRustInternalError
        # watchfiles (1.3) ends with this on any event (even a read) of a file whose name is not UTF-8
        # (Latin-1 from a zip or an SMB share): from then on the folder is polled, and the event it
        # lost counts as a change of the folder.
        if "decode path" not in str(exc):
            raise
        kept = lambda path: wanted(watchfiles.Change.modified, path)  # noqa: E731
        before = _signatures(folder, kept)  # before the batch is handled: a save meanwhile is seen
        yield {folder}
        yield from _polled(folder, kept, stop, before)


#: How often ``_polled`` looks at the folder, and how many entries it looks at at most.
POLL_MS = 250
MAX_POLLED = 20_000


def _signatures(folder: Path, wanted: Callable[[str], bool]) -> dict[str, tuple]:
    seen: dict[str, tuple] = {}
    for current, folders, files in os.walk(folder):
        folders[:] = [name for name in folders if wanted(os.path.join(current, name))]
        for name in files:
            path = os.path.join(current, name)
            if len(seen) >= MAX_POLLED:
                return seen
            if wanted(path):
                try:
                    info = os.lstat(path)
                except OSError:
                    continue
                seen[path] = (info.st_mode, info.st_size, info.st_mtime_ns, info.st_ino)
    return seen


def _polled(folder: Path, wanted: Callable[[str], bool], stop: threading.Event | None,
            before: dict[str, tuple]) -> Iterator[set[Path]]:
    """``changes`` by comparing the folder's file signatures (kind, size, modification time, inode)
    with ``before`` and then every ``POLL_MS``: a burst of saves is one batch, yielded once a look
    finds nothing new or after ``DEBOUNCE_MS``."""
    pending: set[str] = set()
    since = 0.0
    while not (stop is not None and stop.is_set()):
        if stop is not None:
            stop.wait(POLL_MS / 1000)
        else:
            time.sleep(POLL_MS / 1000)
        now = _signatures(folder, wanted)
        changed = {path for path in before.keys() | now.keys() if before.get(path) != now.get(path)}
        before = now
        if changed:
            since = since or time.monotonic()
            pending |= changed
        if pending and (not changed or time.monotonic() - since >= DEBOUNCE_MS / 1000):
            yield {Path(path) for path in pending}
            pending, since = set(), 0.0


def watch_builds(bid_dir: Path, *, output: Path | None, draft: bool, variant: str, html: Path | None,
                 say: Callable[[str], None]) -> int:
    """Build now and after every change, one status line each; Ctrl-C ends with exit code 0."""
    from bidkit.errors import BidkitError
    from bidkit.paths import printable

    if not bid_dir.is_dir():
        raise BidkitError(f"bid folder '{printable(str(bid_dir))}' does not exist", "Give the folder that holds bid.yaml.")
    outputs: list[Path] = []
    builder = _Builder(bid_dir, output, draft, variant, html, outputs)
    say(f"Watching {printable(str(bid_dir))} for changes; every change rebuilds. Ctrl-C ends.")
    try:
        for _ in changes(bid_dir, ignore=lambda: outputs):
            say(builder.build())
    except KeyboardInterrupt:
        say("Stopped watching.")
    return 0


class _Builder:
    """One build per call, as one line: time, result, pages, findings, seconds."""

    def __init__(self, bid_dir: Path, output: Path | None, draft: bool, variant: str, html: Path | None,
                 outputs: list[Path]) -> None:
        self.bid_dir, self.output, self.draft, self.variant, self.html = bid_dir, output, draft, variant, html
        self.outputs = outputs  # resolved, for the watcher to ignore
        self.built: tuple[str, Path] | None = None  # fingerprint and file of the last PDF written

    def build(self) -> str:
        from bidkit.errors import BidkitError

        started = time.perf_counter()
        try:
            line = self._build()
        except BidkitError as exc:
            line = f"✗ {exc.message}" + (f" ({exc.hint})" if exc.hint else "")
        return f"{time.strftime('%H:%M:%S')}  {line} [{time.perf_counter() - started:.1f} s]"

    def _build(self) -> str:
        from bidkit.check import check_bid
        from bidkit.findings import Severity
        from bidkit.paths import printable
        from bidkit.pdfcheck import page_limit_findings, section_pages
        from bidkit.preview.document import fingerprint
        from bidkit.render.build import build_pdf, default_output

        result, loaded = check_bid(self.bid_dir)
        counts = {severity: result.count(severity) for severity in Severity}
        tally = f"{counts[Severity.ERROR]} error(s), {counts[Severity.WARNING]} warning(s), {counts[Severity.INFO]} info"
        first = next((f for f in result.sorted_findings() if f.severity is Severity.ERROR), None)
        if first is not None and (not self.draft or not loaded.renderable):
            where = ":".join(str(part) for part in (first.display_file(), first.location.line) if part)
            why = "build refused" if not self.draft else "cannot render even a draft"
            return f"✗ {why}: {tally}; first: {where} {first.rule} {first.message}"
        target = self.output or default_output(loaded)
        self.outputs[:] = [path.resolve() for path in (target, self.html) if path]
        document = fingerprint(loaded, result.findings, draft=self.draft) + self.variant
        if self.built == (document, target) and target.is_file():
            return f"= {printable(str(target))} unchanged (the document is the same): {tally}"
        built = build_pdf(loaded, target, draft=self.draft, variant=self.variant, findings=result.findings,
                          html_output=self.html)
        self.built = (document, target)
        over = page_limit_findings(target, loaded.call.page_limit, section_pages(target))
        limit = f"; {over[0].rule}: {over[0].message}" if over else ""
        return f"{'✗' if over and not self.draft else '✓'} {printable(str(target))}: {built.pages} pages, {tally}{limit}"
