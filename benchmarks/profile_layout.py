"""Where WeasyPrint's layout time goes, section by section (issue 12).

For the example, Paderborn and the generated 50-page bid: the bid's HTML as `bidkit build`
renders it, laid out by WeasyPrint in this process with the CPU time (less noisy than wall time
on a busy machine) of every page it makes
(`make_page`, repaginations included) summed per section of the document (a page belongs to the
section whose anchor it carries last), beside the time for the styles and the box tree.

With ``--before DIR`` (another checkout, e.g. /work/main) each round lays out that checkout's
HTML and this one's back to back, each in a fresh process (same bid, same machine load), and
the table shows both and the ratio (median of the rounds); ``--pdf DIR`` writes both PDFs there
to compare the pages (`pdftoppm`, `pdftotext -layout`).

Usage: python benchmarks/profile_layout.py [--bids example,paderborn,50] [--runs 1]
       [--before /work/main] [--pdf DIR] [--top 25]
       (--top N: the N costliest functions of the layout, cProfile, this checkout only)
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
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))
from generate_bid import generate  # noqa: E402

REPO = HERE.parent.parent
#: generate()'s arguments of the "50" bid (as in bench_build.py): 46 pages with 12 annex pages.
GENERATED = {"50": (40, 400, 80, 60, 4, 500)}


def bid_folder(name: str, scratch: Path) -> Path:
    if name == "example":
        return REPO / "bid_data"
    if name == "paderborn":
        return REPO / "examples" / "paderborn"
    folder = scratch / f"bid-{name}"
    if not folder.exists():
        generate(folder, *GENERATED[name])
    return folder


def profile(bid_dir: Path, pdf: Path | None = None, top: int = 0) -> dict:
    """Lay out the bid's HTML (of the bidkit importable here) and time it per section."""
    from bidkit.loader import load_bid
    from bidkit.paths import templates_dir
    from bidkit.render import build
    from bidkit.render import pdf as bidkit_pdf
    from bidkit.render.fetcher import SandboxedFetcher

    import weasyprint
    import weasyprint.document
    import weasyprint.layout.page

    loaded = load_bid(bid_dir)
    _, _, entries = build._annexes(loaded, False)
    html = build.document_html(loaded, draft=False, annex_list=entries, moment=build.build_datetime(loaded))
    bidkit_pdf._hyphenation()
    calls: dict[int, list[float]] = defaultdict(list)
    phases: dict[str, float] = {}
    make_page = weasyprint.layout.page.make_page

    def timed_page(context, root_box, page_type, resume_at, page_number, page_state):
        start = time.process_time()
        try:
            return make_page(context, root_box, page_type, resume_at, page_number, page_state)
        finally:
            calls[page_number].append(time.process_time() - start)

    def timed(name, function):
        def wrapper(*args, **kwargs):
            start = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                phases[name] = phases.get(name, 0) + time.process_time() - start
        return wrapper

    originals = (weasyprint.document.get_all_computed_styles, weasyprint.document.build_formatting_structure)
    weasyprint.layout.page.make_page = timed_page
    weasyprint.document.get_all_computed_styles = timed("styles", originals[0])
    weasyprint.document.build_formatting_structure = timed("boxes", originals[1])
    fetcher = SandboxedFetcher([loaded.bid_dir, templates_dir()])
    profiler = None
    if top:
        import cProfile
        profiler = cProfile.Profile()
        profiler.enable()
    start = time.process_time()
    try:
        document = weasyprint.HTML(string=html, base_url=templates_dir().resolve().as_uri() + "/",
                                   url_fetcher=fetcher).render()
    finally:
        total = time.process_time() - start
        if profiler:
            profiler.disable()
        weasyprint.layout.page.make_page = make_page
        weasyprint.document.get_all_computed_styles, weasyprint.document.build_formatting_structure = originals
    if profiler:
        import pstats
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(top)
    sections = _page_sections(document)
    per_section: dict[str, dict] = {}
    for number, seconds in sorted(calls.items()):
        entry = per_section.setdefault(sections[number - 1], {"pages": 0, "seconds": 0.0, "calls": 0})
        entry["pages"] += 1
        entry["seconds"] += sum(seconds)
        entry["calls"] += len(seconds)
    if pdf:
        document.write_pdf(pdf, pdf_variant="pdf/a-3u", pdf_tags=True)
    pages = sum(entry["seconds"] for entry in per_section.values())
    return {"total": total, "styles": phases.get("styles", 0), "boxes": phases.get("boxes", 0), "pages": pages,
            "count": len(document.pages), "sections": per_section, "html_kb": len(html.encode()) / 1024}


