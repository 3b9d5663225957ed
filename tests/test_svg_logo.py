"""An SVG logo the build cannot draw (red-team trial): WeasyPrint prints the logo's text
alternative instead, without a word. `check` says so at `theme.logo` (THM001): entity
declarations (a bomb, or a file of the machine), XML that does not parse, references to files
outside the bid folder or on the network (bidkit.images.svg_problem)."""

from __future__ import annotations

import pytest

from conftest import check_here, line_of

SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="100" height="100">{}</svg>'
LAUGHS = "".join(f'<!ENTITY {b} "{("&" + a + ";") * 10}">' for a, b in zip("abcdefgh", "bcdefghi"))
TRIAL = ('<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">' + LAUGHS
         + '<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n' + SVG.format('<text x="0" y="20">&xxe;&i;</text>'))

#: name: (the logo, what the message says)
UNDRAWABLE = {
    "entity bomb and external entity (the trial's)": (TRIAL, "declares XML entities (<!ENTITY …>)"),
    "an entity, harmless in itself": ('<!DOCTYPE svg [<!ENTITY name "Stadt">]>' + SVG.format("<text>&name;</text>"),
                                      "declares XML entities"),
    "image from a system file": (SVG.format('<image href="file:///usr/share/pixmaps/debian-logo.png" width="5" height="5"/>'),
                                 "refers to files outside the bid folder or on the network ('file:///usr/share/pixmaps/debian-logo.png')"),
    "absolute path": (SVG.format('<image xlink:href="/etc/passwd" width="5" height="5"/>'), "('/etc/passwd')"),
    "stylesheet import over the network": (SVG.format("<style>@import url(https://example.org/a.css);</style>"),
                                           "('https://example.org/a.css')"),
    "fill from another file": (SVG.format('<rect width="5" height="5" fill="url(file:///tmp/p.svg#g)"/>'), "('file:///tmp/p.svg#g')"),
    "not well-formed": (SVG.format("<g><rect></g>"), "is not well-formed XML (mismatched tag"),
}


@pytest.mark.parametrize("name", UNDRAWABLE)
def test_an_svg_the_build_cannot_draw_is_named(name: str):
    from bidkit.images import svg_problem

    logo, reason = UNDRAWABLE[name]
    assert reason in (svg_problem(logo.encode()) or "")


def test_relative_references_may_lead_anywhere_inside_the_bid_folder(tmp_path):
    from bidkit.images import svg_problem

    logo = tmp_path / "bid" / "theme" / "logo.svg"
    inside = SVG.format('<image href="../fotos/wappen.png" width="5" height="5"/>').encode()
    outside = SVG.format('<use href="../../secret.svg#x"/>').encode()
    assert svg_problem(inside, logo, tmp_path / "bid") is None
    assert "('../../secret.svg#x')" in svg_problem(outside, logo, tmp_path / "bid")


@pytest.mark.parametrize("logo", [
    SVG.format('<defs><linearGradient id="g"/></defs><rect width="5" height="5" fill="url(#g)"/><use href="#g"/>'),
    SVG.format('<image href="data:image/png;base64,iVBORw0KGgo=" width="5" height="5"/><image href="wappen.png"/>'),
])
def test_an_svg_it_can_draw_passes(logo: str):
    from bidkit.images import svg_problem

    assert svg_problem(logo.encode()) is None


def test_check_reports_the_trials_logo_at_the_theme_field(bid):
    from bidkit.images import svg_problem

    assert svg_problem((bid / "theme" / "logo.svg").read_bytes()) is None  # the example's own logo
    (bid / "theme" / "logo.svg").write_text(TRIAL, encoding="utf-8")
    run = check_here(".", "--format", "json", cwd=bid)
    assert run.code == 1 and "Traceback" not in run.stderr
    [finding] = [f for f in run.json()["findings"] if f["rule"] == "THM001"]
    assert (finding["file"], finding["path"], finding["line"]) == ("bid.yaml", "theme.logo", line_of(bid / "bid.yaml", "logo: theme/logo.svg"))
    assert "'theme/logo.svg' declares XML entities" in finding["message"] and "Plain SVG" in finding["hint"]
