"""A theme's templates read only templates of the theme's own folder (rt9b E13).

The public variant removes private supporters from the template context; a theme template that
could include any file of the bid folder (a link to the register, `theme: {templates: .}` and
`{% include "unterstuetzer.csv" %}`) would print them all the same, look-alike letters hiding
them from the final search. bidkit.render.html.BidTemplateLoader reads a theme's template inside
the theme's templates folder only and only ``*.j2`` files; check reports the folder (THM001) or
the include (THM005) at its line, and the build refuses."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bidkit.check import check_bid
from conftest import PADERBORN, edit, line_of, run_bidkit

REGISTER_NAME = "Julia Koch"  # a private supporter of the Paderborn register


@pytest.fixture
def paderborn(tmp_path: Path) -> Path:
    target = tmp_path / "paderborn"
    shutil.copytree(PADERBORN, target, symlinks=True)
    return target


def _theme(bid: Path, templates: str) -> None:
    (bid / "bid.yaml").write_text((bid / "bid.yaml").read_text(encoding="utf-8")
                                  + f"\ntheme:\n  templates: {templates}\n", encoding="utf-8")


def _vision(folder: Path, include: str) -> Path:
    path = folder / "sections" / "vision.html.j2"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('<div class="prose">{{ bid.vision | markdown }}</div>\n<p>{% include "' + include + '" %}</p>\n',
                    encoding="utf-8")
    return path


def _findings(bid: Path, *rules: str) -> list:
    result, _ = check_bid(bid)
    return [f for f in result.findings if f.rule in rules]


def _build_refused(bid: Path) -> None:
    out = bid.parent / "public.pdf"
    run = run_bidkit("build", str(bid), "--variant", "public", "-o", str(out))
    assert run.code == 1, (run.code, run.stdout, run.stderr)
    assert not out.exists()
    assert "Traceback" not in run.stderr


def test_register_is_in_the_example(paderborn):
    assert REGISTER_NAME in (paderborn / "unterstuetzer.csv").read_text(encoding="utf-8")


def test_a_link_in_the_theme_folder_to_the_register_is_refused(paderborn):
    folder = paderborn / "theme" / "templates"
    folder.mkdir(parents=True)
    os.symlink("../../unterstuetzer.csv", folder / "reg.html.j2")
    _vision(folder, "reg.html.j2")
    _theme(paderborn, "theme/templates")
    found = _findings(paderborn, "THM001", "THM005", "THM006")
    assert [f.rule for f in found] and {f.rule for f in found} <= {"THM001"}, [(f.rule, f.message) for f in found]
    assert any("unterstuetzer.csv" in f.message or "reg.html.j2" in f.message for f in found)
    assert all(f.location.line == line_of(paderborn / "bid.yaml", "templates: theme/templates") for f in found)
    _build_refused(paderborn)


def test_the_bid_folder_as_templates_folder_is_refused(paderborn):
    _vision(paderborn, "unterstuetzer.csv")
    _theme(paderborn, ".")
    found = _findings(paderborn, "THM001", "THM005", "THM006")
    assert [f.rule for f in found] == ["THM001"], [(f.rule, f.message) for f in found]
    assert "bid folder itself" in found[0].message
    assert found[0].location.line == line_of(paderborn / "bid.yaml", "templates: .")
    _build_refused(paderborn)


def test_a_templates_folder_holding_the_register_is_refused(paderborn):
    folder = paderborn / "data"
    folder.mkdir()
    (paderborn / "unterstuetzer.csv").rename(folder / "unterstuetzer.csv")
    edit(paderborn / "bid.yaml", "file: unterstuetzer.csv", "file: data/unterstuetzer.csv")
    _vision(folder, "unterstuetzer.csv")
    _theme(paderborn, "data")
    found = _findings(paderborn, "THM001", "THM005", "THM006")
    assert [f.rule for f in found] == ["THM001"] and "unterstuetzer.csv" in found[0].message, found


def test_including_a_file_that_is_no_template_is_located(paderborn):
    folder = paderborn / "theme" / "templates"
    template = _vision(folder, "notes.txt")
    (folder / "notes.txt").write_text("Notizen\n", encoding="utf-8")
    _theme(paderborn, "theme/templates")
    found = _findings(paderborn, "THM001", "THM005", "THM006")
    assert [f.rule for f in found] == ["THM005"], [(f.rule, f.message) for f in found]
    assert "not a template" in found[0].message
    assert (found[0].location.file, found[0].location.line) == (template, 2)


def test_a_link_to_a_template_elsewhere_in_the_bid_folder_is_refused(paderborn, tmp_path):
    """Inside the bid folder but outside the theme's templates folder: not read (the loader's own wall)."""
    from bidkit.render.html import TemplateFailure

    (paderborn / "elsewhere").mkdir()
    (paderborn / "elsewhere" / "x.html.j2").write_text("geheim\n", encoding="utf-8")
    folder = paderborn / "theme" / "templates"
    _vision(folder, "x.html.j2")
    os.symlink("../../elsewhere/x.html.j2", folder / "x.html.j2")
    _theme(paderborn, "theme/templates")
    assert any("outside the theme's templates folder" in f.message for f in _findings(paderborn, "THM001"))
    with pytest.raises(TemplateFailure) as failure:
        _render_one(paderborn, folder, "sections/vision.html.j2")
    assert "outside the theme's templates folder" in str(failure.value)


def _render_one(bid: Path, folder: Path, name: str) -> str:
    """One template of the theme through bidkit's loader and sandbox (the filters bidkit's has)."""
    from bidkit.paths import templates_dir
    from bidkit.render.html import _located, environment

    env = environment(templates_dir(), bid, folder)
    try:
        return env.get_template(name).render(bid={"vision": "x"})
    except Exception as exc:  # noqa: BLE001 - as render_html locates it
        raise _located(exc, env.loader) from exc
