"""Bounds on the work untrusted input can cause: a deadline for Python code (annex reading,
template rendering)."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def deadline(seconds: float, expired: Callable[[], BaseException]) -> Iterator[None]:
    """Raise ``expired()`` inside the block once it has run ``seconds``.

    SIGALRM interrupts Python code between two bytecodes; only the main thread receives it, so
    elsewhere (and where there is no SIGALRM) the block runs unbounded. To get through library
    code that catches ``Exception`` broadly (pypdf does), ``expired`` may return an exception
    derived from ``BaseException`` only.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum, frame):
        raise expired()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
