"""SVG images that WeasyPrint would take minutes or hours to draw, or would leave out (red-team
trial rt5: a logo of 8 nested levels of 10 `<use>` made the build's "Writing PDF" step run for
five minutes; 3 MB of text did the same; a `<foreignObject>` printed no logo at all; an SVG
written into a `data:` address of the logo referred to /etc/passwd unnoticed by `check`).
bidkit.images counts what an image draws — each `<use>` and each SVG image as the copy it
draws — and refuses it beyond bounds: in `check` (THM001 for the logo, THM003 for a picture the
stylesheet names) and in the build's fetcher, for every SVG it loads."""

from __future__ import annotations

import base64
import time

import pytest

from conftest import check_here, edit, line_of, run_bidkit

SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="100" height="100">{}</svg>'


def use_bomb(levels: int = 8, width: int = 10) -> str:
    groups = ['<rect id="l0" width="1" height="1"/>']
    for level in range(1, levels + 1):
        groups.append(f'<g id="l{level}">' + "".join(f'<use href="#l{level - 1}" x="{i}"/>' for i in range(width)) + "</g>")
    return SVG.format("<defs>" + "".join(groups) + f'</defs><use href="#l{levels}"/>')


def data_svg(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


#: name: (the image, what the message says)
UNDRAWABLE = {
    "<use> multiplying to 10^8 elements": (use_bomb(), "draws more than 20.000 elements"),
    "3 MB of text": (SVG.format("<text>" + "A" * 3_000_000 + "</text>"), "more than 20.000 characters of text"),
    "foreignObject": (SVG.format('<foreignObject width="50" height="50"><p xmlns="http://www.w3.org/1999/xhtml">Stadt</p>'
                                 "</foreignObject>"), "<foreignObject>, which WeasyPrint does not draw"),
    "<use> cycle": (SVG.format('<g id="a"><use href="#b"/></g><g id="b"><use href="#a"/></g>'), "draws itself"),
    "nested a thousand deep": (SVG.format("<g>" * 1000 + "</g>" * 1000), "nests its elements or images hundreds deep"),
    "a data: SVG used 100 times, 300 elements each": (
        SVG.format(f'<defs><image id="i" href="{data_svg(SVG.format("<rect/>" * 300))}"/></defs>' + '<use href="#i"/>' * 100),
        "draws more than 20.000 elements"),
    "<use> multiplying through xlink:href, which WeasyPrint reads before href": (
        use_bomb().replace('<use href="#l', '<use href="#l0" xlink:href="#l'), "draws more than 20.000 elements"),
    "a pattern of 1,000 elements filling 100 shapes": (
        SVG.format('<defs><pattern id="p" width="5" height="5">' + '<rect width="1" height="1"/>' * 1000 + "</pattern></defs>"
                   + '<rect width="9" height="9" fill="url(#p)"/>' * 100), "draws more than 20.000 elements"),
    "a marker of 100 elements at 500 vertices": (
        SVG.format('<defs><marker id="m">' + '<circle r="1"/>' * 100 + '</marker></defs><path d="'
                   + " ".join(f"L{i} {i}" for i in range(500)) + '" style="marker-mid: url(#m)"/>'),
        "draws more than 20.000 elements"),
    "a data: SVG that refers to a system file": (
        SVG.format(f'<image href="{data_svg(SVG.format("<image href=" + chr(34) + "file:///etc/passwd" + chr(34) + "/>"))}"/>'),
        "('file:///etc/passwd')"),
}


@pytest.mark.parametrize("name", UNDRAWABLE)
def test_an_svg_too_costly_to_draw_is_named_at_once(name: str):
    from bidkit.images import svg_problem

    image, reason = UNDRAWABLE[name]
    started = time.process_time()
    assert reason in (svg_problem(image.encode()) or ""), svg_problem(image.encode())
    assert time.process_time() - started < 2  # judged from the tree, never drawn


def test_ordinary_drawings_pass():
    from bidkit.images import svg_problem

    assert svg_problem(use_bomb(levels=3, width=10).encode()) is None  # 1,000 rectangles by <use>
    assert svg_problem(SVG.format('<rect width="5" height="5"/>' * 5000 + "<text>Stadt Wolfsburg</text>").encode()) is None
    inner = data_svg(SVG.format('<circle r="4"/>'))
    assert svg_problem(SVG.format(f'<image href="{inner}" width="5" height="5"/>' * 20).encode()) is None


def test_an_svg_file_that_draws_itself_is_refused(tmp_path):
    from bidkit.images import svg_problem

    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "a.svg").write_text(SVG.format('<image href="b.svg" width="50" height="50"/>'), encoding="utf-8")
    (theme / "b.svg").write_text(SVG.format('<image href="a.svg" width="50" height="50"/>'), encoding="utf-8")
    logo = theme / "a.svg"
    assert "draws itself" in svg_problem(logo.read_bytes(), logo, tmp_path)
    # 30 copies of a file of 1,000 elements: each copy is drawn again
    (theme / "b.svg").write_text(SVG.format('<rect width="1" height="1"/>' * 1000), encoding="utf-8")
    (theme / "a.svg").write_text(SVG.format('<image href="b.svg" width="5" height="5"/>' * 30), encoding="utf-8")
    assert "draws more than 20.000 elements" in svg_problem(logo.read_bytes(), logo, tmp_path)
    (theme / "a.svg").write_text(SVG.format('<image href="b.svg" width="5" height="5"/>' * 3), encoding="utf-8")
    assert svg_problem(logo.read_bytes(), logo, tmp_path) is None


