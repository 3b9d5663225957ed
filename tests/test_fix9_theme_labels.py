"""bidkit's labels in columns of fixed width stay whole under a theme's letter and word spacing
(rt9b E7: a theme within THM004's ranges, ``html { letter-spacing: 0.2em; word-spacing: 0.5em; … }``,
broke a measure's „Verantwortlich“ into „Verantwor|tlich“)."""

from __future__ import annotations

import pytest

from conftest import edit, pdf_text, run_bidkit

THEME = "html { font-size: 18pt; letter-spacing: 0.2em; word-spacing: 0.5em; line-height: 3; }\n"
LABELS = ("Verantwortlich", "Zeitraum", "Kosten", "Ziele", "Partner")


@pytest.mark.slow
def test_a_themes_spacing_leaves_the_fact_labels_whole(bid, tmp_path):
    (bid / "theme" / "extra.css").write_text(THEME, encoding="utf-8")
    edit(bid / "bid.yaml", '  accent_color: "#6f8fb0"\n', '  accent_color: "#6f8fb0"\n  stylesheet: theme/extra.css\n')
    output = tmp_path / "themed.pdf"
    run = run_bidkit("build", str(bid), "-o", str(output), "--no-cache")
    assert run.code == 0, run.stdout + run.stderr
    lines = [line.strip() for page in pdf_text(output) for line in page.splitlines()]
    assert lines.count("Verantwortlich") >= 4, [line for line in lines if line.startswith("Verant")]
    broken = [line for line in lines if any(label.startswith(line) and line != label and len(line) >= 4 for label in LABELS)]
    assert broken == []
