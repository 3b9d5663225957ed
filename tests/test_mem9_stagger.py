"""A layout in two processes at the build's peak of memory (issue 12: all processes ≤ WeasyPrint
alone): the first part's write makes its fonts, structure tree and objects only once the second
process has written its part and ended (bidkit.render.pdf's ``after_painting``,
bidkit.render.parallel's ``Parts.write``)."""

from __future__ import annotations

import datetime as dt
import inspect
import os
from pathlib import Path

from test_parallel import EARLY, layouts, small_html  # noqa: F401 - fixture

MOMENT = dt.datetime(2017, 1, 1, tzinfo=dt.timezone.utc)


def test_weasyprint_paints_every_page_before_it_makes_the_fonts_and_the_structure_tree():
    """WeasyPrint 70 internals ``after_painting`` relies on: ``generate_pdf`` paints the pages in
    order (``page.paint``, bidkit's ``_paint_joined``), then makes the fonts and the tags."""
    import weasyprint.document
    import weasyprint.pdf

    from bidkit.render import pdf

    assert weasyprint.document.Page.paint is pdf._paint_joined
    source = inspect.getsource(weasyprint.pdf.generate_pdf)
    loop = source.index("for page_number, (page, links_and_anchors) in enumerate(")
    paint = source.index("page.paint(stream, scale)")
    fonts = source.index("pdf_fonts = build_fonts_dictionary(")
    tags = source.index("add_tags(pdf, document, options['pdf_version'], page_streams)")
    assert loop < paint < fonts < tags


def test_after_painting_runs_once_the_last_page_is_painted_before_the_structure_tree(tmp_path, monkeypatch):
    import weasyprint
    import weasyprint.pdf

    from bidkit.render import pdf

    html = "<html lang='de'><body>" + "".join(f"<h1 style='break-before: page'>Teil {n}</h1><p>Text</p>"
                                              for n in range(3)) + "</body></html>"
    document = weasyprint.HTML(string=html).render()
    events = []
    painted, tags = weasyprint.document.Page.paint, weasyprint.pdf.add_tags
    monkeypatch.setattr(weasyprint.document.Page, "paint",
                        lambda page, *args: (events.append(document.pages.index(page)), painted(page, *args))[1])
    monkeypatch.setattr(weasyprint.pdf, "add_tags", lambda *args: (events.append("tags"), tags(*args))[1])
    with pdf.after_painting(document.pages[-1], lambda: events.append("then")):
        document.write_pdf(tmp_path / "out.pdf", pdf_tags=True)
    assert events == [0, 1, 2, "then", "tags"]
    assert pdf._PAINTED == {}
    with pdf.after_painting(document.pages[-1], lambda: events.append("again")):
        pass  # nothing painted: nothing run, nothing left behind
    assert pdf._PAINTED == {} and "again" not in events


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _tags_beside_the_child(tmp_path: Path, html: str) -> dict:
    """In `layouts`: whether the second process still lived when this process made its
    structure tree, for a variant written before the last one and for the last one."""
    import weasyprint.pdf

    from bidkit.render import pdf
    from bidkit.render.fetcher import SandboxedFetcher
    from bidkit.render.parallel import Parts

    fetcher = SandboxedFetcher([tmp_path])
    document = pdf.layout(html, base=tmp_path, fetcher=fetcher, jobs=2)
    assert isinstance(document, Parts) and document.early
    child, seen, tags = document.pid, {}, weasyprint.pdf.add_tags
    try:
        for last in (False, True):
            weasyprint.pdf.add_tags = lambda *args, last=last: (seen.setdefault(last, _alive(child)), tags(*args))[1]
            data = pdf.write(document, variant="pdf/a-3u", fetcher=fetcher, files=[], moment=MOMENT, last=last)
            assert data.startswith(b"%PDF-")
    finally:
        weasyprint.pdf.add_tags = tags
        document.close()
    return seen


def test_the_first_part_makes_its_structure_tree_once_the_second_process_has_ended(layouts, tmp_path):
    """The last variant: the child has written its part and ended (reaped) before this process
    makes its fonts and tags; a variant before it: the child waits for the next, as before."""
    seen = layouts.submit(_tags_beside_the_child, tmp_path, small_html(EARLY, sections=4)).result()
    assert seen == {False: True, True: False}
