"""The final file's walk of the structure tree tells pikepdf's objects apart by their type codes, not
by ``isinstance`` (bidkit.render.final._elements, issue 12: the largest part of the final file's
time). It must find exactly the elements, in the order, that the ``isinstance`` walk found."""

from __future__ import annotations

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from bidkit.render import final


def _walk_by_isinstance(root):
    """The walk as it was (before issue 12's final-file speed-up)."""
    seen = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, (Array, Dictionary)) and node.is_indirect:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        if isinstance(node, Array):
            stack.extend(node)
            continue
        if not isinstance(node, Dictionary):
            continue
        if node.get("/Type") in (Name.OBJR, Name.MCR):
            continue
        yield node
        kids = node.get("/K")
        if kids is not None:
            stack.append(kids)


def _key(node):
    return node.objgen if node.is_indirect else repr(node)


def test_the_walk_finds_the_elements_the_isinstance_walk_found(example_pdf):
    with pikepdf.open(example_pdf) as pdf:  # WeasyPrint's tree and the annexes' grafted into it
        root = pdf.Root.StructTreeRoot.K
        found = [_key(node) for node in final._elements(root)]
        assert found == [_key(node) for node in _walk_by_isinstance(root)]
        assert len(found) > 500
        reachable, ids = final._structure(root)
        assert ids and all(isinstance(element.get("/ID"), String) for element in ids.values())
        assert reachable == {key for key in found if isinstance(key, tuple)}


def test_the_walk_skips_what_is_no_element_and_follows_loops_once():
    pdf = pikepdf.new()
    leaf = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.P, K=Array([0, 1])))
    reference = Dictionary(Type=Name.MCR, MCID=2)
    direct = Dictionary(S=Name.Span, ID=String("x"), K=3)
    looping = pdf.make_indirect(Array())
    looping.append(leaf)
    looping.append(looping)  # an array that holds itself
    root = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Sect,
                                        K=Array([leaf, reference, direct, Name.Figure, String("t"), 4.5, looping])))
    walked = list(final._elements(root))
    assert [_key(node) for node in walked] == [_key(node) for node in _walk_by_isinstance(root)]
    assert [str(node.S) for node in walked] == ["/Sect", "/P", "/Span"]
    assert final._structure(root)[1].keys() == {"x"}
