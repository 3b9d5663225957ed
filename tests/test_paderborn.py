"""The second example bid (examples/paderborn): written from `init`'s skeleton, it checks clean
and builds."""

from __future__ import annotations

from bidkit.check import check_bid
from bidkit.findings import Severity
from bidkit.scaffold import skeleton_files
from bidkit.call_profiles import shipped_call

from conftest import PADERBORN, pdf_text


def test_paderborn_passes_check_without_errors_or_warnings():
    result, loaded = check_bid(PADERBORN)
    assert [(f.rule, f.message) for f in result.findings if f.severity is not Severity.INFO] == []
    bid = loaded.bid
    assert bid.city.name == "Paderborn" and bid.mou.title.startswith("Letter of Intent")
    assert len(bid.partners) > 12
    # Multi-year budget in the millions, totals computed, Land and industry partly unsecured.
    assert [y.year for y in bid.budget.years] == [2017, 2018, 2019]
    assert bid.budget.total == 6_910_000
    unsecured = {f.kind.value for y in bid.budget.years for f in y.funding if not f.secured}
    assert {"land", "industrie"} <= unsecured
    # Every measure's cost comes from its budget lines.
    assert all(m.cost is not None for m in bid.measures)


def test_paderborn_has_the_files_init_writes():
    written = set(skeleton_files("Paderborn", shipped_call("bitkom-digitale-stadt-2017"))) | {"bid.schema.json"}
    written.add("unterstuetzer.csv")  # the register of supporters, generated (benchmarks/generate_bid.py)
    written.add("anlagen")  # five invented scans of letters of support (anlagen/scans.py)
    assert {p.name for p in PADERBORN.iterdir()} == written


def test_paderborn_builds(paderborn_pdf):
    out = paderborn_pdf
    text = "\n".join(pdf_text(out))
    assert "Local Open Data" in text
    # MoU parties named by partner id are shown under the partner's name.
    assert "Kreis Paderborn" in text and "PaderSprinter GmbH" in text
    # A computed measure cost and a computed year total.
    assert "1.100.000 €" in text and "3.210.000 €" in text
