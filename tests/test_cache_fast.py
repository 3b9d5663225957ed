"""A rebuild taken from the rebuild cache without reading the bid (issue 12: ≤ 1.2× `check`).

The command line looks the build up before the bid is read (bidkit.render.cache.lookup) and, on
a hit, prints what the cold build printed (its check's report) and writes the same bytes, in its
own process, without pydantic, YAML, Jinja or the rules; it refuses the outputs the cold build
refused. A build that fails is never kept. The key's inputs: tests/test_cache.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import EXAMPLE, REPO, Run, edit, run_bidkit

#: What a build taken from the cache must not load, in any of its processes.
READING = ("pydantic", "pydantic_core", "yaml", "jinja2", "babel", "bidkit.models", "bidkit.loader", "bidkit.check",
           "bidkit.rules", "bidkit.render.build", "weasyprint", "pikepdf", "pypdf")
#: Runs the command line, noting each module of READING any of its processes (forked: they
#: inherit the finder) imports.
PROBE = textwrap.dedent("""
    import sys

    noted, reading = sys.argv[1], tuple(sys.argv[2].split(","))
    sys.argv = ["bidkit", *sys.argv[3:]]

    class Noting:
        def find_spec(self, name, path=None, target=None):
            if name in reading or name.startswith(tuple(module + "." for module in reading)):
                with open(noted, "a", encoding="utf-8") as out:
                    out.write(name + "\\n")
            return None

    sys.meta_path.insert(0, Noting())
    from bidkit.cli import main

    main()
