"""Issue 12 (chk9): the supporters' register read back from the cache folder is the register parsed.

``bidkit.supporters`` keeps a parsed register as marshal data under the sha256 of the file's bytes,
its name and path and of what parsing depends on. Each test holds what comes back to a direct parse
(``_read``): every supporter with every cell's place, every problem with its place; a changed file,
a damaged entry and another bidkit version are misses; and a check's output is the same with the
register kept and without.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

import pytest

from bidkit import supporters
from bidkit.findings import Location
from bidkit.models import SupporterRegister
from bidkit.records import from_fields
from conftest import EXAMPLE, REPO, run_bidkit

sys.path.insert(0, str(REPO / "benchmarks"))
from generate_bid import supporters_csv  # noqa: E402

#: Rows that break each way a row can: short, long, control characters, unknown kinds, bad dates, Privat.
HOSTILE_ROWS = [
    "Anna Müller;Bürgerin;Göttingen;01.03.2017;;ja",
    "Kai-Uwe Schröder-Nguyễn;Verein;Łęknica;2017-03-02;scans/a.pdf;nein",
    "Zu kurz;Verein",
    "Zu lang;Verein;Ort;01.03.2017;;;;x",
    "Steuer\x07zeichen;Verein;Ort;01.03.2017;;",
    ";Firma;Ort;01.03.2017;;",
    "Unbekannt;Raumschiff;Ort;01.03.2017;;",
    "Datum;Verein;Ort;1.3.17;;",
    "Privat;Verein;Ort;01.03.2017;;vielleicht",
    '"Verein; e.V.";Verein;Ort;01.03.2017;;x',
    "O’Sullivan;Bürger;Ort;31.02.2017;;",
]


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("BIDKIT_CACHE_DIR", str(folder))
    supporters._parsed.cache_clear()
    yield folder
    supporters._parsed.cache_clear()


def _register_file(folder: Path, text: str, name: str = "unterstuetzer.csv") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def _read(bid_dir: Path, name: str = "unterstuetzer.csv") -> supporters.Register:
    supporters._parsed.cache_clear()  # this process's own memo: each read goes to the cache folder
    return supporters.read_register(bid_dir, SupporterRegister(file=name))


def _direct(bid_dir: Path, name: str = "unterstuetzer.csv") -> supporters.Register:
    path = bid_dir / name
    return supporters._read(name, path, path.read_bytes())


def _same(kept: supporters.Register, parsed: supporters.Register) -> None:
    assert kept == parsed
    assert [dict(s.cells) for s in kept.supporters] == [dict(s.cells) for s in parsed.supporters]
    assert [s.cells.get("date") for s in kept.supporters] == [s.cells.get("date") for s in parsed.supporters]
    assert [(p.line, p.message, p.hint, p.location) for p in kept.problems] == \
           [(p.line, p.message, p.hint, p.location) for p in parsed.problems]
    assert [type(s.date) for s in kept.supporters] == [type(s.date) for s in parsed.supporters]
    assert supporters.same_register(kept, parsed)


REGISTERS = {
    "generated": supporters_csv(500, "Wolfsburg", dt.date(2017, 3, 15), scan="anlagen/brief.pdf"),
    "hostile": "Name;Art;Ort;Datum;Scan;Privat\n" + "\n".join(HOSTILE_ROWS) + "\n",
    "english, comma": "name,kind,place,date\nAnn Lee,citizen,York,2017-03-01\nBob,company,Leeds,2017-02-30\n",
    "no header columns": "Wer;Was\nA;B\n",
    "empty": "",
    "not utf-8": None,
}


@pytest.mark.parametrize("name", list(REGISTERS))
def test_a_kept_register_is_the_parsed_one(cache, tmp_path, name):
    bid_dir = tmp_path / "bid"
    bid_dir.mkdir()
    text = REGISTERS[name]
    if text is None:
        (bid_dir / "unterstuetzer.csv").write_bytes("Name;Art;Ort;Datum\nJürgen;Bürger;Köln;01.03.2017\n".encode("cp1252"))
    else:
        _register_file(bid_dir, text)
    parsed = _direct(bid_dir)
    first = _read(bid_dir)  # parses and keeps
    assert list((cache / "supporters").glob("*.bin"))
    kept = _read(bid_dir)  # reads back
    _same(first, parsed)
    _same(kept, parsed)
    assert all(isinstance(s.cells.get("name"), (Location, type(None))) for s in kept.supporters)


def test_the_register_is_read_back_not_parsed(cache, tmp_path, monkeypatch):
    bid_dir = _register_file(tmp_path / "bid", REGISTERS["hostile"])
    _read(bid_dir)
    parsed = _direct(bid_dir)
    monkeypatch.setattr(supporters, "_read", lambda *args: pytest.fail("parsed again"))
    _same(_read(bid_dir), parsed)


def test_a_changed_file_is_parsed_again(cache, tmp_path):
    bid_dir = _register_file(tmp_path / "bid", REGISTERS["generated"])
    before = _read(bid_dir)
    changed = REGISTERS["generated"].replace(";Bürgerin;", ";Bürger;", 1).replace("2017", "2016", 1)
    _register_file(bid_dir, changed)
    after = _read(bid_dir)
    _same(after, _direct(bid_dir))
    assert after != before
    # the same bytes under another name (the messages name the file) or in another folder (the places)
    shutil.copy(bid_dir / "unterstuetzer.csv", bid_dir / "register.csv")
    _same(_read(bid_dir, "register.csv"), _direct(bid_dir, "register.csv"))
    other = _register_file(tmp_path / "other", changed)
    moved = _read(other)
    _same(moved, _direct(other))
    assert moved.path == other / "unterstuetzer.csv"


@pytest.mark.parametrize("damage", ["truncated", "flipped", "garbage with its digest", "empty", "a folder"])
def test_a_damaged_entry_is_a_miss(cache, tmp_path, damage):
    import hashlib
    import marshal

    bid_dir = _register_file(tmp_path / "bid", REGISTERS["hostile"])
    _read(bid_dir)
    (entry,) = (cache / "supporters").glob("*.bin")
    blob = entry.read_bytes()
    if damage == "truncated":
        entry.write_bytes(blob[: len(blob) // 2])
    elif damage == "flipped":
        entry.write_bytes(blob[:-10] + bytes([blob[-10] ^ 0xFF]) + blob[-9:])
    elif damage == "garbage with its digest":
        payload = marshal.dumps(("not", "a", "register", 1))
        entry.write_bytes(supporters._MAGIC + hashlib.sha256(payload).digest() + payload)
    elif damage == "empty":
        entry.write_bytes(b"")
    else:
        entry.unlink()
        entry.mkdir()
    _same(_read(bid_dir), _direct(bid_dir))


def test_another_bidkit_version_does_not_read_the_entry(cache, tmp_path, monkeypatch):
    import bidkit

    bid_dir = _register_file(tmp_path / "bid", REGISTERS["generated"])
    path = bid_dir / "unterstuetzer.csv"
    entry = supporters._entry("unterstuetzer.csv", path, path.read_bytes())
    supporters._fingerprint.cache_clear()
    monkeypatch.setattr(bidkit, "__version__", bidkit.__version__ + ".post1")
    try:
        assert supporters._entry("unterstuetzer.csv", path, path.read_bytes()) != entry
    finally:
        supporters._fingerprint.cache_clear()
    # and the code that parses: a change to bidkit/supporters.py or bidkit/sheets.py (size, time) is another key
    assert {"supporters", "sheets", "models", "findings", "records"} <= set(supporters._SHAPING)
    assert b"openpyxl:" in supporters._fingerprint()


def test_from_fields_makes_what_init_makes():
    rows = [(Path("a.csv"), 3, 2, None, "B3"), (None, None, None, None, None), (Path("b.xlsx"), 7, 1, "Tabelle 1", "A7")]
    made = from_fields(Location, rows)
    assert made == [Location(*row) for row in rows]
    assert [vars(m) for m in made] == [vars(Location(*row)) for row in rows]
    assert [repr(m) for m in made] == [repr(Location(*row)) for row in rows]
    assert hash(made[0]) == hash(Location(*rows[0]))
    with pytest.raises(TypeError):
        from_fields(Location, [(1, 2)])
    with pytest.raises(Exception):
        made[0].line = 4  # frozen as ever


def test_check_reports_the_same_with_the_register_kept(tmp_path):
    """The real command, on a bid whose register has every kind of problem: a first check (parses and
    keeps) and a second one (reads back) print the same report and exit alike, as one without a cache."""
    bid = tmp_path / "bid"
    shutil.copytree(EXAMPLE, bid)
    (bid / "unterstuetzer.csv").write_text(REGISTERS["generated"].rstrip("\n") + "\n" + "\n".join(HOSTILE_ROWS) + "\n",
                                           encoding="utf-8")
    with (bid / "bid.yaml").open("a", encoding="utf-8") as handle:
        handle.write("\nsupporters: {file: unterstuetzer.csv}\n")
    cache = tmp_path / "cache"
    first = run_bidkit("check", str(bid), "--format", "json", env={"BIDKIT_CACHE_DIR": str(cache)})
    assert list((cache / "supporters").glob("*.bin"))
    second = run_bidkit("check", str(bid), "--format", "json", env={"BIDKIT_CACHE_DIR": str(cache)})
    fresh = run_bidkit("check", str(bid), "--format", "json")
    assert first.code == second.code == fresh.code == 1
    assert first.stdout == second.stdout == fresh.stdout
    assert "SUP001" in first.stdout
