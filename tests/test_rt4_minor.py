"""rt4's minor observations: the summary line names the bid the same way with and without errors;
`check --pdf` says when the PDF is another bid's."""

from __future__ import annotations

from conftest import PADERBORN, edit, run_bidkit


def test_summary_line_names_the_bid_by_its_title_with_errors_too(bid):
    clean = run_bidkit("check", str(bid)).stdout.splitlines()[-1]
    assert clean.startswith("✓ #WolfsburgDigital: no errors")
    edit(bid / "budget.yaml", "          amount: 500000", "          amount: 450000")
    run = run_bidkit("check", str(bid))
    assert run.code == 1
    assert run.stdout.splitlines()[-1].startswith("✗ #WolfsburgDigital: 1 error(s)"), run.stdout.splitlines()[-1]


def test_check_pdf_refuses_the_pdf_of_another_bid(example_pdf):
    other = run_bidkit("check", str(PADERBORN), "--pdf", str(example_pdf), "--format", "json")
    assert other.code == 1
    found = [f for f in other.json()["findings"] if f["rule"] == "PDF003"]
    assert len(found) == 1 and "#WolfsburgDigital" in found[0]["message"], found
    own = run_bidkit("check", "bid_data", "--pdf", str(example_pdf), "--format", "json")
    assert own.code == 0 and "PDF003" not in {f["rule"] for f in own.json()["findings"]}
