"""`bidkit build` on the example and on a large generated bid: pages, wall time, peak memory,
and the time WeasyPrint alone takes on the same HTML.

Each build runs as a user runs it (a fresh `python -m bidkit build` process); its peak memory is
read from the operating system. WeasyPrint alone then renders the HTML that build wrote
(`--html`) in another fresh process, with the same options, import time reported apart.

Usage: python benchmarks/bench_build.py [--runs 3] [--measures 40] [--budget-lines 400]
       [--partners 80] [--kpis 60] [--years 4]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_bid import add_size_options, generate  # noqa: E402

REPO = Path(__file__).resolve().parent.parent

#: WeasyPrint alone, in a fresh process: the HTML build wrote, the same options, no bidkit code.
WEASYPRINT_ALONE = """
import json, sys, time
start = time.perf_counter()
import weasyprint
imported = time.perf_counter()
html, base = open(sys.argv[1], encoding="utf-8").read(), sys.argv[2]
document = weasyprint.HTML(string=html, base_url=base).render()
laid_out = time.perf_counter()
document.write_pdf(pdf_variant="pdf/a-3u", pdf_tags=True)
done = time.perf_counter()
print(json.dumps({"import": imported - start, "layout": laid_out - imported, "write": done - laid_out,
                  "pages": len(document.pages)}))
"""


def run_measured(args: list[str]) -> tuple[float, int, subprocess.CompletedProcess]:
    """Wall seconds, peak resident memory (KB) of the child, and the finished process."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    out, err = proc.stdout.read(), proc.stderr.read()
    return wall, usage.ru_maxrss, subprocess.CompletedProcess(args, os.waitstatus_to_exitcode(status), out, err)


def bench(name: str, bid: Path, tmp: Path, runs: int) -> None:
    from pypdf import PdfReader

    pdf, html = tmp / f"{name}.pdf", tmp / f"{name}.html"
    walls, peaks = [], []
    for _ in range(runs):
        wall, peak, proc = run_measured([sys.executable, "-m", "bidkit", "build", str(bid), "-o", str(pdf), "--html", str(html)])
        if not pdf.exists() or proc.returncode not in (0, 1):  # 1: page limit exceeded, still written
            sys.exit(f"build of {name} failed:\n{proc.stderr}")
        walls.append(wall)
        peaks.append(peak)
    alone = [json.loads(subprocess.run(
        [sys.executable, "-c", WEASYPRINT_ALONE, str(html), (REPO / "templates").as_uri() + "/"],
        capture_output=True, text=True, check=True).stdout) for _ in range(runs)]
    total_pages = len(PdfReader(pdf).pages)
    layout = statistics.median(a["layout"] for a in alone)
    write = statistics.median(a["write"] for a in alone)
    print(f"{name}: {total_pages} pages ({alone[0]['pages']} rendered + {total_pages - alone[0]['pages']} annex pages), "
          f"{pdf.stat().st_size / 1024:.0f} KB")
    print(f"  bidkit build       median {statistics.median(walls):6.2f} s  min {min(walls):6.2f} s  "
          f"peak memory {max(peaks) / 1024:.0f} MB  ({runs} runs)")
    print(f"  WeasyPrint alone   median {layout + write:6.2f} s  (layout {layout:.2f} s + PDF {write:.2f} s; "
          f"import {statistics.median(a['import'] for a in alone):.2f} s not counted)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    add_size_options(parser)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        bench("example", REPO / "bid_data", tmp, options.runs)
        large = tmp / "large-bid"
        generate(large, options.measures, options.budget_lines, options.partners, options.kpis, options.years)
        print(f"(large bid: {options.measures} measures, {options.budget_lines} budget lines, "
              f"{options.partners} partners, {options.kpis} KPIs)")
        bench("large", large, tmp, options.runs)


if __name__ == "__main__":
    main()
