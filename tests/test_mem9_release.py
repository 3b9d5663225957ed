"""A split at the cascade frees, in each of the two layout processes, the other part's elements of
the parsed HTML (issue 12: all processes ≤ WeasyPrint alone; bidkit.render.parallel's
``_release`` before the fork, ``_Part._prune`` after it)."""

from __future__ import annotations

from pathlib import Path

from test_parallel import EARLY, layouts, small_html  # noqa: F401 - fixture


def _elements_alive(tmp_path: Path, html: str) -> list[str]:
    """In `layouts`, with the cycle collector off (as `bidkit build` runs): the <h2> elements of
    the parsed HTML still alive in this process (the first part's) after a split at the cascade."""
    import gc
    import xml.etree.ElementTree as ET

    from bidkit.render import pdf
    from bidkit.render.fetcher import SandboxedFetcher
    from bidkit.render.parallel import Parts

    gc.collect()
    gc.disable()
    try:
        document = pdf.layout(html, base=tmp_path, fetcher=SandboxedFetcher([tmp_path]), jobs=2)
        assert isinstance(document, Parts) and document.early
        alive = sorted(element.text for element in gc.get_objects() if isinstance(element, ET.Element) and element.tag == "h2")
        document.close()
    finally:
        gc.enable()
    return alive


def test_the_other_part_s_elements_are_freed_in_each_process(layouts, tmp_path):
    """The HTML parser's garbage (cycles that hold every element of the parsed tree) is collected
    before the fork (parallel's ``_release``): the first part's process frees the second part's
    elements, and so does the child the first part's (without it, both kept the whole tree and
    copied the pages it shares with the other process: ~13 MB more at 100 pages)."""
    alive = layouts.submit(_elements_alive, tmp_path, small_html(EARLY, sections=4)).result()
    assert alive == ["Teil 0", "Teil 1"]
