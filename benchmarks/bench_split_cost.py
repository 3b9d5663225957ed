"""The fixed cost of laying out in two processes, in CPU seconds and in HTML elements: what
bidkit.render.parallel.SPLIT_COST_ELEMENTS is taken from.

For each document (tests/test_parallel.py's small document with 2–16 sections, the example,
generated bids), fresh processes lay it out and write it (bidkit.render.pdf.layout + write) in
one process and in two (`jobs=2`, forced), in paired rounds. CPU seconds, not wall time, so a
busy machine measures too: one process's CPU is the serial cost; with two, the first part's
process (the critical path when the second, on an idle core, finishes first) and the child's.
The split's elements come from parallel.plan_early (the split at the cascade) or
parallel.choose_split (at the pagination; the column "split" says which). The overhead in elements is
(CPU of both processes − serial CPU) ÷ (serial CPU per element).

Usage: python benchmarks/bench_split_cost.py [--runs 2] [--docs s2,s4,s8,s16,example,g5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from generate_bid import generate  # noqa: E402

REPO = Path(__file__).resolve().parent.parent

ONE = r"""
import datetime as dt, json, os, sys
from pathlib import Path
from bidkit.paths import templates_dir
from bidkit.render import parallel, pdf
from bidkit.render.fetcher import SandboxedFetcher

html_path, folder, jobs = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
html = open(html_path, encoding="utf-8").read()
sizes = {}
choose, plan = parallel.choose_split, parallel.plan_early

def spy(root_box):
    found = choose(root_box)
    sizes["parts"], sizes["split"] = found[3], "late"
    return found

def spy_early(*args):
    found = plan(*args)
    sizes["parts"], sizes["split"] = found[2], "early"
    return found

parallel.choose_split, parallel.plan_early = spy, spy_early
fetcher = SandboxedFetcher([templates_dir(), folder])
before = os.times()
document = pdf.layout(html, base=templates_dir(), fetcher=fetcher, jobs=jobs)
pdf.write(document, variant="pdf/a-3a+ua-1", fetcher=fetcher, files=[], moment=dt.datetime(2017, 1, 1, tzinfo=dt.timezone.utc))
if hasattr(document, "close"):
    document.close()
after = os.times()
print(json.dumps({"self": after.user + after.system - before.user - before.system,
                  "child": after.children_user + after.children_system - before.children_user - before.children_system,
                  "kind": type(document).__name__, **sizes}))
"""


def documents(names: list[str], tmp: Path) -> dict[str, tuple[Path, Path]]:
    """name → (HTML file, the folder its files are in)."""
    import test_parallel

    found = {}
    for name in names:
        if name.startswith("s"):
            html = tmp / f"{name}.html"
            html.write_text(test_parallel.small_html(sections=int(name[1:])), encoding="utf-8")
            found[name] = (html, tmp)
            continue
        bid = REPO / "bid_data" if name == "example" else tmp / name
        if name != "example":
            count = int(name[1:])
            generate(bid, count, count * 10, count * 2, count * 3 // 2, 4, count * 12)
        html = tmp / f"{name}.html"
        subprocess.run([sys.executable, "-m", "bidkit", "build", str(bid), "-o", str(tmp / f"{name}.pdf"), "--html", str(html),
                        "--no-cache", "--jobs", "1"], cwd=REPO, capture_output=True, check=False)
        found[name] = (html, bid)
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--docs", default="s2,s4,s8,s16,example,g5")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        docs = documents(options.docs.split(","), tmp)
        print(f"{'document':10} {'split':>5} {'parts (elements)':>17} {'serial CPU':>10} {'1st part':>9} {'child':>7} "
              f"{'critical path':>13} {'overhead':>9} {'≈ elements':>10}")
        for name, (html, base) in docs.items():
            serial, first, child, parts, split = [], [], [], None, "-"
            for _ in range(options.runs):
                for jobs in (1, 2):
                    out = subprocess.run([sys.executable, "-c", ONE, str(html), str(base), str(jobs)], cwd=REPO,
                                         capture_output=True, text=True, check=True).stdout
                    got = json.loads(out)
                    if jobs == 1:
                        serial.append(got["self"])
                    else:
                        first.append(got["self"])
                        child.append(got["child"])
                        parts = got.get("parts", parts)
                        split = got.get("split", split)
            s, f, c = statistics.median(serial), statistics.median(first), statistics.median(child)
            elements = sum(parts) if parts else 0
            overhead = f + c - s
            per = s / elements if elements else float("nan")
            print(f"{name:10} {split:>5} {str(parts):>17} {s:9.2f}s {f:8.2f}s {c:6.2f}s {f / s:12.2f}× {overhead:8.2f}s "
                  f"{overhead / per:10.0f}")


if __name__ == "__main__":
    main()
