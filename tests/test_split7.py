"""Build speed and memory (issue 12, session 22): what the layout process loads and what the
HTML parser costs before a layout can split. No timings: what is loaded and what is made."""

from __future__ import annotations

import inspect
import textwrap

from conftest import REPO

#: Parsed by tinyhtml5 with and without bidkit's cache of its expressions: every state of its
#: tokenizer that reads up to a set of characters (text, attributes in all quotings, comments,
#: character references, a script, CR LF, a character beyond Latin-1, an unquoted attribute).
HTML = textwrap.dedent("""\
    <!DOCTYPE html>
    <html lang="de"><head><meta charset="utf-8"><title>T &amp; t</title>
    <style>p { color: red }</style><script>if (a < b && c) { d(); }</script></head>
    <body class=cover data-x='single "quoted"' id="b">\r\n
    <!-- a comment -- with dashes -->
    <p title="Größe &lt; 5 &#8364; &euro;">Text mit Umlauten äöü, ẞ, € und &nbsp; Leerzeichen\tTab</p>
    <table><tr><td>1</td><td colspan=2>2 &amp 3</td></tr></table>
    <ul><li>eins<li>zwei</ul><pre>
      vorformatiert</pre>
    </body></html>
""")


def _parsed(html: str) -> list:
    """Every node of the tree tinyhtml5 makes: tag, attributes in order, text and tail."""
    import tinyhtml5

    return [(str(node.tag), list(node.attrib.items()), node.text, node.tail) for node in tinyhtml5.parse(html).iter()]


def test_the_parsers_expressions_are_cached_under_their_characters_and_parse_alike():
    import tinyhtml5.inputstream

    from bidkit.render import pdf

    cache = tinyhtml5.inputstream.characters_until_regex
    assert isinstance(cache, pdf._CharactersUntil)  # installed when bidkit.render.pdf is imported
    ours = _parsed(HTML)
    assert cache and all(not hasattr(key[0], "match") for key in cache)  # under the characters: hits
    try:
        tinyhtml5.inputstream.characters_until_regex = {}  # tinyhtml5's own
        theirs = _parsed(HTML)
    finally:
        tinyhtml5.inputstream.characters_until_regex = cache
    assert ours == theirs
    example = (REPO / "templates" / "bid.html.j2").read_text(encoding="utf-8")  # Jinja text is HTML to the parser
    tinyhtml5.inputstream.characters_until_regex = {}
    try:
        theirs = _parsed(example)
    finally:
        tinyhtml5.inputstream.characters_until_regex = cache
    assert _parsed(example) == theirs


def test_tinyhtml5_internals_the_expression_cache_relies_on():
    """Fails loudly when tinyhtml5 (WeasyPrint 70's parser, 2.1) changes what pdf._CharactersUntil
    replaces: then drop it or make it anew."""
    import tinyhtml5.inputstream

    source = inspect.getsource(tinyhtml5.inputstream.HTMLUnicodeInputStream.chars_until)
    for needle in ("characters = characters_until_regex[(characters, opposite)]\n        except KeyError:",
                   'regex = "".join([f"\\\\x{ord(character):02x}" for character in characters])',
                   'regex = f"^{regex}"', 'regex = re.compile(f"[{regex}]+")'):
        assert needle in source, needle


def test_the_hyphenation_patterns_share_their_values_and_hyphenate_alike(tmp_path, monkeypatch):
    """Each distinct (offset, values) pair of the patterns is one object (~8 MB less in every
    layout process), parsed or from the stored copy, and every word is hyphenated as pyphen's own
    dictionary does it."""
    import pyphen

    from bidkit.render import pdf

    monkeypatch.setenv("BIDKIT_CACHE_DIR", str(tmp_path))
    path = pyphen.LANGUAGES[pyphen.language_fallback("de")]
    fresh = pyphen.HyphDict(path)
    words = ["Finanzierungsplan", "Unterstützerliste", "Digitalisierungsstrategie", "Ausgangslage", "Verwaltung",
             "Kosten-und-Finanzierungsplan", "Bürgerbeteiligung", "Zuwendungsempfänger", "Straße", "Ökosystem"]
    for _source in ("parsed", "stored"):
        monkeypatch.setattr(pyphen, "hdcache", {})
        pdf._hyphenation()
        patterns = pyphen.hdcache[path].patterns
        assert patterns == fresh.patterns
        assert len({id(value) for value in patterns.values()}) == len(set(patterns.values())) < len(patterns) / 10
        assert [pyphen.hdcache[path].positions(word) for word in words] == [fresh.positions(word) for word in words]
    assert len(list((tmp_path / "hyphenation").glob("*.pickle"))) == 1
