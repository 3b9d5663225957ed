"""The final writer keeps object streams when a stream's data would end in a carriage return.

A validator reads CR LF before ``endstream`` as one end-of-line and then finds ``/Length`` one
byte too long (ISO 19005-2 6.1.7), so no stream of the final file may end in "\\r". Such a
stream used to cost the whole file its object streams (several times the size); now the
offending stream alone is written otherwise (bidkit.render.final._written).
"""

from __future__ import annotations

import io
import subprocess
import zlib
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name

from bidkit.render import final


def content_ending_in_cr() -> bytes:
    """Page content whose zlib data ends in "\\r" (the low byte of its Adler-32 checksum)."""
    content = b"BT /F1 12 Tf 72 720 Td (Hallo) Tj ET\n"
    while zlib.adler32(content) & 0xFF != 0x0D:
        content += b" "
    assert zlib.compress(content).endswith(b"\r")
    return content


def tagged_pdf(elements: int, title: str = "Abschnitt") -> pikepdf.Pdf:
    """A one-page tagged file with ``elements`` structure elements (enough for object streams)."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    page = pdf.pages[0]
    page.obj.Contents = pdf.make_stream(b"BT ET\n")
    root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    document = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=root, K=Array()))
    root.K = document
    for number in range(elements):
        document.K.append(pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.P, P=document,
                                                       T=pikepdf.String(f"{title} {number}"))))
    pdf.Root.StructTreeRoot = root
    return pdf


def streams_ending_in_cr(data: bytes) -> list[str]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return [f"{obj.objgen} {obj.get('/Type')}" for obj in pdf.objects
                if isinstance(obj, pikepdf.Stream) and obj.read_raw_bytes().endswith(b"\r")]


def object_streams(data: bytes) -> int:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return sum(1 for obj in pdf.objects if isinstance(obj, pikepdf.Stream) and obj.get("/Type") == Name.ObjStm)


def qpdf_check(data: bytes, tmp_path: Path) -> None:
    path = tmp_path / "written.pdf"
    path.write_bytes(data)
    run = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert run.returncode == 0 and "No syntax or stream encoding errors found" in run.stdout, run.stdout + run.stderr
    assert "WARNING" not in (run.stdout + run.stderr).upper()


def test_a_stream_ending_in_cr_keeps_the_object_streams(tmp_path):
    content = content_ending_in_cr()
    pdf = tagged_pdf(300)
    stream = pdf.make_stream(b"")
    stream.write(zlib.compress(content), filter=Name.FlateDecode)
    pdf.pages[0].obj.Contents = stream
    data = final._written(pdf)
    assert streams_ending_in_cr(data) == []
    assert object_streams(data) > 0
    with pikepdf.open(io.BytesIO(data)) as written:
        assert written.pages[0].obj.Contents.read_bytes() == content  # the same content, written otherwise
    qpdf_check(data, tmp_path)


def test_an_object_stream_ending_in_cr_is_written_anew_with_the_others_kept(tmp_path):
    # qpdf makes the object streams: look for a file whose first writing has one ending in "\r".
    for number in range(3000):
        pdf = tagged_pdf(250, f"Abschnitt {number}")
        first = final._save(pdf, pikepdf.ObjectStreamMode.generate)
        if any("/ObjStm" in found for found in streams_ending_in_cr(first)):
            break
    else:
        raise AssertionError("no object stream ended in a carriage return")
    data = final._written(pdf)
    assert streams_ending_in_cr(data) == []
    assert object_streams(data) == object_streams(first)
    with pikepdf.open(io.BytesIO(data)) as written:
        titles = [str(element.T) for element in written.Root.StructTreeRoot.K.K]
    assert titles == [f"Abschnitt {number} {k}" for k in range(250)]
    qpdf_check(data, tmp_path)
