"""A plain `bidkit build` runs without typer (bidkit.buildlaunch, issue 12: the command line's process
lives through the whole build beside the layout process, so its memory counts at the build's peak).
It must take the arguments exactly as typer does, leave everything else to typer, and print, exit
and write exactly as the typer app."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bidkit import buildlaunch, cli
from conftest import EXAMPLE, REPO

PLAIN = [
    ["build"],
    ["build", "bid_data"],
    ["build", "some/where/", "-o", "out.pdf"],
    ["build", "--output=a b.pdf", "dir with space", "--draft"],
    ["build", "bid_data", "--pdf-variant", "pdf/ua-1", "--no-cache"],
    ["build", "--pdf-variant=pdf", "--html", "x.html", "--variant", "public"],
    ["build", "--jobs", "2", "bid_data"],
    ["build", "-j", "1"],
    ["build", "--jobs=007", "--draft", "--draft"],
    ["build", "--variant=intern", "-o", "build/x.pdf", "-j", "0"],
]

TO_TYPER = [
    [],
    ["build", "--help"],
    ["build", "-h"],
    ["build", "--watch"],
    ["build", "bid_data", "--watch", "-o", "x.pdf"],
    ["build", "--pdf-variant", "PDF"],
    ["build", "--pdf-variant", "pdf/x"],
    ["build", "--pdf-variant"],
    ["build", "--jobs", "-1"],
    ["build", "--jobs", "+1"],
    ["build", "--jobs", " 1"],
    ["build", "--jobs", "1_0"],
    ["build", "--jobs", "two"],
    ["build", "-j2"],
    ["build", "-oout.pdf"],
    ["build", "-o=out.pdf"],
    ["build", "--out", "x.pdf"],
    ["build", "--bogus"],
    ["build", "a", "b"],
    ["build", ""],
    ["build", "--"],
    ["build", "-"],
    ["build", "-o", "-x.pdf"],
    ["build", "-o", ""],
    ["build", "-o", "a.pdf", "--output", "b.pdf"],
    ["build", "--jobs", "1", "-j", "2"],
    ["build", "--version"],
    ["check", "bid_data"],
    ["export", "bid_data"],
]


def _typer_parameters(args: list[str], monkeypatch) -> dict:
    """The parameters typer's `build` hands to run_build for ``args``."""
    seen = {}

    def record(bid_dir, output, draft, variant, html, bid_variant, no_cache, jobs):
        seen.update(bid_dir=bid_dir, output=output, draft=draft, variant=variant, html=html, bid_variant=bid_variant,
                    no_cache=no_cache, jobs=jobs)
        return 0

    monkeypatch.setattr(cli, "run_build", record)
    result = CliRunner().invoke(cli.app, args, prog_name="bidkit")
    assert result.exit_code == 0, result.output
    return seen


@pytest.mark.parametrize("args", PLAIN, ids=" ".join)
def test_plain_arguments_are_read_as_typer_reads_them(args, monkeypatch):
    monkeypatch.delenv("BIDKIT_JOBS", raising=False)
    parsed = buildlaunch.plain_build(args)
    expected = _typer_parameters(args, monkeypatch)
    assert parsed is not None
    assert parsed == expected
    assert {key: type(value) for key, value in parsed.items()} == {key: type(value) for key, value in expected.items()}


@pytest.mark.parametrize("args", TO_TYPER, ids=repr)
def test_everything_else_goes_to_typer(args, monkeypatch):
    monkeypatch.delenv("BIDKIT_JOBS", raising=False)
    assert buildlaunch.plain_build(args) is None


@pytest.mark.parametrize("value", ["2", "0", "01"])
def test_bidkit_jobs_is_read_as_typer_reads_it(value, monkeypatch):
    monkeypatch.setenv("BIDKIT_JOBS", value)
    assert buildlaunch.plain_build(["build"])["jobs"] == _typer_parameters(["build"], monkeypatch)["jobs"] == int(value)
    assert buildlaunch.plain_build(["build", "--jobs", "1"])["jobs"] == 1  # the option wins


@pytest.mark.parametrize("value", ["two", "-1", " 2"])
def test_an_unusual_bidkit_jobs_goes_to_typer(value, monkeypatch):
    monkeypatch.setenv("BIDKIT_JOBS", value)
    assert buildlaunch.plain_build(["build"]) is None


def test_a_completion_request_goes_to_typer(monkeypatch):
    monkeypatch.setenv("_BIDKIT_COMPLETE", "bash_source")
    assert buildlaunch.plain_build(["build", "bid_data"]) is None


#: Runs the command line through ``entry``, noting the modules its own process has loaded at the end.
PROBE = ("import atexit, sys\n"
         "atexit.register(lambda: print('LOADED', *sorted(m for m in ('typer', 'click', 'pydantic', 'pydantic_core', "
         "'rich', 'bidkit.cli') if m in sys.modules), file=sys.stderr))\n"
         "entry = sys.argv.pop(1)\n"
         "main = __import__(entry, fromlist=['main']).main\n"
         "main()\n")


def _run(entry: str, args: list[str], cache: Path) -> tuple[int, str, str, list[str]]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", "BIDKIT_CACHE_DIR": str(cache)}
    env.pop("BIDKIT_JOBS", None)
    env.pop("SOURCE_DATE_EPOCH", None)
    proc = subprocess.run([sys.executable, "-c", PROBE, entry, *args], capture_output=True, text=True, cwd=REPO, env=env,
                          timeout=600)
    stderr, _, loaded = proc.stderr.rpartition("LOADED")
    steps = re.sub(r" \d+:\d\d:\d\d$", " TIME", stderr, flags=re.M)  # each step's time
    return proc.returncode, proc.stdout, steps, loaded.split()


def test_a_plain_build_runs_without_typer_and_says_and_writes_what_the_typer_app_does(tmp_path):
    cache = tmp_path / "cache"
    fast = _run("bidkit.launch", ["build", str(EXAMPLE), "-o", str(tmp_path / "fast.pdf"), "--jobs", "1"], cache)
    assert fast[3] == []  # neither typer, click, pydantic nor rich in the command line's process
    full = _run("bidkit.cli", ["build", str(EXAMPLE), "-o", str(tmp_path / "full.pdf"), "--no-cache", "--jobs", "1"], cache)
    assert "typer" in full[3]
    assert fast[0] == full[0] == 0
    assert fast[1].replace("fast.pdf", "full.pdf") == full[1]
    assert fast[2] == full[2] and "✓ Writing the final file" in fast[2]
    assert (tmp_path / "fast.pdf").read_bytes() == (tmp_path / "full.pdf").read_bytes()
    # the same build again: from the rebuild cache, as the typer app takes it
    hit = _run("bidkit.launch", ["build", str(EXAMPLE), "-o", str(tmp_path / "fast.pdf"), "--jobs", "1"], cache)
    typer_hit = _run("bidkit.cli", ["build", str(EXAMPLE), "-o", str(tmp_path / "fast.pdf"), "--jobs", "1"], cache)
    assert hit[:3] == typer_hit[:3] and "from the cache" in hit[1] and hit[3] == []


def test_errors_of_a_plain_build_are_the_typer_apps(tmp_path):
    for args in (["build", str(tmp_path / "missing")], ["build", str(EXAMPLE), "-o", str(EXAMPLE / "bid.yaml")]):
        fast = _run("bidkit.launch", args, tmp_path / "cache")
        full = _run("bidkit.cli", args, tmp_path / "cache")
        assert fast[:3] == full[:3] and fast[0] == 2
