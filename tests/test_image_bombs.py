"""Pictures that take gigabytes to decode: a few kilobytes of PNG can declare 12,000 × 12,000
pixels. bidkit reads the size from the header and refuses such a picture before anything
decodes it (bidkit.images), as a logo (check: THM001) and wherever the document names one."""

from __future__ import annotations

import base64
import struct
import zlib

import pytest

from conftest import check_here, edit, line_of


def png(width: int, height: int) -> bytes:
    """A valid PNG header declaring width × height grey pixels; the picture data is a few bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = zlib.compress(b"\x00" * (width + 1) * 8, 9)  # only the first rows; decoders read on
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", rows) + chunk(b"IEND", b""))


@pytest.mark.parametrize("width", [12_000, 40_000])  # below and above Pillow's own bomb limit
def test_check_refuses_a_logo_too_large_to_decode(bid, width):
    (bid / "theme" / "bomb.png").write_bytes(png(width, width))
    edit(bid / "bid.yaml", "logo: theme/logo.svg", "logo: theme/bomb.png")
    run = check_here(str(bid), "--format", "json")
    finding = next(f for f in run.json()["findings"] if f["rule"] == "THM001")
    assert "megapixels" in finding["message"] and finding["line"] == line_of(bid / "bid.yaml", "bomb.png")
    assert run.code == 1


def test_a_normal_picture_passes(bid):
    (bid / "theme" / "small.png").write_bytes(png(600, 200))
    edit(bid / "bid.yaml", "logo: theme/logo.svg", "logo: theme/small.png")
    run = check_here(str(bid), "--format", "json")
    assert not [f for f in run.json()["findings"] if f["rule"] == "THM001"]


def picture_bombs(bid):
    """The theme's stylesheet names a bomb by file and one inline (data: URL)."""
    (bid / "theme" / "bomb.png").write_bytes(png(12_000, 12_000))
    inline = base64.b64encode(png(12_000, 11_000)).decode()
    (bid / "theme" / "extra.css").write_text(
        ".cover { background: url(bomb.png) }\n"
        f"h1 {{ background-image: url(data:image/png;base64,{inline}) }}\n", encoding="utf-8")
    edit(bid / "bid.yaml", '  accent_color: "#6f8fb0"\n', '  accent_color: "#6f8fb0"\n  stylesheet: theme/extra.css\n')


@pytest.mark.slow
def test_build_never_decodes_a_picture_bomb_named_by_css(edited_draft):
    # --draft: THM004 refuses pictures behind text in a final build; the fetcher must hold in a draft too.
    # The draft of conftest.py's `edited_draft`: these pictures and the other edits it names.
    run = edited_draft.run
    assert run.code == 0, run.stderr
    assert "Traceback" not in run.stderr
    refused = [line for line in run.stderr.splitlines() if "refused to load" in line]
    assert any("bomb.png" in line for line in refused) and any("data:image/png" in line for line in refused), run.stderr
    assert edited_draft.pdf.stat().st_size > 10_000
