"""A file named in the YAML with composed letters ('ü', NFC) while the folder stores it decomposed
('u' + U+0308, NFD, as macOS and some archives do) looks the same on screen: the finding says so,
instead of suggesting the identical-looking name (red team rt3, row 13)."""

from __future__ import annotations

import shutil
import unicodedata

from conftest import EXAMPLE, check_here


def test_a_name_that_differs_only_in_normalisation_is_explained(tmp_path):
    bid = tmp_path / "bid"
    shutil.copytree(EXAMPLE, bid)
    composed = "anlagen/kennzahlen-übersicht.csv"
    (bid / "anlagen" / "kennzahlen.csv").rename(bid / unicodedata.normalize("NFD", composed))
    text = (bid / "bid.yaml").read_text(encoding="utf-8").replace("file: anlagen/kennzahlen.csv", f"file: {composed}")
    (bid / "bid.yaml").write_text(text, encoding="utf-8")
    run = check_here(str(bid))
    assert run.code == 1, run.stdout
    assert "ANX001" in run.stdout and "other Unicode code points for the same letters" in run.stdout
    assert "Did you mean" not in run.stdout
