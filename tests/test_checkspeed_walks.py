"""Issue 12: the rules' shared walks over the bid, done once per check, give what the plain walks gave."""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

from bidkit.loader import load_bid
from bidkit.rules import annexes as annex_rules
from bidkit.rules.registry import RuleContext
from bidkit.yamlio import iter_strings
from conftest import EXAMPLE


def _composed(value):
    """The plain walk: a copy of ``value`` with every string in NFC."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {key: _composed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_composed(item) for item in value]
    return value


def _context(bid_dir: Path) -> RuleContext:
    loaded = load_bid(bid_dir)
    return RuleContext(loaded.checked, loaded.call, loaded.bid_dir, frozenset(loaded.broken), frozenset(loaded.partial))


def test_data_and_texts_in_one_walk_are_the_plain_walks(tmp_path):
    bid = tmp_path / "bid"
    shutil.copytree(EXAMPLE, bid)
    text = (bid / "bid.yaml").read_text(encoding="utf-8")
    decomposed = unicodedata.normalize("NFD", "Göttingen")
    assert "vision:" in text
    (bid / "bid.yaml").write_text(text.replace("vision:", f"vision: {decomposed} und", 1) if "vision: |" not in text
                                  else text.replace("vision: |\n", f"vision: |\n  {decomposed}\n", 1), encoding="utf-8")
    ctx = _context(bid)
    dumped = ctx.bid.model_dump(mode="json", exclude_none=True, warnings=False)
    assert decomposed in str(dumped)
    assert ctx.data == _composed(dumped)
    assert ctx.texts == list(iter_strings(_composed(dumped)))
    assert any("Göttingen" in text for _, text in ctx.texts) and not any(decomposed in text for _, text in ctx.texts)
    assert ctx.bid.model_dump(mode="json", exclude_none=True, warnings=False) == dumped  # the bid itself unchanged


def test_annexes_are_resolved_once_per_check_with_the_same_answers(tmp_path, monkeypatch):
    bid = tmp_path / "bid"
    shutil.copytree(EXAMPLE, bid)
    (bid / "anlagen" / "unterstuetzung-ostfalia.pdf").unlink()
    ctx = _context(bid)
    calls = []
    resolve = annex_rules.bid_file
    monkeypatch.setattr(annex_rules, "bid_file", lambda *args, **kwargs: calls.append(args) or resolve(*args, **kwargs))
    first_errors, first_pdfs = list(annex_rules.annex_path_errors(ctx)), list(annex_rules.pdf_annexes(ctx))
    resolved = len(calls)
    assert [annex.file for annex, _ in first_errors] == ["anlagen/unterstuetzung-ostfalia.pdf"]
    assert first_pdfs and all(annex.is_pdf for annex, _ in first_pdfs)
    assert list(annex_rules.annex_path_errors(ctx)) == first_errors and list(annex_rules.pdf_annexes(ctx)) == first_pdfs
    assert len(calls) == resolved
