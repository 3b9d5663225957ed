"""Bounds on the work untrusted input can cause: a deadline for Python code (annex reading,
template rendering), and a forked child bounded in time and memory (``in_child``)."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

#: A template file (bidkit's or a theme's) larger than this is refused: templates are text of a few kilobytes.
MAX_TEMPLATE_BYTES = 1_000_000
#: A document whose HTML is larger than this is not laid out: about 450 pages (the generated 46-page
#: bid has 4–5 kB of HTML a page), minutes of layout; a bid of 10,000 measures would take hours.
MAX_LAYOUT_HTML_BYTES = 2_000_000


#: The environment's settings of bounds: (default, least value) of each; ``setting`` reads them.
SETTINGS = {"BIDKIT_LAYOUT_SECONDS": (300.0, 1.0),  # WeasyPrint's layout and its writing, each
            "BIDKIT_TEMPLATE_SECONDS": (30.0, 0.1),  # rendering the templates
            "BIDKIT_CACHE_MB": (200.0, 0.0)}  # the rebuild cache's size


def setting(name: str) -> float:
    """The value of the environment variable ``name`` (one of ``SETTINGS``), its default when it
    is unset or empty; a value that is no number at least the least one is an error (exit 2), not
    a default taken without a word."""
    default, least = SETTINGS[name]
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value >= least or value == float("inf"):
        from bidkit.errors import BidkitError

        raise BidkitError(f"{name}={text!r} is not a number of at least {least:g}",
                          f"Unset it (default {default:g}) or give a number, e.g. {name}={default:g}.")
    return value


def check_settings() -> None:
    """Every bound the environment sets, read once up front: a wrong one stops the command (exit 2)."""
    for name in SETTINGS:
        setting(name)


@contextlib.contextmanager
def deadline(seconds: float, expired: Callable[[], BaseException]) -> Iterator[None]:
    """Raise ``expired()`` inside the block once it has run ``seconds``.

    SIGALRM interrupts Python code between two bytecodes; only the main thread receives it, so
    elsewhere (and where there is no SIGALRM) the block runs unbounded. To get through library
    code that catches ``Exception`` broadly (pypdf does), ``expired`` may return an exception
    derived from ``BaseException`` only; and since some code catches even that, the exception is
    raised again every 50 ms until the block is left.
    """
    import signal  # here, not at import: `check` reads these bounds' constants only
    import threading

    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum, frame):
        raise expired()

    previous = signal.signal(signal.SIGALRM, expire)
    # Once expired, again every 50 ms until the block is left: library code that catches even
    # BaseException (WeasyPrint 70 drawing an SVG image) swallows one, not all of them.
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class ChildFailed(Exception):
    """The bounded child ran out of time or memory, or died."""


def _memory_in_use() -> int:
    """This process's virtual memory in bytes (what RLIMIT_AS counts)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):  # pragma: no cover - not Linux
        return 0


def in_child(function: Callable[..., Any], *args: Any, seconds: float, memory: int) -> Any:
    """``function(*args)`` in a forked child that may run ``seconds`` and grow by ``memory`` bytes.

    Returns the function's result or raises the exception it raised (both pickled back through
    a pipe from our own child); raises ``ChildFailed`` when the child ran out of time (it is
    killed) or memory, or died. Work on untrusted input that could hang or swell — reading a
    prepared ``.git``, rendering a theme's templates — runs here, so the tool stays responsive
    and its memory stays bounded whatever the input does.
    """
    import pickle
    import resource
    import select
    import signal

    read_fd, write_fd = os.pipe()
    budget = _memory_in_use() + memory
    pid = os.fork()
    if pid == 0:  # the child: compute, send, leave without running the parent's cleanup
        os.close(read_fd)
        try:
            if budget > memory:
                resource.setrlimit(resource.RLIMIT_AS, (budget, budget))
            try:
                data = pickle.dumps((True, function(*args)))
            except BaseException as exc:  # noqa: BLE001 - handed to the parent
                try:
                    data = pickle.dumps((False, exc))
                except BaseException:  # noqa: BLE001 - an exception that does not pickle
                    data = pickle.dumps((False, ChildFailed(f"{type(exc).__name__}: {exc}")))
            with os.fdopen(write_fd, "wb") as pipe:
                pipe.write(data)
        finally:
            os._exit(0)
    os.close(write_fd)
    chunks: list[bytes] = []
    end = time.monotonic() + seconds
    try:
        with os.fdopen(read_fd, "rb", buffering=0) as pipe:
            while True:
                left = end - time.monotonic()
                if left <= 0 or not select.select([pipe], [], [], left)[0]:
                    os.kill(pid, signal.SIGKILL)
                    raise ChildFailed(f"took longer than {seconds:g} s")
                chunk = pipe.read(1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
    finally:
        os.waitpid(pid, 0)
    if not chunks:
        raise ChildFailed("ran out of memory or died")
    ok, value = pickle.loads(b"".join(chunks))  # our own child's bytes
    if not ok:
        raise value
    return value
