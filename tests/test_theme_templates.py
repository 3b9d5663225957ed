"""A theme's templates may change how the document looks, never what it says (THM005, THM006).

`check` renders the document with the theme's templates and with bidkit's from the same data and
compares numbers, embedded content and CSS (bidkit/render/themetext.py, bidkit/rules/themetemplates.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from bidkit.check import check_bid
from conftest import REPO, edit, line_of, run_bidkit

BUDGET = REPO / "templates" / "sections" / "budget.html.j2"


def _override(bid: Path, name: str, text: str) -> Path:
    path = bid / "theme" / "templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if "templates: theme/templates" not in (bid / "bid.yaml").read_text(encoding="utf-8"):
        edit(bid / "bid.yaml", '  accent_color: "#6f8fb0"\n', '  accent_color: "#6f8fb0"\n  templates: theme/templates\n')
    return path


def _theme_findings(bid: Path) -> list:
    result, _ = check_bid(bid)
    return [f for f in result.findings if f.rule in ("THM005", "THM006")]


def test_a_template_copied_unchanged_or_restyled_says_the_same(bid):
    _override(bid, "sections/budget.html.j2", BUDGET.read_text(encoding="utf-8").replace(
        '<p class="own-share">', '<p class="own-share stadt-hinweis">'))
    assert _theme_findings(bid) == []


def test_a_false_own_share_is_found_where_the_template_writes_it(bid):
    template = _override(bid, "sections/budget.html.j2", BUDGET.read_text(encoding="utf-8").replace(
        "{{ budget.own_share | percent(below=call.own_share_min_percent) }}", "35,0 %"))
    found = _theme_findings(bid)
    printed = [f for f in found if "print the number '35,0'" in f.message]
    assert [(f.location.file, f.location.line) for f in printed] == [(template, line_of(template, "35,0 %"))]
    # The true share (the example's own share, 100,0 %) is missing from the themed document.
    assert any("leave out the number '100,0'" in f.message and f.location.file == bid / "bid.yaml" for f in found), found
    run = run_bidkit("build", str(bid), "-o", str(bid.parent / "out.pdf"))
    assert run.code == 1 and "THM006" in run.stderr and "Build refused" in run.stderr
    assert not (bid.parent / "out.pdf").exists()


def test_a_computed_number_and_a_dropped_section_point_at_the_theme_field(bid):
    _override(bid, "sections/vision.html.j2", "<h2>Vision</h2>\n<p>{{ 7 * 5 }} Jahre Erfahrung</p>\n")
    _override(bid, "sections/budget.html.j2", "<h2>Kosten- und Finanzierungsplan</h2>\n<p>Auf Anfrage.</p>\n")
    found = _theme_findings(bid)
    assert all(f.rule == "THM006" for f in found)
    assert any("print the number '35'" in f.message and f.location.file == bid / "bid.yaml"
               and f.location.line == line_of(bid / "bid.yaml", "templates: theme/templates") for f in found)
    left_out = [f for f in found if "leave out" in f.message]
    # The plan's figures that appear nowhere else: its totals and the own share.
    assert any("'100,0'" in f.message for f in left_out) and len(left_out) >= 3, [f.message for f in found]


def test_css_and_pictures_written_into_a_template_are_judged_like_the_stylesheet(bid):
    shutil.copy(bid / "theme" / "logo.svg", bid / "theme" / "siegel.svg")
    _override(bid, "sections/vision.html.j2",
              "<style>.own-share strong::after { content: \"35 %\" }</style>\n"
              "<p style=\"font-size: 1pt\">{{ bid.vision | markdown }}</p>\n"
              "<img src=\"theme/siegel.svg\" alt=\"Siegel\">\n")
    messages = [f.message for f in _theme_findings(bid)]
    assert any("`content: \"35 %\"` prints text of its own" in m for m in messages), messages
    assert any("`font-size: 1pt` makes text smaller than 5 pt" in m for m in messages), messages
    assert any("add <img> 'theme/siegel.svg'" in m for m in messages), messages


def test_a_number_only_the_public_variant_shows_is_found_in_that_variant(bid):
    _override(bid, "sections/vision.html.j2",
              "<h2>Vision</h2>\n{{ bid.vision | markdown }}\n{% if variant %}<p>Förderquote 95 %</p>{% endif %}\n")
    [finding] = _theme_findings(bid)
    assert "'95'" in finding.message and "(variant 'public')" in finding.message


def test_a_template_that_fails_is_thm005_at_its_line_and_no_template_means_no_rendering(bid, monkeypatch):
    template = _override(bid, "sections/partners.html.j2", "<h2>Partner</h2>\n{{ bid.partners | nonexistent_filter }}\n")
    [finding] = _theme_findings(bid)
    assert finding.rule == "THM005" and (finding.location.file, finding.location.line) == (template, 2), finding
    # A theme folder that replaces none of bidkit's templates renders nothing more than a bid without one.
    template.unlink()
    (bid / "theme" / "templates" / "sections" / "own-helper.html.j2").write_text("<p>1 2 3</p>", encoding="utf-8")
    import bidkit.render.html as html

    monkeypatch.setattr(html, "render_html", lambda *a, **k: (_ for _ in ()).throw(AssertionError("rendered")))
    assert _theme_findings(bid) == []


def test_a_figure_of_the_bid_printed_once_more_is_counted(bid):
    """A true figure under a false label (the total where the own share was) prints it once too often."""
    _override(bid, "sections/vision.html.j2", "<h2>Vision</h2>\n{{ bid.vision | markdown }}\n"
                                              "<p>Eigenanteil: {{ budget.total_costs | money }}</p>\n")
    [finding] = _theme_findings(bid)
    assert "times, bidkit's templates" in finding.message and "print the number" in finding.message, finding.message
