"""A document too large to lay out in reasonable time is refused before the layout (exit 3), not
laid out for hours: a bid folder may not hang the tool (red team rt3: 10,000 measures)."""

from __future__ import annotations

import pytest

from bidkit.check import check_bid
from bidkit.errors import EXIT_RENDER, RenderError
from bidkit.render import build
from conftest import EXAMPLE


def test_a_document_beyond_the_bound_is_refused_before_layout(tmp_path, monkeypatch):
    _, loaded = check_bid(EXAMPLE)
    steps: list[str] = []
    monkeypatch.setattr(build, "MAX_LAYOUT_HTML_BYTES", 20_000)  # the example's HTML has ~30 kB
    with pytest.raises(RenderError) as refused:
        build.build_pdf(loaded, tmp_path / "out.pdf", draft=False, step=steps.append)
    assert refused.value.exit_code == EXIT_RENDER
    assert "the document's HTML has 0.0 MB" in str(refused.value)
    assert "Laying out pages (WeasyPrint)" not in steps
    assert not (tmp_path / "out.pdf").exists()

