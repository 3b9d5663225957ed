"""Start-up of `bidkit check` and `bidkit --help` against the import floor, as ratios.

The floor is what any pydantic + YAML tool pays: a fresh `python -c "from pydantic import
BaseModel; import yaml"` (pydantic imports lazily, so the floor must touch ``BaseModel``).
Every round runs each command once in a fresh process, in a rotating order, so that load on
the machine hits all of them alike; the ratio of each round is taken against the floor of the
same round, and the median and min–max of these ratios are printed beside the goals of issue 12,
for wall time (what the user waits) and CPU time (user + system; less disturbed by other load).

`check` keeps its verdicts on PDF annexes (bidkit.annexes.pdf_annex_verdict), the data of the YAML
files it read (bidkit.yamlio), the core schemas of its models (bidkit.schemacache), the compiled form of
its regular expressions (bidkit.regexcache), Babel's few number entries (bidkit.render.formatting), the parsed
supporters' register (bidkit.supporters) and the folded texts and words of a large bid's search (bidkit.variants) in
the user's cache folder: the runs use a cache folder of their own, warmed once; the rows "empty cache"
run with an empty one each time (a first check, which also writes all it keeps).
Children may write .pyc files (PYTHONDONTWRITEBYTECODE is dropped), as an installed bidkit has them.

With ``--instructions`` each command also runs once under valgrind's callgrind and its instruction
count is printed beside the floor's (deterministic where wall and CPU times are not: the machine's
load does not change it; ``PYTHONHASHSEED=0``, ``PYTHONMALLOC=malloc``, .pyc files present).

Usage: python benchmarks/bench_check.py [--runs 21] [--measures 200] [--budget-lines 1000] [--instructions]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_bid import add_size_options, generate  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
FLOOR = [sys.executable, "-c", "from pydantic import BaseModel; import yaml"]


def bidkit_command() -> list[str]:
    """The installed `bidkit` script beside this Python (what a user runs), else `python -m bidkit`."""
    script = Path(sys.executable).with_name("bidkit")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "bidkit"]


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of a fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    error = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit(f"{' '.join(args)} failed:\n{error}")
    return wall, usage.ru_utime + usage.ru_stime


def instructions(args: list[str], env: dict[str, str]) -> int:
    """Instructions a fresh process of ``args`` executes, counted by callgrind: the command's own process
    (callgrind counts each child a check forks on its own, and a child ends before its parent)."""
    proc = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *args], cwd=REPO,
                          env={**env, "PYTHONHASHSEED": "0", "PYTHONMALLOC": "malloc"}, capture_output=True, text=True)
    command = re.search(r"^==(\d+)== Command:", proc.stderr, re.MULTILINE)
    found = command and re.search(rf"^=={command.group(1)}== Collected : (\d+)", proc.stderr, re.MULTILINE)
    if not found:
        sys.exit(f"valgrind {' '.join(args)} failed:\n{proc.stderr}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21, help="paired rounds (default 21)")
    parser.add_argument("--instructions", action="store_true", help="also count instructions with valgrind's callgrind")
    add_size_options(parser)
    parser.set_defaults(measures=200, budget_lines=1000)
    options = parser.parse_args()
    bidkit = bidkit_command()
    tmp = Path(tempfile.mkdtemp(prefix="bench-check-"))
    try:
        large = tmp / "large"
        generate(large, options.measures, options.budget_lines, options.partners, options.kpis, options.years,
                 options.supporters, options.line_amount)
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        env["BIDKIT_CACHE_DIR"] = str(tmp / "cache")
        commands = {
            "floor": (FLOOR, None),
            "bidkit --help": (bidkit + ["--help"], 1.2),
            "check bid_data": (bidkit + ["check", "bid_data"], 1.6),
            "check bid_data, empty cache": (bidkit + ["check", "bid_data"], None),
            f"check large ({options.measures} measures, {options.budget_lines} lines)": (bidkit + ["check", str(large)], 2.0),
            "check large, empty cache": (bidkit + ["check", str(large)], None),
        }
        names = list(commands)

        def cold(name: str, round_: int | str) -> dict[str, str]:
            return {**env, "BIDKIT_CACHE_DIR": str(tmp / f"cold-{names.index(name)}-{round_}")} if "empty cache" in name else env

        def run(name: str, round_: int) -> tuple[float, float]:
            return timed(commands[name][0], cold(name, round_))

        for name in names:  # warm the file cache, the .pyc files, the verdicts on annexes and the YAML data
            run(name, -1)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
        for round_ in range(options.runs):
            shift = round_ % len(names)
            for name in names[shift:] + names[:shift]:
                times[name].append(run(name, round_))
        counted = {name: instructions(commands[name][0], cold(name, "counted")) for name in names if options.instructions}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{options.runs} paired rounds; floor: python {' '.join(FLOOR[1:])!r}")
    for kind, index in (("wall", 0), ("CPU", 1)):
        floor = [t[index] for t in times["floor"]]
        print(f"\n{kind + ' time':44} {'median':>8} {'min':>7} {'max':>7}   {'ratio':>5} ({'min':>4}–{'max':<4})  goal")
        for name in names:
            seconds = [t[index] for t in times[name]]
            ms = [s * 1000 for s in seconds]
            line = f"{name:44} {statistics.median(ms):6.0f}ms {min(ms):5.0f}ms {max(ms):5.0f}ms"
            if name != "floor":
                ratios = [t / f for t, f in zip(seconds, floor)]
                median = statistics.median(ratios)
                line += f"   {median:5.2f} ({min(ratios):4.2f}–{max(ratios):<4.2f})"
                goal = commands[name][1]
                if goal is not None:
                    line += f"  ≤ {goal}× {'ok' if median <= goal else 'MISSED'}"
            print(line)
    if counted:
        print(f"\n{'instructions (callgrind)':44} {'count':>14}   ratio  goal")
        for name, count in counted.items():
            line = f"{name:44} {count / 1e6:12,.0f} M"
            if name != "floor":
                ratio, goal = count / counted["floor"], commands[name][1]
                line += f"   {ratio:5.2f}" + (f"  ≤ {goal}× {'ok' if ratio <= goal else 'MISSED'}" if goal is not None else "")
            print(line)


if __name__ == "__main__":
    main()
