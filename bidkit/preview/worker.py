"""The render process: one draft → PDF → one PNG per page, then exit.

Started in advance by ``renderer`` with WeasyPrint already imported, it waits for one job on
standard input (a JSON line: bid folder, output folder), renders the draft with
``bidkit.render.build.build_pdf``, rasterizes its pages with pypdfium2 and writes
``result.json`` beside the images. A bid that cannot be rendered is a result with ``error`` and
``hint``, exit code 3; anything unexpected ends the process with a traceback on its standard
error, which the server prints to its terminal and never sends to the browser.

Run by hand: ``python -m bidkit.preview.worker`` and type ``{"bid_dir": "bid_data", "out_dir": "/tmp/x"}``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bidkit.errors import EXIT_RENDER, BidkitError

#: Pixels per PDF point of the page images: an A4 page becomes 893 × 1263 pixels.
SCALE = 1.5
RESULT = "result.json"


def page_image_name(index: int) -> str:
    return f"seite-{index + 1}.png"


def render_job(bid_dir: Path, out_dir: Path) -> dict:
    from bidkit.check import check_bid
    from bidkit.pdfcheck import NOT_COUNTED, section_pages
    from bidkit.render.build import build_pdf

    result, loaded = check_bid(bid_dir)
    if not loaded.renderable:
        raise BidkitError("the draft cannot be rendered: the call and the manifest (title, city, contacts) must load",
                          "Fix the errors shown above.")
    pdf = out_dir / "entwurf.pdf"
    built = build_pdf(loaded, pdf, draft=True, variant="pdf", findings=result.findings)
    sections = section_pages(pdf)
    return {
        "pages": rasterize(pdf, out_dir),
        "sections": sections,
        "counted_pages": sum(n for title, n in sections.items() if not title.startswith(NOT_COUNTED)),
        "refused": built.refused,
    }


def rasterize(pdf: Path, out_dir: Path) -> list[tuple[int, int]]:
    """Write one PNG per page; their sizes in pixels."""
    import pypdfium2

    sizes = []
    document = pypdfium2.PdfDocument(pdf)
    try:
        for index in range(len(document)):
            page = document[index]
            image = page.render(scale=SCALE).to_pil()
            image.save(out_dir / page_image_name(index), "PNG")
            sizes.append(image.size)
            page.close()
    finally:
        document.close()
    return sizes


def main() -> int:
    import bidkit.render.pdf  # noqa: F401 - WeasyPrint is loaded before the job arrives

    line = sys.stdin.readline()
    if not line:
        return 0  # the server ended before it needed this worker
    job = json.loads(line)
    out_dir = Path(job["out_dir"])
    try:
        outcome, code = render_job(Path(job["bid_dir"]), out_dir), 0
    except BidkitError as exc:
        outcome, code = {"error": exc.message, "hint": exc.hint}, EXIT_RENDER
    (out_dir / RESULT).write_text(json.dumps(outcome), encoding="utf-8")
    return code


if __name__ == "__main__":
    sys.exit(main())