def _page_sections(document) -> list[str]:
    """Each page's section: the last section anchor on or before it ("cover" before the first)."""
    names, current = [], "cover"
    for index, page in enumerate(document.pages):
        if index == 1 and current == "cover":
            current = "toc"
        section_anchors = [name for name in page.anchors if "-" not in name or name == "open-points"]
        # Anchors are in no order: the section that starts on this page is the last one named in
        # the HTML; bidkit's ids of sections carry no hyphen (goal-…, measure-… do).
        if section_anchors:
            current = max(section_anchors, key=lambda name: _ORDER.get(name, -1))
        names.append(current)
    return names


_ORDER = {name: index for index, name in enumerate(
    ["vision", "starting_situation", "goals", "measures", "partners", "mou", "budget", "council_resolution",
     "supporters", "annexes", "open-points"])}


def worker(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(Path(args.repo).resolve()))
    import bidkit

    if not Path(bidkit.__file__).resolve().is_relative_to(Path(args.repo).resolve()):
        sys.exit(f"bidkit imported from {bidkit.__file__}, not from {args.repo}")
    result = profile(Path(args.bid), Path(args.pdf) if args.pdf else None, args.top)
    print(json.dumps(result))


def run(repo: Path, bid: Path, pdf: Path | None) -> dict:
    command = [sys.executable, str(HERE), "--worker", "--repo", str(repo), "--bid", str(bid)]
    if pdf:
        command += ["--pdf", str(pdf)]
    env = {**os.environ, "PYTHONPATH": str(repo)}
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=repo)
    if done.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


def report(name: str, results: dict[str, list[dict]]) -> None:
    labels = list(results)
    first = results[labels[-1]][0]
    print(f"\n{name}: {first['count']} pages, HTML {first['html_kb']:.0f} kB, load {os.getloadavg()[0]:.1f}")
    head = "".join(f"{label:>16}" for label in labels)
    print(f"{'':22}{'pages':>6}{head}{'ratio' if len(labels) == 2 else '':>8}")

    def row(title: str, pages: str, pick) -> None:
        values = [statistics.median(pick(result) for result in results[label]) for label in labels]
        ratio = f"{values[1] / values[0]:.2f}×" if len(values) == 2 and values[0] else ""
        share = [f"{value:7.2f} s ({100 * value / statistics.median(r['total'] for r in results[label]):3.0f}%)"
                 for value, label in zip(values, labels)]
        print(f"{title:22}{pages:>6}" + "".join(f"{text:>16}" for text in share) + f"{ratio:>8}")

    row("styles (CSS cascade)", "", lambda r: r["styles"])
    row("box tree", "", lambda r: r["boxes"])
    sections = list(first["sections"])
    for section in sections:
        pages = first["sections"][section]["pages"]
        row(f"  {section}", str(pages), lambda r, s=section: r["sections"].get(s, {}).get("seconds", 0.0))
    row("all pages", str(first["count"]), lambda r: r["pages"])
    row("render() in all", "", lambda r: r["total"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bids", default="example,paderborn,50")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--before", type=Path, help="another checkout, laid out in the same rounds")
    parser.add_argument("--pdf", type=Path, help="write the PDFs to this folder (before-/after-<bid>.pdf)")
    parser.add_argument("--top", type=int, default=0)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--repo", default=str(REPO), help=argparse.SUPPRESS)
    parser.add_argument("--bid", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    if args.top:
        with tempfile.TemporaryDirectory() as scratch:
            for name in args.bids.split(","):
                print(json.dumps(profile(bid_folder(name, Path(scratch)), None, args.top)["sections"], indent=1))
        return
    checkouts = {"before": args.before.resolve(), "after": REPO} if args.before else {"this checkout": REPO}
    if args.pdf:
        args.pdf.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        for name in args.bids.split(","):
            bid = bid_folder(name, Path(scratch))
            results: dict[str, list[dict]] = {label: [] for label in checkouts}
            for round_ in range(args.runs):
                for label, repo in checkouts.items():
                    pdf = args.pdf / f"{label.split()[0]}-{name}.pdf" if args.pdf and round_ == 0 else None
                    results[label].append(run(repo, bid, pdf))
            report(name, results)


if __name__ == "__main__":
    main()
