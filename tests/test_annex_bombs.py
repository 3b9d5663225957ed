"""Decompression bombs in PDF annexes (red-team trial): a file of a few hundred kilobytes whose
streams inflate to gigabytes is refused within bounded time and memory — a located ANX007 in
`check`, a refused final build — and the refusal is what the verdict cache keeps.

The bombs are made here with pikepdf: a megabyte of spaces deflated once and repeated as
independent blocks (each ends in a full flush), so a bomb of N MB costs N kilobytes and no
compression time.
"""

from __future__ import annotations

import io
import json
import time
import zlib
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Array, Name

from conftest import line_of, run_bidkit

ANNEX = "anlagen/unterstuetzung-ostfalia.pdf"  # annex 3, named by a partner's letter in partners.yaml
MB = 1 << 20


def spaces(megabytes: int, last: int | None = None) -> bytes:
    """Zlib data that inflates to ``megabytes`` MiB of spaces (with the right checksum), and a
    few letters more where its ``last`` byte (the checksum's) must be that one."""
    block = b" " * MB
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = deflater.compress(block) + deflater.flush(zlib.Z_FULL_FLUSH)
    adler = 1
    for _ in range(megabytes):
        adler = zlib.adler32(block, adler)
    tail = b""
    while last is not None and zlib.adler32(tail, adler) & 0xFF != last:
        tail += b"a"
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    coda = deflater.compress(tail) + deflater.flush(zlib.Z_FULL_FLUSH) if tail else b""
    return b"\x78\xda" + piece * megabytes + coda + b"\x03\x00" + zlib.adler32(tail, adler).to_bytes(4, "big")


def bomb_pdf(megabytes: int, where: str = "content") -> bytes:
    """A one-page PDF with a stream of ``megabytes`` MiB hidden ``where``."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    page = pdf.pages[0].obj
    drawn = pdf.make_stream(b"0 0 m 100 100 l S\n")
    if where == "content":  # the trial's file: an extra content stream of the page
        bomb = pikepdf.Stream(pdf, spaces(megabytes))
        bomb.Filter = Name.FlateDecode
        page.Contents = Array([drawn, bomb])
    elif where == "form":  # a form XObject the page paints
        bomb = pikepdf.Stream(pdf, spaces(megabytes))
        bomb.Filter, bomb.Type, bomb.Subtype, bomb.BBox = Name.FlateDecode, Name.XObject, Name.Form, Array([0, 0, 10, 10])
        page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Fm0=bomb))
        page.Contents = pdf.make_stream(b"/Fm0 Do\n")
    elif where == "hex and twice deflated":  # filters a reader undoes one after the other
        bomb = pikepdf.Stream(pdf, zlib.compress(spaces(megabytes)).hex().encode() + b">")
        bomb.Filter = Array([Name.ASCIIHexDecode, Name.FlateDecode, Name.FlateDecode])
        page.Contents = Array([drawn, bomb])
    elif where == "filter by reference":
        bomb = pikepdf.Stream(pdf, spaces(megabytes))
        bomb.Filter = pdf.make_indirect(Name.FlateDecode)
        page.Contents = Array([drawn, bomb])
    elif where == "font":  # an embedded font's program
        bomb = pikepdf.Stream(pdf, spaces(megabytes))
        bomb.Filter = Name.FlateDecode
        descriptor = pikepdf.Dictionary(Type=Name.FontDescriptor, FontName=Name.Bomb, FontFile2=bomb, Flags=32,
                                        FontBBox=Array([0, 0, 1000, 1000]), ItalicAngle=0, Ascent=800, Descent=-200,
                                        CapHeight=700, StemV=80)
        font = pikepdf.Dictionary(Type=Name.Font, Subtype=Name.TrueType, BaseFont=Name.Bomb, FontDescriptor=descriptor)
        page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        page.Contents = pdf.make_stream(b"BT /F1 12 Tf 72 720 Td (Bombe) Tj ET\n")
    out = io.BytesIO()
    # Written as they are: qpdf would otherwise inflate the bomb to compress it anew.
    pdf.save(out, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none, fix_metadata_version=False)
    return out.getvalue()


@pytest.fixture
def low_limit(monkeypatch):
    """The decoded-size bound lowered to 8 MB, so a bomb trips it in milliseconds."""
    from bidkit import annexes

    monkeypatch.setattr(annexes, "MAX_DECODED_BYTES", 8_000_000)


@pytest.mark.parametrize("where", ["content", "form", "hex and twice deflated", "filter by reference", "font"])
def test_a_stream_that_inflates_past_the_bound_is_refused(tmp_path: Path, low_limit, where: str):
    from bidkit.annexes import PdfAnnexError, read_pdf_annex

    path = tmp_path / "bombe.pdf"
    path.write_bytes(bomb_pdf(64, where))
    assert path.stat().st_size < 200_000
    started = time.monotonic()
    with pytest.raises(PdfAnnexError, match=r"^it decompresses to more than 8 MB$") as raised:
        read_pdf_annex(path)
    assert raised.value.excessive and not raised.value.transient
    assert time.monotonic() - started < 5


def test_streams_below_the_bound_are_read(tmp_path: Path, low_limit):
    from bidkit.annexes import read_pdf_annex

    path = tmp_path / "gross.pdf"
    path.write_bytes(bomb_pdf(4))  # 4 MiB of content in all: within 8 MB
    assert read_pdf_annex(path).pages == 1


def picture_pdf(megabytes: int, last: int | None = None) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    image = pikepdf.Stream(pdf, spaces(megabytes, last))
    image.Filter, image.Type, image.Subtype = Name.FlateDecode, Name.XObject, Name.Image
    image.Width, image.Height, image.ColorSpace, image.BitsPerComponent = 4096, 4096, Name.DeviceGray, 8
    pdf.pages[0].obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    pdf.pages[0].obj.Contents = pdf.make_stream(b"q 595 0 0 842 0 0 cm /Im0 Do Q\n")
    out = io.BytesIO()
    pdf.save(out, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none, fix_metadata_version=False)
    return out.getvalue()


def test_pictures_count_not_towards_the_bound(tmp_path: Path, low_limit):
    """A scan's deflated pixels are never decoded by bidkit: a large one is no bomb ..."""
    from bidkit.annexes import PdfAnnexError, read_pdf_annex

    path = tmp_path / "scan.pdf"
    path.write_bytes(picture_pdf(16))
    assert read_pdf_annex(path).pages == 1
    # ... unless its data ends in a carriage return: the final writer writes it anew, decoded.
    path.write_bytes(picture_pdf(16, last=ord("\r")))
    with pytest.raises(PdfAnnexError, match="decompresses to more than 8 MB"):
        read_pdf_annex(path)


