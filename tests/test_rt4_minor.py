"""rt4's minor observations: the summary line names the bid the same way with and without errors."""

from __future__ import annotations

from conftest import edit, run_bidkit


def test_summary_line_names_the_bid_by_its_title_with_errors_too(bid):
    clean = run_bidkit("check", str(bid)).stdout.splitlines()[-1]
    assert clean.startswith("✓ #WolfsburgDigital: no errors")
    edit(bid / "budget.yaml", "          amount: 500000", "          amount: 450000")
    run = run_bidkit("check", str(bid))
    assert run.code == 1
    assert run.stdout.splitlines()[-1].startswith("✗ #WolfsburgDigital: 1 error(s)"), run.stdout.splitlines()[-1]
