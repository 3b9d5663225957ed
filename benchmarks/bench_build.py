"""`bidkit build` beside WeasyPrint alone, and the cached rebuild beside `bidkit check` (issue 12).

For the example and generated bids of about 50 and 100 pages, in one run, each figure beside its
baseline and the ratio, from paired runs (each pair run back to back, so a busy machine slows
both alike): median and min–max.

- cold: `bidkit build --no-cache` (its default `--jobs`: one or two processes, chosen by the
  build) vs WeasyPrint alone on the HTML that build wrote (`--html`), in a fresh process with the
  same options (pdf/a-3u, tagged), import included; whole processes.
- serial and parallel: the same with `--jobs 1` and `--jobs N` (when this bidkit has `--jobs`).
- peak memory, counting all processes: the process and its children (a layout in two
  processes forks one) sampled from /proc — the largest sum of their proportional set sizes
  (PSS, every 50 ms: a page shared by two processes counts half in each, so the sum counts it
  once), beside WeasyPrint alone measured alike; the largest sum of resident sets (RSS, every
  5 ms, shared pages counted in each process) and ru_maxrss (the high-water mark of the largest
  process) in brackets. A peak shorter than the sampling interval can be missed.
- cached: `bidkit build` with a warm rebuild cache (BIDKIT_CACHE_DIR in a temporary folder) vs
  `bidkit check` on the same bid.

Usage: python benchmarks/bench_build.py [--runs 3] [--sizes example,50,100] [--jobs 2 (0: serial only)]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_bid import generate  # noqa: E402

REPO = Path(__file__).resolve().parent.parent

#: Generated bids: size name → generate()'s arguments (measures, budget lines, partners, KPIs, years, supporters);
#: "50" lays out 46 pages, "100" about 100 (80 measures gave 79).
SIZES = {"50": (40, 400, 80, 60, 4, 500), "100": (105, 1050, 210, 160, 4, 1300)}

#: WeasyPrint alone, in a fresh process: the HTML build wrote, the same options, no bidkit code.
WEASYPRINT_ALONE = """
import json, sys, time
start = time.perf_counter()
import weasyprint
imported = time.perf_counter()
html, base = open(sys.argv[1], encoding="utf-8").read(), sys.argv[2]
document = weasyprint.HTML(string=html, base_url=base).render()
laid_out = time.perf_counter()
document.write_pdf(sys.argv[3], pdf_variant="pdf/a-3u", pdf_tags=True)
done = time.perf_counter()
print(json.dumps({"import": imported - start, "layout": laid_out - imported, "write": done - laid_out,
                  "pages": len(document.pages)}))
"""


@dataclass
class Run:
    wall: float
    cpu: float  # user + system seconds of the process and the children it waited for
    peak_mb: float  # the largest PSS sum of the process and its children (see the docstring)
    stdout: str
    stderr: str = ""  # the build's steps ("laid out in 2 processes" when it split)
    rss_mb: float = 0.0  # the largest RSS sum of the process and its children
    maxrss_mb: float = 0.0  # ru_maxrss: the high-water mark of the largest single process


#: RSS (/proc/PID/statm: counters, cheap) every 5 ms; PSS (smaps_rollup: a walk of the page
#: tables under the process's memory lock, which slows a process that allocates) every 50 ms.
SAMPLE_SECONDS = 0.005
PSS_EVERY = 10


def rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except (OSError, ValueError, IndexError):
        return 0


def pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            return next((int(line.split()[1]) for line in rollup if line.startswith("Pss:")), 0)
    except (OSError, ValueError):
        return 0


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    pids, stack = [], [pid]
    while stack:
        current = stack.pop()
        pids.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as children:
                    stack += [int(child) for child in children.read().split()]
        except OSError:
            pass
    return pids


class TreeSampler:
    """The largest PSS and RSS sums of a process tree, sampled in a thread until ``stop()``."""

    def __init__(self, pid: int):
        self.pid, self.pss, self.rss = pid, 0, 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        count = 0
        while not self.done.is_set():
            pids = process_tree(self.pid)
            self.rss = max(self.rss, sum(rss_kb(pid) for pid in pids))
            if count % PSS_EVERY == 0:
                self.pss = max(self.pss, sum(pss_kb(pid) for pid in pids))
            count += 1
            self.done.wait(SAMPLE_SECONDS)

    def stop(self) -> tuple[float, float]:
        """(peak PSS sum, peak RSS sum) in MB."""
        self.done.set()
        self.thread.join()
        return self.pss / 1024, self.rss / 1024


def measured(args: list[str], env: dict[str, str], ok=(0,)) -> Run:
    """Wall seconds, CPU seconds and peak memory (all processes) of a fresh process."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(args, stdout=out, stderr=err, env=env, cwd=REPO)
        sampler = TreeSampler(proc.pid)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        pss, rss = sampler.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode not in ok:
            sys.exit(f"{' '.join(args)} failed ({proc.returncode}):\n{err.read().decode()}")
        return Run(wall, usage.ru_utime + usage.ru_stime, pss, out.read().decode(), err.read().decode(errors="replace"),
                   rss, usage.ru_maxrss / 1024)