""")


def printed(run) -> tuple[list[str], str]:
    """(stderr without the steps' lines, stdout without "from the cache"): what the check and the
    command line said."""
    report = [line for line in run.stderr.splitlines() if not line.startswith("✓ ")]
    return report, run.stdout.replace(", from the cache)", ")")


def entries(cache: Path) -> list[Path]:
    return sorted((cache / "pdf").glob("*.entry"))


@pytest.fixture(scope="module")
def drafted(tmp_path_factory):
    """A copy of the example with an error, built as a draft on an empty cache, then again: the
    runs, and the modules of READING each loaded."""
    root = tmp_path_factory.mktemp("fast")
    bid, cache = root / "bid", root / "cache"
    shutil.copytree(EXAMPLE, bid)
    edit(bid / "bid.yaml", "Rat der Stadt Wolfsburg", "")  # an error: the check's report is printed
    env = {"BIDKIT_CACHE_DIR": str(cache)}
    environment = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"}
    environment.update({"NO_COLOR": "1", "COLUMNS": "200", **env})

    def build(name: str):
        proc = subprocess.run([sys.executable, "-c", PROBE, str(root / f"{name}.txt"), ",".join(READING), "build", str(bid),
                               "--draft", "-o", str(root / f"{name}.pdf")],
                              cwd=REPO, env=environment, capture_output=True, text=True, timeout=300)
        noted = root / f"{name}.txt"
        return Run(proc.returncode, proc.stdout, proc.stderr), noted.read_text(encoding="utf-8").split() if noted.exists() else []

    (cold, cold_modules), (hit, hit_modules) = build("cold"), build("hit")
    return {"root": root, "bid": bid, "cache": cache, "env": env, "cold": cold, "hit": hit,
            "modules": {"cold": cold_modules, "hit": hit_modules}}


@pytest.mark.slow
def test_a_hit_prints_what_the_cold_build_printed_and_writes_its_bytes(drafted):
    cold, hit, root = drafted["cold"], drafted["hit"], drafted["root"]
    assert cold.code == hit.code == 0, (cold.stderr, hit.stderr)
    assert "from the cache" not in cold.stdout and "from the cache" in hit.stdout
    assert "Taking the PDF from the cache" in hit.stderr and "Laying out pages (WeasyPrint)" not in hit.stderr
    report, summary = printed(cold)
    assert any("error" in line for line in report) and any(" | " in line for line in report)  # findings with their lines
    assert printed(hit) == (report, summary.replace("cold.pdf", "hit.pdf"))
    assert (root / "hit.pdf").read_bytes() == (root / "cold.pdf").read_bytes()
    assert len(entries(drafted["cache"])) == 1


@pytest.mark.slow
def test_a_hit_reads_no_bid(drafted):
    assert {"pydantic", "yaml", "jinja2", "bidkit.rules", "weasyprint"} <= set(drafted["modules"]["cold"])  # the probe sees
    assert drafted["modules"]["hit"] == []


@pytest.mark.slow
def test_a_failing_build_is_never_kept(drafted, tmp_path):
    """The same bid without --draft: refused twice alike (exit 1), nothing stored, nothing written."""
    stored = {path.name: path.read_bytes() for path in entries(drafted["cache"])}
    runs = [run_bidkit("build", str(drafted["bid"]), "-o", str(tmp_path / "final.pdf"), env=drafted["env"]) for _ in range(2)]
    for run in runs:
        assert run.code == 1, run.stderr
        assert "Build refused:" in run.stderr and "from the cache" not in run.stdout
    assert runs[0].stderr == runs[1].stderr
    assert not (tmp_path / "final.pdf").exists()
    assert {path.name: path.read_bytes() for path in entries(drafted["cache"])} == stored


@pytest.mark.slow
def test_a_hit_refuses_the_outputs_the_cold_build_refuses(drafted, tmp_path):
    """An output that is a folder (its key is the hit's: the output lies outside the bid folder),
    and one of the bid's files (the key leaves its content out): refused as without the cache."""
    folder = tmp_path / "a-folder"
    folder.mkdir()
    budget = drafted["bid"] / "budget.yaml"
    kept = budget.read_bytes()
    for output, message in ((folder, "exists and is not a regular file"), (budget, "is an input of the bid")):
        cached = run_bidkit("build", str(drafted["bid"]), "--draft", "-o", str(output), env=drafted["env"])
        fresh = run_bidkit("build", str(drafted["bid"]), "--draft", "-o", str(output), "--no-cache", env=drafted["env"])
        assert cached.code == fresh.code == 2, cached.stderr
        assert message in cached.stderr and cached.stderr == fresh.stderr
    assert budget.read_bytes() == kept and folder.is_dir()


def test_an_entry_refuses_an_output_among_the_inputs_it_recorded(bid, tmp_path, monkeypatch):
    """A hit checks the output against the inputs its build recorded, before writing anything:
    a file of bidkit's templates (read whole, outside the bid folder) is never overwritten."""
    from bidkit.errors import BidkitError
    from bidkit.render.cache import lookup
    from bidkit.render.staged import from_cache

    monkeypatch.setenv("BIDKIT_CACHE_DIR", str(tmp_path / "cache"))
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    style = templates / "style.css"
    kept = style.read_bytes()

    def entry(output):
        return lookup(bid, output, draft=False, variant="pdf", bid_variant=None, jobs=1)

    first = entry(tmp_path / "out.pdf")
    facts = {"report": ["check: no errors or warnings (2 info; `bidkit check` shows them)"], "default": "build/x.pdf",
             "page_limit": 30, "limit_rule": ["PDF001", "error", "Shorten it."], "schema_file": "bid.schema.json",
             "pages": 1, "annexes_appended": 0, "files_embedded": 0, "refused": [], "warnings": [], "sections": [],
             "claims": None, **first.inputs([bid / "bid.yaml"], [templates], named_files=False)}
    first.keep(b"%PDF-1.7", facts, outputs=[tmp_path / "out.pdf"])
    said, steps = [], []
    facts_of_hit, built = from_cache(entry(tmp_path / "again.pdf"), said.append, steps.append)
    assert built.cached and (tmp_path / "again.pdf").read_bytes() == b"%PDF-1.7" and said == facts["report"]
    kept_yaml = (bid / "bid.yaml").read_bytes()
    assert from_cache(entry(bid / "bid.yaml"), said.append, steps.append) is None  # its content is not in the key: a miss
    for refused in (style, bid / "neu.yaml", bid / ".git" / "config"):
        said.clear()
        with pytest.raises(BidkitError, match="is an input of the bid"):
            from_cache(entry(refused), said.append, steps.append)
        assert said == facts["report"]  # the report first, as the cold build printed it before refusing
    assert style.read_bytes() == kept and (bid / "bid.yaml").read_bytes() == kept_yaml and not (bid / "neu.yaml").exists()
    assert steps == ["Taking the PDF from the cache"]  # only the hit that wrote its file
