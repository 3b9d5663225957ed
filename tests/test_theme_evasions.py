"""A theme changes how the document looks, never what it says (rt5 D13, D14, D15).

THM004 is an allow-list (bidkit/themecss.py): each way a red team or an attacker found to hide,
fake, move, cover or reorder a figure with one line of CSS is refused at its line, and what a
city's theme needs (colours, fonts, sizes, spacing, borders, margin-box text) passes. THM006
compares a replaced template's tables cell by cell and the order of a sentence's figures.
Most cases judge the stylesheet directly (fast); the rule, the final build's refusal and the
templates are shown on the example bid.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bidkit.check import check_bid
from bidkit.themecss import check_stylesheet
from conftest import REPO, edit, line_of, run_bidkit

BUDGET = REPO / "templates" / "sections" / "budget.html.j2"
BIDS_COLOURS = (("--primary", "#003a70"), ("--accent", "#6f8fb0"))

# (id, CSS, the text at which THM004 must point, a word of its message)
EVASIONS = [
    # rt5 D13 (css/<case>/ and d13-theme-css-evasions/)
    ("bg-white", ".own-share strong { color: white; background: white; }", "color: white", "contrast 1.0"),
    ("bg-black", ".own-share strong { color: #000; background-color: #000; }", "color: #000", "contrast 1.0"),
    ("currentcolor", ".own-share { color: #1b5e20; background: #1b5e20 } .own-share strong { color: currentcolor }",
     "color: #1b5e20", "contrast"),
    ("var-white", ":root { --c: #ffffff } .own-share strong { color: var(--c) }", "--c: #ffffff", "not among"),
    ("var-white-use", ".own-share strong { color: var(--c) }", "color: var(--c)", "not a colour"),
    ("hwb", ".own-share strong { color: hwb(0 100% 0%) }", "color:", "not a colour"),
    ("lab", ".own-share strong { color: lab(100 0 0) }", "color:", "not a colour"),
    ("oklch", ".own-share strong { color: oklch(1 0 0) }", "color:", "not a colour"),
    ("color-fn", ".own-share strong { color: color(srgb 1 1 1) }", "color:", "not a colour"),
    ("translucent", ".own-share strong { color: rgba(0, 0, 0, 0.3) }", "color:", "not a colour"),
    ("hsl-white", ".own-share strong { color: hsl(0, 0%, 100%) }", "color:", "contrast"),
    ("light-box", ".own-share { color: white; background: #003a70 } .own-share strong { background: white }",
     "color: white", "contrast"),
    ("dark-box-dark-text", ".own-share { background: #111 }", "background: #111", "contrast"),
    ("primary-var-box", ".own-share { background: var(--primary) }", "background: var(--primary)", "contrast"),
    ("outline", ".own-share { outline: 1200pt solid white }", "outline:", "not among"),
    ("border-cover", ".own-share strong { border-left: 2000pt solid white }", "border-left:", "at most 6 pt"),
    ("margin-off", ".own-share strong { margin-left: 400mm }", "margin-left:", "0 to 25 mm"),
    ("margin-negative", ".own-share { margin-top: -80mm }", "margin-top:", "0 to 25 mm"),
    ("padding-off", ".own-share { padding-left: 400mm }", "padding-left:", "0 to 5 mm"),
    ("vertical-align", ".own-share strong { vertical-align: 500pt }", "vertical-align:", "moves text out of sight"),
    ("nested-em", ".own-share { font-size: 0.5em }", "font-size:", "smaller than 5 pt"),
    ("xx-small", ".own-share strong { font-size: xx-small }", "font-size:", "smaller than 5 pt"),
    ("five-pt-nested", "td { font-size: 5pt }", "font-size:", "smaller than 5 pt"),
    ("calc-size", "td { font-size: calc(10pt - 9pt) }", "font-size:", "function"),
    ("line-height-dimension", ".own-share { line-height: 0.1pt }", "line-height:", "lines over each other"),
    ("line-through", ".own-share strong { text-decoration: line-through }", "text-decoration:", "strikes it out"),
    ("fake-counter", '@page { counter-reset: eig 40; @bottom-left { content: "Eigenanteil " counter(eig) " %" } }',
     "counter-reset:", "@page"),
    ("fake-counter-box", '@page { @bottom-left { content: "Eigenanteil " counter(eig) " %" } }', "content:",
     "counter(page)"),
    ("page-size", "@page { size: 30mm 30mm }", "size:", "A4"),
    ("page-size-first", "@page :first { size: A5 }", "size:", "A4"),
    ("page-margin", "@page { margin: 140mm 20mm }", "margin:", "10–35 mm"),
    ("page-background", "@page { background: black }", "background:", "@page"),
    ("margin-box-background", "@page { @top-left { background: #000 } }", "background:", "margin box"),
    # Further evasions (an attacker's list)
    ("before-digits", '.own-share strong::before { content: "40,0 % " }', "content:", "text of its own"),
    ("attr", ".own-share strong::after { content: attr(title) }", "content:", "text of its own"),
    ("margin-attr", "@page { @top-left { content: attr(title) } }", "content:", "text of its own"),
    ("margin-digits", '@page { @top-left { content: "Eigenanteil 40 %" } }', "content:", "text of its own"),
    ("nth-child-none", "table.money tbody tr:nth-child(2) { display: none }", "display:", "not among"),
    ("visibility", "td { visibility: hidden }", "visibility:", "not among"),
    ("opacity", "td { opacity: 0.05 }", "opacity:", "not among"),
    ("transform", ".own-share strong { transform: translateX(-999pt) }", "transform:", "function"),
    ("clip-path", ".own-share { clip-path: inset(50%) }", "clip-path:", "function"),
    ("filter", ".own-share { filter: opacity(0) }", "filter:", "function"),
    ("z-index", ".own-share { z-index: 9 }", "z-index:", "not among"),
    ("position", ".cover-logo { position: absolute; top: 180mm }", "position:", "not among"),
    ("symbol-font", ".own-share strong { font-family: OpenSymbol }", "font-family:", "opensymbol"),
    ("letter-spacing", ".own-share strong { letter-spacing: -3pt }", "letter-spacing:", "over each other"),
    ("text-indent", ".own-share { text-indent: -9999pt }", "text-indent:", "0 to 10 mm"),
    ("direction", ".own-share strong { direction: rtl }", "direction:", "not among"),
    ("bidi", ".own-share strong { unicode-bidi: bidi-override }", "unicode-bidi:", "not among"),
    ("full-width", ".own-share strong { text-transform: full-width }", "text-transform:", "change of case"),
    ("unicode-range", '@font-face { font-family: Ziffern; src: local(Ziffern); unicode-range: U+30-39 }',
     "unicode-range:", "descriptors"),
    ("counter-style", "@counter-style x { system: cyclic; symbols: '4'; }", "@counter-style", "markers of its own"),
    ("gradient-cover", ".own-share strong { background: linear-gradient(white, white) }", "background:", "picture"),
    ("picture-behind", ".own-share strong { background: url(schwarz.png) }", "background:", "picture"),
    ("picture-data", ".own-share strong { background: url(data:image/png;base64,AAAA) }", "background:", "picture"),
    ("background-image", ".own-share strong { background-image: url(schwarz.png) }", "background-image:", "not among"),
    ("font-shorthand", ".own-share strong { font: 1pt serif }", "font:", "not among"),
    ("nowrap", "td { white-space: nowrap }", "white-space:", "out of its box"),
    ("text-fill", ".own-share strong { -webkit-text-fill-color: white }", "-webkit-text-fill-color:", "not among"),
    ("in-media", "@media print { .own-share { display: none } }", "display:", "not among"),
    ("in-supports", "@supports (color: red) { .own-share { width: 0 } }", "width:", "not among"),
    ("list-string", 'ul { list-style: "40 % " }', "list-style:", "marker"),
    ("counter-page", "h2 { counter-increment: page 5 }", "counter-increment:", "not among"),
    ("custom-primary", ":root { --primary: #ffffff }", "--primary:", "not among"),
    ("text-shadow", ".own-share strong { text-shadow: 0 0 4pt #000 }", "text-shadow:", "not among"),
    ("mix-blend", ".own-share { mix-blend-mode: difference }", "mix-blend-mode:", "not among"),
    ("local-symbol-font", '@font-face { font-family: Stadt; src: local("OpenSymbol") }', "src:", "local()"),
    ("forced-breaks", "p, li, td { break-before: page }", "break-before:", "page of its own"),
    ("huge-digits", "td { font-size: 200pt }", "font-size:", "larger than 36 pt"),
    ("break-all", "td { word-break: break-all }", "word-break:", "across lines"),
    ("cell-padding", "td { padding: 0 12mm }", "padding:", "0 to 5 mm"),
    # rt5 css/imp, css/imp2, css/esc: a stylesheet in an address, an escaped property name
    ("import-data", '@import url("data:text/css,.own-share%20strong%7Bdisplay:none%7D");', "@import", "data:"),
    ("import-data-base64", '@import "data:text/css;base64,Lm93bi1zaGFyZSBzdHJvbmd7Zm9udC1zaXplOjB9";', "@import",
     "data:"),
    ("margin-box-huge", "@page { @top-left { content: string(bid-title); font-size: 40pt } }", "font-size:", "12 pt"),
    ("margin-box-margin", "@page { @top-left { margin-top: 25mm } }", "margin-top:", "margin box"),
    ("data-font", '@font-face { font-family: Stadt; src: url(schwarz.png), url(data:font/ttf;base64,AAEAAA==) }',
     "src:", "data:"),
    ("escaped-name", ".own-share strong { visibilit\\79 : hidden }", "visibilit", "not among"),
]


@pytest.mark.parametrize("css, at, says", [case[1:] for case in EVASIONS], ids=[case[0] for case in EVASIONS])
def test_each_evasion_is_thm004_at_its_line(tmp_path, css, at, says):
    (tmp_path / "theme").mkdir()
    (tmp_path / "theme" / "schwarz.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "theme" / "x.css").write_text("/* a city's theme */\n" + css + "\n", encoding="utf-8")
    found = [f for f in check_stylesheet(tmp_path, "theme/x.css", BIDS_COLOURS) if f.kind == "text"]
    assert found, css
    line = ("/* a city's theme */\n" + css).splitlines()
    assert any(f.line == 2 and line[1][f.column - 1:].startswith(at) and says.lower() in f.message.lower()
               for f in found), [(f.line, f.column, f.message) for f in found]


def test_what_a_citys_theme_needs_passes(tmp_path):
    (tmp_path / "theme" / "fonts").mkdir(parents=True)
    (tmp_path / "theme" / "fonts" / "Stadt.ttf").write_bytes(Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf").read_bytes())
    (tmp_path / "theme" / "x.css").write_text(
        'h1, h2 { color: #8a1538; font-family: "Stadt Serif", Georgia, serif; letter-spacing: 0.02em }\n'
        '@font-face { font-family: "Stadt Serif"; src: url(fonts/Stadt.ttf); font-weight: bold }\n'
        "body { font-family: Stadtschrift, sans-serif }\n"
        "thead th { border-bottom: 2pt solid var(--primary); color: var(--primary) }\n"
        ".cover { border-top: 4pt solid var(--accent); padding: 2mm 4mm; background: #f4f4f4 }\n"
        ".facts-box { background-color: #eef2f7; border-radius: 2mm }\n"
        "table td { font-size: 9pt; line-height: 1.3; text-indent: 0; vertical-align: middle }\n"
        "p { margin: 0 0 4pt; hyphens: auto; text-align: justify; orphans: 3; widows: 3 }\n"
        "h3 { font-size: 1.2em; text-transform: uppercase; break-after: avoid; text-decoration: underline }\n"
        ".cover-call { color: inherit; font-weight: 600 }\n"
        "@page { size: A4; margin: 20mm 18mm 24mm 22mm;\n"
        '  @bottom-left { content: "Stadt Wolfsburg · " string(bid-title) " · Seite " counter(page) " von "'
        " counter(pages); font-size: 7pt; color: #555 } }\n"
        "@media print { ul { list-style-type: square; padding-left: 5mm } }\n", encoding="utf-8")
    found = check_stylesheet(tmp_path, "theme/x.css", BIDS_COLOURS, "Stadtschrift")
    assert found == [], [(f.line, f.message) for f in found]


def test_the_rule_points_at_the_stylesheet_and_the_final_build_is_refused(bid, tmp_path):
    """rt5 D13's repro and D14's page size: THM004 at their lines; the build refuses before laying out."""
    (bid / "theme" / "x.css").write_text(
        "/* Kontrast */\n.own-share strong { color: white; background: white; }\n@page { size: 30mm 30mm; }\n",
        encoding="utf-8")
    edit(bid / "bid.yaml", '  accent_color: "#6f8fb0"\n', '  accent_color: "#6f8fb0"\n  stylesheet: theme/x.css\n')
    result, _ = check_bid(bid)
    found = [(f.rule, f.location.file.name, f.location.line) for f in result.findings if f.rule.startswith("THM")]
    assert ("THM004", "x.css", 2) in found and ("THM004", "x.css", 3) in found, found
    run = run_bidkit("build", str(bid), "-o", str(tmp_path / "out.pdf"))
    assert run.code == 1 and "THM004" in run.stderr and "size: 30mm 30mm" in run.stderr, run.stderr
    assert not (tmp_path / "out.pdf").exists()


def test_a_primary_colour_the_page_does_not_show_is_thm004_at_its_line(bid):
    """rt5 D13 primary-white: headings and the tables' year columns are printed in primary_color."""
    edit(bid / "bid.yaml", 'primary_color: "#003a70"', 'primary_color: "#fafafa"')
    result, _ = check_bid(bid)
    [finding] = [f for f in result.findings if f.rule == "THM004"]
    assert finding.location.line == line_of(bid / "bid.yaml", 'primary_color: "#fafafa"'), finding
    assert "contrast 1.0" in finding.message


