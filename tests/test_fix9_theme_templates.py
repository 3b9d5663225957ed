"""A theme's templates are its own *.j2 files inside its folder, links resolved: a link to the
supporters' register, or the bid folder as the theme's folder with ``{% include "unterstuetzer.csv" %}``,
printed the private supporters the public variant removes (rt9b E13)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import PADERBORN, check_here, run_bidkit

PRIVATE = "Julia Koch"  # a citizen in examples/paderborn/unterstuetzer.csv: the public variant leaves her out
VISION = '<div class="prose">{{ bid.vision | markdown }}</div><p>{% include "INCLUDED" %}</p>\n'


def _themed(tmp_path: Path, folder: str, included: str, link: tuple[str, str] | None = None) -> Path:
    bid = tmp_path / "bid"
    shutil.copytree(PADERBORN, bid)
    templates = bid / folder
    (templates / "sections").mkdir(parents=True, exist_ok=True)
    (templates / "sections" / "vision.html.j2").write_text(VISION.replace("INCLUDED", included), encoding="utf-8")
    if link:
        (templates / link[0]).symlink_to(link[1])
    with (bid / "bid.yaml").open("a", encoding="utf-8") as manifest:
        manifest.write(f"\ntheme:\n  templates: {folder}\n")
    return bid


CASES = {
    "a link to the register": ("theme/templates", "reg.html.j2", ("reg.html.j2", "../../unterstuetzer.csv"), "unterstuetzer.csv"),
    "the bid folder as the theme's": (".", "unterstuetzer.csv", None, "unterstuetzer.csv"),
    "bid.yaml": (".", "bid.yaml", None, "bid.yaml"),
}


@pytest.mark.parametrize("case", CASES)
def test_a_theme_template_that_is_no_template_of_the_theme_is_refused(case, tmp_path):
    folder, included, link, named = CASES[case]
    bid = _themed(tmp_path, folder, included, link)
    run = check_here(str(bid), "--format", "json")
    found = [f for f in run.json()["findings"] if f["rule"] == "THM005"]
    assert found, run.stdout
    assert "is not a template of the theme's folder" in found[0]["message"] and f"leads to '{named}'" in found[0]["message"]
    assert found[0]["file"].endswith("vision.html.j2") and found[0]["line"] == 1
    output = tmp_path / "public.pdf"
    build = run_bidkit("build", str(bid), "--variant", "public", "-o", str(output), "--no-cache")
    assert build.code == 1 and not output.exists(), build.stdout + build.stderr
    assert PRIVATE not in build.stdout + build.stderr


def test_a_link_to_another_template_of_the_theme_is_still_a_template(tmp_path):
    bid = _themed(tmp_path, "theme/templates", "part.html.j2", ("part.html.j2", "own/part.html.j2"))
    (bid / "theme" / "templates" / "own").mkdir()
    (bid / "theme" / "templates" / "own" / "part.html.j2").write_text("<p>Eigener Teil der Vision.</p>\n", encoding="utf-8")
    run = check_here(str(bid), "--format", "json")
    assert not [f for f in run.json()["findings"] if f["rule"] == "THM005"], run.stdout
