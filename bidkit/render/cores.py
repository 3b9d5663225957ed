"""How much of the machine a second layout process would get, measured rather than guessed: the
cores this process may run on (its CPU affinity, a cgroup's CPU quota) and how idle they were
over the build so far (``/proc/stat``). No WeasyPrint here: the build starts a ``IdleMeter``
before it imports WeasyPrint, and bidkit.render.parallel reads it when the box tree is built.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

#: The layout is split in two parts at most.
MAX_PROCESSES = 2

#: A stretch shorter than this says too little (``/proc/stat`` counts in 1/100 s per core).
MIN_SECONDS = 0.2


def processes(jobs: int) -> int:
    """The processes ``--jobs N`` lays out with: 1 to ``MAX_PROCESSES``."""
    return min(max(1, jobs), MAX_PROCESSES)


def usable_cores() -> float:
    """The cores this process may use: its affinity (``taskset``), bounded by a cgroup's quota."""
    try:
        cores = float(len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        cores = float(os.cpu_count() or 1)
    quota = _cgroup_quota()
    return min(cores, quota) if quota is not None else cores


def _cgroup_quota() -> float | None:
    """cgroup v2's ``cpu.max`` ("200000 100000": two cores' worth; "max …": no limit)."""
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text(encoding="ascii").split()[:2]
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        return None


def _idle_ticks() -> int | None:
    """Idle and I/O-wait ticks so far of the cores this process may use; None without /proc/stat."""
    try:
        cpus = os.sched_getaffinity(0)
        ticks = 0
        with open("/proc/stat", encoding="ascii") as stat:
            for line in stat:
                if not (line.startswith("cpu") and line[3:4].isdigit()):
                    continue
                fields = line.split()
                if int(fields[0][3:]) in cpus:
                    ticks += int(fields[4]) + int(fields[5])
        return ticks
    except (OSError, ValueError, IndexError, AttributeError):
        return None


class IdleMeter:
    """Idle cores, on average, between the meter's start and ``idle_cores()`` (this process's
    own work in that time is not idle: what is left is what a second process would get).
    ``ours``: CPU seconds in that time of this build's other processes that have ended (the
    command line's worker, bidkit.render.staged): their cores are free for the layout."""

    def __init__(self):
        self.started, self.ticks = time.monotonic(), _idle_ticks()
        self.ours = 0.0

    def idle_cores(self) -> float:
        seconds = time.monotonic() - self.started
        ticks = _idle_ticks()
        if self.ticks is not None and ticks is not None and seconds >= MIN_SECONDS:
            return max(ticks - self.ticks, 0) / (seconds * os.sysconf("SC_CLK_TCK")) + self.ours / seconds
        try:  # too short a stretch, or no /proc/stat: the last minute's load, less this process
            return max(usable_cores() - os.getloadavg()[0] - 1.0, 0.0)
        except OSError:  # pragma: no cover
            return 0.0
