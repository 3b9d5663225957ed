"""A call file of the bid's own that takes a shipped call's id must be that call (rt5 D25): a copy
of the shipped profile with a minimum own share of 20 % for 35 % reported „no errors“ under the
shipped call's id, and a reviewer running `check` on a received folder could not tell."""

from __future__ import annotations

from bidkit.call_profiles import shipped_calls
from conftest import check_here, edit


def test_a_relaxed_copy_under_the_shipped_id_is_an_error(bid):
    text = shipped_calls()["bitkom-digitale-stadt-2017"].read_text(encoding="utf-8")
    (bid / "calls").mkdir()
    (bid / "calls" / "bitkom.yaml").write_text(text.replace("page_limit: 30", "page_limit: 300"), encoding="utf-8")
    edit(bid / "bid.yaml", "call: bitkom-digitale-stadt-2017", "call: ./calls/bitkom.yaml")
    run = check_here(str(bid), "--format", "json")
    assert run.code == 1
    [error] = [f for f in run.json()["findings"] if f["rule"] == "CAL002"]
    assert error["file"].endswith("calls/bitkom.yaml") and error["path"] == "id", error
    assert "page_limit (300; the shipped call: 30)" in error["message"]
    # the same copy unchanged is the shipped call: no finding
    (bid / "calls" / "bitkom.yaml").write_text(text, encoding="utf-8")
    assert check_here(str(bid)).code == 0