@pytest.fixture
def paderborn(tmp_path: Path) -> Path:
    """Paderborn: several funding kinds and an own share below the total (the example bid pays all itself)."""
    bid = tmp_path / "paderborn"
    shutil.copytree(REPO / "examples" / "paderborn", bid)
    return bid


def _override_budget(bid: Path, text: str) -> None:
    path = bid / "theme" / "templates" / "sections" / "budget.html.j2"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    with (bid / "bid.yaml").open("a", encoding="utf-8") as stream:
        stream.write("theme:\n  templates: theme/templates\n")


def _thm006(bid: Path) -> list[str]:
    result, _ = check_bid(bid)
    return [f.message for f in result.findings if f.rule == "THM006"]


def test_row_labels_taken_in_reverse_order_are_thm006(paderborn):
    """rt5 D15: the funding rows' labels reversed, the amounts in place: every number as often as before."""
    source = BUDGET.read_text(encoding="utf-8")
    swapped = source.replace(
        '{% for title, per_year in budget.funding_rows %}\n    <tr><th scope="row">{{ title }}</th>',
        '{% set titles = budget.funding_rows | map(attribute=0) | list %}{% for title, per_year in budget.funding_rows %}'
        '\n    <tr><th scope="row">{{ titles[-loop.index] }}</th>')
    assert swapped != source
    _override_budget(paderborn, swapped)
    messages = _thm006(paderborn)
    assert messages and all(" in row '" in m or m.startswith("and ") for m in messages), messages
    assert any("where bidkit's templates print" in m for m in messages), messages


