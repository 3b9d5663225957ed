"""`check` reads a text in time linear in its length, whatever the text (rt5 D16): TXT006's link
pattern searched each `](` to the end of the text, so 90 KB of `](` took 10 s and 1 MB an hour.
Each pathological text below is 1 MB; quadratic work on it would take hours, so the bound of the
subprocess is a hang guard, not a speed goal."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from conftest import REPO

PATHOLOGICAL = {"brackets": "](", "open": "[", "stars": "*a", "underscores": "_", "quotes": '"', "dashes": "-- ",
                "digits": "1.", "links": "[a](b", "own-share": "Eigenanteil 12,5 % 3 464,70 € ", "images": "![a"}


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_check_is_linear_in_a_pathological_text(bid, name):
    text = (PATHOLOGICAL[name] * (1_000_000 // len(PATHOLOGICAL[name]))).replace("\\", "")
    bid_yaml = bid / "bid.yaml"
    source = bid_yaml.read_text(encoding="utf-8")
    # the vision's block (its lines indented) becomes one quoted line of the text
    source = re.sub(r"^vision: \|\n(?:(?:  .*)?\n)+?(?=\S)", lambda _: "vision: " + json.dumps(text) + "\n", source, flags=re.M)
    bid_yaml.write_text(source, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "bidkit", "check", str(bid), "--format", "json"], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    rules = {f["rule"] for f in json.loads(proc.stdout)["findings"]}
    assert not any(code.startswith(("YML", "SCH")) for code in rules), rules  # the text was read and judged
    assert "TXT003" in rules  # longer than the call allows: the rules saw it
