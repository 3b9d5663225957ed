"""The peak memory of `bidkit build` (issue 12): while the layout process holds the laid-out
pages, the command line's process stays small — it has not loaded pikepdf (the annexes it holds
for the final file are plain data) and holds no copy of WeasyPrint's PDF, which comes through a
file read once the layout process has ended."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import textwrap

from conftest import EXAMPLE, REPO

#: Runs the command line, noting what its process holds when it starts the final file.
PROBE = textwrap.dedent("""
    import json, os, sys
    import bidkit.render.staged as staged

    original, noted, command_line = staged.finish, sys.argv[1], os.getpid()

    def finish(staged_, written, *args, **kwargs):
        children = set()
        for task in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{task}/children", encoding="ascii") as listed:
                children |= set(listed.read().split())
        with open(noted, "w", encoding="utf-8") as out:
            json.dump({"here": os.getpid() == command_line, "pikepdf": "pikepdf" in sys.modules,
                       "children": sorted(children), "pdf": len(written.data)}, out)
        return original(staged_, written, *args, **kwargs)

    staged.finish = finish
    sys.argv = ["bidkit", *sys.argv[2:]]
    from bidkit.cli import main

    main()
""")


def test_the_command_line_makes_the_final_file_after_the_layout_process_has_ended_and_without_pikepdf_before(tmp_path):
    noted, out, temporary = tmp_path / "noted.json", tmp_path / "three.pdf", tmp_path / "tmp"
    temporary.mkdir()
    proc = subprocess.run([sys.executable, "-c", PROBE, str(noted), "build", str(EXAMPLE), "-o", str(out), "--no-cache",
                           "--jobs", "1"], cwd=REPO, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_COLOR": "1", "TMPDIR": str(temporary)})
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(noted.read_text(encoding="utf-8"))
    assert seen["here"]  # the final file is made in the command line's process
    assert seen["children"] == []  # the worker and the layout process have ended (and were waited for)
    assert not seen["pikepdf"]  # loaded only now, for the final file
    assert seen["pdf"] > 10_000  # WeasyPrint's PDF, read from the file the layout process wrote
    assert out.read_bytes()[:5] == b"%PDF-"
    assert os.listdir(temporary) == []  # the file was removed

def test_an_annex_for_the_final_file_unpickles_without_pikepdf():
    from bidkit.render.final import AnnexPdf  # as the worker makes them (bidkit.render.assemble.final_annex)

    data = pickle.dumps([AnnexPdf(1, "Satzung", b"%PDF-1.7 ...", pages=2, files=("satzung.pdf",))])
    code = ("import pickle, sys; annexes = pickle.loads(sys.stdin.buffer.read()); "
            "print(annexes[0].bookmark, annexes[0].pages, 'pikepdf' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], input=data, capture_output=True, cwd=REPO, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode().split() == ["Anlage", "1:", "Satzung", "2", "False"]