def test_the_two_amounts_of_the_own_share_sentence_swapped_are_thm006(paderborn):
    source = BUDGET.read_text(encoding="utf-8")
    own, total = "(budget.total_costs * budget.own_share) | money(grid.cents)", "budget.total_costs | money(grid.cents)"
    swapped = source.replace(f"({{{{ {own} }}}} von {{{{ {total} }}}})", f"({{{{ {total} }}}} von {{{{ {own} }}}})")
    assert swapped != source
    _override_budget(paderborn, swapped)
    [message] = _thm006(paderborn)
    assert "in one sentence" in message and "keep their order" in message, message


def test_a_table_row_printed_as_a_paragraph_with_another_label_is_thm006(paderborn):
    """Out of the table, a figure's label is not compared: bidkit's table cells must stay in a table."""
    source = BUDGET.read_text(encoding="utf-8")
    lines = source.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if "{% for title, per_year in budget.funding_rows %}" in line)
    row = lines[start + 1]
    paragraph = ('{% set titles = budget.funding_rows | map(attribute=0) | list %}'
                 '{% for title, per_year in budget.funding_rows %}<p>{{ titles[-loop.index] }}: '
                 '{% for year in chunk.years %}{{ per_year.get(year, 0) | money(grid.cents) }} {% endfor %}'
                 '{% if chunk.sum %}{{ per_year.values() | sum | money(grid.cents) }}{% endif %}</p>{% endfor %}\n')
    changed = "".join(lines[:start]) + "  </tbody></table>" + paragraph + "<table><tbody>" + "".join(lines[start + 3:])
    assert row.strip().startswith("<tr><th scope=\"row\">{{ title }}</th>")
    _override_budget(paderborn, changed)
    messages = _thm006(paderborn)
    assert any("leave out" in m and "row 'Eigenmittel der Stadt'" in m for m in messages), messages


def test_contrast_is_compared_colour_by_colour_and_bounded(tmp_path):
    """Many rules of few colours cost one comparison per colour pair; a stylesheet of thousands of
    different colours is refused instead of compared pair by pair (check stays fast)."""
    (tmp_path / "theme").mkdir()
    many = "".join(f".c{i} {{ color: #{i:06x} }}\n" for i in range(300))
    (tmp_path / "theme" / "x.css").write_text(many, encoding="utf-8")
    found = [f for f in check_stylesheet(tmp_path, "theme/x.css") if f.kind == "text"]
    assert [f.line for f in found] == [1] and "more than 200 different" in found[0].message, found


def test_a_font_family_of_the_machine_without_files_is_thm004_at_its_line(bid):
    """`font_family: Wingdings` without `fonts`: every digit drawn by whatever the machine has under that name."""
    edit(bid / "bid.yaml", '  accent_color: "#6f8fb0"\n', '  accent_color: "#6f8fb0"\n  font_family: OpenSymbol\n')
    result, _ = check_bid(bid)
    [finding] = [f for f in result.findings if f.rule == "THM004"]
    assert finding.location.line == line_of(bid / "bid.yaml", "font_family: OpenSymbol"), finding
    assert "symbol font" in finding.message
