"""`bidkit build --jobs 1` (serial) beside `--jobs 2` (parallel layout) and WeasyPrint alone on
the same HTML, for the example and generated bids of about 50 and 100 pages.

Runs are paired: each round runs the three one after the other (a fresh process each, the
order rotating), so a busy machine slows all three alike; the table shows the median and the
min–max of the wall times, the ratios of the medians, and the peak memory of all processes of a
run together (proportional set sizes summed over the process and its children, sampled every
5 ms by bench_build.TreeSampler; shared pages counted once). WeasyPrint alone includes its import, as a user would run it.

"auto" is `--jobs 0`, the default (bidkit.render.parallel.pays decides by the idle cores measured and the parts' sizes). With
``--before DIR`` (a checkout of another commit, e.g. ``git worktree add /tmp/before main``), its
serial, `--jobs 2` and auto builds run in the same rounds ("…, before"): a change is measured against the same load.

``--cpus 0`` runs every command on those cores only (``taskset -c``: one core); ``--busy`` keeps
one core busy (a spinning process on the last core) while the rounds run: there the default
must lay out serially and be no slower than `--jobs 1`.

Usage: python benchmarks/bench_parallel.py [--runs 5] [--only example|50|100] [--before DIR] [--cpus LIST] [--busy]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import SIZES, TreeSampler  # noqa: E402
from generate_bid import generate  # noqa: E402

REPO = Path(__file__).resolve().parent.parent

WEASYPRINT_ALONE = """
import sys, weasyprint
html = open(sys.argv[1], encoding="utf-8").read()
weasyprint.HTML(string=html, base_url=sys.argv[2]).render().write_pdf(sys.argv[3], pdf_variant="pdf/a-3u", pdf_tags=True)
"""

#: ``taskset -c LIST`` before every command (``--cpus``)
PINNED: list[str] = []


def run(args: list[str], env: dict | None = None) -> tuple[float, float, float, bool]:
    """(wall seconds, peak MB of the process tree (PSS), CPU seconds of the process and its
    children, whether the build laid out in two processes (its steps say so))."""
    args = [*PINNED, *args]
    start = time.perf_counter()
    # From a folder of no checkout: `-m bidkit` takes the installed one, or --before's from PYTHONPATH
    # (the current folder would come first on the module path).
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=tempfile.gettempdir())
        sampler = TreeSampler(proc.pid)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        peak = sampler.stop()[0]
        code = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode(errors="replace")
        if code not in (0, 1):  # 1: the page limit fails on purpose for the generated bids
            sys.exit(f"{' '.join(args)} failed:\n{text}")
    return wall, peak, usage.ru_utime + usage.ru_stime, "laid out in 2 processes" in text


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):6.2f} s ({min(values):.2f}–{max(values):.2f})"


def bench(name: str, bid: Path, tmp: Path, runs: int, before: Path | None = None) -> None:
    import pikepdf

    html = tmp / f"{name}.html"
    build = [sys.executable, "-m", "bidkit", "build", str(bid), "--no-cache", "-o"]
    commands = {
        "serial": [*build, str(tmp / f"{name}-1.pdf"), "--jobs", "1", "--html", str(html)],
        "parallel": [*build, str(tmp / f"{name}-2.pdf"), "--jobs", "2"],
        "auto": [*build, str(tmp / f"{name}-0.pdf"), "--jobs", "0"],
        "WeasyPrint alone": [sys.executable, "-c", WEASYPRINT_ALONE, str(html), (REPO / "templates").as_uri() + "/",
                             str(tmp / f"{name}-alone.pdf")],
    }
    envs = {}
    if before is not None:  # the same three builds of the other checkout, in the same rounds
        for jobs, label in (("1", "serial"), ("2", "parallel"), ("0", "auto")):
            commands[f"{label}, before"] = [*build, str(tmp / f"{name}-b{jobs}.pdf"), "--jobs", jobs]
            envs[f"{label}, before"] = {**os.environ, "PYTHONPATH": str(before)}
    run(commands["serial"])  # writes the HTML WeasyPrint alone renders; warms the file cache
    times: dict[str, list[float]] = {key: [] for key in commands}
    peaks: dict[str, list[float]] = {key: [] for key in commands}
    cpus: dict[str, list[float]] = {key: [] for key in commands}
    splits: dict[str, int] = dict.fromkeys(commands, 0)
    loads = [os.getloadavg()[0]]
    order = list(commands)
    for round_ in range(runs):
        for key in order[round_ % len(order):] + order[:round_ % len(order)]:
            wall, peak, cpu, split = run(commands[key], envs.get(key))
            splits[key] += split
            times[key].append(wall)
            peaks[key].append(peak)
            cpus[key].append(cpu)
        loads.append(os.getloadavg()[0])
    with pikepdf.open(tmp / f"{name}-1.pdf") as pdf:
        pages = len(pdf.pages)
    sizes = {key: (tmp / f"{name}-{suffix}.pdf").stat().st_size / 1024 for key, suffix in (("serial", 1), ("parallel", 2), ("auto", 0))}
    alone = statistics.median(times["WeasyPrint alone"])
    print(f"{name}: {pages} pages, {html.stat().st_size / 1024:.0f} KB of HTML, {runs} paired runs, {os.cpu_count()} cores, "
          f"load {min(loads):.1f}–{max(loads):.1f}")
    alone_peak = max(peaks["WeasyPrint alone"])
    for key in commands:
        ratio = statistics.median(times[key]) / alone
        size = f"  {sizes[key]:7.0f} KB" if key in sizes else " " * 12
        split = f"  split in {splits[key]} of {runs}" if key.startswith("auto") else ""  # the automatic choice, as it went
        print(f"  {key:17} {spread(times[key])}  {ratio:4.2f}× alone  CPU {statistics.median(cpus[key]):5.2f} s  "
              f"peak {max(peaks[key]):5.0f} MB ({max(peaks[key]) / alone_peak:.2f}×){size}{split}")
    for key in ("parallel", "auto"):
        print(f"  {key} / serial {statistics.median(times[key]) / statistics.median(times['serial']):.2f}")
    for key in ("serial", "parallel", "auto"):
        if f"{key}, before" in times:
            print(f"  {key}: this checkout / before {statistics.median(times[key]) / statistics.median(times[f'{key}, before']):.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", choices=["example", *SIZES])
    parser.add_argument("--before", type=Path, help="a checkout whose builds run in the same rounds")
    parser.add_argument("--cpus", help="run every command with taskset -c CPUS (e.g. 0: one core)")
    parser.add_argument("--busy", action="store_true", help="keep the last core busy while measuring")
    options = parser.parse_args()
    if options.cpus:
        PINNED[:] = ["taskset", "-c", options.cpus]
    spinner = None
    if options.busy:
        last = str(max(os.sched_getaffinity(0)))
        spinner = subprocess.Popen(["taskset", "-c", last, sys.executable, "-c", "while True: pass"])
    try:
        measure(options)
    finally:
        if spinner is not None:
            spinner.kill()
            spinner.wait()


def measure(options) -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        if options.only in (None, "example"):
            bench("example", REPO / "bid_data", tmp, options.runs, options.before)
        for name, (measures, lines, partners, kpis, years, supporters) in SIZES.items():
            if options.only not in (None, name):
                continue
            bid = tmp / f"bid-{name}"
            generate(bid, measures, lines, partners, kpis, years, supporters)
            bench(name, bid, tmp, options.runs, options.before)


if __name__ == "__main__":
    main()
