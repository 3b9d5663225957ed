"""Issue 12 (chk9): the shortcuts of the large bid's check give what the direct computation gives.

VAR002 dumps only the sections a variant changes and takes the rest from the bid's own dump; a
removed value is made once; the folded texts and words of a large bid come from the cache folder;
TXT006, TXT007 and VAR004 pass over texts their patterns cannot match. Each test holds one of them
to the plain way.
"""

from __future__ import annotations

import json
import re
import shutil
import unicodedata

import pytest

from bidkit import variants
from bidkit.loader import load_bid
from bidkit.models import Removal
from bidkit.rules import words
from bidkit.rules.registry import RuleContext
from bidkit.yamlio import iter_strings
from conftest import EXAMPLE, run_bidkit
from test_chk8b_shared import HOSTILE


def _context(bid_dir) -> RuleContext:
    loaded = load_bid(bid_dir)
    return RuleContext(loaded.checked, loaded.call, loaded.bid_dir, frozenset(loaded.broken), frozenset(loaded.partial))


def _variants(bid) -> list[variants.DocumentVariant]:
    """The bid's own, and variants that remove everything the vocabulary names and fields by path."""
    return [*variants.defined(bid).values(),
            variants.DocumentVariant("all", "Alles", frozenset(Removal)),
            variants.DocumentVariant("fields", "Felder", frozenset({Removal.CONTACT}),
                                     ("measures[].lead", "budget.note", "vision", "annexes", "partners[].letter")),
            variants.DocumentVariant("none", "Nichts", frozenset())]


@pytest.fixture(scope="module")
def example() -> RuleContext:
    return _context(EXAMPLE)


def test_a_variants_dump_from_the_bids_own_is_its_whole_dump(example):
    assert example.raw_data is not None  # the example's texts are composed as they stand
    assert json.dumps(example.raw_data) == json.dumps(example.bid.model_dump(mode="json", exclude_none=True, warnings=False))
    for variant in _variants(example.bid):
        whole = variants.redact(example.bid, variant).model_dump(mode="json", exclude_none=True, warnings=False)
        shared, changed = variants.redacted_dump(example.bid, variant, example.raw_data)
        assert json.dumps(shared) == json.dumps(whole)  # the same keys, values and order
        assert {name for name in whole if whole.get(name) != example.raw_data.get(name)} <= changed
        # and the dump the search reads once for all variants is left as it was
        assert json.dumps(example.raw_data) == json.dumps(example.bid.model_dump(mode="json", exclude_none=True, warnings=False))


def test_the_sections_stand_where_texts_gathers_them(example):
    texts = example.texts
    assert sorted(end - start for start, end in example.sections.values()) and \
        sum(end - start for start, end in example.sections.values()) == len(texts)
    for name, (start, end) in example.sections.items():
        assert all(path[0] == name for path, _ in texts[start:end])


def test_a_composed_text_keeps_the_search_on_its_own_dump(tmp_path):
    bid = tmp_path / "bid"
    shutil.copytree(EXAMPLE, bid)
    text = (bid / "bid.yaml").read_text(encoding="utf-8")
    assert "ü" in text
    (bid / "bid.yaml").write_text(text.replace("ü", "u\u0308"), encoding="utf-8")
    ctx = _context(bid)
    dump = ctx.bid.model_dump(mode="json", exclude_none=True, warnings=False)
    decomposed = any(not unicodedata.is_normalized("NFC", text) for _, text in iter_strings(dump))
    assert decomposed
    assert ctx.raw_data is None  # the dump was composed: not the model's own texts
    assert "u\u0308" not in json.dumps(ctx.data, ensure_ascii=False)


def _quoting_bid(tmp_path):
    """The example whose texts quote the contact's e-mail, name and phone, a signatory and a private supporter."""
    import yaml

    bid = tmp_path / "bid"
    shutil.copytree(EXAMPLE, bid)
    data = yaml.safe_load((bid / "bid.yaml").read_text(encoding="utf-8"))
    contact = data["contact"]
    quote = f" Fragen an {contact['name']} ({contact['email']}, Tel. {contact.get('phone', '0551 400-1234')}); Frau Anna Müller hilft."
    text = (bid / "bid.yaml").read_text(encoding="utf-8")
    (bid / "bid.yaml").write_text(text + f"\nsupporters: {{file: unterstuetzer.csv, note: \"{quote.strip()}\"}}\n",
                                  encoding="utf-8")
    (bid / "unterstuetzer.csv").write_text("Name;Art;Ort;Datum;Privat\nAnna Müller;Bürgerin;Göttingen;01.03.2017;\n"
                                           "Hüseyin Çelik;Verein;Göttingen;01.03.2017;ja\n", encoding="utf-8")
    return bid


def test_the_search_with_the_shared_dump_finds_what_the_whole_dump_finds(tmp_path, example):
    from bidkit.rules.supporters import _register

    for ctx in (example, _context(_quoting_bid(tmp_path))):
        register = _register(ctx)
        sections = {name: dict.fromkeys(text for _, text in ctx.texts[start:end]) for name, (start, end) in ctx.sections.items()}
        hits = 0
        for variant in _variants(ctx.bid):
            found = variants.secrets(ctx.bid, variant, register)
            shared = list(variants.quoted(ctx.bid, variant, found, (ctx.raw_data, sections)))
            assert shared == list(variants.quoted(ctx.bid, variant, found))
            hits += len(shared)
        assert ctx is example or hits


