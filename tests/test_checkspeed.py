"""Issue 12, the cheaper ways `check` reads and searches: each gives exactly what the plain way gave.

The timings themselves are printed by benchmarks/bench_check.py (no timed tests).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from bidkit.rules import cities
from bidkit.variants import squeezed
from bidkit.yamlio import iter_strings, load_document

from conftest import EXAMPLE, REPO


# --- TXT004: the pattern of all city names is compiled only when a word may begin one ------------

def _every_match(text: str, city: str) -> list[tuple[int, str]]:
    """What TXT004 finds with the pattern of all names alone, no prefilter."""
    pattern, by_name = cities._pattern()
    mine = cities.own_names(city)
    found = []
    for match in pattern.finditer(text):
        said_stadt, name, adjective = match.groups()
        if name in mine or (all(c.common_word for c in by_name[name]) and not (said_stadt or adjective)):
            continue
        found.append((match.start(2), name + (adjective or "")))
    return found


CONTEXTS = ["{}", "Stadt {}", "Stadt\n{}er", "die {}er Innenstadt", "{}-Nord", "Neu-{}", "x{}", "{}s", "({})",
            "„{}“, 2017", "{} am Main", "{}er.", "Wir in {} und {}"]


@pytest.mark.parametrize("own_city", ["Wolfsburg", "Frankfurt", "Halle", "Mülheim an der Ruhr"])
def test_prefilter_of_city_names_drops_no_match(own_city):
    names = [name for city in cities.german_cities() for name in city.names]
    for name in names:
        for context in CONTEXTS:
            text = context.format(name, name)
            assert list(cities.other_cities(text, own_city)) == _every_match(text, own_city), text


def test_texts_without_another_city_compile_no_pattern():
    script = ("from bidkit.check import check_bid; from bidkit.rules import cities; from pathlib import Path; "
              f"result, _ = check_bid(Path({str(EXAMPLE)!r})); "
              "print(result.complete, cities._pattern.cache_info().currsize)")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO)
    assert proc.stdout.split() == ["True", "0"], proc.stderr


# --- strings of the bid, squeezed texts ---------------------------------------------------------

def _nested_strings(node, path=()):
    """iter_strings as it was: one generator per level."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _nested_strings(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _nested_strings(value, (*path, index))
    elif isinstance(node, str):
        yield path, node


@pytest.mark.parametrize("data", [
    "text", 5, None, [], {}, ["a", ["b", {"c": "d", "e": 1}], None, "f"],
    {"a": {"b": ["x", {"c": "y"}], "d": 2}, 3: "z", "e": [], "f": {"g": True}},
    load_document(EXAMPLE / "measures.yaml").data,
])
def test_iter_strings_gives_the_strings_in_their_order(data):
    assert list(iter_strings(data)) == list(_nested_strings(data))
    assert list(iter_strings(data, ("top", 0))) == list(_nested_strings(data, ("top", 0)))


@pytest.mark.parametrize("texts", [
    ["Erika Muster", "ẞtraße", "ΣΊΣΥΦΟΣ ς", "soft\u00adhyphen", "zero\u200bwidth", "a\u2028b"],
    ["", "  ", "\t\n", "ﬃ İstanbul", "\ufeffBOM", "Bindestrich\u2010Zeile"],
])
def test_squeezing_all_texts_at_once_is_squeezing_each(texts):
    assert squeezed("\0".join(texts)) == "\0".join(squeezed(text) for text in texts)


# --- the YAML builder -----------------------------------------------------------------------

def test_swallowed_comments_are_found_on_lines_with_a_hash(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text('a: Eins #zwei\nb: "drei #vier" #fuenf\nc: [sechs #sieben\n  , acht]\nd: neun # ein Kommentar\n'
                    "e: |\n  zehn #elf\nf: 12 #dreizehn\n", encoding="utf-8")
    document = load_document(path)
    assert [(s.comment, s.location.line, s.location.column) for s in document.swallowed] == [
        ("#zwei", 1, 9), ("#sieben", 3, 11), ("#dreizehn", 8, 7)]
    assert document.data["b"] == "drei #vier" and document.data["e"] == "zehn #elf\n" and document.data["f"] == 12


def test_plain_scalars_resolve_the_same_when_repeated(tmp_path):
    """The tag of a plain text is worked out once per text; the second 'no' and '5' are read alike."""
    path = tmp_path / "x.yaml"
    path.write_text("a: [no, 5, 1.50, 2017-02-30, ~, true, 0x1F, no, 5, 1.50, 2017-02-30, ~, true, 0x1F]\n", encoding="utf-8")
    values = load_document(path).data["a"]
    assert values[:7] == values[7:]
    assert [type(v).__name__ for v in values[:7]] == ["str", "int", "Decimal", "str", "NoneType", "bool", "str"]


def test_an_explicit_tag_on_a_repeated_text_is_refused(tmp_path):
    from bidkit.yamlio import YamlSyntaxError

    path = tmp_path / "x.yaml"
    path.write_text("a: 5\nb: !!str 5\n", encoding="utf-8")
    with pytest.raises(YamlSyntaxError, match="tag '!!str'"):
        load_document(path)
