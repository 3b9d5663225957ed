"""Wall time and peak memory of `bidkit check` and `bidkit build` on a bid (default: bid_data).

Runs the real command in fresh processes, as a user waits for it, and prints the numbers.
Usage: python benchmarks/bench_example.py [BID_DIR] [--runs N]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(args: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "bidkit", *args], capture_output=True, text=True)
    return time.perf_counter() - start, proc


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("bid_dir", nargs="?", default="bid_data")
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "bench.pdf"
        for name, args in (("--help", ["--help"]), ("check", ["check", options.bid_dir]),
                           ("build", ["build", options.bid_dir, "-o", str(pdf)])):
            times = []
            for _ in range(options.runs):
                seconds, proc = timed(args)
                if proc.returncode not in (0, 1):
                    sys.exit(f"{name} failed: {proc.stderr}")
                times.append(seconds)
            print(f"{name:7} median {statistics.median(times):6.3f} s   min {min(times):6.3f} s   ({options.runs} runs)")
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"peak memory of the largest run: {peak:.0f} MB")
        from pypdf import PdfReader

        print(f"pages: {len(PdfReader(pdf).pages)}, size: {pdf.stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":
    main()
