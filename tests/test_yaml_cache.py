"""A YAML file read before comes from the user's cache folder (bidkit.yamlio._cached): the same data,
types and places as parsing it, and a damaged entry is a miss."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from bidkit import yamlio
from bidkit.yamlio import YamlMap, YamlSeq, YamlSyntaxError, load_document

REPO = Path(__file__).resolve().parent.parent

TEXT = """\
title: Digitale Stadt #Zukunft
amount: 1200.50
count: 7
flag: true
off: no
none: ~
inf: .inf
day: 2026-03-01
bad_day: 2026-02-30
stamp: 2026-03-01 12:30:00 +02:00
2026: Jahr
vision: |
  Erste Zeile
  zweite Zeile
items:
  - plain
  - "quoted"
  - |
    block
  - {a: 1, b: [x, 2.0]}
  - []
nested:
  deep: {inner: {leaf: Text}}
"""


def same(a, b) -> bool:
    """Equal data of equal types, with equal places (key, value, item marks and block texts)."""
    if a.__class__ is not b.__class__:
        return False
    if isinstance(a, YamlMap):
        return (list(a) == list(b) and a.mark == b.mark and a.key_marks == b.key_marks
                and a.value_marks == b.value_marks and a.block_text == b.block_text and all(same(a[k], b[k]) for k in a))
    if isinstance(a, YamlSeq):
        return (len(a) == len(b) and a.mark == b.mark and a.item_marks == b.item_marks and a.block_text == b.block_text
                and all(same(x, y) for x, y in zip(a, b)))
    return a == b and str(a) == str(b)


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("BIDKIT_CACHE_DIR", str(folder))
    return folder


def entries(cache: Path) -> list[Path]:
    return sorted((cache / "yaml").glob("*.bin"))


def test_a_kept_file_gives_the_data_types_and_places_of_parsing(tmp_path, cache, monkeypatch):
    path = tmp_path / "bid.yaml"
    path.write_text(TEXT, encoding="utf-8")
    parsed = load_document(path)
    assert len(entries(cache)) == 1
    monkeypatch.setattr(yamlio, "_parsed", lambda *args: pytest.fail("parsed again"))
    kept = load_document(path)
    assert same(parsed.data, kept.data)
    assert isinstance(kept.data["amount"], Decimal) and str(kept.data["amount"]) == "1200.50"
    assert kept.data["flag"] is True and kept.data["off"] == "no" and kept.data[2026] == "Jahr"
    assert kept.data["day"] == dt.date(2026, 3, 1) and kept.data["bad_day"] == "2026-02-30"
    assert kept.data["stamp"] == dt.datetime(2026, 3, 1, 12, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert kept.swallowed == parsed.swallowed and kept.swallowed[0].comment == "#Zukunft"
    assert kept.locate(("items", 3, "b", 1)) == parsed.locate(("items", 3, "b", 1))
    assert kept.locate_in_text(("vision",), 13) == parsed.locate_in_text(("vision",), 13)


@pytest.mark.parametrize("folder", ["bid_data", "examples/paderborn"])
def test_the_examples_files_come_back_the_same(folder, cache):
    for path in sorted((REPO / folder).glob("*.yaml")):
        parsed = load_document(path)
        kept = yamlio._cached(yamlio._entry(path.read_text(encoding="utf-8")), path)
        assert kept is not None and same(parsed.data, kept.data), path.name


def test_the_place_is_the_file_read_not_the_file_kept(tmp_path, cache):
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    for path in (first, second):
        path.write_text("title: A #B\n", encoding="utf-8")
    load_document(first)
    assert load_document(second).swallowed[0].location.file == second


@pytest.mark.parametrize("damage", [
    lambda blob: blob[:len(blob) // 2],  # cut short
    lambda blob: blob[:-1] + bytes([blob[-1] ^ 1]),  # one bit flipped
    lambda blob: b"",
    lambda blob: b"not an entry at all",
])
def test_a_damaged_entry_is_a_miss(tmp_path, cache, damage):
    path = tmp_path / "bid.yaml"
    path.write_text(TEXT, encoding="utf-8")
    parsed = load_document(path)
    [entry] = entries(cache)
    entry.write_bytes(damage(entry.read_bytes()))
    assert yamlio._cached(entry, path) is None
    assert same(load_document(path).data, parsed.data)
    assert yamlio._cached(entry, path) is not None  # written again whole


def test_an_entry_that_decodes_to_nonsense_is_a_miss(tmp_path, cache):
    import hashlib
    import marshal

    path = tmp_path / "bid.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    load_document(path)
    [entry] = entries(cache)
    payload = marshal.dumps((("m", (0, 0), ("a", "a"), (1, 2), ((0, 0),), ((0, 3),), ()), []))  # a duplicate key
    entry.write_bytes(yamlio._MAGIC + hashlib.sha256(payload).digest() + payload)
    assert yamlio._cached(entry, path) is None
    assert load_document(path).data == {"a": 1}


def test_an_edit_is_read_anew(tmp_path, cache):
    path = tmp_path / "bid.yaml"
    path.write_text("title: Alt\n", encoding="utf-8")
    assert load_document(path).data == {"title": "Alt"}
    path.write_text("title: Neu\n", encoding="utf-8")
    assert load_document(path).data == {"title": "Neu"}
    assert len(entries(cache)) == 2


def test_a_broken_file_is_never_kept(tmp_path, cache):
    path = tmp_path / "bid.yaml"
    for text in ("a: [1\n", "a: 1\na: 2\n", "a: !!python/name:os.system x\n"):
        path.write_text(text, encoding="utf-8")
        with pytest.raises(YamlSyntaxError):
            load_document(path)
        with pytest.raises(YamlSyntaxError):  # and reported again, not taken from the cache
            load_document(path)
    assert entries(cache) == []


def test_a_cache_folder_that_cannot_be_written_is_no_cache(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("BIDKIT_CACHE_DIR", str(blocker / "cache"))  # below a file: no folder can be made
    path = tmp_path / "bid.yaml"
    path.write_text(TEXT, encoding="utf-8")
    assert same(load_document(path).data, load_document(path).data)


def test_entries_beyond_the_bound_go_oldest_first(tmp_path, cache, monkeypatch):
    monkeypatch.setattr(yamlio, "MAX_CACHED", 4)
    path = tmp_path / "bid.yaml"
    for number in range(6):
        path.write_text(f"n: {number}\n", encoding="utf-8")
        load_document(path)
    assert 1 <= len(entries(cache)) <= 4
    assert yamlio._cached(yamlio._entry("n: 5\n"), path) is not None
