"""The layout process at the build's peak of memory (issue 12): while it writes, beside the laid-out
boxes, it holds each page's content as bytes, not as WeasyPrint's list of items (bidkit.render.pdf,
``_paint_joined``), and loads neither the bid's models nor pydantic, nor — laying out in one
process — bidkit.render.parallel."""

from __future__ import annotations

import inspect
import io
import json
import os
import subprocess
import sys
import textwrap

import pydyf

from conftest import EXAMPLE, REPO

HTML = """<html lang="de"><head><style>@page { size: A6; @bottom-center { content: "Seite " counter(page) } }
h1 { break-before: page } p { hyphens: auto }</style></head><body>
<h1>Ausgangslage</h1><p>Die Stadtverwaltung <b>beantragt</b> Fördermittel für <a href="#b">die Maßnahmen</a>.</p>
<h1 id="b">Maßnahmen</h1><ul><li>Erste Maßnahme</li><li style="opacity: .5">Zweite</li></ul>
<h1>Kosten</h1><table><tr><td>1.000 €</td><td>2.000 €</td></tr></table></body></html>"""


def test_weasyprint_and_pydyf_still_work_as_the_joining_of_painted_pages_assumes():
    """WeasyPrint 70 / pydyf 0.13 internals: ``Page.paint(stream, scale)``; ``Stream.data`` joins the
    items' bytes with "\\n" (so one item of those joined bytes writes the same stream)."""
    import weasyprint.document

    from bidkit.render import pdf

    assert weasyprint.document.Page.paint is pdf._paint_joined  # installed when the layout's module loads
    assert list(inspect.signature(pdf._WEASYPRINT_PAINT).parameters) == ["self", "stream", "scale"]
    items = [b"q", 1.5, 2.0, "/P", pydyf.Dictionary({"MCID": 0}), b"BDC", b"Q"]
    assert pydyf.Stream(list(items)).data == pydyf.Stream([b"\n".join(pydyf._to_bytes(item) for item in items)]).data
    assert pydyf.Stream([]).data == pydyf.Stream([b""]).data


def _written(monkeypatch, paint) -> bytes:
    import weasyprint
    import weasyprint.document

    monkeypatch.setattr(weasyprint.document.Page, "paint", paint)
    out = io.BytesIO()
    weasyprint.HTML(string=HTML).render().write_pdf(out, pdf_variant="pdf/a-3u", pdf_tags=True, uncompressed_pdf=True)
    return out.getvalue()


def test_each_page_is_held_as_its_bytes_once_painted_and_the_file_is_the_same(monkeypatch):
    from bidkit.render import pdf

    streams = []
    original = pdf._WEASYPRINT_PAINT

    def noting(page, stream, scale=1):
        streams.append(stream)
        original(page, stream, scale)

    monkeypatch.setattr(pdf, "_WEASYPRINT_PAINT", noting)
    joined = _written(monkeypatch, pdf._paint_joined)
    assert len(streams) == 3 and all(len(stream.stream) == 1 and isinstance(stream.stream[0], bytes) for stream in streams)
    assert all(b"BDC" in stream.stream[0] for stream in streams)  # the pages' tagged content, joined
    assert joined == _written(monkeypatch, original)  # WeasyPrint's own painting: the same bytes


#: Runs the command line, noting the modules the layout process has loaded once it has written the PDF.
PROBE = textwrap.dedent("""
    import json, os, sys
    import bidkit.render.staged as staged

    original, noted, command_line = staged.render, sys.argv[1], os.getpid()

    def render(*args, **kwargs):
        try:
            return original(*args, **kwargs)
        finally:
            with open(noted, "w", encoding="utf-8") as out:
                json.dump({"apart": os.getpid() != command_line, "modules": sorted(sys.modules)}, out)

    staged.render = render
    sys.argv = ["bidkit", *sys.argv[2:]]
    from bidkit.launch import main

    main()
""")


def test_the_layout_process_writes_without_the_bids_models_pydantic_or_the_parallel_layout(tmp_path):
    """Nor pikepdf (~5 MB): it loads in the command line for the final file, and in the layout process
    only to merge two parts (bidkit.render.merge), never at a one-process layout's peak of memory."""
    noted, out = tmp_path / "layout.json", tmp_path / "one.pdf"
    env = {key: value for key, value in os.environ.items() if key not in ("SOURCE_DATE_EPOCH", "BIDKIT_JOBS")}
    proc = subprocess.run([sys.executable, "-c", PROBE, str(noted), "build", str(EXAMPLE), "-o", str(out), "--no-cache",
                           "--jobs", "1"], cwd=REPO, capture_output=True, text=True, timeout=600,
                          env={**env, "NO_COLOR": "1", "BIDKIT_CACHE_DIR": str(tmp_path / "cache")})
    assert proc.returncode == 0, proc.stderr
    layout = json.loads(noted.read_text(encoding="utf-8"))
    assert layout["apart"]
    assert "weasyprint" in layout["modules"] and "bidkit.linkschemes" in layout["modules"]  # it did drop unsafe links
    loaded = [name for name in ("bidkit.annexes", "bidkit.models", "pydantic", "pydantic_core", "typer",
                                "bidkit.render.parallel", "multiprocessing", "pikepdf") if name in layout["modules"]]
    assert loaded == []