def test_check_names_a_costly_logo_and_a_costly_stylesheet_picture(bid):
    (bid / "theme" / "logo.svg").write_text(use_bomb(), encoding="utf-8")
    (bid / "theme" / "marker.svg").write_text(SVG.format("<text>" + "A" * 30_000 + "</text>"), encoding="utf-8")
    inline = data_svg(SVG.format('<g id="a"><use href="#a"/></g>'))
    (bid / "theme" / "extra.css").write_text(f"ul {{ list-style-image: url(marker.svg) }}\nol {{ list-style-image: url({inline}) }}\n",
                                             encoding="utf-8")
    edit(bid / "bid.yaml", '  accent_color: "#6f8fb0"\n', '  accent_color: "#6f8fb0"\n  stylesheet: theme/extra.css\n')
    started = time.monotonic()
    run = check_here(".", "--format", "json", cwd=bid)
    assert time.monotonic() - started < 30 and run.code == 1 and "Traceback" not in run.stderr
    findings = run.json()["findings"]
    [logo] = [f for f in findings if f["rule"] == "THM001"]
    assert (logo["path"], logo["line"]) == ("theme.logo", line_of(bid / "bid.yaml", "logo: theme/logo.svg"))
    assert "draws more than 20.000 elements" in logo["message"]
    pictures = {f["line"]: f["message"] for f in findings if f["rule"] == "THM003"}
    assert "'theme/marker.svg' holds more than 20.000 characters of text" in pictures[1]
    assert "draws itself" in pictures[2]


@pytest.mark.slow
def test_the_build_never_draws_a_costly_svg_a_stylesheet_names(bid, tmp_path):
    (bid / "theme" / "marker.svg").write_text(use_bomb(), encoding="utf-8")
    (bid / "theme" / "extra.css").write_text("ul { list-style-image: url(marker.svg) }\n", encoding="utf-8")
    edit(bid / "bid.yaml", '  accent_color: "#6f8fb0"\n', '  accent_color: "#6f8fb0"\n  stylesheet: theme/extra.css\n')
    started = time.monotonic()
    run = run_bidkit("build", str(bid), "--draft", "--no-cache", "-o", str(tmp_path / "out.pdf"))
    assert run.code == 0 and "Traceback" not in run.stderr, run.stderr
    assert time.monotonic() - started < 120  # drawn, it takes hours
    [refused] = [line for line in run.stderr.splitlines() if "refused to load" in line]
    assert "marker.svg" in refused and "draws more than 20.000 elements" in refused


def test_the_builds_fetcher_refuses_two_svg_files_that_draw_each_other(tmp_path):
    """rt6 D13: logo.svg draws b.svg, which draws logo.svg twice — WeasyPrint drew them without end
    (and its `except BaseException` around an SVG's drawing swallowed the layout deadline)."""
    from bidkit.render.fetcher import RefusedURL, SandboxedFetcher

    (tmp_path / "logo.svg").write_text(SVG.format('<image href="b.svg" width="50" height="50"/>'), encoding="utf-8")
    (tmp_path / "b.svg").write_text(SVG.format('<image href="logo.svg" width="9" height="9"/>' * 2), encoding="utf-8")
    fetcher = SandboxedFetcher([tmp_path])
    with pytest.raises(RefusedURL, match="draws itself"):
        fetcher.fetch((tmp_path / "logo.svg").as_uri())
    (tmp_path / "b.svg").write_text(SVG.format('<rect width="9" height="9"/>'), encoding="utf-8")
    assert fetcher.fetch((tmp_path / "logo.svg").as_uri()) is not None


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_an_svg_with_a_byte_order_mark_is_judged_too(encoding):
    """The fetcher took an SVG for one only when it started with „<“: a byte order mark or UTF-16
    let a <foreignObject> or a bomb through, which WeasyPrint draws all the same."""
    from bidkit.images import picture_problem

    assert "draws more than 20.000 elements" in picture_problem(use_bomb().encode(encoding))
    assert picture_problem(b"body { color: #333 }") is None  # a stylesheet is no picture


def test_a_use_of_the_images_own_file_is_counted_as_inside_it(tmp_path):
    from bidkit.images import svg_problem

    logo = tmp_path / "logo.svg"
    logo.write_text(use_bomb().replace('href="#l', 'href="logo.svg#l'), encoding="utf-8")
    assert "draws more than 20.000 elements" in svg_problem(logo.read_bytes(), logo, tmp_path)
    logo.write_text(SVG.format(f'<image href="{logo.as_uri()}" width="5" height="5"/>'), encoding="utf-8")
    assert "draws itself" in svg_problem(logo.read_bytes(), logo, tmp_path)  # file: and absolute as the fetcher reads them