def spread(values: list[float], unit: str = " s", digits: int = 2) -> str:
    return f"{statistics.median(values):.{digits}f}{unit}  ({min(values):.{digits}f}–{max(values):.{digits}f})"


def has_jobs() -> bool:
    text = subprocess.run([sys.executable, "-m", "bidkit", "build", "--help"], capture_output=True, text=True, cwd=REPO).stdout
    return "--jobs" in text


def bench(name: str, bid: Path, tmp: Path, runs: int, jobs: int | None) -> None:
    from pypdf import PdfReader

    env = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"}
    env["BIDKIT_CACHE_DIR"] = str(tmp / f"cache-{name.replace(' ', '-')}")
    bidkit = [sys.executable, "-m", "bidkit"]
    stem = name.replace(" ", "-")
    pdf, html, alone_pdf = tmp / f"{stem}.pdf", tmp / f"{stem}.html", tmp / f"{stem}-alone.pdf"
    build_ok = (0, 1)  # 1: the page limit is exceeded (the generated bids), the file is still written
    cold, alone, serial, parallel, alone_facts = [], [], [], [], []
    # Untimed first: writes the HTML and fills the cache folder (the hyphenation patterns, Babel's
    # data, the annexes' verdicts), which the first timed build would otherwise pay alone.
    measured([*bidkit, "build", str(bid), "-o", str(pdf), "--html", str(html), "--no-cache"], env, build_ok)
    commands = {
        "cold": (cold, [*bidkit, "build", str(bid), "-o", str(pdf), "--html", str(html), "--no-cache"], build_ok),
        "alone": (alone, [sys.executable, "-c", WEASYPRINT_ALONE, str(html), (REPO / "templates").as_uri() + "/",
                          str(alone_pdf)], (0,)),
    }
    if jobs:
        commands["serial"] = (serial, [*bidkit, "build", str(bid), "-o", str(tmp / f"{stem}-serial.pdf"), "--no-cache",
                                       "--jobs", "1"], build_ok)
        commands["parallel"] = (parallel, [*bidkit, "build", str(bid), "-o", str(tmp / f"{stem}-par.pdf"), "--no-cache",
                                           "--jobs", str(jobs)], build_ok)
    order = list(commands)
    for round_ in range(runs):  # the order rotates: no command always runs first, or after the same one
        for key in order[round_ % len(order):] + order[:round_ % len(order)]:
            runs_, args, ok = commands[key]
            runs_.append(measured(args, env, ok))
        alone_facts.append(json.loads(alone[-1].stdout))
    measured([*bidkit, "build", str(bid), "-o", str(pdf)], env, build_ok)  # fills the cache
    check, cached = [], []
    for _ in range(runs):
        check.append(measured([*bidkit, "check", str(bid)], env, (0, 1)))
        cached.append(measured([*bidkit, "build", str(bid), "-o", str(pdf)], env, build_ok))
        if "from the cache" not in cached[-1].stdout:
            sys.exit(f"{name}: the rebuild did not come from the cache:\n{cached[-1].stdout}")

    total_pages = len(PdfReader(pdf).pages)
    laid_out = alone_facts[0]["pages"]
    print(f"\n{name}: {total_pages} pages ({laid_out} laid out + {total_pages - laid_out} annex pages), "
          f"{pdf.stat().st_size / 1024:.0f} KB; {runs} paired runs; median (min–max)")
    w_alone = [r.wall for r in alone]
    print(f"  WeasyPrint alone           {spread(w_alone)}   (import {spread([f['import'] for f in alone_facts])}, "
          f"layout {spread([f['layout'] for f in alone_facts])}, PDF {spread([f['write'] for f in alone_facts])})")
    split = sum("laid out in 2 processes" in r.stderr for r in cold)
    print(f"  bidkit build (cold)        {spread([r.wall for r in cold])}   "
          f"ratio {spread([c.wall / a.wall for c, a in zip(cold, alone)], '×')}   goal ≤ {0.6 if name != 'example' else 1.0}×   "
          f"(laid out in 2 processes in {split} of {len(cold)} runs)")
    print(f"    (CPU seconds, steadier on a busy machine: bidkit {spread([r.cpu for r in cold])}, WeasyPrint alone "
          f"{spread([r.cpu for r in alone])}, ratio {spread([c.cpu / a.cpu for c, a in zip(cold, alone)], '×')})")
    if jobs:
        for label, runs_ in (("--jobs 1", serial), (f"--jobs {jobs}", parallel)):
            print(f"  bidkit build {label:<13} {spread([r.wall for r in runs_])}   "
                  f"ratio {spread([p.wall / a.wall for p, a in zip(runs_, alone)], '×')}")
    else:
        print("  bidkit build --jobs N      not measured (--jobs 0, or this bidkit has no --jobs)")
    print("  peak memory, all processes (PSS sum; RSS sum; ru_maxrss of the largest), max of the runs:")

    def memory(label: str, runs_: list[Run]) -> None:
        print(f"    {label:<22} {max(r.peak_mb for r in runs_):4.0f} MB   ({max(r.rss_mb for r in runs_):.0f} MB; "
              f"{max(r.maxrss_mb for r in runs_):.0f} MB)   ratio {max(r.peak_mb for r in runs_) / max(r.peak_mb for r in alone):.2f}×")

    memory("WeasyPrint alone", alone)
    memory("bidkit build", cold)
    if jobs:
        memory("bidkit build --jobs 1", serial)
        memory(f"bidkit build --jobs {jobs}", parallel)
    print(f"  bidkit check               {spread([r.wall for r in check])}")
    print(f"  bidkit build (cached)      {spread([r.wall for r in cached])}   "
          f"ratio to check {spread([c.wall / k.wall for c, k in zip(cached, check)], '×')}   goal ≤ 1.2×")
    print(f"    (CPU seconds: check {spread([r.cpu for r in check])}, cached {spread([r.cpu for r in cached])}, "
          f"ratio {spread([c.cpu / k.cpu for c, k in zip(cached, check)], '×')})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="example,50,100", help="comma list of: example, 50, 100")
    parser.add_argument("--jobs", type=int, default=2, help="--jobs for the parallel column (when bidkit has it; 0: no serial and parallel columns)")
    options = parser.parse_args()
    jobs = options.jobs if has_jobs() else None
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        for size in options.sizes.split(","):
            if size == "example":
                bench("example", REPO / "bid_data", tmp, options.runs, jobs)
                continue
            bid = tmp / f"bid-{size}"
            generate(bid, *SIZES[size])
            bench(f"generated {size}", bid, tmp, options.runs, jobs)
    print(f"\nload average at the end {os.getloadavg()[0]:.1f} (figures from a busy machine are slower, ratios hold better)")


if __name__ == "__main__":
    main()
