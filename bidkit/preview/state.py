"""What the preview shows: the last check, the last good rendering, the state of the next one.

Every change is published with a new revision number; the page's event stream waits for a
revision newer than the one it has. Snapshots are immutable, so server threads read them
without locks.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field, replace

from bidkit.findings import CheckResult


@dataclass(frozen=True)
class CheckSnapshot:
    """One run of the check: its result (None when the bid could not be checked at all)."""

    result: CheckResult | None
    seconds: float
    at: dt.datetime
    renderable: bool = False
    #: Sections that did not load (a YAML error, a wrong value): the document would lack them.
    broken: frozenset[str] = frozenset()
    problem: str | None = None  # why the bid could not be checked (no folder, …)


@dataclass(frozen=True)
class PageImage:
    png: bytes
    width: int
    height: int


@dataclass(frozen=True)
class Rendering:
    """A draft that rendered: its pages as images and the pages of each section."""

    number: int
    pages: tuple[PageImage, ...]
    sections: dict[str, int]
    counted_pages: int  # against the call's page limit (no annexes, no open points)
    seconds: float
    at: dt.datetime


@dataclass(frozen=True)
class RenderStatus:
    running: bool = False
    error: str | None = None  # why the last render failed (the last good pages stay shown)
    skipped: bool = False  # the last save did not change the document


@dataclass
class Preview:
    """The preview's current state, shared by the watcher, the renderer and the server."""

    check: CheckSnapshot | None = None
    rendering: Rendering | None = None
    previous: Rendering | None = None  # still served: a page loaded before the update may ask for its images
    status: RenderStatus = field(default_factory=RenderStatus)
    revision: int = 0
    _changed: threading.Condition = field(default_factory=threading.Condition, repr=False)

    def publish(self, *, check: CheckSnapshot | None = None, rendering: Rendering | None = None,
                **status) -> None:
        """Replace parts of the state and wake everyone waiting for a newer revision."""
        with self._changed:
            if check is not None:
                self.check = check
            if rendering is not None:
                self.previous, self.rendering = self.rendering, rendering
            if status:
                self.status = replace(self.status, **status)
            self.revision += 1
            self._changed.notify_all()

    def wait_newer(self, revision: int, timeout: float) -> int:
        """The current revision, once it is newer than ``revision`` or ``timeout`` has passed."""
        with self._changed:
            self._changed.wait_for(lambda: self.revision != revision, timeout)
            return self.revision

    def page_image(self, number: int, index: int) -> PageImage | None:
        """Page ``index`` (1-based) of the rendering ``number``, if it is still kept."""
        for rendering in (self.rendering, self.previous):
            if rendering is not None and rendering.number == number and 0 < index <= len(rendering.pages):
                return rendering.pages[index - 1]
        return None