def test_each_removed_value_once_and_none_the_public_address_shows(tmp_path):
    from bidkit.rules.supporters import _register

    ctx = _context(_quoting_bid(tmp_path))
    public = variants._public_values(ctx.bid)
    for variant in _variants(ctx.bid):
        found = variants.secrets(ctx.bid, variant, _register(ctx))
        keys = [(secret.text, secret.digits) for secret in found]
        assert len(keys) == len(set(keys))
        assert not any((s.text if s.digits else variants.squeezed(s.text)) in public for s in found)


def test_check_reports_the_same_quotes_with_the_searches_kept(tmp_path, monkeypatch):
    """VAR002 on a bid whose texts quote removed values: the same report with the large searches kept
    (KEPT_FROM lowered so that the example's texts are kept), read back, and worked out."""
    bid = _quoting_bid(tmp_path)
    cache = tmp_path / "cache"
    plain = run_bidkit("check", str(bid), "--format", "json", env={"BIDKIT_CACHE_DIR": str(cache)})
    assert "VAR002" in plain.stdout
    monkeypatch.setattr(variants, "KEPT_FROM", 0)
    from conftest import check_here

    kept = [check_here(str(bid), "--format", "json") for _ in range(2)]
    assert [run.stdout for run in kept] == [plain.stdout] * 2 and {run.code for run in kept} == {plain.code}


def test_a_kept_search_result_is_the_worked_out_one(tmp_path, monkeypatch):
    monkeypatch.setenv("BIDKIT_CACHE_DIR", str(tmp_path / "cache"))
    text = "\0".join(HOSTILE * 200)
    assert len(text) >= variants.KEPT_FROM
    assert variants.kept_result("squeezed", text, variants.squeezed) == variants.squeezed(text)  # worked out, kept
    (entry,) = (tmp_path / "cache" / "search").glob("*.bin")
    assert variants.kept_result("squeezed", text, lambda _: pytest.fail("worked out again")) == variants.squeezed(text)
    # another text, another kind: another entry
    assert variants.kept_result("squeezed", text + "x", variants.squeezed) == variants.squeezed(text + "x")
    listed = variants.kept_result("words", text, lambda joined: sorted(variants.text_words(joined.split("\0"))))
    assert set(listed) == variants.text_words(HOSTILE)
    assert variants.searched_words(HOSTILE * 200) == variants.text_words(HOSTILE)
    # a damaged entry is worked out again
    blob = entry.read_bytes()
    for damaged in (blob[:40], blob[:-1] + bytes([blob[-1] ^ 1]), b""):
        entry.write_bytes(damaged)
        assert variants.kept_result("squeezed", text, variants.squeezed) == variants.squeezed(text)
    # short texts are not kept
    before = set((tmp_path / "cache" / "search").glob("*.bin"))
    assert variants.kept_result("squeezed", "kurz", variants.squeezed) == "kurz"
    assert set((tmp_path / "cache" / "search").glob("*.bin")) == before


def test_another_bidkit_version_does_not_read_a_kept_search(monkeypatch):
    import bidkit

    before = variants._fingerprint()
    variants._fingerprint.cache_clear()
    monkeypatch.setattr(bidkit, "__version__", bidkit.__version__ + ".post1")
    try:
        assert variants._fingerprint() != before
    finally:
        variants._fingerprint.cache_clear()


MARKDOWN = ["| a | b |\n|---|---|", "Text\n# Überschrift", "  ## Zwei", "![Bild](x.png)", "Satz\n• Punkt",
            "Satz\n– eins\n– zwei", "Satz\na) eins\nb) zwei", "kein | Tisch", "#hashtag", "! [nein]", "a)\nb)"]


def test_txt007_passes_over_only_texts_its_patterns_cannot_match(example):
    texts = [text for _, text in example.texts] + HOSTILE + MARKDOWN
    assert len(words._NEEDED) == len(words._UNREAD)
    for (pattern, *_), needed in zip(words._UNREAD, words._NEEDED):
        assert any(pattern.search(text) for text in MARKDOWN)
        for text in texts:
            if pattern.search(text):
                assert needed in text
        # what it needs is in every match it can make: the pattern's own text names it
        assert needed in pattern.pattern.replace("\\n", "\n").replace("\\[", "[").replace("\\|", "|")


def test_txt006_passes_over_only_texts_too_short_for_a_run():
    minimum = re.compile(words._UNBROKEN.pattern)
    import re._parser as parser

    assert parser.parse(minimum.pattern).getwidth()[0] == words.MAX_RUN + 1


def test_var004_passes_over_only_texts_without_anlage(example):
    for text in [text for _, text in example.texts] + HOSTILE + ["Anlagen 2 und 4", "ANLAGE 3", "anlage 3"]:
        if "Anlage" not in text:
            assert variants.cited_annexes(text) == []