def test_what_the_size_bound_misses_the_reading_childs_bounds_stop(tmp_path: Path, monkeypatch):
    """A bomb the byte scan cannot see (here: the scan switched off) is stopped by the forked
    reader's time bound, in C code too; the verdict says so and is not kept."""
    from bidkit import annexes

    monkeypatch.setenv("BIDKIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(annexes, "decoded_size", lambda data, limit: 0)
    monkeypatch.setattr(annexes, "MAX_READ_SECONDS", 0.5)
    path = tmp_path / "bombe.pdf"
    path.write_bytes(bomb_pdf(3000))
    started = time.monotonic()
    verdict = annexes.pdf_annex_verdict(path)
    assert time.monotonic() - started < 15
    assert verdict.excessive and "took longer than" in verdict.problem, verdict
    assert not list((tmp_path / "cache").rglob("*.json"))  # a verdict of the moment


def test_the_reading_child_is_bounded_in_memory(tmp_path: Path, monkeypatch):
    """Whatever swells while an annex is read (here: a stand-in for a reader that holds 2 GB)
    stops at the forked reader's memory bound; the verdict says so and is not kept."""
    from bidkit import annexes

    def swells(data: bytes):
        return len(b" " * 2_000_000_000)

    monkeypatch.setenv("BIDKIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(annexes, "_copy_without_active_content", swells)
    monkeypatch.setattr(annexes, "READ_MEMORY", 200_000_000)
    path = tmp_path / "brief.pdf"
    path.write_bytes(bomb_pdf(1))
    verdict = annexes.pdf_annex_verdict(path)
    assert verdict.excessive and verdict.problem == "reading it needs more memory than bidkit allows", verdict
    assert not list((tmp_path / "cache").rglob("*.json"))  # a verdict of the moment


@pytest.mark.slow
def test_check_reports_the_trials_bomb_at_the_annex_and_the_build_refuses_it(bid: Path, tmp_path: Path):
    """The trial's case, full size: a 250 MB content stream in a file of a quarter megabyte."""
    (bid / ANNEX).write_bytes(bomb_pdf(250))
    cache = tmp_path / "cache"
    started = time.monotonic()
    for _ in range(2):  # the second run answers from the verdict cache: still refused
        run = run_bidkit("check", ".", "--format", "json", cwd=bid, env={"BIDKIT_CACHE_DIR": str(cache)})
        assert run.code == 1, run.stderr
        assert "Traceback" not in run.stderr
        [finding] = [f for f in run.json()["findings"] if f["severity"] == "error"]
        assert (finding["rule"], finding["file"], finding["path"]) == ("ANX007", "partners.yaml", "partners[1].letter.file")
        assert finding["line"] == line_of(bid / "partners.yaml", f"file: {ANNEX}")
        assert finding["message"].endswith(f"'{ANNEX}' cannot be read within bidkit's bounds: it decompresses to more than 200 MB")
        assert "print it to PDF again" in finding["hint"]
    assert time.monotonic() - started < 60
    kept = [json.loads(entry.read_text()) for entry in (cache / "annexes").glob("*.json")]
    assert [verdict["problem"] for verdict in kept if verdict["excessive"]] == ["it decompresses to more than 200 MB"]
    out = tmp_path / "bid.pdf"
    run = run_bidkit("build", str(bid), "-o", str(out))
    assert run.code == 1 and "ANX007" in run.stderr and "Build refused" in run.stderr, run.stderr
    assert not out.exists()


def test_a_verdict_of_the_unbounded_reader_is_not_reused(tmp_path: Path):
    """Verdicts are keyed by the format that reached them: one kept by the reader before the
    bounds (format 1, which accepted bombs) is never read as this reader's."""
    from bidkit import annexes

    assert annexes.VERDICT_FORMAT >= 2
    assert f"verdict {annexes.VERDICT_FORMAT}\n".encode() in annexes._judge_fingerprint()
