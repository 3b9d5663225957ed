"""`bidkit init DIR --city … --call ./my-call.yaml`: a skeleton for a call file of one's own, which
the new folder keeps in `calls/` and bid.yaml names (rt6 minor: it was "no shipped call")."""

from __future__ import annotations

from pathlib import Path

from bidkit.check import check_bid
from bidkit.scaffold import init_skeleton
from conftest import run_bidkit

SHIPPED = Path(__file__).parent.parent / "bidkit" / "calls" / "modellprojekte-smart-cities.yaml"


def _own_call(folder: Path, **changes: str) -> Path:
    text = SHIPPED.read_text(encoding="utf-8").replace("id: modellprojekte-smart-cities", "id: land-digital-2026", 1)
    for old, new in changes.items():
        text = text.replace(old, new, 1)
    path = folder / "land-digital.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_skeleton_for_a_call_of_ones_own_keeps_the_call_and_checks_by_it(tmp_path):
    call = _own_call(tmp_path, **{"page_limit: 40": "page_limit: 12"})
    run = run_bidkit("init", str(tmp_path / "bid"), "--city", "Mühlstätt", "--call", "./land-digital.yaml", cwd=tmp_path)
    assert run.code == 0, run.stderr
    bid = tmp_path / "bid"
    assert (bid / "calls" / "land-digital.yaml").read_bytes() == call.read_bytes()
    assert "\ncall: ./calls/land-digital.yaml\n" in (bid / "bid.yaml").read_text(encoding="utf-8")
    result, loaded = check_bid(bid)
    assert loaded.call.id == "land-digital-2026" and loaded.call.page_limit == 12
    # the copied call file is the call, not a part of the bid
    assert not [f for f in result.findings if f.location.file == bid / "calls" / "land-digital.yaml"]
    shipped = tmp_path / "shipped"
    init_skeleton(shipped, city="Mühlstätt", call_id="modellprojekte-smart-cities")
    assert sorted(f.rule for f in check_bid(shipped)[0].findings) == sorted(f.rule for f in result.findings)


def test_a_call_file_that_is_missing_or_contradicts_itself_writes_nothing(tmp_path):
    run = run_bidkit("init", str(tmp_path / "a"), "--city", "X", "--call", "./nope.yaml", cwd=tmp_path)
    assert run.code == 2 and "no call file './nope.yaml'" in run.stderr and not (tmp_path / "a").exists()
    _own_call(tmp_path, **{"id: land-digital-2026": "id: modellprojekte-smart-cities"}).write_text(
        SHIPPED.read_text(encoding="utf-8").replace("page_limit: 40", "page_limit: 3"), encoding="utf-8")
    run = run_bidkit("init", str(tmp_path / "b"), "--city", "X", "--call", "land-digital.yaml", cwd=tmp_path)
    assert run.code == 2 and "CAL002" in run.stderr and "calls show land-digital.yaml" in run.stderr
    assert "Traceback" not in run.stderr and not (tmp_path / "b").exists()
