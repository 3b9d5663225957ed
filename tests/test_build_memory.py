"""The peak memory of `bidkit build` (issue 12): while the layout process holds the laid-out
pages, the command line's process stays small — it has not loaded pikepdf (the annexes it holds
for the final file are plain data) and holds no copy of WeasyPrint's PDF, which comes through a
file read once the layout process has ended."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

from conftest import REPO

def test_the_command_line_makes_the_final_file_after_the_layout_process_has_ended_and_without_pikepdf_before(probed_build):
    """conftest.py's `probed_build`: the example built by the command line, noting what its process
    holds when it starts the final file (test_staged_build.py reads the same build)."""
    assert probed_build.run.code == 0, probed_build.run.stderr
    seen = probed_build.final
    assert seen["here"]  # the final file is made in the command line's process
    assert seen["children"] == []  # the worker and the layout process have ended (and were waited for)
    assert not seen["pikepdf"]  # loaded only now, for the final file
    assert seen["pdf"] > 10_000  # WeasyPrint's PDF, read from the file the layout process wrote
    assert probed_build.pdf.read_bytes()[:5] == b"%PDF-"
    assert os.listdir(probed_build.temporary) == []  # the file was removed


def test_an_annex_for_the_final_file_unpickles_without_pikepdf():
    from bidkit.render.final import AnnexPdf  # as the worker makes them (bidkit.render.assemble.final_annex)

    data = pickle.dumps([AnnexPdf(1, "Satzung", b"%PDF-1.7 ...", pages=2, files=("satzung.pdf",))])
    code = ("import pickle, sys; annexes = pickle.loads(sys.stdin.buffer.read()); "
            "print(annexes[0].bookmark, annexes[0].pages, 'pikepdf' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], input=data, capture_output=True, cwd=REPO, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode().split() == ["Anlage", "1:", "Satzung", "2", "False"]
