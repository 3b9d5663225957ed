"""Runs that only cost layout time reach WeasyPrint shortened (rt9b E15): white space longer than 64
characters as one space (a run of spaces shows as one anyway; WeasyPrint 70 takes time in the square
of its length), and in a draft TXT006's runs without a place to break cut around „…“."""

from __future__ import annotations

import json
import re

import pytest

from bidkit.render.html import MAX_SPACE_RUN, tamed
from conftest import pdf_text, run_bidkit


def test_white_space_runs_in_text_become_one():
    assert tamed("<p>a" + " " * 100 + "b</p>") == "<p>a b</p>"
    assert tamed("<p>a" + "\u3000" * 100_000 + "b</p>") == "<p>a\u3000b</p>"
    assert tamed("<p>a\n" + " \n" * 50 + "b</p>") == "<p>a\nb</p>"  # a line break stays one
    kept = "<p>a" + " " * MAX_SPACE_RUN + "b</p>"
    assert tamed(kept) == kept  # shorter runs are as written


def test_tags_style_sheets_and_addresses_stay():
    html = ('<style>x' + " " * 100 + '</style><a href="https://a.example/' + "z" * 400 + '">' + "k" + "</a>"
            '<img alt="' + "a" * 300 + '">')
    assert tamed(html) == html


def test_a_run_without_a_break_is_cut_around_an_ellipsis_without_splitting_an_entity():
    text = tamed("<p>" + "x" * 150 + "&amp;" + "y" * 300 + " fertig</p>")
    assert text == "<p>" + "x" * 100 + "…" + "y" * 40 + " fertig</p>"
    text = tamed("<p>" + "x" * 98 + "&amp;" + "y" * 300 + "</p>")
    assert text == "<p>" + "x" * 98 + "…" + "y" * 40 + "</p>"


@pytest.mark.slow
def test_a_bid_with_such_runs_builds_with_them_shortened(bid, tmp_path):
    manifest = bid / "bid.yaml"
    text = manifest.read_text(encoding="utf-8")
    vision = "Wolfsburg will" + " " * 100_000 + "digitale Modellstadt werden." + "\u3000" * 20_000 + "Ende. " + "[" * 5_000 + "x"
    start, end = text.index("vision: |"), text.index("starting_situation:")
    manifest.write_text(text[:start] + f"vision: {json.dumps(vision)}\n\n" + text[end:], encoding="utf-8")
    output, html = tmp_path / "draft.pdf", tmp_path / "draft.html"
    run = run_bidkit("build", str(bid), "--draft", "-o", str(output), "--html", str(html), "--no-cache")
    assert run.code == 0, run.stdout + run.stderr
    written = html.read_text(encoding="utf-8")
    assert not re.search(r"\s{%d}" % (MAX_SPACE_RUN + 1), re.sub(r"<style>.*?</style>", "", written, flags=re.S))
    assert "will digitale Modellstadt werden.\u3000Ende." in written and "[" * 100 + "…" + "[" * 39 + "x" in written
    assert "Wolfsburg will digitale Modellstadt werden." in "\n".join(pdf_text(output))
