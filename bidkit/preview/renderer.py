"""Drafts rendered in worker processes: one job at a time, the newest wins.

A worker (``bidkit.preview.worker``) is started before it is needed, so WeasyPrint is already
imported when a save arrives; each worker renders one job and exits, and the next spare is
started when a job ends. A job for an older state of the bid is killed when a newer one is requested; a job
that takes longer than ``TIME_LIMIT`` is killed too. A failed job leaves the last good pages.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bidkit.preview.state import PageImage, Preview, Rendering
from bidkit.preview.worker import RESULT, page_image_name

#: Seconds a draft may take to render before its worker is killed (templates stop after 30 s).
TIME_LIMIT = 300.0


@dataclass
class _Worker:
    process: subprocess.Popen
    folder: Path


@dataclass
class _Job:
    worker: _Worker
    fingerprint: str
    started: float
    cancelled: bool = False


class DraftRenderer:
    def __init__(self, bid_dir: Path, preview: Preview, log: Callable[[str], None]) -> None:
        self.bid_dir = bid_dir.resolve()
        self.preview = preview
        self.log = log
        self._lock = threading.Lock()
        self._work = Path(tempfile.mkdtemp(prefix="bidkit-preview-"))
        self._count = 0
        self._spare: _Worker | None = None
        self._job: _Job | None = None
        self._rendered: str | None = None  # fingerprint of the pages shown
        self._closed = False
        with self._lock:
            self._spare = self._start_worker()

    def request(self, fingerprint: str) -> None:
        """Render the bid as it is now, unless its pages are shown or being rendered already."""
        with self._lock:
            if self._closed:
                return
            if self._job is not None:
                if self._job.fingerprint == fingerprint:
                    return
                self._cancel()
            if fingerprint == self._rendered:
                self.preview.publish(running=False, error=None, skipped=True)
                return
            worker, self._spare = self._spare or self._start_worker(), None
            job = _Job(worker, fingerprint, time.perf_counter())
            try:
                worker.process.stdin.write(json.dumps({"bid_dir": str(self.bid_dir), "out_dir": str(worker.folder)}) + "\n")
                worker.process.stdin.close()
            except OSError:
                pass  # the worker died while waiting; its exit is reported as a failed render
            self._job = job
            self.preview.publish(running=True, skipped=False)  # before the job can report its end
            threading.Thread(target=self._finish, args=(job,), daemon=True, name="bidkit-render").start()

    def cancel(self) -> None:
        """Stop a running render (the bid changed so that it cannot be rendered now)."""
        with self._lock:
            if self._job is not None:
                self._cancel()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._job is not None:
                self._cancel()
            if self._spare is not None:
                self._spare.process.kill()
                self._spare.process.wait()
        shutil.rmtree(self._work, ignore_errors=True)

    def _cancel(self) -> None:
        self._job.cancelled = True
        self._job.worker.process.kill()
        self._job = None

    def _start_worker(self) -> _Worker:
        self._count += 1
        folder = self._work / f"{self._count}"
        folder.mkdir()
        with open(folder / "stderr.txt", "wb") as stderr:
            process = subprocess.Popen(
                [sys.executable, "-m", "bidkit.preview.worker"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                stderr=stderr, text=True, start_new_session=True,  # Ctrl-C in the terminal ends the server, which ends this
            )
        return _Worker(process, folder)

    def _finish(self, job: _Job) -> None:
        process = job.worker.process
        try:
            code = process.wait(timeout=TIME_LIMIT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            code = None
        seconds = time.perf_counter() - job.started
        with self._lock:
            if not self._closed and self._spare is None:
                self._spare = self._start_worker()  # now, not while the job ran: both would share the cores
            if job.cancelled or self._closed:
                shutil.rmtree(job.worker.folder, ignore_errors=True)
                return
            self._job = None
        try:
            rendering, error = self._outcome(job, code, seconds), None
        except _Failed as failed:
            rendering, error = None, str(failed)
        finally:
            shutil.rmtree(job.worker.folder, ignore_errors=True)
        if rendering is not None:
            with self._lock:
                self._rendered = job.fingerprint
            self.preview.publish(rendering=rendering, running=False, error=None)
            self.log(f"rendered {len(rendering.pages)} pages in {seconds:.1f} s")
        else:
            self.preview.publish(running=False, error=error)
            self.log(f"render failed: {error}")

    def _outcome(self, job: _Job, code: int | None, seconds: float) -> Rendering:
        folder = job.worker.folder
        if code is None:
            raise _Failed(f"Das Rendern wurde nach {TIME_LIMIT:.0f} s abgebrochen.")
        try:
            outcome = json.loads((folder / RESULT).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            details = (folder / "stderr.txt").read_text(encoding="utf-8", errors="replace").strip()
            self.log(f"the render process ended with code {code}:\n{details}")
            raise _Failed("Das Rendern ist abgebrochen (interner Fehler; Einzelheiten stehen im Terminal).") from None
        if "error" in outcome:
            raise _Failed(" ".join(filter(None, [outcome["error"], outcome.get("hint")])))
        pages = tuple(PageImage((folder / page_image_name(index)).read_bytes(), width, height)
                      for index, (width, height) in enumerate(outcome["pages"]))
        for url in outcome["refused"]:
            self.log(f"warning: refused to load {url}")
        return Rendering(int(folder.name), pages, outcome["sections"], outcome["counted_pages"], seconds,
                         dt.datetime.now().astimezone())


class _Failed(Exception):
    """A render that produced no pages; the message is shown above the last good pages."""
